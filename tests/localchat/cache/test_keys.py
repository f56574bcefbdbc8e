"""Cache keys: the same request always gives the same key; any change to any part changes it."""

from __future__ import annotations

import msgspec
from hypothesis import given, settings
from hypothesis import strategies as st

from localchat.cache.keys import AnswerKey, answer_key, cache_key, retrieval_key
from localchat.config import PRESETS, RagParams
from localchat.generation.base import ChatMessage, GenerationParams

text = st.text(max_size=40)
messages = st.lists(
    st.tuples(st.sampled_from(["system", "user", "assistant"]), text), min_size=1, max_size=4
).map(lambda pairs: tuple(pairs))
rag = st.builds(
    RagParams,
    chunk_size=st.integers(64, 4096),
    chunk_overlap=st.integers(0, 32),
    top_k=st.integers(1, 200),
    min_similarity=st.floats(-1, 1, allow_nan=False),
)
keys = st.builds(
    AnswerKey,
    messages=messages,
    system_prompt=text,
    generator=st.sampled_from(["smollm2", "qwen", "scripted"]),
    embedder=st.sampled_from(["all-MiniLM-L6-v2", "bge-small", "hash-embedder-384"]),
    preset=st.sampled_from([None, "fast", "balanced", "accurate", "active"]),
    rag=st.none() | rag,
    candidates=st.integers(1, 500),
    rrf_k=st.integers(1, 100),
    max_tokens=st.integers(1, 4096),
    temperature=st.floats(0, 2, allow_nan=False),
    top_p=st.floats(0, 1, allow_nan=False),
    stop=st.lists(text, max_size=3).map(tuple),
    seed=st.none() | st.integers(0, 2**31),
    corpus_version=st.none() | st.integers(0, 10**6),
    decoding=st.text(alphabet="0123456789abcdef", max_size=16),
    collection=st.sampled_from(["", "default", "papers"]),
)


FIELD_STRATEGIES = {
    "messages": messages,
    "system_prompt": text,
    "generator": st.text(min_size=1, max_size=10),
    "embedder": st.text(min_size=1, max_size=10),
    "preset": st.none() | st.text(max_size=10),
    "rag": st.none() | rag,
    "candidates": st.integers(1, 500),
    "rrf_k": st.integers(1, 100),
    "max_tokens": st.integers(1, 4096),
    "temperature": st.floats(0, 2, allow_nan=False),
    "top_p": st.floats(0, 1, allow_nan=False),
    "stop": st.lists(text, max_size=3).map(tuple),
    "seed": st.none() | st.integers(0, 2**31),
    "corpus_version": st.none() | st.integers(0, 10**6),
    "decoding": st.text(max_size=16),
    "answer_mode": st.sampled_from(["", "extractive", "generative", "passages"]),
    "verification": st.lists(st.floats(0, 1, allow_nan=False), max_size=4).map(tuple),
    "json_schema": st.sampled_from(["", "object", '{"type": "object"}']),
    "prefill": text,
    "collection": st.sampled_from(["", "default", "papers", "all"]),
}


def test_every_key_field_is_covered_by_the_change_test():
    assert set(FIELD_STRATEGIES) == set(AnswerKey.__struct_fields__)


@settings(max_examples=200)
@given(keys)
def test_same_request_same_key_even_after_a_round_trip(key):
    copy = msgspec.json.decode(msgspec.json.encode(key), type=AnswerKey)
    assert cache_key("answer", key) == cache_key("answer", copy)
    assert cache_key("answer", key) == cache_key("answer", key)


@settings(max_examples=300)
@given(keys, st.sampled_from(sorted(FIELD_STRATEGIES)), st.data())
def test_any_change_to_any_part_gives_a_new_key(key, field, data):
    value = getattr(key, field)
    other = data.draw(FIELD_STRATEGIES[field].filter(lambda v: v != value), label=field)
    changed = msgspec.structs.replace(key, **{field: other})
    assert cache_key("answer", changed) != cache_key("answer", key)


@given(keys)
def test_the_kind_is_part_of_the_key(key):
    assert cache_key("answer", key) != cache_key("context", key)
    assert cache_key("answer", key).startswith("answer:")


def test_the_builder_normalises_equal_numbers_to_equal_keys():
    msgs = [ChatMessage("user", "how do I prime the pump?")]
    common = dict(
        system_prompt="s", generator="g", embedder="e", preset="balanced", candidates=100, rrf_k=60
    )
    as_ints = answer_key(
        msgs,
        GenerationParams(temperature=0, top_p=1, seed=3),  # type: ignore[arg-type]
        rag=RagParams(1024, 200, 20, 0),  # type: ignore[arg-type]
        **common,
    )
    as_floats = answer_key(
        msgs,
        GenerationParams(temperature=-0.0, top_p=1.0, seed=3),
        rag=RagParams(1024, 200, 20, 0.0),
        **common,
    )
    assert cache_key("answer", as_ints) == cache_key("answer", as_floats)


def test_the_context_drops_only_the_question():
    key = answer_key(
        [ChatMessage("system", "be brief"), ChatMessage("user", "what is a pump?")],
        GenerationParams(temperature=0),
        system_prompt="s",
        generator="g",
        embedder="e",
        preset="fast",
        rag=PRESETS["fast"],
        candidates=100,
        rrf_k=60,
    )
    other = msgspec.structs.replace(key, messages=(("system", "be brief"), ("user", "a pump?")))
    assert key.question == "what is a pump?"
    assert cache_key("context", key.context()) == cache_key("context", other.context())
    assert cache_key("answer", key) != cache_key("answer", other)
    longer = msgspec.structs.replace(key, messages=(("user", "what is a pump?"),))
    assert cache_key("context", longer.context()) != cache_key("context", key.context())


@given(st.text(max_size=30), st.integers(0, 100), st.integers(0, 100))
def test_retrieval_keys_depend_on_query_and_corpus_version(query, v1, v2):
    def key(q, v):
        parts = retrieval_key(
            "m", q, PRESETS["balanced"], mode="hybrid", candidates=100, rrf_k=60, corpus_version=v
        )
        return cache_key("retrieval", parts)

    assert key(query, v1) == key(query, v1)
    assert (key(query, v1) == key(query, v2)) == (v1 == v2)
    assert key(query, v1) != key(query + "?", v1)


def test_retrieval_keys_depend_on_the_collection():
    def key(collection):
        parts = retrieval_key(
            "m", "q", PRESETS["balanced"], mode="hybrid", candidates=100, rrf_k=60,
            corpus_version=1, collection=collection,
        )  # fmt: skip
        return cache_key("retrieval", parts)

    assert key("default") != key("papers") != key("all")
    assert key("papers") == key("papers")
