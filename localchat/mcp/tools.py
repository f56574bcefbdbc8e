"""What the MCP tools do: plain calls on the runtime and the chat service, results as JSON-able
dicts whose every passage carries its citation (file, page, passage, `localchat://` URL)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import msgspec

from localchat.chat.service import ChatRequest, ChatService
from localchat.config import PRESETS, Settings
from localchat.errors import (
    DocumentNotFoundError,
    InvalidRequestError,
    NotFoundError,
    PermissionDeniedError,
)
from localchat.generation.base import ChatMessage, GenerationParams
from localchat.ingest.roots import check_paths, expand_paths
from localchat.store.records import ChunkRecord
from localchat.wire.sources import as_dict

_URL = re.compile(r"localchat://documents/(\d+)(?:#(.*))?$")


def passage_url(document_id: int, page: int, chunk_index: int) -> str:
    """The same URL the chat answers' url_citation annotations carry."""
    return f"localchat://documents/{document_id}#page={page}&chunk={chunk_index}"


def check_preset(preset: str | None) -> str:
    if preset is None or preset == "":
        return "active"
    if preset not in PRESETS:
        raise InvalidRequestError(
            f"unknown preset {preset!r}",
            hint=f"use one of {', '.join(PRESETS)}, or omit it",
            param="preset",
        )
    return preset


def cited_passage(
    chunk_id: int, document_id: int, filename: str, page: int, chunk_index: int, text: str
) -> dict[str, Any]:
    return {
        "chunk_id": chunk_id,
        "document_id": document_id,
        "filename": filename,
        "page": page,
        "chunk_index": chunk_index,
        "url": passage_url(document_id, page, chunk_index),
        "text": text,
    }


