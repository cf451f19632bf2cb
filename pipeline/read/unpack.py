"""Pure read-stage steps: load a delivery's bytes, decompress gzip, enforce the size limit."""

from __future__ import annotations

import gzip
import io
import zlib
from collections.abc import Iterator

from dataclasses import replace

from apache_beam.io.filesystem import CompressionTypes
from apache_beam.io.filesystems import FileSystems

from pipeline.errors import Reason, ReadError
from pipeline.records import Delivery, RawItem, Source

GZIP_MAGIC = b"\x1f\x8b"


def load(delivery: Delivery) -> Iterator[RawItem]:
    """A delivery's bytes: the message's own, or the file's exactly as stored (any
    compression is undone by ``unpack``), with the format its sender named, if any."""
    raw = delivery.data
    if raw is None:
        try:
            with FileSystems.open(
                delivery.uri, compression_type=CompressionTypes.UNCOMPRESSED
            ) as handle:
                raw = handle.read()
        except OSError as error:
            raise ReadError(Reason.UNREADABLE, f"cannot read {delivery.uri}: {error}") from error
    item = RawItem.of(delivery.uri, raw)
    yield replace(item, source=replace(item.source, format=delivery.format))


def trace_delivery(delivery: Delivery) -> tuple[Source, bytes]:
    """A file that could not be read has no bytes to keep; its path says where it is."""
    return RawItem.of(delivery.uri, b"").source, b""


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
        unpacked = RawItem.of(item.source.uri, raw, compression="gzip")
        item = replace(unpacked, source=replace(unpacked.source, format=item.source.format))
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
