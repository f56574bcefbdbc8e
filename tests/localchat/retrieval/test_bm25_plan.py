"""BM25 query planning: the stemmer agrees with FTS5, term selection respects its budget, and
rescoring the left-out words reproduces FTS5's own bm25() for the full query."""

from __future__ import annotations

import random
import re
from collections import Counter

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from localchat.retrieval import query
from localchat.retrieval.bm25 import Bm25
from localchat.retrieval.query import FTS_TOKENIZER, Stemmer, bm25_idf, fts_match, select_terms
from localchat.store.schema import MIGRATIONS
from localchat.store.store import Store
from tests.factories import new_chunk, new_document


def test_stemmer_uses_the_schema_tokenizer():
    declared = re.search(r"tokenize='([^']+)'", MIGRATIONS[0]).group(1)
    assert declared == FTS_TOKENIZER


def test_stemmer_splits_and_stems_like_fts5():
    stemmer = Stemmer()
    stems = stemmer.stems(["causes", "cause", "Running", "don't", "naïve", "--"])
    assert stems["causes"] == stems["cause"] == ("caus",)
    assert stems["Running"] == ("run",)
    assert stems["don't"] == ("don", "t")
    assert stems["naïve"] == ("naiv",)
    assert stems["--"] == ()
    assert stemmer.stems(["causes"]) == {"causes": ("caus",)}  # memoised answer is the same


words = st.lists(st.sampled_from([f"w{i}" for i in range(12)]), max_size=12)
freqs = st.dictionaries(st.sampled_from([f"w{i}" for i in range(12)]), st.integers(0, 500))


@given(words, freqs, st.integers(0, 1000))
def test_selected_terms_fit_the_budget_and_keep_the_rarest(query_words, df, budget):
    stems = {w: (w,) for w in query_words}
    chosen = select_terms(query_words, stems, df, budget)
    matching = [w for w in dict.fromkeys(query_words) if df.get(w, 0) > 0]
    assert set(chosen) <= set(matching)
    assert chosen == [w for w in dict.fromkeys(query_words) if w in chosen]  # original order
    if matching:
        rarest = min(df[w] for w in matching)
        assert any(df[w] == rarest for w in chosen)
        assert len(chosen) == 1 or sum(df[w] for w in chosen) <= budget


def test_repeated_stems_are_matched_once():
    stems = {"cause": ("caus",), "causes": ("caus",), "fever": ("fever",)}
    chosen = select_terms(["cause", "causes", "fever"], stems, {"caus": 5, "fever": 3}, 100)
    assert chosen == ["cause", "fever"]


def test_idf_matches_fts5_floor():
    assert bm25_idf(1, 100) > bm25_idf(50, 100) > 0
    assert bm25_idf(100, 100) == 1e-6  # FTS5 floors non-positive IDF


VOCAB = ["alpha", "beta", "gamma", "delta", "fever", "cells", "patients", "treatment", "rare"]


def _library(tmp_path, seed: int = 3) -> Store:
    rnd = random.Random(seed)
    store = Store(tmp_path / "db.sqlite")
    common = ["cells", "patients", "treatment", "alpha", "beta"]
    for number in range(60):
        words = [rnd.choice(common) for _ in range(rnd.randint(5, 40))]
        words += [rnd.choice(VOCAB) for _ in range(rnd.randint(0, 6))]
        if number % 7 == 0:
            words += ["fever"] * rnd.randint(1, 3)
        text = " ".join(rnd.sample(words, len(words)))
        document = new_document(f"/d/{number}", filename=f"{number}.txt", sha256=f"s{number}")
        piece = new_chunk(text, content_hash=f"h{number}")
        store.write_document(document, [piece], {}, model="m", layout="1024/200")
    return store


def test_rescored_top_rows_score_as_the_full_query(tmp_path, monkeypatch):
    store = _library(tmp_path)
    try:
        question = ["fever", "cells", "patients", "treatment"]
        full = dict(store.fts(fts_match(question), 100))
        monkeypatch.setattr(query, "MIN_BUDGET_ROWS", 1)  # "fever" alone fits: the rest is
        monkeypatch.setattr(query, "BUDGET_FRACTION", 0.0)  # left out and rescored
        matched, hits = Bm25(store).search(question, 100)
        assert matched == ["fever"]
        assert hits, "fever occurs in the library"
        for chunk, score in hits:
            assert score == pytest.approx(full[chunk], rel=1e-9)
        scores = [score for _, score in hits]
        assert scores == sorted(scores, reverse=True)
    finally:
        store.close()


def test_without_pruning_bm25_equals_the_plain_query(tmp_path):
    store = _library(tmp_path)
    try:
        question = ["fever", "cells"]
        matched, hits = Bm25(store).search(question, 10)
        assert matched == question  # a small library keeps every word
        assert hits == store.fts(fts_match(question), 10)
    finally:
        store.close()


@settings(max_examples=60, deadline=None)
@given(st.lists(st.text(min_size=1, max_size=12), max_size=6))
def test_any_words_plan_without_error(tmp_path_factory, words):
    matched, hits = _shared_plan(tmp_path_factory).search(words, 5)
    assert set(matched) <= set(words)
    assert len(hits) <= 5


_SHARED: dict[str, Bm25] = {}


def _shared_plan(factory) -> Bm25:
    if "s" not in _SHARED:
        _SHARED["s"] = Bm25(_library(factory.mktemp("bm25")))
    return _SHARED["s"]


@given(
    st.lists(
        st.sampled_from(
            ["cell", "cells", "xcell", "_cell", "cell_s", "cellé", "écell", "ce", "ll"]
        ),
        max_size=12,
    ),
    st.lists(st.sampled_from([" ", "-", "'", "_", "é", "1", ".\n"]), min_size=12, max_size=12),
)
def test_word_starts_count_as_a_leading_word_boundary_does(words, gaps):
    # The rescorer finds prefixes without \b (faster); the counts must be \b's exactly.
    text = "".join(w + g for w, g in zip(words, gaps, strict=False))
    for prefixes in (["cel"], ["ce", "cel"], ["cell", "l"]):
        alternation = "|".join(map(re.escape, sorted(prefixes, key=len, reverse=True)))
        expected = Counter(re.findall(r"\b(?:" + alternation + r")\w*", text))
        assert query._word_starts(re.compile("(?:" + alternation + r")\w*"), text) == expected
