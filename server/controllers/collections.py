"""GET /api/collections: the library's collections with their document and chunk counts."""

from __future__ import annotations

from litestar import Controller, get

from localchat.wire.api import CollectionList, CollectionView, views
from server.deps import LibraryDep, needs


class CollectionsController(Controller):
    path = "/api/collections"
    dependencies = needs("library")

    @get("/", sync_to_thread=True)
    def list_collections(self, library: LibraryDep) -> CollectionList:
        """The collections, "default" first (`localchat collections` changes them)."""
        return CollectionList(data=views(CollectionView, library.store.list_collections()))
