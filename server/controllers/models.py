"""GET /v1/models and /v1/models/{id}: RAG presets × chat models, bare models, the embedder."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromPath

from localchat.wire.openai import Model, ModelList
from server.catalog import find_model, model_list
from server.state import Core


class ModelsController(Controller):
    path = "/v1/models"

    @get("/")
    async def list_models(self, core: Core) -> ModelList:
        generator = await core.generator()
        others = await core.chat_names()
        embedding = core.runtime.embedder.model_id
        collections = core.runtime.store.collection_names()
        return model_list(
            generator.model_id, embedding, core.started_at, others, core.aliases, collections
        )

    @get("/{model_id:path}")
    async def get_model(self, model_id: FromPath[str], core: Core) -> Model:
        generator = await core.generator()
        others = await core.chat_names()
        return find_model(
            model_id.lstrip("/"),
            generator.model_id,
            core.runtime.embedder.model_id,
            core.started_at,
            others,
            core.aliases,
            core.runtime.store,
        )
