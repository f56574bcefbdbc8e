"""Library with every real part: the bundled MiniLM embedder, the parser worker process, SQLite
and the USearch index, on real documents: add, search, replace, rechunk, delete."""

from __future__ import annotations

import shutil

import pytest

from localchat.modelfiles.locate import bundled_minilm_dir
from localchat.resources import Resources
from localchat.telemetry import RecordingTelemetry
from tests.conftest import shared_path


@pytest.fixture
def resources(settings):
    if bundled_minilm_dir() is None:
        pytest.skip("bundled embedding model not installed")
    opened = Resources.open(settings, telemetry=RecordingTelemetry())
    yield opened
    opened.close()


def in_step(resources) -> bool:
    ids = {row[0] for row in resources.store.read("SELECT id FROM chunks")}
    return set(resources.index.keys().tolist()) == ids


def test_the_real_embedder_through_the_library(resources, tmp_path):
    folder = tmp_path / "docs"
    folder.mkdir()
    faq = shutil.copy(shared_path("docs-corpus", "go-faq.md"), folder / "go-faq.md")
    shutil.copy(shared_path("docs-corpus", "go-gofrontend-gcc-summit-2010.pdf"), folder)
    library = resources.library

    report = library.ingest([folder])
    assert (report.added, report.failed) == (2, 0) and in_step(resources)
    hits = resources.search("gofrontend GCC backend").hits
    assert hits and hits[0].filename == "go-gofrontend-gcc-summit-2010.pdf"
    assert hits[0].cosine > 0.3, "MiniLM vectors, not the hash embedder's"

    with open(faq, "a", encoding="utf-8") as out:
        out.write("\n\n## Pumps\n\nThe QX-17 coolant pump needs new seals every year.\n")
    assert library.ingest([folder]).replaced == 1 and in_step(resources)
    assert resources.search("QX-17 coolant pump seals").hits[0].filename == "go-faq.md"

    assert library.rechunk(resources.params("fast")).swapped and in_step(resources)

    for doc in resources.store.list_documents():
        library.delete(doc.id)
    assert resources.store.counts() == (0, 0) and len(resources.index) == 0
    assert resources.store.key_stats(resources.embedder.model_id)[0] == 0
    assert [c for c in resources.telemetry.calls if c[0] == "stored"][-1] == ("stored", 0, 0)
