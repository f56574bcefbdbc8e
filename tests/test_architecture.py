"""Import contracts: the core knows no front end; server and tui never import each other."""

from __future__ import annotations

import json
import pkgutil
import subprocess
import sys

import pytest

import localchat
import server
import tui

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
