"""Read-side queries of the store: chunks, vectors, full-text search, counts."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Iterator, Sequence

import numpy as np

from localchat.store.records import ChunkRecord

CHUNK_SELECT = (
    "SELECT c.id, c.document_id, c.ordinal, c.text, c.page, c.char_start, c.char_end, "
    "c.token_count, c.section, c.content_hash, d.filename, d.path "
    "FROM chunks c JOIN documents d ON d.id = c.document_id"
)
# Appended to a WHERE over chunks c: only the documents of the collection named by the last
# parameter.
IN_COLLECTION = (
    " AND c.document_id IN (SELECT cd.document_id FROM collection_documents cd "
    "JOIN collections k ON k.id = cd.collection_id WHERE k.name = ?)"
)


class StoreQueries:
    """Mixed into Store; every method reads through the calling thread's reader connection."""

    # Provided by Store: path, read(sql, params), _reader(), _connect_private(), _local.

    def chunks(self, ids: Iterable[int]) -> dict[int, ChunkRecord]:
        ids = list(ids)
        found: dict[int, ChunkRecord] = {}
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            for row in self.read(f"{CHUNK_SELECT} WHERE c.id IN ({marks})", part):
                found[row[0]] = ChunkRecord(*row)
        return found

    def document_chunks(self, document_id: int) -> list[ChunkRecord]:
        rows = self.read(
            f"{CHUNK_SELECT} WHERE c.document_id = ? AND c.layout = d.layout ORDER BY c.ordinal",
            (document_id,),
        )
        return [ChunkRecord(*row) for row in rows]

    def known_vectors(self, hashes: Iterable[str], model: str) -> dict[str, np.ndarray]:
        """Vectors already stored for these chunk texts (no need to embed them again)."""
        hashes = list(set(hashes))
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(hashes), 500):
            part = hashes[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = self.read(
                f"SELECT content_hash, vector FROM vectors WHERE model = ? "
                f"AND content_hash IN ({marks})",
                [model, *part],
            )
            for h, blob in rows:
                found[h] = np.frombuffer(blob, dtype=np.float32)
        return found

    def iter_vectors(
        self, model: str, batch: int = 20_000
    ) -> Iterator[tuple[np.ndarray, np.ndarray]]:
        """(chunk ids, vectors) for every chunk that has a vector from `model`, in batches."""
        conn = self._connect_private()  # a private cursor: the caller may write meanwhile
        try:
            cur = conn.execute(
                "SELECT c.id, v.vector FROM chunks c JOIN vectors v "
                "ON v.content_hash = c.content_hash AND v.model = ? ORDER BY c.id",
                (model,),
            )
            while rows := cur.fetchmany(batch):
                ids = np.fromiter((r[0] for r in rows), dtype=np.uint64, count=len(rows))
                vecs = np.vstack([np.frombuffer(r[1], dtype=np.float32) for r in rows])
                yield ids, vecs
        finally:
            conn.close()

    def key_stats(self, model: str) -> tuple[int, int]:
        """(count, checksum) of the chunk ids that should be in the vector index."""
        row = self.read(
            "SELECT count(*), coalesce(sum(c.id % 1000000007), 0) FROM chunks c JOIN vectors v "
            "ON v.content_hash = c.content_hash AND v.model = ?",
            (model,),
        )[0]
        return int(row[0]), int(row[1])

    def counts(self) -> tuple[int, int]:
        docs = self.read("SELECT count(*) FROM documents")[0][0]
        chunks = self.read("SELECT count(*) FROM chunks")[0][0]
        return int(docs), int(chunks)

    def active_layouts(self) -> dict[int, str]:
        return dict(self.read("SELECT id, layout FROM documents"))

    # -- full-text search ------------------------------------------------------------------

    def fts(self, match: str, limit: int, collection: str | None = None) -> list[tuple[int, float]]:
        """(chunk id, bm25 score: higher is better) for an FTS5 MATCH expression.

        FTS5 ranks alone (joining chunks and documents for every matching row cost two
        thirds of the query); only the top rows are then checked against the serving chunk
        layout, fetching deeper while a re-chunk leaves the other layout's rows among them.
        `collection` keeps the rows of that collection's documents (None: every document).
        """
        fetch = limit
        while True:
            rows = self.read(
                "SELECT rowid, -bm25(chunks_fts, 1.0, 0.5) FROM chunks_fts "
                "WHERE chunks_fts MATCH ? ORDER BY bm25(chunks_fts, 1.0, 0.5) LIMIT ?",
                (match, fetch),
            )
            serving = self._serving_ids([r[0] for r in rows], collection)
            hits = [(int(r[0]), float(r[1])) for r in rows if r[0] in serving]
            if len(hits) >= limit or len(rows) < fetch:
                return hits[:limit]
            fetch *= 4

    def _serving_ids(self, ids: list[int], collection: str | None = None) -> set[int]:
        found: set[int] = set()
        within = "" if collection is None else IN_COLLECTION
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            marks = ",".join("?" * len(part))
            found.update(
                r[0]
                for r in self.read(
                    f"SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id "
                    f"WHERE c.id IN ({marks}) AND c.layout = d.layout{within}",
                    [*part, *([] if collection is None else [collection])],
                )
            )
        return found

    def bm25(
        self, words: Sequence[str], limit: int, collection: str | None = None
    ) -> tuple[list[str], list[tuple[int, float]]]:
        """BM25 over the query words: (words matched, (chunk id, score) best first).

        `collection` keeps one collection's chunks; term statistics stay the library's.

        FTS5 matches only the rarest words that fit the row budget (query.py explains why);
        the words left out are then scored on the top rows alone, so those rows rank as the
        full query would rank them.
        """
        from localchat.retrieval.query import fts_match, rescore, row_budget, select_terms

        memo = self._bm25_memo()
        stems = memo.stemmer.stems(words)
        doc_freq = self.term_doc_freq(sorted({s for key in stems.values() for s in key}))
        rows, avg_tokens = memo.totals(self)
        kept = select_terms(words, stems, doc_freq, row_budget(rows))
        if not kept:
            return [], []
        hits = self.fts(fts_match(kept), limit, collection)
        matched = {stem for w in kept for stem in stems[w]}
        # Multi-token words left out are not rescored: rare, and a phrase needs positions.
        left_out = sorted({k[0] for k in stems.values() if len(k) == 1 and k[0] not in matched})
        if left_out and hits:
            ids = [chunk for chunk, _ in hits]
            texts = dict(self._by_ids("SELECT id, text FROM chunks WHERE id IN ({})", ids))
            sizes = self._doc_tokens(ids)
            hits = rescore(hits, texts, sizes, left_out, doc_freq, rows, avg_tokens, memo.stemmer)
        return kept, hits

    def _by_ids(self, sql: str, ids: list[int]) -> list[tuple]:
        found: list[tuple] = []
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            found += self.read(sql.format(",".join("?" * len(part))), part)
        return found

    def _doc_tokens(self, ids: list[int]) -> dict[int, int]:
        """Tokens per row as FTS5 counted them (all columns): its docsize table, decoded."""
        rows = self._by_ids("SELECT id, sz FROM chunks_fts_docsize WHERE id IN ({})", ids)
        return {chunk: sum(_varints(size)) for chunk, size in rows}

    def term_doc_freq(self, terms: Sequence[str]) -> dict[str, int]:
        """How many chunks contain each (already stemmed) term, via the fts5vocab table.

        Counting walks the term's whole posting list (milliseconds for a frequent term in a
        large library), so counts are memoised and refreshed after the corpus changes.
        """
        memo = self._bm25_memo()
        memo.refresh(self)
        missing = [t for t in terms if t not in memo.doc_freq]
        if missing:
            memo.doc_freq.update(dict.fromkeys(missing, 0) | self._vocab_counts(missing))
        return {t: memo.doc_freq[t] for t in terms}

    def _vocab_counts(self, terms: list[str]) -> dict[str, int]:
        conn = self._reader()
        if not getattr(self._local, "vocab", False):
            conn.execute("PRAGMA query_only=OFF")
            conn.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_vocab "
                "USING fts5vocab(main, 'chunks_fts', 'row')"
            )
            conn.execute("PRAGMA query_only=ON")
            self._local.vocab = True
        found: dict[str, int] = {}
        for start in range(0, len(terms), 500):
            part = terms[start : start + 500]
            marks = ",".join("?" * len(part))
            rows = conn.execute(
                f"SELECT term, doc FROM temp.chunks_vocab WHERE term IN ({marks})", part
            ).fetchall()
            found.update((term, int(doc)) for term, doc in rows)
        return found

    def _bm25_memo(self) -> _Bm25Memo:
        memo = self.__dict__.get("_bm25_memo_state")
        if memo is None:
            memo = self.__dict__.setdefault("_bm25_memo_state", _Bm25Memo())
        return memo


