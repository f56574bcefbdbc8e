"""Which library a server serves: a short hash of its data dir, the same in every process."""

from __future__ import annotations

import hashlib
from pathlib import Path

import httpx


def library_id(data_path: Path) -> str:
    return hashlib.sha256(str(Path(data_path).resolve()).encode()).hexdigest()[:16]


def server_for_library(url: str, data_path: Path, timeout: float = 1.0) -> bool:
    """A server answers at url and serves the library in data_path."""
    try:
        reply = httpx.get(f"{url}/api/health/live", timeout=timeout)
    except httpx.HTTPError:
        return False
    if reply.status_code != 200:
        return False
    try:
        return reply.json().get("library") == library_id(data_path)
    except ValueError:
        return False
