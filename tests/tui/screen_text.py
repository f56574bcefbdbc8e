"""The current screen of a running app as plain text, for layout snapshots and debugging."""

from __future__ import annotations

import io
import os
from pathlib import Path

from rich.console import Console

SNAPSHOTS = Path(__file__).parent / "snapshots"
UPDATE = "LOCALCHAT_UPDATE_SNAPSHOTS"


def screen_text(app) -> str:
    """What the terminal shows, one line per row, trailing spaces trimmed."""
    width, height = app.size
    console = Console(
        width=width,
        height=height,
        file=io.StringIO(),
        force_terminal=True,
        color_system="truecolor",
        record=True,
        legacy_windows=False,
        safe_box=False,
    )
    render = app.screen._compositor.render_update(
        full=True, screen_stack=app._background_screens, simplify=True
    )
    console.print(render)
    lines = console.export_text(styles=False).splitlines()
    return "\n".join(line.rstrip() for line in lines).rstrip() + "\n"


async def settled_text(pilot, quiet_s: float = 0.3, timeout: float = 10.0) -> str:
    """The screen once it has stopped changing (footers and Markdown render a beat later)."""
    import time

    deadline = time.monotonic() + timeout
    text = screen_text(pilot.app)
    while time.monotonic() < deadline:
        await pilot.pause(quiet_s)
        again = screen_text(pilot.app)
        if again == text:
            return text
        text = again
    return text


async def assert_snapshot(pilot, name: str) -> None:
    """Compare the screen with snapshots/<name>.txt (LOCALCHAT_UPDATE_SNAPSHOTS=1 rewrites it)."""
    actual = await settled_text(pilot)
    path = SNAPSHOTS / f"{name}.txt"
    if os.environ.get(UPDATE) or not path.exists():
        path.parent.mkdir(exist_ok=True)
        path.write_text(actual, encoding="utf-8")
        if not os.environ.get(UPDATE):
            raise AssertionError(f"wrote a new snapshot {path}: review it and run again")
        return
    expected = path.read_text(encoding="utf-8")
    assert actual == expected, f"{name} changed; if intended, run with {UPDATE}=1\n{actual}"
