"""`localchat doctor`: check models, data dir, database, index and server; say what to do."""

from __future__ import annotations

import argparse
import shutil
import tempfile
from pathlib import Path

import msgspec

from localchat.config import Settings


class Check(msgspec.Struct):
    name: str
    ok: bool
    detail: str
    fix: str = ""
    warn: bool = False


def check_models(settings: Settings) -> list[Check]:
    from localchat.modelfiles.locate import INSTALL_HINT, bundled_minilm_dir, bundled_smollm2_gguf

    checks = []
    emb = settings.models.embedding_path
    if emb:
        ok = Path(emb).is_file()
        checks.append(Check("embedding model", ok, emb, "" if ok else "fix models.embedding_path"))
    else:
        folder = bundled_minilm_dir()
        checks.append(
            Check(
                "embedding model",
                folder is not None,
                f"all-MiniLM-L6-v2 in {folder}" if folder else "not installed",
                "" if folder else INSTALL_HINT,
            )
        )
    if settings.models.upstream_base_url:
        checks.append(Check("generation", True, f"upstream {settings.models.upstream_base_url}"))
    else:
        gen = settings.models.generation_path
        path = Path(gen) if gen else bundled_smollm2_gguf()
        ok = path is not None and path.is_file()
        checks.append(
            Check(
                "generation model",
                ok,
                str(path) if ok else "not found",
                "" if ok else (INSTALL_HINT if not gen else "fix models.generation_path"),
            )
        )
    return checks


def check_embedder(settings: Settings) -> list[Check]:
    """Which engine runs the bundled embedding model (measured at first start, cached)."""
    if settings.models.embedding_path:
        return [Check("embedder", True, "llama.cpp (models.embedding_path is set)")]
    from localchat.embedding.auto import cached_choice

    choice = cached_choice(settings)
    if choice is None:
        return [
            Check(
                "embedder",
                True,
                "not measured yet on this machine",
                "the first start (`localchat ingest`, `serve` or `search`) measures every "
                "engine and keeps the fastest accurate one",
                warn=True,
            )
        ]
    return [Check("embedder", True, choice.describe())]


def check_data_dir(settings: Settings) -> list[Check]:
    data = settings.data_path
    try:
        data.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=data):
            pass
    except OSError as exc:
        return [
            Check(
                "data dir",
                False,
                f"{data}: {exc.strerror or exc}",
                "choose a writable folder with --data-dir or LOCALCHAT_HOME",
            )
        ]
    free = shutil.disk_usage(data).free
    low = free < 500 * 1024 * 1024
    return [
        Check(
            "data dir",
            True,
            f"{data} ({free / 2**30:.1f} GiB free)",
            "free some disk space" if low else "",
            warn=low,
        )
    ]


def check_store_and_index(settings: Settings) -> list[Check]:
    db = settings.data_path / "localchat.db"
    if not db.exists():
        return [
            Check(
                "database",
                True,
                "empty (nothing ingested yet)",
                "run `localchat ingest PATH` or open the TUI",
            )
        ]
    from localchat.index.vector_index import UsearchIndex, index_path
    from localchat.store.store import Store

    store = Store(db)
    try:
        ok = store.integrity_ok()
        docs, chunks = store.counts()
        checks = [
            Check(
                "database",
                ok,
                f"{docs} documents, {chunks} chunks",
                "" if ok else "restore from backup or re-ingest into a new --data-dir",
            )
        ]
        models = [r[0] for r in store.read("SELECT DISTINCT embed_model FROM documents")]
        for model in models:
            count, checksum = store.key_stats(model)
            path = index_path(settings.data_path, model)
            dim = store.read("SELECT dim FROM vectors WHERE model = ? LIMIT 1", (model,))
            index = UsearchIndex(dim[0][0] if dim else 384)
            loaded = index.load(path)
            same = loaded and (len(index), index.saved_checksum()) == (count, checksum)
            checks.append(
                Check(
                    f"vector index ({model})",
                    same,
                    f"{len(index) if loaded else 'missing'} vectors, {count} expected",
                    ""
                    if same
                    else "it is rebuilt from SQLite automatically on next "
                    "start (`localchat search x` does it now)",
                    warn=not same,
                )
            )
        from localchat.watch.report import watch_notes

        checks += [Check(n.name, True, n.detail, n.fix, n.warn) for n in watch_notes(store)]
        return checks
    finally:
        store.close()


def check_server(settings: Settings) -> list[Check]:
    import httpx

    from localchat.client.launch import server_url
    from localchat.client.library import server_for_library

    base = server_url(settings)  # the configured host and port (not a default)
    url = f"{base}/api/health/ready"
    try:
        response = httpx.get(url, timeout=2)
    except httpx.HTTPError:
        return [
            Check(
                "server",
                True,
                f"not running at {url}",
                "start it with `localchat serve` (the TUI starts one itself)",
                warn=True,
            )
        ]
    ok = response.status_code == 200
    checks = [
        Check(
            "server",
            ok,
            f"{url} answered {response.status_code}",
            "" if ok else "see GET /api/health/deep for the failing component",
        )
    ]
    if not server_for_library(base, settings.data_path):
        checks.append(
            Check(
                "server library",
                True,
                f"the server at {base} serves another data dir than {settings.data_path}",
                "`localchat ingest` will write here directly; to use that server, pass its "
                "--data-dir, or give this library its own port (LOCALCHAT_SERVER_PORT)",
                warn=True,
            )
        )
    return checks


def _mark(check: Check) -> str:
    if check.ok and not check.warn:
        return "[green]ok[/]  "
    return "[yellow]warn[/]" if check.ok or check.warn else "[red]FAIL[/]"


def print_checks(out, checks: list[Check]) -> None:
    """One line per check when it fits the terminal; otherwise the detail (often a long path)
    goes on its own line, unwrapped, so it is never broken mid-word and copies whole."""
    from rich.markup import escape

    for c in checks:
        head = f"{_mark(c)} {escape(c.name)}:"
        if 5 + len(c.name) + 2 + len(c.detail) <= out.width:
            out.print(f"{head} {escape(c.detail)}", soft_wrap=True)
        else:
            out.print(head)
            out.print(f"      {escape(c.detail)}", soft_wrap=True)
        if c.fix:
            out.print(f"      → {escape(c.fix)}")


def main(args: argparse.Namespace, settings: Settings) -> int:
    from localchat.commands.output import console

    out = console()
    checks = (
        check_models(settings)
        + check_embedder(settings)
        + check_data_dir(settings)
        + check_store_and_index(settings)
        + check_server(settings)
    )
    print_checks(out, checks)
    failed = [c for c in checks if not c.ok and not c.warn]
    warned = [c for c in checks if c.warn]
    out.print(summary(len(failed), len(warned)))
    return 1 if failed else 0


def summary(failed: int, warned: int) -> str:
    """ "All good." only when nothing failed and nothing warned."""
    if failed:
        return f"{failed} problem(s) found" + (f", {warned} warning(s)." if warned else ".")
    if warned:
        return f"No failures, but {warned} warning(s): see above."
    return "All good."
