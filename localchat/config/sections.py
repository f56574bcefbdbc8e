"""The settings' sections: one frozen msgspec Struct per TOML table (`[models]`, `[rag]`,
`[server]`, `[cache]`, `[ingest]`, `[mcp]`), `Settings` holding them all, and `SECTIONS`
naming them for the environment variables."""

from __future__ import annotations

from pathlib import Path

import msgspec

from localchat.config.presets import DEFAULT_PRESET, RagParams, resolve_rag


class ModelSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    # Empty means "the bundled model": all-MiniLM-L6-v2 (converted once to GGUF in the data
    # dir) for embeddings, SmolLM2-135M-Instruct Q4_1 for generation.
    embedding_path: str = ""
    # How the bundled embedding model runs: "auto" measures every engine at first start and
    # keeps the fastest accurate one (embedding/selection.py); or one name from `localchat doctor`.
    embedder: str = "auto"
    # Where the "auto" verdict is cached. It describes the machine, not the library, so every
    # data dir shares it: "" = the user cache dir (~/.cache/localchat on Linux).
    machine_cache_dir: str = ""
    generation_path: str = ""
    # When set, generation goes to this OpenAI-compatible server (Ollama, llama.cpp, vLLM).
    upstream_base_url: str = ""
    upstream_api_key: str = ""
    upstream_model: str = ""
    # A model by the name `localchat models` shows (e.g. "qwen2.5:1.5b"): it wins over
    # generation_path / upstream_* (chat) and embedding_path (embeddings) when set.
    chat_model: str = ""
    embedding_model: str = ""
    # Where else discovery looks: GGUF files or folders, and OpenAI-compatible base URLs.
    search_paths: tuple[str, ...] = ()
    servers: tuple[str, ...] = ()
    probe_ollama: bool = True  # ask Ollama at 127.0.0.1:11434 for what it serves
    allow_remote_servers: bool = False  # discovery probes loopback URLs only unless set
    max_loaded_generators: int = 2  # answer models kept loaded for per-request `model` names
    # When set, embeddings come from this OpenAI-compatible /v1/embeddings (TEI, vLLM, Ollama).
    embedding_base_url: str = ""
    embedding_api_key: str = ""
    embedding_upstream_model: str = ""
    embedding_batch: int = 64  # texts per request
    embedding_concurrency: int = 4  # requests in flight at once
    embedding_retries: int = 3  # retries of a 5xx, a timeout or a dropped connection
    embedding_timeout_s: float = 30.0
    threads: int = 0  # 0: the cores no other task runs on when a request starts (threads.py)
    context_tokens: int = 4096
    max_answer_tokens: int = 512
    embed_batch_tokens: int = 4096


class RagSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    preset: str = DEFAULT_PRESET
    # Optional overrides of the preset's values; None keeps the preset's.
    chunk_size: int | None = None
    chunk_overlap: int | None = None
    top_k: int | None = None
    min_similarity: float | None = None
    candidates: int = 100  # per-list depth before fusion
    # Prompt tokens the sources may take at most. Small CPU models evaluate prompts at a few
    # hundred tokens/s, so a full 4k context of sources means seconds before the first token.
    max_source_tokens: int = 1536
    rrf_k: int = 60
    # extractive: quoted evidence sentences; generative: the model writes from the evidence and
    # every sentence is checked; auto: generative for a model the user chose, else the mode
    # that measured better for the bundled one (docs/configuration.md).
    answer_mode: str = "auto"
    # Declining (answer/coverage.py): below this evidence score (query cosine + lexical share
    # of the best sentence) *and* below decline_coverage (the rarity-weighted share of the
    # question's words the passages hold) the documents are taken not to cover the question.
    # Tuned for all-MiniLM-L6-v2; another embedder has another cosine scale
    # (docs/configuration.md). 0 turns declining off.
    decline_score: float = 0.84
    decline_coverage: float = 0.67


class ServerSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    host: str = "127.0.0.1"
    port: int = 8484
    api_keys: tuple[str, ...] = ()
    api_keys_file: str = ""
    allowed_hosts: tuple[str, ...] = ("localhost", "127.0.0.1", "[::1]", "::1")
    cors_origins: tuple[str, ...] = ()
    max_body_bytes: int = 64 * 1024 * 1024
    allowed_roots: tuple[str, ...] = ()  # path ingestion over HTTP only below these
    # "alias=model" pairs, e.g. "gpt-4o-mini=localchat": names clients send by default mapped
    # onto LocalChat's models. Empty (off) by default; listed in /v1/models when set.
    model_aliases: tuple[str, ...] = ()
    max_embedding_inputs: int = 256  # texts per POST /v1/embeddings
    max_connections: int = 512  # uvicorn's limit_concurrency: beyond it, 503
    header_timeout_s: float = 10.0  # a request's headers must arrive within this
    body_timeout_s: float = 30.0  # a body that sends nothing for this long is cut off
    keep_alive_s: float = 5.0  # idle keep-alive connections close after this
    max_header_bytes: int = 16384  # the whole header block (h11_max_incomplete_event_size)


class CacheSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    enabled: bool = True
    l1_entries: int = 1024
    l1_bytes: int = 64 * 1024 * 1024
    l2_entries: int = 20_000
    semantic: bool = True
    semantic_threshold: float = 0.97  # query-embedding cosine
    fuzzy_threshold: float = 95.0  # rapidfuzz ratio on normalised text
    cache_sampled: bool = False  # serve temperature>0 requests without a seed from cache


class WatchFolder(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """One watched folder of `ingest.watch` (a plain string is a folder for "default")."""

    path: str
    collection: str = "default"


class IngestSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    max_file_bytes: int = 512 * 1024 * 1024
    parse_timeout_s: float = 120.0
    parse_memory_mb: int = 2048
    max_pages: int = 5000
    # A symlink inside an ingested folder that leads outside it is skipped (with a warning in
    # the report) unless this is true.
    follow_symlinks: bool = False
    # Folders the server keeps the library in sync with while it runs (localchat/watch/):
    # "~/notes" or {path = "~/papers", collection = "papers"}.
    watch: tuple[WatchFolder | str, ...] = ()
    watch_rescan_s: float = 300.0  # full rescan, for filesystems without events (NFS, SMB); 0 off
    watch_debounce_s: float = 1.0  # a burst is taken as one batch once quiet this long

    def watched(self) -> list[WatchFolder]:
        """`watch` with every entry a WatchFolder."""
        return [WatchFolder(w) if isinstance(w, str) else w for w in self.watch]


class McpSettings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    # ingest_paths lets an MCP client (an assistant acting for someone) add files; off unless
    # turned on, and then only below server.allowed_roots.
    allow_ingest: bool = False
    max_top_k: int = 50


class Settings(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    data_dir: str = ""
    models: ModelSettings = ModelSettings()
    rag: RagSettings = RagSettings()
    server: ServerSettings = ServerSettings()
    cache: CacheSettings = CacheSettings()
    ingest: IngestSettings = IngestSettings()
    mcp: McpSettings = McpSettings()

    @property
    def data_path(self) -> Path:
        return Path(self.data_dir)

    def rag_params(self) -> RagParams:
        """The preset's values with any overrides applied."""
        return resolve_rag(self.rag)


SECTIONS = {
    "models": ModelSettings,
    "rag": RagSettings,
    "server": ServerSettings,
    "cache": CacheSettings,
    "ingest": IngestSettings,
    "mcp": McpSettings,
}
