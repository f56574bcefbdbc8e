"""The real `localchat` command as a child process (a clean PATH, the repo as cwd), for tests."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import REPO

ENV = {"PATH": "/usr/bin:/bin"}


def localchat(*args: str, data_dir: Path, config: Path | None = None) -> list[str]:
    extra = ["--config", str(config)] if config else []
    return [sys.executable, "-m", "localchat.cli", "--data-dir", str(data_dir), *extra, *args]


def run(
    *args: str, data_dir: Path, config: Path | None = None, timeout: float = 120
) -> subprocess.CompletedProcess[str]:
    """Run the command to its end; its exit code, stdout and stderr."""
    return subprocess.run(
        localchat(*args, data_dir=data_dir, config=config),
        cwd=REPO,
        env=ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


class Finished:
    """What a command started with `running` wrote (stdout and stderr), once it stopped."""

    output: str = ""


@contextlib.contextmanager
def running(*args: str, data_dir: Path, config: Path | None = None) -> Iterator[Finished]:
    """Start the command; on leaving the block stop it with Ctrl-C (SIGINT). It must then exit
    0 without a traceback; what it wrote is in the yielded `output`."""
    process = subprocess.Popen(
        localchat(*args, data_dir=data_dir, config=config),
        cwd=REPO,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    finished = Finished()
    try:
        yield finished
    finally:
        process.send_signal(signal.SIGINT)
        finished.output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, finished.output
    assert "Traceback" not in finished.output
