"""Models served by OpenAI-compatible servers: Ollama's /api/tags, any server's /v1/models.

Probes use short timeouts (a closed port answers at once; a hung server costs at most the
timeout) and only loopback hosts unless models.allow_remote_servers is set.
"""

from __future__ import annotations

import ipaddress

import httpx

from localchat.modelfiles.entry import ENCODER_ARCHS, Kind, ModelEntry

OLLAMA_URL = "http://127.0.0.1:11434"
PROBE_TIMEOUT = httpx.Timeout(1.0, connect=0.3)
SIZE_UNITS = {"K": 1e3, "M": 1e6, "B": 1e9, "T": 1e12}


def is_loopback(url: str) -> bool:
    host = httpx.URL(url).host
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def openai_base(url: str) -> str:
    """`http://host:8080` or `http://host:8080/v1/` → `http://host:8080/v1`."""
    url = url.strip().rstrip("/")
    return url if url.endswith("/v1") else f"{url}/v1"


def probe_ollama(url: str, warnings: list[str], client: httpx.Client) -> list[ModelEntry]:
    """Ollama's own listing: kind from the model family, size and parameter count included."""
    try:
        response = client.get(f"{url.rstrip('/')}/api/tags")
    except httpx.HTTPError:
        return []  # no Ollama running is the usual case, not worth a warning
    if response.status_code != 200:
        warnings.append(f"server: {url}/api/tags answered HTTP {response.status_code}")
        return []
    try:
        listed = response.json().get("models") or []
    except (ValueError, AttributeError):
        warnings.append(f"server: {url}/api/tags did not answer JSON")
        return []
    base = openai_base(url)
    return [
        _ollama_entry(item, base) for item in listed if isinstance(item, dict) and item.get("name")
    ]


def probe_openai(url: str, warnings: list[str], client: httpx.Client) -> list[ModelEntry]:
    """A llama.cpp server, vLLM or TEI: the ids of GET /v1/models (kind guessed from the id)."""
    base = openai_base(url)
    try:
        response = client.get(f"{base}/models")
    except httpx.HTTPError as exc:
        warnings.append(f"server: {base} did not answer ({exc.__class__.__name__})")
        return []
    if response.status_code != 200:
        warnings.append(f"server: {base}/models answered HTTP {response.status_code}")
        return []
    try:
        data = response.json().get("data") or []
    except (ValueError, AttributeError):
        warnings.append(f"server: {base}/models did not answer JSON")
        return []
    return [
        ModelEntry(
            name=str(item["id"]),
            kind=_guess_kind(str(item["id"])),
            origin="server",
            url=base,
            remote_model=str(item["id"]),
        )
        for item in data
        if isinstance(item, dict) and item.get("id")
    ]


def _ollama_entry(item: dict, base: str) -> ModelEntry:
    details = item.get("details") or {}
    families = {details.get("family"), *(details.get("families") or [])}
    kind: Kind = "embedding" if families & ENCODER_ARCHS or "embed" in item["name"] else "chat"
    return ModelEntry(
        name=str(item["name"]),
        kind=kind,
        origin="server",
        url=base,
        remote_model=str(item["name"]),
        size_bytes=int(item.get("size") or 0),
        parameters=parse_size_label(str(details.get("parameter_size") or "")),
        architecture=str(details.get("family") or ""),
        quantization=str(details.get("quantization_level") or ""),
    )


def parse_size_label(label: str) -> int:
    """`1.5B` → 1_500_000_000; anything else → 0."""
    label = label.strip().upper()
    if not label or label[-1] not in SIZE_UNITS:
        return 0
    try:
        return int(float(label[:-1]) * SIZE_UNITS[label[-1]])
    except ValueError:
        return 0


def _guess_kind(model_id: str) -> Kind:
    lowered = model_id.lower()
    return "embedding" if any(w in lowered for w in ("embed", "bge", "minilm", "e5-")) else "chat"
