"""How many threads llama.cpp computes with: every free core, chosen per request.

Measured on an idle 2-core machine (`python -m bench.answer_latency`, 30 docs-qa evidence
prompts of 360 tokens median, docs/benchmarks.md "Generation threads"): prefill ran at 172
tokens/s on 1 thread and 310 on 2 (1.8x). But ggml's threads meet at spinning barriers, so
when another process or thread holds a core (an embedding batch, the TUI, a build) one
preempted thread stalls the rest: on 2 busy cores, 2 threads ran 10-30x slower than 1. So
the count follows what is free at the moment a request starts: the kernel's count of
runnable tasks (/proc/loadavg), not the minute-long load average, which would count the
previous answer's own threads against the next.
"""

from __future__ import annotations

import os
from pathlib import Path

LOADAVG = Path("/proc/loadavg")


def cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def default_threads() -> int:
    """Every core but one: the count when what is free cannot be read."""
    return max(1, cpu_count() - 1)


def runnable_others(loadavg: str) -> int | None:
    """Tasks runnable right now besides the reading one, from /proc/loadavg's "R/T" field."""
    try:
        running = int(loadavg.split()[3].split("/")[0])
    except (IndexError, ValueError):
        return None
    return max(0, running - 1)


def free_threads(cpus: int | None = None, loadavg: str | None = None) -> int:
    """The cores no other task is running on now (at least 1), or default_threads()."""
    cpus = cpus or cpu_count()
    if loadavg is None:
        try:
            loadavg = LOADAVG.read_text()
        except OSError:
            return default_threads()
    others = runnable_others(loadavg)
    if others is None:
        return default_threads()
    return max(1, min(cpus, cpus - others))
