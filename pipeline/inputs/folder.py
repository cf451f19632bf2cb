"""Files in folders or matching globs, on any Beam filesystem (local, ``gs://``...).

A file is delivered under its path, size and modification time, so a file changed after it
was read is delivered again, as a new version. Names starting with ``.`` (also folders) and
ending in ``.part``, ``.tmp`` or ``.filepart`` are skipped: FTP servers, rsync and ``gsutil``
write under such names and rename into place once complete, so a half-written file is never
read.
"""

from __future__ import annotations

import os
import re
from collections.abc import Sequence

from apache_beam.io.filesystem import BeamIOError
from apache_beam.io.filesystems import FileSystems

from pipeline.errors import ConfigError, SourceError
from pipeline.records import Delivery

IN_PROGRESS_SUFFIXES = (".part", ".tmp", ".filepart")
_GLOB = re.compile(r"[*?\[]")


def in_progress(relative: str) -> bool:
    """Whether a path (relative to the watched root) names a file still being written."""
    parts = relative.replace("\\", "/").split("/")
    return any(part.startswith(".") for part in parts) or parts[-1].endswith(IN_PROGRESS_SUFFIXES)


def file_key(path: str, size: int, mtime: float) -> str:
    return f"file:{path}|{size}|{mtime:.6f}"


class FolderInput:
    """A folder (everything under it, recursively), a file, or a glob (``**`` recurses)."""

    def __init__(self, spec: str, *, output: str) -> None:
        self.spec = spec
        folder = os.path.isdir(spec) or spec.endswith("/")
        self.pattern = FileSystems.join(spec.rstrip("/"), "**") if folder else spec
        self._root = spec.rstrip("/") if folder else _static_prefix(spec)
        self._output = _comparable(output).rstrip("/") + "/"
        try:
            FileSystems.get_filesystem(self.pattern)
        except ValueError as error:  # no filesystem for this scheme
            raise ConfigError(f"--input {spec}: {error}") from error

    def poll(self) -> list[Delivery]:
        try:
            matched = FileSystems.match([self.pattern])[0].metadata_list
        except BeamIOError as error:
            raise SourceError(
                f"--input {self.spec}: cannot list it: {first_cause(error)}"
            ) from error
        deliveries = []
        for meta in sorted(matched, key=lambda meta: meta.path):
            relative = meta.path[len(self._root) :].lstrip("/")
            if in_progress(relative) or _comparable(meta.path).startswith(self._output):
                continue
            key = file_key(meta.path, meta.size_in_bytes, meta.last_updated_in_seconds)
            deliveries.append(Delivery(meta.path, key=key))
        return deliveries

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        """Nothing to do: the ledger is what remembers files."""

    def close(self) -> None:
        """Nothing to release."""


def _comparable(path: str) -> str:
    """Local paths made absolute, so a relative output is recognised inside an input."""
    return path if "://" in path else os.path.abspath(path)


def _static_prefix(pattern: str) -> str:
    """The folder part of a glob before its first wildcard."""
    match = _GLOB.search(pattern)
    head = pattern if match is None else pattern[: match.start()]
    return head if match is None else head.rsplit("/", 1)[0]


def first_cause(error: Exception) -> str:
    """Beam wraps file-system errors in a dict of path -> exception; the first one says why."""
    causes = getattr(error, "exception_details", None)
    return str(next(iter(causes.values()))) if causes else str(error)
