"""POST /api/search: retrieval only, each hit with its BM25 rank, cosine and fused score."""

from __future__ import annotations

from litestar import Controller, post
from litestar.params import JSONBody

from localchat.config import PRESETS
from localchat.errors import InvalidRequestError
from localchat.wire.api import HitView, SearchRequest, SearchResponse, views
from server.deps import ResourcesDep, needs


class SearchController(Controller):
    path = "/api/search"
    dependencies = needs("resources")

    @post("/", status_code=200, sync_to_thread=True)
    def search(self, data: JSONBody[SearchRequest], resources: ResourcesDep) -> SearchResponse:
        if data.preset is not None and data.preset not in PRESETS:
            raise InvalidRequestError(
                f"unknown preset {data.preset!r}",
                hint=f"use one of {', '.join(PRESETS)}, or omit it",
                param="preset",
            )
        result = resources.search(
            data.query, preset=data.preset, mode=data.mode, collection=data.collection
        )
        return SearchResponse(
            query=result.query,
            preset=data.preset or resources.rag_config().preset,
            mode=result.mode,
            hits=views(HitView, result.hits),
            terms=result.terms,
            timings_ms=result.timings_ms,
            collection=result.collection,
            **({"dropped": views(HitView, result.dropped)} if data.explain else {}),
        )
