"""GET/POST /api/config/rag: the active preset and overrides; a chunk change re-chunks."""

from __future__ import annotations

import msgspec
from litestar import Controller, get, post
from litestar.params import JSONBody

from localchat.config import PRESETS
from localchat.errors import ConfigError, InvalidRequestError
from localchat.jobs.manager import JobManager
from localchat.resources import Resources
from localchat.wire.api import RagConfigUpdate, RagConfigView
from server.deps import JobsDep, ResourcesDep, needs


def view(resources: Resources, jobs: JobManager, rechunk_job: str | None = None) -> RagConfigView:
    config = resources.rag_config()
    if rechunk_job is None and (active := jobs.active("rechunk")) is not None:
        rechunk_job = active.id
    return RagConfigView(
        **msgspec.structs.asdict(config),
        presets={name: msgspec.structs.asdict(p) for name, p in PRESETS.items()},
        rechunk_job=rechunk_job,
    )


class RagConfigController(Controller):
    path = "/api/config/rag"
    dependencies = needs("resources", "jobs")

    @get("/", sync_to_thread=True)
    def read(self, resources: ResourcesDep, jobs: JobsDep) -> RagConfigView:
        return view(resources, jobs)

    @post("/", status_code=200, sync_to_thread=True)
    def update(
        self, data: JSONBody[RagConfigUpdate], resources: ResourcesDep, jobs: JobsDep
    ) -> RagConfigView:
        try:
            _, rechunk = resources.set_rag_config(data.changes())
        except ConfigError as exc:  # a value out of range is the caller's mistake here
            raise InvalidRequestError(exc.message, hint=exc.hint, param=exc.param) from None
        job = jobs.rechunk() if rechunk or jobs.needs_rechunk() else None
        return view(resources, jobs, job.id if job else None)
