"""`localchat doctor`: the server is looked for at the configured address, a server of
another library is a warning, and "All good." never follows a warning."""

from __future__ import annotations

import msgspec

from localchat.commands.doctor import check_server, summary
from localchat.commands.doctor import main as doctor
from server.app import create_app
from tests.server.harness import fake_runtime, free_port, running_server


def on_port(settings, port: int):
    return msgspec.structs.replace(
        settings, server=msgspec.structs.replace(settings.server, port=port)
    )


def test_summary_says_all_good_only_without_warnings():
    assert summary(0, 0) == "All good."
    assert "All good" not in summary(0, 1) and "1 warning" in summary(0, 1)
    assert summary(2, 1).startswith("2 problem(s) found")


def test_the_server_is_checked_on_the_configured_port_and_for_this_library(settings, tmp_path):
    runtime = fake_runtime(settings)
    try:
        with running_server(create_app(settings, resources=runtime)) as base:
            port = int(base.rsplit(":", 1)[1])
            assert port != 8484
            (server,) = check_server(on_port(settings, port))
            assert server.ok and not server.warn and f":{port}/" in server.detail
            other = msgspec.structs.replace(on_port(settings, port), data_dir=str(tmp_path / "x"))
            checks = check_server(other)
            assert [c.name for c in checks] == ["server", "server library"]
            assert checks[1].warn and "another data dir" in checks[1].detail
    finally:
        runtime.close()


def test_no_all_good_when_the_server_is_not_running(settings, capsys):
    code = doctor(None, on_port(settings, free_port()))
    out = capsys.readouterr().out
    assert "not running at" in out and "All good" not in out and "warning" in out
    assert code in (0, 1)
