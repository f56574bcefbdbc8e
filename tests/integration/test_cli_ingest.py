"""`localchat ingest/search/doctor` on real files with the real converted embedding model.

A corrupt PDF and a binary file fail alone, the rest is ingested, page numbers match the PDF,
and running the same ingest again changes nothing.
"""

from __future__ import annotations

import json
import shutil

import pytest
from pypdf import PdfReader

from localchat.cli import main
from localchat.modelfiles.convert import DEFAULT_DTYPE, convert_minilm
from localchat.modelfiles.locate import bundled_minilm_dir
from localchat.store.store import Store
from tests.conftest import shared_path

GOOD = (
    "go-gofrontend-gcc-summit-2010.pdf",
    "faa-amt_handbook_sample.pdf",
    "go-faq.md",
    "go-effective_go.html",
)


@pytest.fixture(scope="module")
def embedding_gguf(tmp_path_factory):
    folder = bundled_minilm_dir()
    if folder is None:
        pytest.skip("bundled embedding model not installed")
    out = tmp_path_factory.mktemp("model") / f"all-MiniLM-L6-v2.{DEFAULT_DTYPE}.gguf"
    return convert_minilm(folder, out, dtype=DEFAULT_DTYPE)


@pytest.fixture(scope="module")
def library(tmp_path_factory):
    folder = tmp_path_factory.mktemp("library")
    for name in GOOD:
        shutil.copy(shared_path("docs-corpus", name), folder / name)
    pdf = shared_path("docs-corpus", "federal-register-2020-17221.pdf").read_bytes()
    (folder / "truncated.pdf").write_bytes(pdf[: len(pdf) // 3])
    (folder / "binary.txt").write_bytes(bytes(range(256)) * 64)
    return folder


@pytest.fixture(scope="module")
def env(embedding_gguf, tmp_path_factory, monkeypatch_module):
    data = tmp_path_factory.mktemp("data")
    monkeypatch_module.setenv("LOCALCHAT_HOME", str(data))
    monkeypatch_module.setenv("LOCALCHAT_MODELS_EMBEDDING_PATH", str(embedding_gguf))
    monkeypatch_module.delenv("LOCALCHAT_CONFIG", raising=False)
    return data


@pytest.fixture(scope="module")
def monkeypatch_module():
    mp = pytest.MonkeyPatch()
    yield mp
    mp.undo()


def run_json(capsys, *argv) -> tuple[int, dict]:
    capsys.readouterr()
    code = main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_ingest_reports_bad_files_and_keeps_the_rest(env, library, capsys):
    code, report = run_json(capsys, "ingest", str(library))
    assert code == 1, "a failed file must make the exit code non-zero"
    failed = {o["path"].rsplit("/", 1)[-1]: o for o in report["errors"]}
    assert set(failed) == {"truncated.pdf", "binary.txt"}
    assert failed["truncated.pdf"]["error_code"] in {"corrupt_file", "empty_document"}
    assert failed["binary.txt"]["error_code"] == "unsupported_file"
    assert report["added"] == len(GOOD) and report["chunks"] > 50
    store = Store(env / "localchat.db")
    try:
        docs = {d.filename: d for d in store.list_documents()}
        assert set(docs) == set(GOOD)
        assert docs["go-gofrontend-gcc-summit-2010.pdf"].pages == 14
        assert docs["faa-amt_handbook_sample.pdf"].pages == 1
        assert store.integrity_ok()
    finally:
        store.close()


def test_page_numbers_match_the_pdf(env):
    pdf = shared_path("docs-corpus", "go-gofrontend-gcc-summit-2010.pdf")
    reader = PdfReader(pdf)
    page_words = [set((page.extract_text() or "").split()) for page in reader.pages]
    store = Store(env / "localchat.db")
    try:
        doc = next(d for d in store.list_documents() if d.filename == pdf.name)
        chunks = store.document_chunks(doc.id)
        assert {c.page for c in chunks} == set(range(1, 15))
        checked = 0
        for chunk in chunks:
            words = [w for w in chunk.text.split() if len(w) > 7 and w.isalpha()][:12]
            if len(words) < 6:
                continue
            best = max(range(14), key=lambda i: sum(w in page_words[i] for w in words)) + 1
            assert chunk.page == best, (chunk.page, best, chunk.text[:80])
            checked += 1
        assert checked > 20
    finally:
        store.close()


def test_second_ingest_changes_nothing(env, library, capsys):
    store = Store(env / "localchat.db")
    version = store.corpus_version()
    store.close()
    code, report = run_json(capsys, "ingest", str(library))
    assert code == 1 and report["unchanged"] == len(GOOD) and report["added"] == 0
    store = Store(env / "localchat.db")
    assert store.corpus_version() == version
    store.close()


def test_search_json_explains_hits(env, capsys):
    code, result = run_json(
        capsys, "search", "Which libraries represent infinite precision constants in gccgo?"
    )
    assert code == 0
    top = result["hits"][0]
    assert top["filename"] == "go-gofrontend-gcc-summit-2010.pdf"
    assert top["cosine"] is not None and top["fused"] > 0
    assert {"bm25_ms", "vector_ms", "total_ms"} <= result["timings_ms"].keys()


def test_doctor_is_happy(env, capsys):
    capsys.readouterr()
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert "embedding model" in out and "vector index" in out
