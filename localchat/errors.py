"""The one error hierarchy: every failure LocalChat reports to a person or a client."""

from __future__ import annotations

DOCS = "docs/troubleshooting.md"


class LocalChatError(Exception):
    """Base class. `code` is stable; `status` is the HTTP status a front end should use.

    `hint` tells the reader what to do next; `param` names the offending field, if any.
    """

    code = "localchat_error"
    status = 500
    error_type = "server_error"

    def __init__(self, message: str, *, hint: str = "", param: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint
        self.param = param

    @property
    def docs_anchor(self) -> str:
        return f"{DOCS}#{self.code.replace('_', '-')}"

    def user_message(self) -> str:
        """Message, next step and the docs section, in one line a person can act on."""
        parts = [self.message.rstrip(".") + "."]
        if self.hint:
            parts.append(self.hint.rstrip(".") + ".")
        parts.append(f"See {self.docs_anchor}")
        return " ".join(parts)

    def __str__(self) -> str:
        return self.message if not self.hint else f"{self.message} ({self.hint})"


# -- configuration and environment ---------------------------------------------------------


class ConfigError(LocalChatError):
    code = "invalid_config"
    status = 500


class ModelMissingError(LocalChatError):
    code = "model_missing"
    status = 503


class ModelLoadError(LocalChatError):
    code = "model_load_failed"
    status = 503


class StoreError(LocalChatError):
    code = "store_error"
    status = 500


class NotReadyError(LocalChatError):
    code = "not_ready"
    status = 503
    error_type = "server_error"


class ServerUnreachableError(NotReadyError):
    """Nothing answers at the server's address (or it went away mid-request)."""

    code = "server_unreachable"


# -- the caller's mistakes -------------------------------------------------------------------


class InvalidRequestError(LocalChatError):
    code = "invalid_request"
    status = 400
    error_type = "invalid_request_error"


class UnsupportedFeatureError(InvalidRequestError):
    """A request field LocalChat understands but cannot honour here: refused, never ignored
    (code invalid_request, as for any other bad field; `param` names it)."""


class ToolsUnsupportedError(UnsupportedFeatureError):
    code = "tools_unsupported"


class AuthenticationError(LocalChatError):
    code = "invalid_api_key"
    status = 401
    error_type = "authentication_error"


class PermissionDeniedError(LocalChatError):
    code = "path_not_allowed"
    status = 403
    error_type = "permission_error"


class NotFoundError(LocalChatError):
    code = "not_found"
    status = 404
    error_type = "invalid_request_error"


class ModelNotFoundError(NotFoundError):
    code = "model_not_found"


class DocumentNotFoundError(NotFoundError):
    code = "document_not_found"


class CollectionNotFoundError(NotFoundError):
    code = "collection_not_found"


class CollectionExistsError(LocalChatError):
    code = "collection_exists"
    status = 409
    error_type = "invalid_request_error"


class JobNotFoundError(NotFoundError):
    code = "job_not_found"


class ConversationNotFoundError(NotFoundError):
    code = "conversation_not_found"


class PayloadTooLargeError(LocalChatError):
    code = "payload_too_large"
    status = 413
    error_type = "invalid_request_error"


class ContextOverflowError(InvalidRequestError):
    code = "context_length_exceeded"


# -- ingestion: one file fails, the batch goes on --------------------------------------------


class IngestError(LocalChatError):
    """A single file could not be ingested; the rest of the batch continues."""

    code = "ingest_failed"
    status = 400  # a bad file is the caller's input (never 422: DESIGN §4)
    error_type = "invalid_request_error"


class UnsupportedFileError(IngestError):
    code = "unsupported_file"


class CorruptFileError(IngestError):
    code = "corrupt_file"


class EncryptedFileError(IngestError):
    code = "encrypted_file"


class EmptyDocumentError(IngestError):
    code = "empty_document"


class FileTooLargeError(IngestError):
    code = "file_too_large"
    status = 413


class ParseTimeoutError(IngestError):
    code = "parse_timeout"


class GenerationError(LocalChatError):
    code = "generation_failed"
    status = 502
    error_type = "server_error"


class UpstreamError(GenerationError):
    code = "upstream_unavailable"


class EmbeddingMismatchError(UpstreamError):
    """An upstream embedding server answered vectors of the wrong size or count."""

    code = "embedding_mismatch"


# -- codes only an HTTP front end produces (each has its docs/troubleshooting.md section) ---


class RouteNotFoundError(NotFoundError):
    code = "route_not_found"


class MethodNotAllowedError(LocalChatError):
    code = "method_not_allowed"
    status = 405
    error_type = "invalid_request_error"


class HostNotAllowedError(LocalChatError):
    code = "host_not_allowed"
    status = 400
    error_type = "invalid_request_error"


class CrossSiteRequestError(LocalChatError):
    """A state-changing request from a web page of another origin (CSRF)."""

    code = "cross_site_request"
    status = 403
    error_type = "permission_error"


class UnsupportedMediaTypeError(LocalChatError):
    code = "unsupported_media_type"
    status = 415
    error_type = "invalid_request_error"


class InternalError(LocalChatError):
    code = "internal_error"
    status = 500
