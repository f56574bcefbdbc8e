"""`Resources`: the long-lived parts opened from Settings — store, vector index, embedder,
cache, retriever, the answer-model pool — with the telemetry they report to, fixed at opening.

Corpus writes are not here: they go through `resources.library` (localchat.library).
"""

from __future__ import annotations

import threading
from pathlib import Path

import msgspec

from localchat.cache import ResponseCache
from localchat.config import RagParams, Settings, preset_params, resolve_rag, validate_rag
from localchat.embedding.embedder import Embedder
from localchat.generation.pool import GeneratorPool
from localchat.index.vector_index import UsearchIndex, index_path, open_index
from localchat.library import Library
from localchat.modelfiles.locate import SMOLLM2_FILE
from localchat.retrieval.retriever import Mode, Retrieval, Retriever
from localchat.store.store import Store
from localchat.telemetry import NullTelemetry, Telemetry


class RagConfig(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """The active preset and overrides, as GET/POST /api/config/rag speak them."""

    preset: str
    chunk_size: int
    chunk_overlap: int
    top_k: int
    min_similarity: float


class Resources:
    """Long-lived resources. Open once per process (CLI command, server lifespan); `telemetry`
    is given here and never changes (the server opens its resources with its Prometheus one).
    """

    def __init__(
        self,
        settings: Settings,
        store: Store,
        embedder: Embedder,
        index: UsearchIndex,
        index_state: str,
        telemetry: Telemetry,
        parser_pool=None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.embedder = embedder
        self.index = index
        self.index_state = index_state
        self.telemetry = telemetry
        self._parser_pool = parser_pool
        self.generators = GeneratorPool(
            lambda name: _open_generator(settings, name),
            max_loaded=settings.models.max_loaded_generators,
            bundled_id=SMOLLM2_FILE.removesuffix(".gguf"),
        )
        self._discovery = None
        self._discovery_lock = threading.Lock()
        self._retired: list = []  # replaced retrievers and embedders, closed at the end
        from localchat.modelfiles.discover import embedding_name

        self.embedding_name = embedding_name(settings)  # by its `localchat models` name
        self._use_embedder(embedder, index)
        self.library = Library(self)  # the one owner of corpus writes

    def _use_embedder(self, embedder: Embedder, index: UsearchIndex) -> None:
        """Everything that depends on the embedding model: its index, cache and retriever."""
        settings, store = self.settings, self.store
        self.embedder, self.index = embedder, index
        self.cache = ResponseCache(settings.cache, store, embedder, self.telemetry.cache)
        self.retriever = Retriever(
            store,
            index,
            embedder,
            candidates=settings.rag.candidates,
            rrf_k=settings.rag.rrf_k,
            query_vectors=self.cache.query_vectors,  # one QueryVectors for both
        )
        self.index_file = index_path(settings.data_path, embedder.model_id)
        self.seen_version = store.corpus_version()  # the corpus the index was built for

    def swap_embedder(self, embedder: Embedder, index: UsearchIndex, name: str = "") -> None:
        """Serve with another embedding model whose vectors are complete in `index` (built by
        localchat.ingest.reembed). Embedder, index, cache and retriever change together, so a
        query never meets vectors of two models."""
        old_retriever, old_cache, old_embedder = self.retriever, self.cache, self.embedder
        self._use_embedder(embedder, index)
        self.embedding_name = name or embedder.model_id
        self.library.embedded_with(embedder.model_id)
        old_cache.close()
        # Closed with the runtime: a search that began a moment ago may still be using them.
        self._retired += [old_retriever, old_embedder]

    @classmethod
    def open(
        cls,
        settings: Settings,
        *,
        embedder: Embedder | None = None,
        telemetry: Telemetry | None = None,
        isolate_parsing: bool = True,
    ) -> Resources:
        from localchat.embedding.embedder import open_embedder

        data = settings.data_path
        data.mkdir(parents=True, exist_ok=True)
        store = Store(data / "localchat.db")
        embedder = embedder or open_embedder(settings)
        index, state = open_index(store, data, embedder.model_id, embedder.dim)
        pool = None
        if isolate_parsing:
            from localchat.ingest.isolate import ParserPool

            pool = ParserPool(
                timeout_s=settings.ingest.parse_timeout_s,
                memory_mb=settings.ingest.parse_memory_mb,
                max_pages=settings.ingest.max_pages,
            )
        return cls(settings, store, embedder, index, state, telemetry or NullTelemetry(), pool)

    def close(self) -> None:
        self.retriever.close()
        if self._parser_pool is not None:
            self._parser_pool.close()
        self.generators.close()
        self.embedder.close()
        for retired in self._retired:
            retired.close()
        self.cache.close()
        self.store.close()

    # -- configuration ---------------------------------------------------------------------

    def rag_config(self) -> RagConfig:
        saved = self.store.meta_get("rag_config")
        if saved:
            return msgspec.json.decode(saved, type=RagConfig)
        params = self.settings.rag_params()
        return RagConfig(self.settings.rag.preset, **msgspec.structs.asdict(params))

    def params(self, preset: str | None = None) -> RagParams:
        """Parameters for a query: a named preset as is, or the active configuration."""
        if preset is not None:
            return preset_params(preset)
        cfg = self.rag_config()
        return RagParams(cfg.chunk_size, cfg.chunk_overlap, cfg.top_k, cfg.min_similarity)

    def set_rag_config(self, changes: dict) -> tuple[RagConfig, bool]:
        """Apply a preset and/or overrides; returns (new config, whether chunks must change)."""
        current = self.rag_config()
        preset = changes.get("preset", current.preset)
        named = preset_params(preset)
        base = named if "preset" in changes else self.params()
        values = msgspec.structs.asdict(base) | {
            k: v for k, v in changes.items() if k in RagParams.__struct_fields__
        }
        params = msgspec.convert(values, RagParams)
        validate_rag(params)
        new = RagConfig(preset, **msgspec.structs.asdict(params))
        rechunk = (new.chunk_size, new.chunk_overlap) != (current.chunk_size, current.chunk_overlap)
        self.store.meta_set("rag_config", msgspec.json.encode(new).decode())
        return new, rechunk

    # -- work --------------------------------------------------------------------------------

    def load(self, path: Path):
        """Parse one file (in the worker process when parsing is isolated)."""
        if self._parser_pool is not None:
            return self._parser_pool.load(path)
        from localchat.ingest.loaders import load_file

        return load_file(path, max_pages=self.settings.ingest.max_pages)

    def search(
        self,
        query: str,
        *,
        preset: str | None = None,
        mode: Mode = "hybrid",
        collection: str | None = None,
    ) -> Retrieval:
        """Retrieval in one collection (None: "default", "all": the whole library)."""
        return self.retriever.search(query, self.params(preset), mode=mode, collection=collection)

    @property
    def generator(self):
        """The active answer model, loaded on first use (retrieval-only commands never pay)."""
        return self.generators.active

    def set_generator(self, generator) -> None:
        self.generators.set_active(generator)

    @property
    def generator_is_bundled(self) -> bool:
        """True while the active answer model is the bundled SmolLM2 (nobody chose it)."""
        return self.generators.is_bundled()

    # -- models on this machine ------------------------------------------------------------

    def models(self, *, refresh: bool = False):
        """What `localchat models` finds (cached; `refresh` looks again)."""
        from localchat.modelfiles import discover

        with self._discovery_lock:
            if self._discovery is None or refresh:
                self._discovery = discover(self.settings)
            return self._discovery

    def discovered(self) -> bool:
        return self._discovery is not None

    def chat_model_names(self) -> list[str]:
        return [m.name for m in self.models().chat_models()]

    def switch_generator(self, name: str):
        """Make the discovered chat model `name` the active one (load first, then swap)."""
        from localchat.modelfiles.choose import find_entry

        if name != self.generator.model_id:
            find_entry(self.models(), name, "chat")  # a clear error for a typo, before loading
        return self.generators.switch(name)


def _open_generator(settings: Settings, name: str | None):
    # Looked up at each call (not imported at module load) so tests can stand in a loader.
    import localchat.generation

    return (
        localchat.generation.open_generator(settings, name)
        if name
        else (localchat.generation.open_generator(settings))
    )


__all__ = ["RagConfig", "Resources", "resolve_rag"]
