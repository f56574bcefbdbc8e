"""The AMX probe: a verdict per llama.cpp build, cached, never a crash in the caller."""

from __future__ import annotations

import json
from pathlib import Path

from localchat.embedding import amx


def test_no_amx_means_not_safe_without_probing(tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setattr(amx, "amx_available", lambda: False)
    monkeypatch.setattr(amx, "_probe", lambda model: (_ for _ in ()).throw(AssertionError))
    assert amx.amx_kernels_safe(tmp_path / "m.gguf", tmp_path) is False


def test_verdict_is_cached_per_library(tmp_path: Path, monkeypatch) -> None:
    calls: list[Path] = []
    monkeypatch.setattr(amx, "amx_available", lambda: True)
    monkeypatch.setattr(amx, "_probe", lambda model: calls.append(model) or True)
    assert amx.amx_kernels_safe(tmp_path / "m.gguf", tmp_path) is True
    assert amx.amx_kernels_safe(tmp_path / "m.gguf", tmp_path) is True
    assert len(calls) == 1
    cached = json.loads((tmp_path / "amx-probe.json").read_text())
    assert cached["safe"] is True and cached["library"] == amx._library_key()
    (tmp_path / "amx-probe.json").write_text(json.dumps({"library": "other", "safe": False}))
    assert amx.amx_kernels_safe(tmp_path / "m.gguf", tmp_path) is True
    assert len(calls) == 2


def test_a_crashing_child_means_not_safe(tmp_path: Path) -> None:
    assert amx._probe(tmp_path / "missing.gguf") is False


def test_real_probe_matches_a_real_run(minilm_dir: Path, tmp_path: Path) -> None:
    from localchat.modelfiles.convert import convert_minilm

    if not amx.amx_available():
        assert amx.amx_kernels_safe(tmp_path / "x.gguf", tmp_path) is False
        return
    model = convert_minilm(minilm_dir, tmp_path / "m.q8_0.gguf", dtype="q8_0")
    verdict = amx.amx_kernels_safe(model, tmp_path)
    assert verdict is amx._probe(model)
