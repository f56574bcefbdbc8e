"""Read-side queries of the store: chunks, vectors, full-text search, counts."""

from __future__ import annotations

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

    def serving_chunks(self, ids: Iterable[int]) -> dict[int, ChunkRecord]:
        """`chunks(ids)` of the chunks being served only (see `serving`), in one read."""
        rows = self._by_ids(
            f"{CHUNK_SELECT} WHERE c.id IN ({{}}) AND c.layout = d.layout", list(ids)
        )
        return {row[0]: ChunkRecord(*row) for row in rows}

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
            # Ordering by the selected column computes bm25() once per matching row, not twice.
            rows = self.read(
                "SELECT rowid, bm25(chunks_fts, 1.0, 0.5) AS score FROM chunks_fts "
                "WHERE chunks_fts MATCH ? ORDER BY score LIMIT ?",
                (match, fetch),
            )
            serving = self.serving([r[0] for r in rows], collection)
            hits = [(int(r[0]), -float(r[1])) for r in rows if r[0] in serving]
            if len(hits) >= limit or len(rows) < fetch:
                return hits[:limit]
            fetch *= 4

    def serving(self, ids: Iterable[int], collection: str | None = None) -> set[int]:
        """The ids among `ids` of chunks being served: during a re-chunk a document has
        chunks of two layouts, and only its current layout's count. `collection` keeps
        only that collection's documents' chunks (None: every document)."""
        within = "" if collection is None else IN_COLLECTION
        return {
            row[0]
            for row in self._by_ids(
                "SELECT c.id FROM chunks c JOIN documents d ON d.id = c.document_id "
                "WHERE c.id IN ({}) AND c.layout = d.layout" + within,
                [int(i) for i in ids],
                () if collection is None else (collection,),
            )
        }

    def chunk_texts(self, ids: Sequence[int]) -> dict[int, str]:
        return dict(self._by_ids("SELECT id, text FROM chunks WHERE id IN ({})", list(ids)))

    def fts_doc_tokens(self, ids: Sequence[int]) -> dict[int, int]:
        """Tokens per row as FTS5 counted them (all columns): its docsize table, decoded."""
        rows = self._by_ids("SELECT id, sz FROM chunks_fts_docsize WHERE id IN ({})", list(ids))
        return {chunk: sum(_varints(size)) for chunk, size in rows}

    def fts_totals(self) -> tuple[int, float]:
        """(rows in the full-text index, mean tokens per row), as FTS5's bm25() sees them."""
        block = self.read("SELECT block FROM chunks_fts_data WHERE id = 1")
        return _averages(block[0][0] if block else b"")

    def vocab_counts(self, terms: Sequence[str]) -> dict[str, int]:
        """Chunks containing each stemmed term (absent terms are left out), via fts5vocab."""
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
            part = list(terms[start : start + 500])
            marks = ",".join("?" * len(part))
            rows = conn.execute(
                f"SELECT term, doc FROM temp.chunks_vocab WHERE term IN ({marks})", part
            ).fetchall()
            found.update((term, int(doc)) for term, doc in rows)
        return found

    def _by_ids(self, sql: str, ids: list[int], extra: Sequence = ()) -> list[tuple]:
        """`sql` with its `{}` filled by placeholders for `ids` (500 at a time), then `extra`."""
        found: list[tuple] = []
        for start in range(0, len(ids), 500):
            part = ids[start : start + 500]
            found += self.read(sql.format(",".join("?" * len(part))), [*part, *extra])
        return found


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
