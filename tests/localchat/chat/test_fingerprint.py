"""The decoding fingerprint: changing how answers are decoded makes cached ones unreachable."""

from __future__ import annotations

import subprocess
import sys

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

import localchat.answer.compose as compose
import localchat.answer.coverage as coverage
import localchat.answer.cues as cues
import localchat.answer.generative as generative
import localchat.chat.budget as budget
import localchat.chat.citations as citations
import localchat.chat.fingerprint as decoding
import localchat.chat.prompt as prompt
import localchat.generation.llama as llama
import localchat.retrieval.rewrite as rewrite
from localchat.cache.keys import answer_key, cache_key
from localchat.chat.service import ChatRequest, ChatService
from localchat.config import PRESETS
from localchat.generation.base import ChatMessage, GenerationParams
from tests.localchat.cache.test_chat_cache import ask, docs, open_runtime  # noqa: F401

fingerprints = st.text(alphabet="0123456789abcdef", min_size=1, max_size=16)


def key_with(fingerprint: str) -> str:
    parts = answer_key(
        [ChatMessage("user", "Which pump cools the reactor?")],
        GenerationParams(temperature=0),
        system_prompt="s",
        generator="SmolLM2-135M-Instruct.Q4_1",
        embedder="all-MiniLM-L6-v2",
        preset="balanced",
        rag=PRESETS["balanced"],
        candidates=100,
        rrf_k=60,
        decoding=fingerprint,
    )
    return cache_key("answer", parts)


def fingerprint(context_tokens: int = 4096, max_source_tokens: int = 1536) -> str:
    return decoding.decoding_fingerprint(decoding.decoding_parts(context_tokens, max_source_tokens))


@given(fingerprints, fingerprints)
def test_the_key_changes_exactly_when_the_fingerprint_does(first, second):
    assert (key_with(first) == key_with(second)) == (first == second)


@pytest.mark.parametrize(
    ("module", "name", "value"),
    [
        (llama, "REPEAT_PENALTY", 1.3),
        (llama, "CHATML_TEMPLATE", "{{ messages }}"),
        (decoding, "DECODING_VERSION", decoding.DECODING_VERSION + 1),
        (prompt, "QUESTION_REMINDER", "Cite like [1]."),
        (prompt, "SYSTEM_PROMPT", "Answer briefly."),
        (prompt, "NO_SOURCES_ANSWER", "No idea."),
        (rewrite, "PREVIOUS_TURN_CHARS", 5),
        (coverage, "SUPPORT_FLOOR", 0.1),
        (cues, "FOCUS_BONUS", 0.5),
        (compose, "UNNAMED_ANSWER", "Never heard of {word}."),
        (generative, "EVIDENCE_SYSTEM_PROMPT", "Answer."),
        (budget, "MIN_ANSWER_TOKENS", 16),
        (citations, "clean_markers", lambda text, valid, **_: (text, [], 0)),
    ],
)
def test_changing_decoding_code_changes_the_fingerprint(monkeypatch, module, name, value):
    before = fingerprint()
    monkeypatch.setattr(module, name, value)
    assert fingerprint() != before


def test_changing_the_prompt_builder_changes_the_fingerprint(monkeypatch):
    before = fingerprint()
    monkeypatch.setattr(prompt, "render_source", lambda source: f"[{source.index}] {source.text}")
    assert fingerprint() != before


def test_context_and_source_budget_settings_change_the_fingerprint():
    assert len({fingerprint(), fingerprint(2048, 1536), fingerprint(4096, 512)}) == 3


def test_the_fingerprint_is_the_same_in_another_process():
    # L2 entries outlive the process: a restart must compute the very same fingerprint.
    code = "from localchat.chat.fingerprint import *; print(decoding_fingerprint(decoding_parts(4096, 1536)))"  # noqa: E501
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == fingerprint() == fingerprint()


def test_an_answer_cached_before_a_decoding_change_is_a_miss_after_it(
    settings,
    docs,  # noqa: F811
    monkeypatch,
):
    before = open_runtime(settings, docs)
    assert ask(before).cache == "miss" and ask(before).cache == "l1"
    before.close()

    same = open_runtime(settings)  # a restart with unchanged code: served from L2
    assert ask(same).cache == "l2"
    unchanged = ChatService(same).decoding
    same.close()

    monkeypatch.setattr(llama, "REPEAT_PENALTY", llama.REPEAT_PENALTY + 0.1)
    changed = open_runtime(settings)  # a restart after the penalty changed
    assert ChatService(changed).decoding != unchanged
    assert ask(changed).cache == "miss" and changed.generator.calls
    changed.close()


def test_the_chat_service_puts_its_fingerprint_into_every_answer_key(settings):
    runtime = open_runtime(settings)
    try:
        service = ChatService(runtime)
        request = ChatRequest([ChatMessage("user", "Which pump?")], GenerationParams(temperature=0))
        parts = service.key_parts(request)
        assert (
            parts.decoding
            == service.decoding
            == fingerprint(settings.models.context_tokens, settings.rag.max_source_tokens)
        )
        ticket = runtime.cache.answer_ticket(parts)
        bare = runtime.cache.answer_ticket(msgspec.structs.replace(parts, decoding=""))
        assert ticket.key != bare.key  # the cache keeps the value it is given, adds none
    finally:
        runtime.close()
