"""Read a GGUF file's metadata and tensor shapes without reading any tensor data."""

from __future__ import annotations

import io
import struct
from pathlib import Path
from typing import Any, BinaryIO

import msgspec
from gguf import GGUFValueType, LlamaFileType

MAGIC = b"GGUF"
# Scalars by value type: struct format. Strings and arrays are read separately.
SCALARS = {
    GGUFValueType.UINT8: "<B",
    GGUFValueType.INT8: "<b",
    GGUFValueType.UINT16: "<H",
    GGUFValueType.INT16: "<h",
    GGUFValueType.UINT32: "<I",
    GGUFValueType.INT32: "<i",
    GGUFValueType.FLOAT32: "<f",
    GGUFValueType.BOOL: "<?",
    GGUFValueType.UINT64: "<Q",
    GGUFValueType.INT64: "<q",
    GGUFValueType.FLOAT64: "<d",
}
# Keys worth keeping whole; long arrays (the vocabulary: 150k strings) are only counted.
ARRAY_KEEP = 16
MAX_STRING = 1 << 20  # a chat template is a few kB; a bigger "string" means a broken file


class GgufError(ValueError):
    """The file is not a readable GGUF (truncated, wrong magic, absurd lengths)."""


class GgufHeader(msgspec.Struct, frozen=True):
    version: int
    metadata: dict[str, Any]
    tensor_count: int
    parameters: int  # sum of all tensor element counts

    @property
    def architecture(self) -> str:
        return str(self.metadata.get("general.architecture", ""))

    def arch_value(self, key: str, default: Any = None) -> Any:
        return self.metadata.get(f"{self.architecture}.{key}", default)

    @property
    def chat_template(self) -> str:
        return str(self.metadata.get("tokenizer.chat_template", ""))

    @property
    def quantization(self) -> str:
        file_type = self.metadata.get("general.file_type")
        if file_type is None:
            return ""
        try:
            return LlamaFileType(int(file_type)).name.removeprefix("MOSTLY_")
        except ValueError:
            return str(file_type)


def read_header(path: str | Path) -> GgufHeader:
    """Parse the header of the GGUF at path (GgufError if it is not one, OSError if unreadable)."""
    with open(path, "rb") as raw:
        reader = _Reader(io.BufferedReader(raw, buffer_size=1 << 16))
        if reader.read(4) != MAGIC:
            raise GgufError(f"{path} is not a GGUF file (wrong magic bytes)")
        version = reader.unpack("<I")
        if version < 2:
            raise GgufError(f"{path} is GGUF version {version}; llama.cpp reads 2 and later")
        tensors, kv_count = reader.unpack("<Q"), reader.unpack("<Q")
        metadata = {}
        for _ in range(kv_count):
            key = reader.string()
            metadata[key] = reader.value(reader.unpack("<I"))
        parameters = sum(reader.tensor_elements() for _ in range(tensors))
    return GgufHeader(version, metadata, tensors, parameters)


class _Reader:
    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream

    def read(self, size: int) -> bytes:
        data = self._stream.read(size)
        if len(data) != size:
            raise GgufError("the GGUF header is truncated")
        return data

    def unpack(self, fmt: str) -> Any:
        return struct.unpack(fmt, self.read(struct.calcsize(fmt)))[0]

    def string(self) -> str:
        size = self.unpack("<Q")
        if size > MAX_STRING:
            raise GgufError(f"a GGUF string claims {size} bytes")
        return self.read(size).decode("utf-8", errors="replace")

    def skip_string(self) -> None:
        size = self.unpack("<Q")
        if size > MAX_STRING:
            raise GgufError(f"a GGUF string claims {size} bytes")
        self._stream.seek(size, io.SEEK_CUR)

    def value(self, kind: int) -> Any:
        try:
            kind = GGUFValueType(kind)
        except ValueError:
            raise GgufError(f"unknown GGUF value type {kind}") from None
        if kind == GGUFValueType.STRING:
            return self.string()
        if kind == GGUFValueType.ARRAY:
            return self.array()
        return self.unpack(SCALARS[kind])

    def array(self) -> Any:
        """Short arrays as lists; long ones as their length (never needed for discovery)."""
        kind, count = self.unpack("<I"), self.unpack("<Q")
        if count <= ARRAY_KEEP:
            return [self.value(kind) for _ in range(count)]
        if kind == GGUFValueType.STRING:
            for _ in range(count):
                self.skip_string()
        elif kind in SCALARS:
            self._stream.seek(count * struct.calcsize(SCALARS[GGUFValueType(kind)]), io.SEEK_CUR)
        else:
            for _ in range(count):
                self.value(kind)
        return count

    def tensor_elements(self) -> int:
        self.skip_string()  # name
        dims = self.unpack("<I")
        if dims > 8:
            raise GgufError(f"a GGUF tensor claims {dims} dimensions")
        elements = 1
        for _ in range(dims):
            elements *= self.unpack("<Q")
        self.read(4 + 8)  # type, data offset
        return elements
