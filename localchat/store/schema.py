"""Append-only schema migrations; `PRAGMA user_version` counts how many have run."""

from __future__ import annotations

import sqlite3

# Never edit a migration that has shipped: append a new one.
MIGRATIONS: list[str] = [
    # 1: documents, chunks, full-text index, vectors shared by identical chunk texts.
    """
    CREATE TABLE documents (
        id INTEGER PRIMARY KEY,
        path TEXT NOT NULL UNIQUE,
        filename TEXT NOT NULL,
        title TEXT NOT NULL DEFAULT '',
        media_type TEXT NOT NULL DEFAULT '',
        sha256 TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime REAL NOT NULL,
        pages INTEGER NOT NULL DEFAULT 0,
        status TEXT NOT NULL DEFAULT 'ready',
        chunk_count INTEGER NOT NULL DEFAULT 0,
        token_count INTEGER NOT NULL DEFAULT 0,
        layout TEXT NOT NULL,
        embed_model TEXT NOT NULL,
        warnings TEXT NOT NULL DEFAULT '[]',
        ingested_at TEXT NOT NULL
    );
    CREATE INDEX documents_sha256 ON documents(sha256);
    CREATE TABLE chunks (
        id INTEGER PRIMARY KEY,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        layout TEXT NOT NULL,
        ordinal INTEGER NOT NULL,
        text TEXT NOT NULL,
        page INTEGER NOT NULL,
        char_start INTEGER NOT NULL,
        char_end INTEGER NOT NULL,
        token_count INTEGER NOT NULL,
        section TEXT NOT NULL DEFAULT '',
        content_hash TEXT NOT NULL
    );
    CREATE INDEX chunks_document ON chunks(document_id, layout, ordinal);
    CREATE INDEX chunks_hash ON chunks(content_hash);
    CREATE VIRTUAL TABLE chunks_fts USING fts5(
        text, section, content='chunks', content_rowid='id',
        tokenize='porter unicode61 remove_diacritics 2'
    );
    CREATE TRIGGER chunks_ai AFTER INSERT ON chunks BEGIN
        INSERT INTO chunks_fts(rowid, text, section) VALUES (new.id, new.text, new.section);
    END;
    CREATE TRIGGER chunks_ad AFTER DELETE ON chunks BEGIN
        INSERT INTO chunks_fts(chunks_fts, rowid, text, section)
        VALUES ('delete', old.id, old.text, old.section);
    END;
    CREATE TABLE vectors (
        content_hash TEXT NOT NULL,
        model TEXT NOT NULL,
        dim INTEGER NOT NULL,
        vector BLOB NOT NULL,
        PRIMARY KEY (content_hash, model)
    ) WITHOUT ROWID;
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    """,
    # 2: caches (L2 tier) and saved conversations.
    """
    CREATE TABLE cache_entries (
        key TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        value BLOB NOT NULL,
        document_ids TEXT NOT NULL DEFAULT '',
        corpus_version INTEGER NOT NULL DEFAULT 0,
        size INTEGER NOT NULL,
        created_at REAL NOT NULL,
        used_at REAL NOT NULL
    );
    CREATE INDEX cache_used ON cache_entries(used_at);
    CREATE TABLE cache_links (
        key TEXT NOT NULL REFERENCES cache_entries(key) ON DELETE CASCADE,
        document_id INTEGER NOT NULL,
        PRIMARY KEY (key, document_id)
    ) WITHOUT ROWID;
    CREATE INDEX cache_links_doc ON cache_links(document_id);
    """,
    # 3: corpus-dependent cache entries are purged by version on every corpus change.
    """
    CREATE INDEX cache_version ON cache_entries(corpus_version);
    """,
    # 4: background jobs keep their state across restarts (GET /api/jobs after a restart).
    """
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        status TEXT NOT NULL,
        created_at REAL NOT NULL,
        body BLOB NOT NULL
    );
    CREATE INDEX jobs_created ON jobs(created_at);
    """,
    # 5: cache_links was never written or read (cache entries are purged by corpus version);
    # dropping the table drops its index too.
    """
    DROP TABLE IF EXISTS cache_links;
    """,
    # 6: watched folders (localchat/watch/state.py). A scan row says when each folder's last
    # full scan started and finished (finished_at NULL: interrupted, it resumes at the next
    # start); a failure row keeps a file that could not be ingested, with the size and mtime
    # it had, so it is retried only once it changes and its error stays visible.
    """
    CREATE TABLE watch_scans (
        root TEXT PRIMARY KEY,
        collection TEXT NOT NULL DEFAULT 'default',
        started_at REAL NOT NULL,
        finished_at REAL
    );
    CREATE TABLE watch_failures (
        path TEXT PRIMARY KEY,
        root TEXT NOT NULL,
        size INTEGER NOT NULL,
        mtime REAL NOT NULL,
        code TEXT NOT NULL,
        message TEXT NOT NULL,
        job_id TEXT NOT NULL DEFAULT '',
        failed_at REAL NOT NULL
    );
    CREATE INDEX watch_failures_root ON watch_failures(root);
    """,
    # 7: named collections; a document belongs to one or more. Every existing document joins
    # "default", the collection meant wherever none is named.
    """
    CREATE TABLE collections (
        id INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE,
        created_at TEXT NOT NULL
    );
    CREATE TABLE collection_documents (
        collection_id INTEGER NOT NULL REFERENCES collections(id) ON DELETE CASCADE,
        document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
        PRIMARY KEY (collection_id, document_id)
    ) WITHOUT ROWID;
    CREATE INDEX collection_documents_document ON collection_documents(document_id);
    INSERT INTO collections (name, created_at)
    VALUES ('default', strftime('%Y-%m-%dT%H:%M:%S+00:00', 'now'));
    INSERT INTO collection_documents (collection_id, document_id)
    SELECT c.id, d.id FROM collections c CROSS JOIN documents d WHERE c.name = 'default';
    """,
]


def migrate(conn: sqlite3.Connection) -> int:
    """Run the migrations this database has not seen; returns the schema version."""
    version = conn.execute("PRAGMA user_version").fetchone()[0]
    for number, script in enumerate(MIGRATIONS[version:], start=version + 1):
        try:
            conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
        except sqlite3.Error:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return len(MIGRATIONS)
