"""GET /api/collections: the library's collections with their document and chunk counts."""

from __future__ import annotations

from litestar import Controller, get

from localchat.wire.api import CollectionList
from server.state import Core


class CollectionsController(Controller):
    path = "/api/collections"

    @get("/", sync_to_thread=True)
    def list_collections(self, core: Core) -> CollectionList:
        """ "default" first; `localchat collections` creates, renames and deletes them."""
        return CollectionList(data=core.runtime.store.list_collections())
