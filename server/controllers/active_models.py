"""GET /api/models (what this machine has) and POST /api/models/active (switch, no restart)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromQuery, JSONBody

from localchat.errors import InvalidRequestError
from localchat.modelfiles.choose import find_entry, open_embedding_entry
from localchat.wire.models import ActiveModelUpdate, ActiveModelView, ModelsView, models_view
from server.deps import JobsDep, ModelsDep, ResourcesDep, needs


class ActiveModelsController(Controller):
    path = "/api/models"
    dependencies = needs("models", "resources", "jobs")

    @get("/", sync_to_thread=True)
    def list_models(
        self, models: ModelsDep, resources: ResourcesDep, refresh: FromQuery[bool] = False
    ) -> ModelsView:
        runtime = resources
        models.loaded_generator()  # waits while the first model loads; raises its load error
        return models_view(
            runtime.models(refresh=refresh),
            runtime.generator.model_id,
            runtime.embedding_name,
            runtime.generators.loaded_ids(),
        )

    @post("/active", status_code=200, sync_to_thread=True)
    def switch(
        self,
        data: JSONBody[ActiveModelUpdate],
        models: ModelsDep,
        resources: ResourcesDep,
        jobs: JobsDep,
    ) -> ActiveModelView:
        """Load the model, then swap: answers already streaming finish on the old one. A new
        embedding model re-embeds the library in a job; the old vectors serve until it ends."""
        if data.model is None and data.embedding is None:
            raise InvalidRequestError(
                "name a model to switch to", hint='send {"model": NAME} or {"embedding": NAME}'
            )
        runtime = resources
        previous = models.loaded_generator().model_id
        generator = runtime.switch_generator(data.model) if data.model else runtime.generator
        job = None
        if data.embedding:
            entry = find_entry(runtime.models(), data.embedding, "embedding")
            embedder = open_embedding_entry(entry, runtime.settings)
            job = jobs.reembed(embedder, entry.name)
        return ActiveModelView(
            chat_model=generator.model_id,
            previous=previous,
            bundled=runtime.generator_is_bundled,
            embedding_model=runtime.embedding_name,
            reembed_job=job.id if job else None,
        )
