"""Import contracts: the core knows no front end; server, tui and bench never import each other."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import localchat
import server
import tui

REPO = Path(__file__).resolve().parents[1]
FRONT_ENDS = ("textual", "litestar", "prometheus_client", "server", "tui", "bench")


def modules_of(package) -> list[str]:
    return [
        info.name
        for info in pkgutil.walk_packages(package.__path__, prefix=package.__name__ + ".")
        if not info.name.endswith("__main__")
    ]


def imported_after(modules: list[str]) -> set[str]:
    code = (
        "import importlib, json, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return set(json.loads(out.stdout))


def test_core_imports_no_front_end():
    # localchat.cli dispatches to server/tui/bench lazily, inside the commands that need them.
    core = [m for m in modules_of(localchat) if m != "localchat.cli"]
    assert len(core) > 30
    leaked = imported_after(core) & set(FRONT_ENDS)
    assert not leaked, f"localchat imports front-end packages: {leaked}"


@pytest.mark.parametrize(("package", "forbidden"), [(server, "tui"), (tui, "server")])
def test_front_ends_do_not_import_each_other(package, forbidden):
    loaded = imported_after(modules_of(package))
    assert forbidden not in loaded


def lint_imports(*args: str) -> subprocess.CompletedProcess:
    # The console script sits next to this interpreter; it reads [tool.importlinter] from the
    # repo's pyproject.toml, so it runs from the repo root.
    script = Path(sys.executable).with_name("lint-imports")
    return subprocess.run(
        [str(script), "--no-cache", *args], cwd=REPO, capture_output=True, text=True
    )


def test_import_contracts_are_kept():
    done = lint_imports()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "4 kept, 0 broken" in done.stdout


def lint_layers(tmp_path, upper: str, lower: str) -> subprocess.CompletedProcess:
    """lint-imports on the real code with one layers contract: `upper` above `lower`."""
    config = tmp_path / "contracts.ini"
    config.write_text(
        "[importlinter]\nroot_packages =\n    localchat\n\n"
        "[importlinter:contract:two-layers]\nname = two layers\n"
        f"type = layers\nlayers =\n    {upper}\n    {lower}\n"
    )
    return lint_imports("--config", str(config))


def test_a_broken_layer_is_reported(tmp_path):
    # The same tool on the real code with two layers put upside down: the break must be
    # found, or the kept contracts above would prove nothing.
    done = lint_layers(tmp_path, "localchat.store", "localchat.retrieval")
    assert done.returncode == 1
    assert "localchat.retrieval.retriever -> localchat.store.store" in done.stdout


@pytest.mark.parametrize(
    ("upper", "lower"),
    [
        ("localchat.chat", "localchat.cache"),  # the cache gets its fingerprint as a value
        ("localchat.retrieval", "localchat.store"),  # BM25 planning lives in retrieval/
        ("localchat.cache", "localchat.retrieval"),  # the cache never drives the retriever
        ("localchat.retrieval", "localchat.wire"),  # the API serves HitView, never a Hit
    ],
)
def test_the_query_path_runs_one_way_without_exceptions(tmp_path, upper, lower):
    done = lint_layers(tmp_path, upper, lower)
    assert done.returncode == 0, done.stdout + done.stderr
