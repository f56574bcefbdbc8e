"""`localchat watch`: which folders it watches (arguments, else ingest.watch), and its lines."""

from __future__ import annotations

import argparse

import msgspec
import pytest

from localchat.commands.watch import folders, report
from localchat.config import WatchFolder
from localchat.errors import ConfigError
from localchat.job import Job, JobError
from localchat.watch.watcher import Synced


def args(*dirs: str, collection: str | None = None) -> argparse.Namespace:
    return argparse.Namespace(dirs=list(dirs), collection=collection)


def with_watch(settings, *entries):
    ingest = msgspec.structs.replace(settings.ingest, watch=entries)
    return msgspec.structs.replace(settings, ingest=ingest)


def test_named_folders_win_over_the_setting(settings):
    configured = with_watch(settings, "/from/config")
    assert folders(args("/a", "/b"), configured) == [WatchFolder("/a"), WatchFolder("/b")]


def test_without_folders_the_setting_is_used(settings):
    configured = with_watch(settings, "/notes", WatchFolder("/papers", "default"))
    assert folders(args(), configured) == [WatchFolder("/notes"), WatchFolder("/papers")]


def test_nothing_to_watch_says_how_to_name_a_folder(settings):
    with pytest.raises(ConfigError, match="no folder to watch") as caught:
        folders(args(), settings)
    assert "ingest.watch" in caught.value.hint
    with pytest.raises(ConfigError, match="--collection needs the folders"):
        folders(args(collection="default"), settings)


def test_report_prints_renames_removals_and_failures(capsys):
    from localchat.commands.output import console

    job = Job(id="job_1", kind="ingest", status="done", files_total=2, added=1, failed=1)
    job.errors = [JobError("/w/bad.pdf", "corrupt_file", "bad.pdf is damaged")]
    synced = Synced("/w", False, renamed=[("/w/a.md", "/w/b.md")], deleted=["/w/c.md"], job=job)
    report(console(stderr=True), synced)
    err = capsys.readouterr().err
    assert "renamed /w/a.md → /w/b.md" in err and "removed /w/c.md" in err
    assert "failed  /w/bad.pdf: bad.pdf is damaged" in err
    assert "2 files: 1 added" in err and "job_1: done" in err
