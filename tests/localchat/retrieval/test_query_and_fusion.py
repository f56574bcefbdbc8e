"""FTS5 query sanitising never raises; RRF fusion is order-independent and monotone."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from localchat.retrieval.fusion import ordered, rrf
from localchat.retrieval.query import fts_match, query_terms
from localchat.store.store import Store
from tests.factories import new_chunk, new_document


def test_stop_words_dropped_and_order_kept():
    assert query_terms("What is the role of TNF-alpha in sepsis?") == [
        "role",
        "tnf",
        "alpha",
        "sepsis",
    ]


def test_only_stop_words_keeps_them():
    assert query_terms("what is it") == ["what", "is", "it"]


def test_fts_syntax_is_quoted():
    assert fts_match(['a"b', "c"]) == '"a""b" OR "c"'


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_any_user_text_is_a_valid_fts_query(tmp_path_factory, text):
    store = _store(tmp_path_factory)
    terms = query_terms(text)
    if terms:
        store.fts(fts_match(terms), 5)  # must not raise


_STORES: dict = {}


def _store(factory) -> Store:
    if "s" not in _STORES:
        s = Store(factory.mktemp("fts") / "db.sqlite")
        doc = new_document("/d", sha256="s", title="d")
        chunk = new_chunk("NEAR AND OR NOT * ^ column:x", content_hash="h", token_count=1)
        s.write_document(doc, [chunk], {}, model="m", layout="1/0")
        _STORES["s"] = s
    return _STORES["s"]


rankings = st.lists(st.lists(st.integers(0, 30), unique=True, max_size=15), max_size=4)


@given(rankings, st.randoms())
def test_rrf_is_independent_of_list_order(lists, rnd):
    shuffled = list(lists)
    rnd.shuffle(shuffled)
    assert ordered(rrf(lists)) == ordered(rrf(shuffled))


@given(rankings)
def test_rrf_first_in_every_list_wins(lists):
    lists = [lst for lst in lists if lst]
    if not lists:
        return
    top = 999
    boosted = [[top, *lst] for lst in lists]
    assert ordered(rrf(boosted))[0] == top
