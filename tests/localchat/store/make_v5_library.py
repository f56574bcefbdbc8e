"""Builds fixtures/library-v5.db: a library written by schema version 5 (before collections).

Run with the code of that version on the path (it was made from main at c124c78):
    PYTHONPATH=/path/to/old/checkout python tests/localchat/store/make_v5_library.py OUT.db
The documents are ingested through that version's own Ingestor (chunker, hash embedder).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from localchat.config import PRESETS
from localchat.embedding.embedder import HashEmbedder
from localchat.index.vector_index import UsearchIndex
from localchat.ingest.loaders import load_file
from localchat.ingest.pipeline import Ingestor
from localchat.store.store import Store

TEXTS = {
    "pumps.md": "# Zephyr pump\n\nThe Zephyr pump must be primed with two litres of water "
    "before first use. Clean the pump filter every month to keep the flow rate steady.\n",
    "cats.txt": "Cats sleep for most of the day and hunt at dusk. A cat's whiskers sense tiny "
    "changes in air currents.\n",
    "tax.txt": "The quarterly tax return is due on the fifteenth day after the quarter ends.\n",
}


def main(out: Path) -> None:
    out.unlink(missing_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "docs"
        folder.mkdir()
        for name, text in TEXTS.items():
            (folder / name).write_text(text, encoding="utf-8")
        store = Store(out)
        embedder = HashEmbedder()
        index = UsearchIndex(embedder.dim)
        ingestor = Ingestor(
            store, index, embedder, PRESETS["balanced"],
            index_file=Path(tmp) / "vectors.usearch", load=load_file,
        )  # fmt: skip
        ingestor.ingest_paths([folder])
        assert len(store.list_documents()) == len(TEXTS), "every file must be ingested"
        store._writer.execute("UPDATE documents SET path = '/library/' || filename")
        store._writer.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        store._writer.execute("VACUUM")
        store.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
