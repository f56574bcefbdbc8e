"""The cache through ChatService with a real Resources: tiers, replay, and never a stale answer."""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

import msgspec
import pytest

from localchat.chat.service import ChatRequest, ChatService
from localchat.config import with_rag
from localchat.embedding.embedder import HashEmbedder
from localchat.generation.base import ChatMessage, GenerationParams
from localchat.generation.scripted import ScriptedGenerator
from localchat.resources import Resources
from localchat.telemetry import RecordingTelemetry

QUESTION = "How do I prime the Zephyr pump?"
PUMP_V1 = "The Zephyr pump must be primed with two litres of water before first use.\n"
PUMP_V2 = "The Zephyr pump must be primed with five litres of warm water before first use.\n"
CATS = "Cats sleep for most of the day and hunt at dusk.\n"
SOURCE_1 = re.compile(r'<source id="1"[^>]*>\n(.*?)\n</source>', re.S)
EVIDENCE_1 = re.compile(r"^\[1\] \([^)]*\) (.*)$", re.M)  # the evidence prompt's line of [1]


def quote_source_1(messages: Sequence[ChatMessage]) -> str:
    """Answer with the first sentence of source 1, cited: the answer shows what it read."""
    found = SOURCE_1.search(messages[-1].content) or EVIDENCE_1.search(messages[-1].content)
    return f"{found.group(1).split('.')[0]} [1]." if found else "I don't know."


@pytest.fixture
def docs(tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "pump.txt").write_text(PUMP_V1)
    (folder / "cats.txt").write_text(CATS)
    return folder


def open_runtime(settings, docs=None, *, model_id="scripted", telemetry=None) -> Resources:
    # Generative answers: these tests tell a cached answer from a fresh one by whether the
    # generator ran (an extractive answer never calls it).
    # The hash embedder's cosines run far below MiniLM's, for which decline_score is set.
    settings = with_rag(settings, answer_mode="generative", decline_score=0.0)
    runtime = Resources.open(
        settings, embedder=HashEmbedder(), isolate_parsing=False, telemetry=telemetry
    )
    runtime.set_generator(ScriptedGenerator(quote_source_1, model_id=model_id))
    if docs is not None:
        assert runtime.library.ingest([docs]).failed == 0
    return runtime


@pytest.fixture
def runtime(settings, docs):
    runtime = open_runtime(settings, docs)
    yield runtime
    runtime.close()


def ask(runtime, question=QUESTION, **request):
    params = request.pop("params", GenerationParams(temperature=0.0))
    messages = [ChatMessage("user", question)]
    return ChatService(runtime).answer(ChatRequest(messages, params=params, **request))


def generations(runtime) -> int:
    return len(runtime.generator.calls)


def test_miss_l1_l2_after_restart_then_semantic(settings, docs):
    first = open_runtime(settings, docs)
    fresh = ask(first)
    assert fresh.cache == "miss" and "two litres" in fresh.content and fresh.annotations
    again = ask(first)
    assert again.cache == "l1" and generations(first) == 1
    assert (again.content, again.sources, again.annotations) == (
        fresh.content,
        fresh.sources,
        fresh.annotations,
    )
    first.close()

    second = open_runtime(settings)  # same data dir: a restarted process
    restarted = ask(second)
    assert restarted.cache == "l2" and restarted.content == fresh.content
    rephrased = ask(second, "how do i prime the zephyr pump")
    assert rephrased.cache == "semantic" and rephrased.content == fresh.content
    assert generations(second) == 0
    second.close()


def test_a_stream_hit_replays_the_same_event_sequence(runtime):
    service = ChatService(runtime)
    request = ChatRequest([ChatMessage("user", QUESTION)], GenerationParams(temperature=0.0))
    fresh = list(service.stream(request))
    replayed = list(service.stream(request))
    for events in (fresh, replayed):
        kinds = [e.kind for e in events]
        assert kinds[0] == "sources" and kinds[-1] == "done"
        assert set(kinds[1:-1]) == {"delta"}
    assert 1 < len(replayed) - 2 <= 4
    assert "".join(e.text for e in replayed) == replayed[-1].result.content
    assert replayed[0].sources == fresh[0].sources
    assert replayed[-1].result.cache == "l1" and fresh[-1].result.cache == "miss"
    # The tier is known from the first event, before anything is streamed.
    assert replayed[0].result.cache == "l1" and fresh[0].result is None
    assert replayed[-1].result.retrieval_ms == 0 < fresh[-1].result.retrieval_ms
    same = msgspec.structs.replace(replayed[-1].result, cache="miss", retrieval_ms=0)
    assert same == msgspec.structs.replace(fresh[-1].result, retrieval_ms=0)


def test_an_edited_document_never_yields_the_old_answer(runtime, docs):
    assert "two litres" in ask(runtime).content
    assert ask(runtime).cache == "l1"
    (docs / "pump.txt").write_text(PUMP_V2)
    runtime.library.ingest([docs / "pump.txt"])
    after = ask(runtime)
    assert after.cache == "miss" and "five litres" in after.content
    assert "two litres" not in after.content
    rephrased = ask(runtime, "how do i prime the zephyr pump")
    assert rephrased.cache == "semantic" and "five litres" in rephrased.content
    assert ask(runtime).cache == "l1"


