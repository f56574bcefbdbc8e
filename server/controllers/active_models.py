"""GET /api/models (what this machine has) and POST /api/models/active (switch, no restart)."""

from __future__ import annotations

from litestar import Controller, get, post
from litestar.params import FromQuery, JSONBody

from localchat.modelfiles.discover import embedding_name
from localchat.wire.models import ActiveModelUpdate, ActiveModelView, ModelsView, models_view
from server.state import Core


class ActiveModelsController(Controller):
    path = "/api/models"

    @get("/", sync_to_thread=True)
    def list_models(self, core: Core, refresh: FromQuery[bool] = False) -> ModelsView:
        runtime = core.runtime
        core.loaded_generator()  # waits while the first model loads; raises its load error
        return models_view(
            runtime.models(refresh=refresh),
            runtime.generator.model_id,
            embedding_name(runtime.settings),
            runtime.generators.loaded_ids(),
        )

    @post("/active", status_code=200, sync_to_thread=True)
    def switch(self, data: JSONBody[ActiveModelUpdate], core: Core) -> ActiveModelView:
        """Load the model, then swap: answers already streaming finish on the old one."""
        runtime = core.runtime
        previous = core.loaded_generator().model_id
        generator = runtime.switch_generator(data.model)
        return ActiveModelView(
            chat_model=generator.model_id,
            previous=previous,
            bundled=runtime.generator_is_bundled,
        )
