"""BM25 planning: which query words FTS5 matches, and the left-out words rescored on top rows.

The store answers raw questions (an FTS5 MATCH, document frequencies, FTS5's row totals);
this module decides what to ask. query.py explains the budget and the rescoring formula.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence

from localchat.retrieval import query
from localchat.retrieval.query import Stemmer, fts_match, rescore, select_terms
from localchat.store.store import Store


class Bm25:
    """BM25 over one store; safe to share between threads (one per Retriever)."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self.memo = Bm25Memo()

    def search(
        self, words: Sequence[str], limit: int, collection: str | None = None
    ) -> tuple[list[str], list[tuple[int, float]]]:
        """BM25 over the query words: (words matched, (chunk id, score) best first).

        `collection` keeps one collection's chunks (None: every document); the term
        statistics stay the whole library's.

        FTS5 matches only the rarest words that fit the row budget; the words left out are
        then scored on the top rows alone, so those rows rank as the full query would.
        """
        store, memo = self.store, self.memo
        stems = memo.stemmer.stems(words)
        doc_freq = self.doc_freq(sorted({s for key in stems.values() for s in key}))
        rows, avg_tokens = memo.totals(store)
        kept = select_terms(words, stems, doc_freq, query.row_budget(rows))
        if not kept:
            return [], []
        hits = store.fts(fts_match(kept), limit, collection)
        matched = {stem for w in kept for stem in stems[w]}
        # Multi-token words left out are not rescored: rare, and a phrase needs positions.
        left_out = sorted({k[0] for k in stems.values() if len(k) == 1 and k[0] not in matched})
        if left_out and hits:
            ids = [chunk for chunk, _ in hits]
            texts, sizes = store.chunk_texts(ids), store.fts_doc_tokens(ids)
            hits = rescore(hits, texts, sizes, left_out, doc_freq, rows, avg_tokens, memo.stemmer)
        return kept, hits

    def word_counts(self, words: Sequence[str]) -> tuple[dict[str, int], int]:
        """({word: chunks holding it}, chunks in all): a word of several tokens ("pc-12")
        counts as its rarest token, a word with no token as absent."""
        stems = self.memo.stemmer.stems(words)
        doc_freq = self.doc_freq(sorted({s for key in stems.values() for s in key}))
        counts = {w: min((doc_freq[s] for s in stems[w]), default=0) for w in words}
        return counts, self.memo.totals(self.store)[0]

    def doc_freq(self, terms: Sequence[str]) -> dict[str, int]:
        """How many chunks contain each (already stemmed) term.

        Counting walks the term's whole posting list (milliseconds for a frequent term in a
        large library), so counts are memoised and refreshed after the corpus changes.
        """
        memo = self.memo
        memo.refresh(self.store)
        # One dict throughout: another thread's refresh (a document just written) may swap
        # memo.doc_freq for a new one while this counts (a KeyError under ingest + chat).
        counts = memo.doc_freq
        missing = [t for t in terms if t not in counts]
        if missing:
            counts.update(dict.fromkeys(missing, 0) | self.store.vocab_counts(missing))
        return {t: counts[t] for t in terms}

    def close(self) -> None:
        self.memo.stemmer.close()


class Bm25Memo:
    """Document frequencies and the row count, kept while they are still good enough.

    Term selection only needs rough counts, and recounting a frequent term walks its whole
    posting list, so during a long ingestion the counts are recounted at most every
    MAX_AGE_S seconds instead of after every written document. One thing must never be
    stale: a word counted as absent (0) would be left out of the query, so a document that
    just brought it in would not be found; those zero counts are dropped as soon as the
    corpus version changes (recounting a rare word is cheap).
    """

    MAX_AGE_S = 30.0

    def __init__(self) -> None:
        self.stemmer = Stemmer()
        self.doc_freq: dict[str, int] = {}
        self._totals: tuple[int, float] | None = None
        self._version: int | None = None
        self._counted = 0.0
        self._lock = threading.Lock()

    def refresh(self, store: Store) -> None:
        current = store.corpus_version()
        if current == self._version:
            return
        now = time.monotonic()
        with self._lock:
            self._version = current
            if now - self._counted >= self.MAX_AGE_S:
                self._counted = now
                self.doc_freq = {}
                self._totals = None
            else:
                self.doc_freq = {t: n for t, n in self.doc_freq.items() if n > 0}

    def totals(self, store: Store) -> tuple[int, float]:
        """(rows in the full-text index, mean tokens per row), as FTS5's bm25() sees them."""
        self.refresh(store)
        if self._totals is None:
            self._totals = store.fts_totals()
        return self._totals
