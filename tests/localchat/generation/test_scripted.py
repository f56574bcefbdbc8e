"""The scripted fake generator: deterministic word-by-word streams."""

from __future__ import annotations

import threading

import pytest

from localchat.generation.base import ChatMessage, Delta, GenerationParams, Generator, collect
from localchat.generation.scripted import ScriptedGenerator

QUESTION = [ChatMessage("user", "Where is Paris?")]


def test_streams_word_by_word_and_ends_with_usage() -> None:
    generator = ScriptedGenerator(["Paris is in France [1]."])
    deltas = list(generator.stream(QUESTION, GenerationParams()))
    assert [d.text for d in deltas] == ["Paris", " is", " in", " France", " [1].", ""]
    assert [d.finish_reason for d in deltas] == [None] * 5 + ["stop"]
    assert deltas[-1].usage is not None
    assert deltas[-1].usage.completion_tokens == 5
    assert deltas[-1].usage.prompt_tokens == generator.count_messages(QUESTION)
    assert isinstance(generator, Generator)


def test_replies_cycle_and_calls_are_recorded() -> None:
    generator = ScriptedGenerator(["one", "two"])
    texts = [collect(generator.stream(QUESTION, GenerationParams())).text for _ in range(3)]
    assert texts == ["one", "two", "one"]
    assert generator.calls == [QUESTION] * 3


def test_reply_function_sees_the_messages() -> None:
    generator = ScriptedGenerator(lambda messages: messages[-1].content.upper())
    assert collect(generator.stream(QUESTION, GenerationParams())).text == "WHERE IS PARIS?"


def test_max_tokens_cuts_with_length() -> None:
    generator = ScriptedGenerator(["a b c d e f"])
    result = collect(generator.stream(QUESTION, GenerationParams(max_tokens=3)))
    assert result.text == "a b c"
    assert result.finish_reason == "length"
    assert result.usage.completion_tokens == 3


def test_stop_strings_end_the_reply() -> None:
    generator = ScriptedGenerator(["alpha beta END gamma"])
    result = collect(generator.stream(QUESTION, GenerationParams(stop=(" END",))))
    assert result.text == "alpha beta"
    assert result.finish_reason == "stop"


def test_cancel_stops_within_one_word() -> None:
    generator = ScriptedGenerator(["w " * 100], delay=0.01)
    cancel = threading.Event()
    seen: list[Delta] = []
    for delta in generator.stream(QUESTION, GenerationParams(), cancel):
        seen.append(delta)
        if len(seen) == 3:
            cancel.set()
    assert len(seen) == 4  # three words, then the final cancelled delta
    assert seen[-1].finish_reason == "cancelled"
    assert seen[-1].text == ""


def test_complete_uses_the_raw_prompt() -> None:
    generator = ScriptedGenerator(lambda messages: messages[0].content + " done")
    result = collect(generator.complete("Once upon", GenerationParams()))
    assert result.text == "Once upon done"
    assert generator.calls == ["Once upon"]
    assert result.usage.prompt_tokens == 2


def test_needs_a_reply() -> None:
    with pytest.raises(ValueError):
        ScriptedGenerator([])


def test_close_is_recorded() -> None:
    generator = ScriptedGenerator()
    generator.close()
    assert generator.closed
