"""Office and EPUB files are zip packages: opening them, and what to say when that fails."""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from localchat.errors import CorruptFileError, LocalChatError
from localchat.ingest.loaders.document import open_file


@contextmanager
def package_errors(path: Path, kind: str) -> Iterator[None]:
    """Turn a parser's errors on a damaged or mislabelled package into CorruptFileError."""
    with open_file(path) as handle:  # a missing or unreadable file gets open_file's message
        is_zip = zipfile.is_zipfile(handle)
    if not is_zip:
        raise CorruptFileError(
            f"{path.name} is not a {kind} file (it is not a zip package)",
            hint=f"re-save it as {kind} from its application, or fix its file name suffix",
        )
    try:
        yield
    except (LocalChatError, MemoryError, RecursionError):
        raise  # the worker reports memory and nesting failures itself
    except Exception as error:  # the libraries raise KeyError, lxml and zip errors alike
        raise CorruptFileError(
            f"{path.name} is not a readable {kind} file ({type(error).__name__}: {error})"[:300],
            hint="the file may be truncated or damaged; re-save or re-download it",
        ) from error