class LibraryTools:
    """One per MCP server. `jobs` is the JobManager that owns corpus writes."""

    def __init__(self, runtime, chat: ChatService, jobs, settings: Settings) -> None:
        self.runtime = runtime
        self.chat = chat
        self.jobs = jobs
        self.settings = settings

    def collection(self, name: str | None) -> str:
        """The canonical name of an existing collection (None or "": "default"), or "all"."""
        return self.runtime.store.resolve_collection(name or None)

    def search_documents(
        self, query: str, collection: str | None = None, top_k: int | None = None
    ) -> dict[str, Any]:
        collection = self.collection(collection)
        if not query.strip():
            raise InvalidRequestError("query is empty", hint="send words to search for")
        params = self.runtime.params(None)
        if top_k is not None:
            limit = self.settings.mcp.max_top_k
            if not 1 <= top_k <= limit:
                raise InvalidRequestError(
                    f"top_k {top_k} is out of range", hint=f"send 1 to {limit}", param="top_k"
                )
            params = msgspec.structs.replace(params, top_k=top_k)
        result = self.runtime.retriever.search(query, params, collection=collection)
        return {
            "query": query,
            "collection": result.collection,
            "results": [
                cited_passage(h.chunk_id, h.document_id, h.filename, h.page, h.chunk_index, h.text)
                | {"relevance": round(h.relevance, 4)}
                for h in result.hits
            ],
        }

    def ask(
        self, question: str, preset: str | None = None, collection: str | None = None
    ) -> dict[str, Any]:
        request = ChatRequest(
            messages=[ChatMessage("user", question)],
            params=GenerationParams(max_tokens=self.settings.models.max_answer_tokens),
            preset=check_preset(preset),
            collection=self.collection(collection),
        )
        result = self.chat.answer(request)
        sources = [
            cited_passage(
                s.chunk_id or 0,
                s.document_id,
                s.filename,
                s.page,
                s.chunk_index,
                s.preview if s.text is None else s.text,
            )
            | {"index": s.index, "relevance": s.relevance, "quote": as_dict(s.quote)}
            for s in result.sources
        ]
        return {
            "answer": result.content,
            "sources": sources,
            "finish_reason": result.finish_reason,
            "collection": request.collection,
        }

    def list_documents(self, collection: str | None = None) -> dict[str, Any]:
        """The documents of one collection (None: every document), each with its collections."""
        store = self.runtime.store
        documents = store.list_documents(None if collection in (None, "") else collection)
        names = store.collections_of(d.id for d in documents)
        return {
            "documents": [self.document_entry(d, names[d.id]) for d in documents],
            "collections": [c.name for c in store.list_collections()],
        }

    @staticmethod
    def document_entry(document, collections: Sequence[str] = ()) -> dict[str, Any]:
        return {
            "id": document.id,
            "filename": document.filename,
            "title": document.title,
            "pages": document.pages,
            "chunks": document.chunk_count,
            "url": f"localchat://documents/{document.id}",
            "ingested_at": document.ingested_at,
            "collections": list(collections),
        }

    def get_passage(self, ref: str | int) -> dict[str, Any]:
        chunk = self._chunk(ref)
        return cited_passage(
            chunk.id, chunk.document_id, chunk.filename, chunk.page, chunk.ordinal, chunk.text
        ) | {"section": chunk.section}

    def _chunk(self, ref: str | int) -> ChunkRecord:
        store = self.runtime.store
        if isinstance(ref, int) or str(ref).strip().isdigit():
            found = store.chunks([int(ref)]).get(int(ref))
            if found is None:
                raise NotFoundError(
                    f"no passage has chunk id {ref}",
                    hint="use a chunk_id or url from search_documents",
                )
            return found
        match = _URL.match(str(ref).strip())
        if match is None:
            raise InvalidRequestError(
                f"{ref!r} is neither a chunk id nor a localchat:// passage URL",
                hint="send a chunk_id or a url such as localchat://documents/3#page=1&chunk=0",
                param="ref",
            )
        document_id = int(match.group(1))
        fragment = dict(p.split("=", 1) for p in (match.group(2) or "").split("&") if "=" in p)
        chunks = store.document_chunks(document_id)
        if not chunks:
            store.get_document(document_id)  # raises DocumentNotFoundError if it is gone
        ordinal = int(fragment.get("chunk", "0") or 0)
        for chunk in chunks:
            if chunk.ordinal == ordinal:
                return chunk
        raise NotFoundError(
            f"document {document_id} has no passage {ordinal}",
            hint="use a url from search_documents (the document may have been re-ingested)",
        )

    def document_text(self, document_id: int) -> str:
        """A whole document as its passages in order (the MCP resource's contents)."""
        document = self.runtime.store.get_document(document_id)
        chunks = self.runtime.store.document_chunks(document_id)
        if not chunks:
            raise DocumentNotFoundError(f"document {document_id} holds no text")
        parts = [f"# {document.filename}"]
        parts += [f"[page {c.page}, passage {c.ordinal}]\n{c.text}" for c in chunks]
        return "\n\n".join(parts)

    def ingest_paths(self, paths: Sequence[str], collection: str | None = None) -> dict[str, Any]:
        if not self.settings.mcp.allow_ingest:
            raise PermissionDeniedError(
                "ingest_paths is turned off on this LocalChat",
                hint="set mcp.allow_ingest = true (and server.allowed_roots) to allow it",
                param="paths",
            )
        if not paths:
            raise InvalidRequestError("paths is empty", hint="send files or folders to ingest")
        roots = self.settings.server.allowed_roots
        follow = self.settings.ingest.follow_symlinks
        files, refused = expand_paths(
            check_paths(list(paths), roots), roots, follow_symlinks=follow
        )
        job = self.jobs.ingest(files, refused, collection=collection or "default")
        job = self.jobs.wait(job.id, timeout=600)
        return {
            "status": job.status,
            "added": job.added,
            "replaced": job.replaced,
            "unchanged": job.unchanged,
            "failed": job.failed,
            "errors": [msgspec.to_builtins(e) for e in job.errors],
            "document_ids": job.document_ids,
            "collection": job.collection,
        }
