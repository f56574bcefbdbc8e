"""`localchat ask`: streamed answer with sources, --json document, terminal-safe output."""

from __future__ import annotations

import argparse
import json

import pytest

from localchat.commands import ask
from localchat.config import with_rag
from localchat.embedding.embedder import HashEmbedder
from localchat.generation.scripted import ScriptedGenerator
from localchat.resources import Resources


@pytest.fixture
def fake_open(settings, tmp_path, monkeypatch):
    doc = tmp_path / "nuts.md"
    doc.write_text("# Nuts\n\nThe Boots self-locking nut holds tight despite vibration.\n")
    # Generative answers, so the scripted words are the answer (each sentence is checked
    # against the source, which supports this one); the hash embedder's cosines run far below
    # MiniLM's, for which rag.decline_score is set.
    settings = with_rag(settings, answer_mode="generative", decline_score=0.0)
    runtime = Resources.open(settings, embedder=HashEmbedder(), isolate_parsing=False)
    runtime.library.ingest([doc])
    reply = "The Boots self-locking nut holds tight despite vibration \x1b[31mred\x1b[0m [1] [4]."
    runtime.set_generator(ScriptedGenerator([reply]))
    monkeypatch.setattr(ask.Resources, "open", classmethod(lambda cls, *a, **k: runtime))
    return runtime


def args(**kw) -> argparse.Namespace:
    return argparse.Namespace(
        **(
            {"query": "What holds the Boots nut?", "preset": None, "json": False}
            | {"collection": None}
            | kw
        )
    )


def test_human_output_streams_the_answer_then_cited_sources(fake_open, capsys):
    assert ask.main(args(), fake_open.settings) == 0
    out = capsys.readouterr().out
    assert "\x1b" not in out, "escape sequences from model output must not reach the terminal"
    assert out.startswith("The Boots self-locking nut holds tight despite vibration red [1].")
    assert "*[1] nuts.md, page 1" in out


def test_json_output_is_one_document(fake_open, capsys):
    assert ask.main(args(json=True, preset="fast"), fake_open.settings) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["preset"] == "fast" and data["model"] == "scripted"
    assert data["sources"][0]["filename"] == "nuts.md"
    assert data["usage"]["invalid_markers"] == 1
    assert data["answer"][data["annotations"][0]["url_citation"]["start_index"] :][:3] == "[1]"


def test_sources_header_does_not_promise_marks_when_nothing_is_cited(fake_open, capsys):
    from localchat.answer.compose import DECLINE_ANSWER

    # Every answer sentence is verified and gets the marker of its source, so the answer that
    # cites nothing is a decline: the sources were found but none supports an answer.
    # A question the passage is found for (BM25 matches "Boots") but no sentence answers.
    fake_open.settings = with_rag(fake_open.settings, decline_score=0.5)
    assert ask.main(args(query="Boots zebra marmalade quantum?"), fake_open.settings) == 0
    out = capsys.readouterr().out
    assert out.startswith(DECLINE_ANSWER)
    assert "Sources (the answer cites none of them by number):" in out
    assert "(* cited)" not in out and "*[" not in out
    assert " [1] nuts.md, page 1" in out
