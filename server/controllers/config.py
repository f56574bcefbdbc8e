"""GET/POST /api/config/rag: the active preset and overrides; a chunk change re-chunks."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, post
from litestar.params import JSONBody

from localchat.config import PRESETS
from localchat.errors import ConfigError, InvalidRequestError
from localchat.wire.api import RagConfigUpdate, RagConfigView
from server.state import Core, ServerState


def view(core: ServerState, rechunk_job: str | None = None) -> RagConfigView:
    config = core.runtime.rag_config()
    if rechunk_job is None and (active := core.jobs.active("rechunk")) is not None:
        rechunk_job = active.id
    return RagConfigView(
        **msgspec.structs.asdict(config),
        presets={name: msgspec.structs.asdict(p) for name, p in PRESETS.items()},
        rechunk_job=rechunk_job,
    )


class RagConfigController(Controller):
    path = "/api/config/rag"

    @get("/", sync_to_thread=True)
    def read(self, core: Core) -> RagConfigView:
        return view(core)

    @post("/", status_code=200, sync_to_thread=True)
    def update(self, data: JSONBody[RagConfigUpdate], core: Core) -> RagConfigView:
        try:
            _, rechunk = core.runtime.set_rag_config(data.changes())
        except ConfigError as exc:  # a value out of range is the caller's mistake here
            raise InvalidRequestError(exc.message, hint=exc.hint, param=exc.param) from None
        job = core.jobs.rechunk() if rechunk or core.jobs.needs_rechunk() else None
        return view(core, job.id if job else None)
