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

    def fts(self, match: str, limit: int) -> list[tuple[int, float]]:
        """(chunk id, bm25 score: higher is better) for an FTS5 MATCH expression."""
        rows = self.read(
            "SELECT f.rowid, -bm25(chunks_fts, 1.0, 0.5) AS score FROM chunks_fts f "
            "JOIN chunks c ON c.id = f.rowid JOIN documents d ON d.id = c.document_id "
            "WHERE chunks_fts MATCH ? AND c.layout = d.layout ORDER BY bm25(chunks_fts, 1.0, 0.5) "
            "LIMIT ?",
            (match, limit),
        )
        return [(int(r[0]), float(r[1])) for r in rows]

    def term_doc_freq(self, terms: Sequence[str]) -> dict[str, int]:
        """How many chunks contain each (already tokenised) term, via the fts5vocab table."""
        conn = self._reader()
        if not getattr(self._local, "vocab", False):
            conn.execute("PRAGMA query_only=OFF")
            conn.execute(
                "CREATE VIRTUAL TABLE IF NOT EXISTS temp.chunks_vocab "
                "USING fts5vocab(main, 'chunks_fts', 'row')"
            )
            conn.execute("PRAGMA query_only=ON")
            self._local.vocab = True
        marks = ",".join("?" * len(terms))
        rows = conn.execute(
            f"SELECT term, doc FROM temp.chunks_vocab WHERE term IN ({marks})", list(terms)
        ).fetchall()
        return {term: int(doc) for term, doc in rows}
