"""What an ingestion reports while it runs and when it ends."""

from __future__ import annotations

import msgspec

from localchat.errors import LocalChatError


class FileOutcome(msgspec.Struct):
    path: str
    status: str  # added | replaced | unchanged | failed | skipped (passed over in a folder)
    document_id: int | None = None
    chunks: int = 0
    tokens: int = 0
    error_code: str = ""
    message: str = ""
    warnings: list[str] = []

    @classmethod
    def skipped(cls, path: str, code: str, message: str) -> FileOutcome:
        return cls(path=path, status="skipped", error_code=code, message=message)

    @classmethod
    def failed(cls, path: str, exc: BaseException) -> FileOutcome:
        if isinstance(exc, LocalChatError):
            return cls(path=path, status="failed", error_code=exc.code, message=str(exc))
        if isinstance(exc, OSError):
            reason = exc.strerror or str(exc)
            return cls(
                path=path,
                status="failed",
                error_code="file_unreadable",
                message=f"cannot read {path}: {reason} (check the path and permissions)",
            )
        return cls(
            path=path,
            status="failed",
            error_code="ingest_failed",
            message=f"{type(exc).__name__}: {exc}",
        )


class IngestProgress(msgspec.Struct):
    files_total: int = 0
    files_done: int = 0
    chunks: int = 0
    tokens: int = 0
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: int = 0
    current: str = ""
    seconds: float = 0.0
    cancelled: bool = False
    outcomes: list[FileOutcome] = []
    skipped: list[FileOutcome] = []  # passed over in folders: not counted in files_*

    def record(self, outcome: FileOutcome) -> None:
        self.files_done += 1
        self.current = outcome.path
        self.outcomes.append(outcome)
        if outcome.status in ("added", "replaced"):
            self.chunks += outcome.chunks
            self.tokens += outcome.tokens
        setattr(self, outcome.status, getattr(self, outcome.status) + 1)


class IngestReport(msgspec.Struct):
    files: int
    added: int
    replaced: int
    unchanged: int
    failed: int
    chunks: int
    tokens: int
    seconds: float
    cancelled: bool
    errors: list[FileOutcome]
    outcomes: list[FileOutcome]
    skipped: list[FileOutcome] = []

    @classmethod
    def from_progress(cls, p: IngestProgress) -> IngestReport:
        return cls(
            files=p.files_total,
            added=p.added,
            replaced=p.replaced,
            unchanged=p.unchanged,
            failed=p.failed,
            chunks=p.chunks,
            tokens=p.tokens,
            seconds=p.seconds,
            cancelled=p.cancelled,
            errors=[o for o in p.outcomes if o.status == "failed"],
            outcomes=list(p.outcomes),
            skipped=list(p.skipped),
        )

    @property
    def tokens_per_second(self) -> float:
        return self.tokens / self.seconds if self.seconds else 0.0
