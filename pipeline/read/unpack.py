"""Pure read-stage steps: load a file's bytes, decompress gzip, enforce the size limit."""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator

from apache_beam.io.filesystem import CompressionTypes, FileMetadata
from apache_beam.io.filesystems import FileSystems

from pipeline.errors import Reason, ReadError
from pipeline.records import RawItem, Source

GZIP_MAGIC = b"\x1f\x8b"


def load_file(metadata: FileMetadata) -> Iterator[RawItem]:
    """Reads a matched file's bytes exactly as stored (any compression is undone by ``unpack``)."""
    try:
        with FileSystems.open(
            metadata.path, compression_type=CompressionTypes.UNCOMPRESSED
        ) as handle:
            raw = handle.read()
    except OSError as error:
        raise ReadError(Reason.UNREADABLE, f"cannot read {metadata.path}: {error}") from error
    yield RawItem.of(metadata.path, raw)


def trace_file(metadata: FileMetadata) -> tuple[Source, bytes]:
    """A file that could not be read has no bytes to keep; its path says where it is."""
    return RawItem.of(metadata.path, b"").source, b""


def unpack(item: RawItem, *, max_bytes: int) -> Iterator[RawItem]:
    """Decompresses gzip and rejects empty or oversized items.

    Gzip is recognised by its magic bytes, not by a ``.gz`` name, so a renamed file still
    opens and a plain file named ``.gz`` is not mangled. The limit applies to the
    decompressed size and decompression stops one byte past it, so a gzip bomb costs at most
    ``max_bytes`` of memory.
    """
    raw = item.raw
    if raw.startswith(GZIP_MAGIC):
        raw = _gunzip(raw, max_bytes)
        item = RawItem.of(item.source.uri, raw, compression="gzip")
    if len(raw) > max_bytes:
        raise ReadError(
            Reason.TOO_LARGE,
            f"{len(raw):,} bytes is over the limit of {max_bytes:,} (read.max_item_bytes)",
        )
    if not raw.strip():
        raise ReadError(Reason.EMPTY, "only white space" if raw else "the file is empty")
    yield item


def _gunzip(data: bytes, max_bytes: int) -> bytes:
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            raw = stream.read(max_bytes + 1)
    except (OSError, EOFError, zlib.error) as error:
        raise ReadError(Reason.BAD_COMPRESSION, f"broken gzip data: {error}") from error
    if len(raw) > max_bytes:
        raise ReadError(
            Reason.TOO_LARGE,
            f"decompresses to more than the limit of {max_bytes:,} bytes (read.max_item_bytes)",
        )
    return raw
