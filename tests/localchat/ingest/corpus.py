"""Locate the shared real-document corpus (`../shared/docs-corpus`), skipping when absent."""

from __future__ import annotations

import functools
from pathlib import Path

import pytest

from localchat.ingest.loaders import LoadedDocument, load_file

CORPUS = Path(__file__).resolve().parents[3] / ".." / "shared" / "docs-corpus"


def corpus_file(name: str) -> Path:
    path = CORPUS / name
    if not path.is_file():
        pytest.skip(f"shared corpus file {name} is not available")
    return path


def load_corpus(name: str) -> LoadedDocument:
    """`load_file` of a corpus file, parsed once per test session (PDFs take a while)."""
    return _load_cached(corpus_file(name))


@functools.cache
def _load_cached(path: Path) -> LoadedDocument:
    return load_file(path)
