"""Schema migrations: a database from an older version is brought forward in place."""

from __future__ import annotations

import sqlite3

from localchat.store.schema import MIGRATIONS, migrate
from localchat.store.store import Store


def tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'index')")
    return {name for (name,) in rows}


def test_a_version_3_database_loses_the_unused_cache_links_table(tmp_path):
    path = tmp_path / "old.db"
    conn = sqlite3.connect(path, isolation_level=None)
    for number, script in enumerate(MIGRATIONS[:3], start=1):
        conn.executescript(f"BEGIN;\n{script}\nPRAGMA user_version = {number};\nCOMMIT;")
    assert {"cache_links", "cache_links_doc"} <= tables(conn)
    conn.execute(
        "INSERT INTO cache_entries (key, kind, value, size, created_at, used_at) "
        "VALUES ('k', 'answer', x'00', 1, 0, 0)"
    )
    conn.close()

    store = Store(path)
    try:
        assert store.read("PRAGMA user_version")[0][0] == len(MIGRATIONS)
        names = {name for (name,) in store.read("SELECT name FROM sqlite_master")}
        assert "cache_links" not in names and "cache_links_doc" not in names
        assert store.read("SELECT key FROM cache_entries") == [("k",)]  # entries are kept
    finally:
        store.close()


def test_migrate_is_idempotent(tmp_path):
    conn = sqlite3.connect(tmp_path / "new.db", isolation_level=None)
    assert migrate(conn) == len(MIGRATIONS)
    before = tables(conn)
    assert migrate(conn) == len(MIGRATIONS)
    assert tables(conn) == before and "cache_links" not in before
    conn.close()
