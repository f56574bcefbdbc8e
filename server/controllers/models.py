"""GET /v1/models and /v1/models/{id}: RAG presets × chat models, bare models, the embedder."""

from __future__ import annotations

from litestar import Controller, get
from litestar.params import FromPath

from localchat.wire.openai import Model, ModelList
from server.catalog import find_model, model_list
from server.deps import ModelsDep, ResourcesDep, needs


class ModelsController(Controller):
    path = "/v1/models"
    dependencies = needs("models", "resources")

    @get("/")
    async def list_models(self, models: ModelsDep, resources: ResourcesDep) -> ModelList:
        generator = await models.generator()
        others = await models.chat_names()
        embedding = resources.embedder.model_id
        collections = resources.store.collection_names()
        return model_list(
            generator.model_id, embedding, models.started_at, others, models.aliases, collections
        )

    @get("/{model_id:path}")
    async def get_model(
        self, model_id: FromPath[str], models: ModelsDep, resources: ResourcesDep
    ) -> Model:
        generator = await models.generator()
        others = await models.chat_names()
        return find_model(
            model_id.lstrip("/"),
            generator.model_id,
            resources.embedder.model_id,
            models.started_at,
            others,
            models.aliases,
            resources.store,
        )
