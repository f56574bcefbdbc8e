"""Generation threads: every core no other task is running on when a request starts."""

from __future__ import annotations

import pytest

from localchat.generation.threads import default_threads, free_threads, runnable_others


@pytest.mark.parametrize(
    ("loadavg", "cpus", "threads"),
    [
        ("0.10 0.05 0.01 1/234 5678", 2, 2),  # only the reading thread runs: both cores free
        ("1.90 1.20 0.80 2/240 5678", 2, 1),  # another task holds a core
        ("4.00 3.00 2.00 6/240 5678", 2, 1),  # all busy: never fewer than one thread
        ("2.00 2.00 2.00 3/300 5678", 8, 6),
    ],
)
def test_the_count_is_the_cores_no_other_task_holds(loadavg, cpus, threads):
    assert free_threads(cpus, loadavg) == threads


def test_an_unreadable_count_falls_back_to_every_core_but_one():
    assert runnable_others("garbage") is None
    assert free_threads(4, "garbage") == default_threads()


def test_this_machine_gives_a_count_within_its_cores():
    assert 1 <= free_threads() <= max(1, len(__import__("os").sched_getaffinity(0)))