def test_a_new_document_invalidates_answers_it_could_change(runtime, docs):
    ask(runtime)
    (docs / "pump-faq.txt").write_text("Priming the Zephyr pump: fill it with water first.\n")
    runtime.library.ingest([docs / "pump-faq.txt"])
    after = ask(runtime)
    assert after.cache == "miss"
    assert "pump-faq.txt" in {s.filename for s in after.sources}


def test_a_deleted_document_is_never_cited_from_the_cache(runtime):
    before = ask(runtime)
    pump_id = next(s.document_id for s in before.sources if s.filename == "pump.txt")
    runtime.library.delete(pump_id)
    after = ask(runtime)
    assert after.cache == "miss"
    assert pump_id not in {s.document_id for s in after.sources}


def test_another_process_changing_the_corpus_is_seen_at_the_next_question(settings, runtime, docs):
    assert ask(runtime).cache == "miss" and ask(runtime).cache == "l1"
    other = open_runtime(settings)  # e.g. `localchat ingest` while the server runs
    (docs / "pump.txt").write_text(PUMP_V2)
    other.library.ingest([docs / "pump.txt"])
    other.close()
    assert ask(runtime).cache == "miss"


def test_preset_and_model_changes_miss(runtime):
    assert ask(runtime).cache == "miss"
    assert ask(runtime, preset="fast").cache == "miss"
    assert ask(runtime, preset="balanced").cache == "l1"
    runtime.set_generator(ScriptedGenerator(quote_source_1, model_id="another-model"))
    assert ask(runtime).cache == "miss"
    assert ask(runtime, params=GenerationParams(temperature=0.0, max_tokens=64)).cache == "miss"


def test_changing_the_active_configuration_misses(runtime):
    assert ask(runtime, preset="active").cache == "miss"
    assert ask(runtime, preset="active").cache == "l1"
    runtime.set_rag_config({"top_k": 5})
    assert ask(runtime, preset="active").cache == "miss"


def test_sampled_answers_are_not_cached_unless_seeded_or_allowed(settings, docs):
    runtime = open_runtime(settings, docs)
    sampled = GenerationParams(temperature=0.7)
    assert [ask(runtime, params=sampled).cache for _ in range(2)] == ["miss", "miss"]
    seeded = GenerationParams(temperature=0.7, seed=42)
    assert [ask(runtime, params=seeded).cache for _ in range(2)] == ["miss", "l1"]
    runtime.close()
    allowed = msgspec.structs.replace(
        settings, cache=msgspec.structs.replace(settings.cache, cache_sampled=True)
    )
    runtime = open_runtime(allowed)
    assert [ask(runtime, params=sampled).cache for _ in range(2)] == ["miss", "l1"]
    runtime.close()


def test_no_cache_bypasses_the_lookup_and_refreshes_the_entry(runtime):
    assert ask(runtime).cache == "miss"
    assert ask(runtime, use_cache=False).cache == "miss"
    assert generations(runtime) == 2
    assert ask(runtime).cache == "l1" and generations(runtime) == 2


def test_a_cancelled_answer_is_not_cached(runtime):
    cancel = threading.Event()
    cancel.set()
    request = ChatRequest([ChatMessage("user", QUESTION)], GenerationParams(temperature=0.0))
    result = ChatService(runtime).answer(request, cancel)
    assert result.finish_reason == "cancelled"
    assert ask(runtime).cache == "miss"


def test_plain_chat_is_cached_and_outlives_corpus_changes(runtime, docs):
    assert ask(runtime, "hello", preset=None).cache == "miss"
    request = ChatRequest([ChatMessage("user", "hello")], GenerationParams(temperature=0.0))
    events = list(ChatService(runtime).stream(msgspec.structs.replace(request, preset=None)))
    assert events[0].kind == "delta" and events[0].result.cache == "l1"
    (docs / "pump.txt").write_text(PUMP_V2)
    runtime.library.ingest([docs / "pump.txt"])
    assert ask(runtime, "hello", preset=None).cache == "l1"


def test_disabled_cache_always_generates(settings, docs):
    off = msgspec.structs.replace(
        settings, cache=msgspec.structs.replace(settings.cache, enabled=False)
    )
    runtime = open_runtime(off, docs)
    assert [ask(runtime).cache for _ in range(2)] == ["miss", "miss"]
    assert generations(runtime) == 2
    runtime.close()


def test_every_answer_lookup_is_reported_by_tier(settings, docs):
    telemetry = RecordingTelemetry()
    runtime = open_runtime(settings, docs, telemetry=telemetry)
    ask(runtime)
    ask(runtime)
    answers = [
        c[1:] for c in telemetry.calls if c[0] == "cache" and c[1] in ("l1", "l2", "semantic")
    ]
    assert answers == [("l1", False), ("l2", False), ("semantic", False), ("l1", True)]
    assert ("cache", "retrieval", False) in telemetry.calls
    runtime.close()