class _Bm25Memo:
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
        from localchat.retrieval.query import Stemmer

        self.stemmer = Stemmer()
        self.doc_freq: dict[str, int] = {}
        self._totals: tuple[int, float] | None = None
        self._version: str | None = None
        self._counted = 0.0
        self._lock = threading.Lock()

    def refresh(self, store) -> None:
        version = store.read("SELECT value FROM meta WHERE key = 'corpus_version'")
        current = version[0][0] if version else "0"
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

    def totals(self, store) -> tuple[int, float]:
        """(rows in the full-text index, mean tokens per row), as FTS5's bm25() sees them."""
        self.refresh(store)
        if self._totals is None:
            block = store.read("SELECT block FROM chunks_fts_data WHERE id = 1")
            self._totals = _averages(block[0][0] if block else b"")
        return self._totals


def _averages(record: bytes) -> tuple[int, float]:
    """FTS5's "averages" record: varints (rows, tokens of column 1, column 2, ...).

    Reading it costs one row; `count(*)` over a million chunks costs tens of milliseconds.
    """
    values = _varints(record)
    if not values or values[0] == 0:
        return 0, 0.0
    return values[0], sum(values[1:]) / values[0]


def _varints(record: bytes) -> list[int]:
    """SQLite varints, as FTS5 stores its counts: 7 bits per byte, the 9th byte carries 8."""
    values = []
    position = 0
    while position < len(record):
        value = 0
        for step in range(9):
            byte = record[position]
            position += 1
            if step == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        values.append(value)
    return values
