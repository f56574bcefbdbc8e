"""Answers from one collection: a real Runtime, real ingestion, the cache keyed by collection."""

from __future__ import annotations

import pytest

from localchat.errors import CollectionNotFoundError
from tests.localchat.cache.test_chat_cache import ask, generations, open_runtime

PUMP_A = "The Zephyr pump must be primed with two litres of water before first use.\n"
PUMP_B = "The Zephyr pump must be primed with five litres of warm water before first use.\n"


@pytest.fixture
def runtime(settings, tmp_path):
    home, work = tmp_path / "home", tmp_path / "work"
    home.mkdir()
    work.mkdir()
    (home / "pump.txt").write_text(PUMP_A)
    (work / "pump-manual.txt").write_text(PUMP_B)
    runtime = open_runtime(settings)
    assert runtime.library.ingest([home]).failed == 0
    assert runtime.library.ingest([work], collection="work").failed == 0
    yield runtime
    runtime.close()


def test_each_collection_answers_from_its_own_documents(runtime):
    default = ask(runtime)
    work = ask(runtime, collection="work")
    assert "two litres" in default.content and "five litres" in work.content
    assert {s.filename for s in default.sources} == {"pump.txt"}
    assert {s.filename for s in work.sources} == {"pump-manual.txt"}
    everything = ask(runtime, collection="all")
    assert {s.filename for s in everything.sources} == {"pump.txt", "pump-manual.txt"}


def test_the_answer_cache_keeps_collections_apart(runtime):
    ask(runtime)
    cached = ask(runtime, collection="WORK")  # names are case-insensitive
    assert cached.cache == "miss" and "five litres" in cached.content
    again = ask(runtime, collection="work")
    assert again.cache == "l1" and generations(runtime) == 2


def test_an_unknown_collection_fails_before_anything_runs(runtime):
    with pytest.raises(CollectionNotFoundError) as caught:
        ask(runtime, collection="papers")
    assert "default, work, all" in caught.value.hint
    assert generations(runtime) == 0


def test_ingesting_an_unchanged_file_into_another_collection_joins_it(runtime, tmp_path):
    report = runtime.library.ingest([tmp_path / "home"], collection="work")
    assert report.unchanged == 1
    work = ask(runtime, collection="work")
    assert {s.filename for s in work.sources} == {"pump.txt", "pump-manual.txt"}
    counts = {c.name: c.documents for c in runtime.store.list_collections()}
    assert counts == {"default": 1, "work": 2}
