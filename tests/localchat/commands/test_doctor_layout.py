"""`localchat doctor` layout: at 80 columns a long path is never broken mid-word."""

from __future__ import annotations

import io

from rich.console import Console

from localchat.commands.doctor import Check, print_checks

LONG = "/home/someone/a/rather/deeply/nested/folder/of/models/SmolLM2-135M-Instruct.Q4_1.gguf"


def render(checks: list[Check], width: int = 80) -> str:
    out = Console(file=io.StringIO(), width=width, highlight=False, emoji=False)
    print_checks(out, checks)
    return out.file.getvalue()


def test_a_long_path_keeps_its_own_unbroken_line():
    text = render([Check("generation model", True, LONG)])
    assert text.splitlines()[0].strip() == "ok   generation model:"
    assert LONG in text  # whole on one line: copy-pastes as it is


def test_a_short_detail_stays_on_the_check_line_with_its_fix():
    text = render([Check("server", True, "not running", "start it with `localchat serve`", True)])
    lines = text.splitlines()
    assert lines[0] == "warn server: not running"
    assert lines[1].strip() == "→ start it with `localchat serve`"


def test_rich_markup_in_a_detail_is_shown_not_interpreted():
    text = render([Check("data dir", False, "/tmp/[red]x[/]", "choose another")])
    assert "/tmp/[red]x[/]" in text and "FAIL" in text
