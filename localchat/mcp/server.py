"""LocalChat as an MCP server (official `mcp` SDK): the library's tools and its documents as
resources. Served over stdio by `localchat mcp`, and over Streamable HTTP at /mcp by the server."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any

import anyio.to_thread
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceNotFoundError, ToolError
from mcp_types import Resource as MCPResource
from pydantic import Field

from localchat.errors import LocalChatError
from localchat.mcp.tools import LibraryTools

INSTRUCTIONS = (
    "LocalChat answers from the user's own documents. search_documents finds passages; ask "
    "answers a question with numbered sources; every passage carries a localchat:// URL that "
    "get_passage resolves. Cite the filename and page you used."
)

Collection = Annotated[
    str | None,
    Field(
        description='the collection to use: "default" when omitted, "all" for every document '
        "(list_documents shows the collections)"
    ),
]


async def _off_loop(work: Callable[[], Any]) -> Any:
    """Blocking library work on a thread; LocalChat's errors become tool errors the model can
    read (message and what to do), never a crash of the session."""
    try:
        return await anyio.to_thread.run_sync(work)
    except LocalChatError as exc:
        raise ToolError(exc.user_message()) from None


class LocalChatMCP(MCPServer):
    """MCPServer whose resource list is the library's current documents."""

    def __init__(self, tools: LibraryTools) -> None:
        super().__init__(name="localchat", instructions=INSTRUCTIONS)
        self.library = tools

    async def list_resources(self) -> list[MCPResource]:
        documents = await anyio.to_thread.run_sync(self.library.list_documents)
        return [
            MCPResource(
                uri=doc["url"],
                name=doc["filename"],
                title=doc["title"] or doc["filename"],
                description=f"{doc['pages']} pages, {doc['chunks']} passages",
                mime_type="text/plain",
            )
            for doc in documents["documents"]
        ] + await super().list_resources()


def build_server(tools: LibraryTools) -> LocalChatMCP:
    server = LocalChatMCP(tools)

    @server.tool(description="Find passages in the user's documents (hybrid BM25 + vector).")
    async def search_documents(
        query: Annotated[str, Field(min_length=1, description="what to look for")],
        collection: Collection = None,
        top_k: Annotated[int | None, Field(ge=1, description="how many passages")] = None,
    ) -> dict[str, Any]:
        return await _off_loop(lambda: tools.search_documents(query, collection, top_k))

    @server.tool(description="Answer a question from the documents, with numbered sources.")
    async def ask(
        question: Annotated[str, Field(min_length=1, description="the question")],
        preset: Annotated[
            str | None, Field(description="fast, balanced or accurate (default: the active one)")
        ] = None,
        collection: Collection = None,
    ) -> dict[str, Any]:
        return await _off_loop(lambda: tools.ask(question, preset, collection))

    @server.tool(description="List the documents in the library and its collections.")
    async def list_documents(
        collection: Annotated[
            str | None,
            Field(description="only this collection's documents (default: every document)"),
        ] = None,
    ) -> dict[str, Any]:
        return await _off_loop(lambda: tools.list_documents(collection))

    @server.tool(description="One passage by its chunk_id or its localchat:// URL.")
    async def get_passage(
        ref: Annotated[
            str | int,
            Field(description="a chunk_id, or a url like localchat://documents/3#page=1&chunk=0"),
        ],
    ) -> dict[str, Any]:
        return await _off_loop(lambda: tools.get_passage(ref))

    @server.tool(
        description="Ingest files or folders on this machine (only when the server allows it, "
        "and only below its allowed roots)."
    )
    async def ingest_paths(
        paths: Annotated[list[str], Field(min_length=1, description="absolute paths")],
        collection: Annotated[
            str | None,
            Field(
                description='the collection to add them to (default "default"; created '
                "when missing)"
            ),
        ] = None,
    ) -> dict[str, Any]:
        return await _off_loop(lambda: tools.ingest_paths(paths, collection))

    @server.resource(
        "localchat://documents/{document_id}",
        name="document",
        description="a document's text, passage by passage",
        mime_type="text/plain",
    )
    async def document(document_id: str) -> str:
        if not document_id.isdigit():
            raise ResourceNotFoundError(f"no document {document_id!r}")
        try:
            return await anyio.to_thread.run_sync(tools.document_text, int(document_id))
        except LocalChatError as exc:
            raise ResourceNotFoundError(exc.user_message()) from None

    return server
