"""The library over HTTP: /api/documents (upload or paths → a job), /api/jobs."""

from __future__ import annotations

import anyio.to_thread
import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.datastructures import UploadFile
from litestar.params import FromPath, FromQuery

from localchat.config import Settings
from localchat.errors import InvalidRequestError, UnsupportedMediaTypeError
from localchat.job import Job
from localchat.jobs.manager import JobManager
from localchat.library import Library
from localchat.store.collections import collection_name
from localchat.store.records import DocumentRecord
from localchat.wire.api import DocumentDeleted, DocumentList, DocumentView, PathsRequest, view
from server.deps import JobsDep, LibraryDep, SettingsDep, needs
from server.errors import decode_json
from server.uploads import (
    check_paths,
    expand_paths,
    refuse_unsupported,
    same_name_uploads,
    save_upload,
    uploads_folder,
)


class DocumentsController(Controller):
    path = "/api/documents"
    dependencies = needs("library", "jobs", "settings")

    @get("/", sync_to_thread=True)
    def list_documents(
        self, library: LibraryDep, collection: FromQuery[str | None] = None
    ) -> DocumentList:
        """Every document (`?collection=NAME`: that collection's), each with its collections."""
        store = library.store
        return DocumentList(data=with_collections(store, store.list_documents(collection)))

    @get("/{document_id:int}", sync_to_thread=True)
    def get_document(self, document_id: FromPath[int], library: LibraryDep) -> DocumentView:
        store = library.store
        return with_collections(store, [store.get_document(document_id)])[0]

    @delete("/{document_id:int}", status_code=200, sync_to_thread=True)
    def delete_document(self, document_id: FromPath[int], library: LibraryDep) -> DocumentDeleted:
        removed = library.delete(document_id)  # an upload's copy goes with its document
        return DocumentDeleted(id=document_id, chunks_removed=len(removed))

    @post("/", status_code=202)
    async def add(
        self, request: Request, library: LibraryDep, jobs: JobsDep, settings: SettingsDep
    ) -> Job:
        media_type, _ = request.content_type
        if media_type == "multipart/form-data":
            return await _add_uploads(request, library, jobs, settings)
        if media_type in ("application/json", ""):  # no type: a program's JSON (see origin.py)
            paths = decode_json(await request.body(), PathsRequest)
            return await anyio.to_thread.run_sync(_add_paths, paths, jobs, settings)
        raise UnsupportedMediaTypeError(
            f"POST /api/documents does not accept {media_type or 'a body without a type'}",
            hint='upload files as multipart/form-data, or send JSON {"paths": [...]} as '
            "application/json",
        )


TRUE = ("1", "true", "yes", "on")


def with_collections(store, documents: list[DocumentRecord]) -> list[DocumentView]:
    """The documents as the API serves them, each with the collections it belongs to."""
    names = store.collections_of(d.id for d in documents)
    return [
        msgspec.structs.replace(view(DocumentView, d), collections=names[d.id]) for d in documents
    ]


def upload_collection(request: Request, form) -> str:
    """`collection=NAME` as a form field or query parameter (default "default")."""
    value = form.get("collection") or request.query_params.get("collection") or "default"
    return value if isinstance(value, str) else "default"


def wants_replace(request: Request, form) -> bool:
    """`replace=true` as a form field or query parameter: an upload replaces earlier uploads
    of the same name. Without it, a different file of the same name is kept beside them."""
    value = form.get("replace") or request.query_params.get("replace") or ""
    return isinstance(value, str) and value.strip().lower() in TRUE


async def _add_uploads(
    request: Request, library: Library, jobs: JobManager, settings: Settings
) -> Job:
    form = await request.form()
    collection = collection_name(upload_collection(request, form), allow_all=False)
    uploads = [value for _, value in form.multi_items() if isinstance(value, UploadFile)]
    if not uploads:
        raise InvalidRequestError(
            "the upload holds no file",
            hint="send each file as a multipart part named file",
            param="file",
        )
    folder = uploads_folder(settings.data_path)
    limit = settings.ingest.max_file_bytes
    saved, refused = [], []
    try:
        for upload in uploads:
            name = upload.filename or ""
            if (refusal := refuse_unsupported(name)) is not None:
                refused.append(refusal)
                continue
            path = await anyio.to_thread.run_sync(save_upload, upload.file, name, folder, limit)
            saved.append(path)
    finally:
        for upload in uploads:
            await upload.close()
    replaces = {}
    if wants_replace(request, form):
        documents = library.store.list_documents()
        replaces = {str(p): ids for p in saved if (ids := same_name_uploads(p, documents))}
    saved_paths = list(dict.fromkeys(map(str, saved)))
    return jobs.ingest(saved_paths, refused, replaces=replaces, collection=collection)


def _add_paths(request: PathsRequest, jobs: JobManager, settings: Settings) -> Job:
    collection = collection_name(request.collection, allow_all=False)
    roots = settings.server.allowed_roots
    follow = settings.ingest.follow_symlinks
    files, refused = expand_paths(check_paths(request.paths, roots), roots, follow_symlinks=follow)
    return jobs.ingest(files, refused, collection=collection)


class JobsController(Controller):
    path = "/api/jobs"
    dependencies = needs("jobs")

    @get("/")
    async def list_jobs(self, jobs: JobsDep) -> list[Job]:
        return jobs.list()

    @get("/{job_id:str}")
    async def get_job(self, job_id: FromPath[str], jobs: JobsDep) -> Job:
        return jobs.get(job_id)
