"""Notes for people choosing, and opening a discovered entry as a generator or embedder."""

from __future__ import annotations

import pytest

from localchat.embedding.upstream_embedder import UpstreamEmbedder
from localchat.errors import ModelNotFoundError
from localchat.generation.upstream import UpstreamGenerator
from localchat.modelfiles.choose import find_entry, open_chat_entry, open_embedding_entry
from localchat.modelfiles.entry import Discovery, ModelEntry
from localchat.modelfiles.notes import note, size_label
from localchat.modelfiles.servers import probe_ollama, probe_openai
from tests.localchat.modelfiles.http_fake import serving


def chat(parameters: int, **extra) -> ModelEntry:
    return ModelEntry(name="m", kind="chat", origin="ollama", parameters=parameters, **extra)


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        (134_515_008, "135M: fastest, short answers that are often wrong"),
        (494_000_000, "494M: fast, better answers"),
        (1_543_714_304, "1.5B: slower, much better answers"),
        (3_090_000_000, "3.1B: slow on a laptop CPU, strong answers"),
        (7_000_000_000, "7B: needs a GPU or patience, the best answers"),
        (0, "fastest, short answers that are often wrong"),
    ],
)
def test_chat_notes_say_what_size_means(parameters, expected):
    assert note(chat(parameters)) == expected


def test_other_notes():
    assert size_label(0) == "" and size_label(2_000_000_000) == "2B"
    served = ModelEntry(name="x", kind="chat", origin="server", url="http://127.0.0.1:11434/v1")
    assert note(served) == "served by 127.0.0.1; speed is that server's"
    sized = ModelEntry(
        name="x", kind="chat", origin="server", url="http://h:1/v1", parameters=7_600_000_000
    )
    assert note(sized).startswith("7.6B: served by h;")
    embed = ModelEntry(name="e", kind="embedding", origin="bundled", parameters=22_700_000)
    assert note(embed).startswith("23M: embeddings for search")
    assert "not a text model" in note(ModelEntry(name="c", kind="unknown", origin="lmstudio"))


def test_find_entry_names_the_choices_and_the_wrong_kind():
    found = Discovery(
        models=[ModelEntry(name="e", kind="embedding", origin="ollama", path="/e.gguf")],
        warnings=[],
    )
    with pytest.raises(ModelNotFoundError, match="it is a embedding model"):
        find_entry(found, "e", "chat")
    with pytest.raises(ModelNotFoundError) as info:
        find_entry(found, "nope")
    assert "found: e" in info.value.hint


def test_server_entries_open_as_upstream_clients(settings):
    generator = open_chat_entry(
        ModelEntry(
            name="q",
            kind="chat",
            origin="server",
            url="http://127.0.0.1:9/v1",
            remote_model="qwen2.5:7b",
        ),
        settings,
    )
    assert isinstance(generator, UpstreamGenerator) and generator.model_id == "qwen2.5:7b"
    generator.close()
    embedder = open_embedding_entry(
        ModelEntry(
            name="n",
            kind="embedding",
            origin="server",
            url="http://127.0.0.1:9/v1",
            remote_model="nomic-embed-text",
        ),
        settings,
    )
    assert (
        isinstance(embedder, UpstreamEmbedder) and embedder.model_id == "upstream:nomic-embed-text"
    )
    embedder.close()


def test_probes_turn_bad_answers_into_warnings():
    import httpx

    def answer(method, path, body):
        if path == "/api/tags":
            return 500, {"error": "down"}
        return 200, ["not", "an", "object"]

    warnings: list[str] = []
    with serving(answer) as base, httpx.Client() as client:
        assert probe_ollama(base, warnings, client) == []
        assert probe_openai(base, warnings, client) == []
    assert any("HTTP 500" in w for w in warnings)
    assert any("did not answer JSON" in w for w in warnings)
