"""Per-controller dependencies: each controller names the parts it uses (litestar-fullstack's
way), all taken from the one ServerState the app keeps in `app.state.server`.

`chat` ChatService · `library` Library · `jobs` JobManager · `resources` Resources ·
`settings` Settings · `models` AnswerModel · `threads` ChatThreads · `metrics` Metrics ·
`readiness` ServerState (only its not_ready_reason).
"""

from __future__ import annotations

from typing import TypeAlias

from litestar.datastructures import State
from litestar.di import NamedDependency, Provide

from localchat.chat.service import ChatService
from localchat.config import Settings
from localchat.jobs.manager import JobManager
from localchat.library import Library
from localchat.resources import Resources
from server.answer_model import AnswerModel
from server.bridge import ChatThreads
from server.metrics import Metrics
from server.state import ServerState


def server_state(state: State) -> ServerState:
    return state.server


def provide_chat(state: State) -> ChatService:
    return server_state(state).chat


def provide_library(state: State) -> Library:
    return server_state(state).library


def provide_jobs(state: State) -> JobManager:
    return server_state(state).jobs


def provide_resources(state: State) -> Resources:
    return server_state(state).resources


def provide_settings(state: State) -> Settings:
    return server_state(state).settings


def provide_models(state: State) -> AnswerModel:
    return server_state(state).models


def provide_threads(state: State) -> ChatThreads:
    return server_state(state).threads


def provide_metrics(state: State) -> Metrics:
    return server_state(state).metrics


def provide_readiness(state: State) -> ServerState:
    return server_state(state)


PROVIDERS = {
    "chat": provide_chat,
    "library": provide_library,
    "jobs": provide_jobs,
    "resources": provide_resources,
    "settings": provide_settings,
    "models": provide_models,
    "threads": provide_threads,
    "metrics": provide_metrics,
    "readiness": provide_readiness,
}


def needs(*names: str) -> dict[str, Provide]:
    """A controller's `dependencies`: the named parts, e.g. `needs("chat", "models")`."""
    return {name: Provide(PROVIDERS[name], sync_to_thread=False) for name in names}


# How handlers name a dependency (`chat: ChatDep`), so Litestar knows it is one.
ChatDep: TypeAlias = NamedDependency[ChatService]
LibraryDep: TypeAlias = NamedDependency[Library]
JobsDep: TypeAlias = NamedDependency[JobManager]
ResourcesDep: TypeAlias = NamedDependency[Resources]
SettingsDep: TypeAlias = NamedDependency[Settings]
ModelsDep: TypeAlias = NamedDependency[AnswerModel]
ThreadsDep: TypeAlias = NamedDependency[ChatThreads]
MetricsDep: TypeAlias = NamedDependency[Metrics]
ReadinessDep: TypeAlias = NamedDependency[ServerState]
