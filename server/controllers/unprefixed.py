"""The OpenAI routes without `/v1` (`/chat/completions`, `/completions`, `/embeddings`,
`/models`), as llama.cpp and vLLM serve them: clients given a base URL without `/v1` call these.
Same handlers, so the same guards, errors and metrics; left out of the OpenAPI document."""

from __future__ import annotations

from server.controllers.chat import ChatController
from server.controllers.completions import CompletionsController
from server.controllers.embeddings import EmbeddingsController
from server.controllers.models import ModelsController


class UnprefixedChat(ChatController):
    path = "/chat/completions"
    include_in_schema = False


class UnprefixedCompletions(CompletionsController):
    path = "/completions"
    include_in_schema = False


class UnprefixedEmbeddings(EmbeddingsController):
    path = "/embeddings"
    include_in_schema = False


class UnprefixedModels(ModelsController):
    path = "/models"
    include_in_schema = False


UNPREFIXED = [UnprefixedChat, UnprefixedCompletions, UnprefixedEmbeddings, UnprefixedModels]
