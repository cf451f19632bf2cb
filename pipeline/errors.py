"""The one exception tree of wire-ingest.

Two kinds of failure, handled in opposite ways:

* ``DataError`` (and its per-stage subclasses): an input item that a stage cannot handle. The
  stage catches it and turns the item into a dead-letter record carrying the item's raw bytes,
  the stage, the error type, the reason code and the message; the run goes on.
* ``ConfigError``: a bad command line or configuration. The run stops before it starts, with
  a one-line message and exit code 2.

Anything else raised inside a stage is a bug in our code and fails the run loudly.

Reason codes are a closed vocabulary (``Reason``), so dead letters can be grouped and
counted by them; the message says what was wrong with this particular item.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    """Why an item was dead-lettered: stable codes that land in ``DeadLetter.reason``."""

    UNREADABLE = "unreadable"  # the file could not be read at all
    EMPTY = "empty"  # no bytes, or only white space
    TOO_LARGE = "too_large"  # over read.max_item_bytes (after decompression)
    BAD_COMPRESSION = "bad_compression"  # a truncated or corrupt gzip stream
    BINARY = "binary"  # not text: NUL bytes or many control characters
    UNDECODABLE = "undecodable"  # neither UTF-8 nor Windows-1252
    MALFORMED = "malformed"  # not well-formed in its format (broken XML, JSON, SGML, framing)
    UNSAFE = "unsafe"  # XML with entity declarations or external references: never expanded
    NOT_TEXT = "not_text"  # a picture, video, audio, package, planning or concept item
    NO_BODY = "no_body"  # no story text once parsed or cleaned
    TEXT_TOO_LONG = "text_too_long"  # body longer than enrich.max_chars
    # A message named a format wire-ingest has no parser for, or the content is an XML or JSON
    # document no parser claims (an agency's own XML, a feed, a schema).
    UNKNOWN_FORMAT = "unknown_format"


class WireIngestError(Exception):
    """Root of every error wire-ingest raises on purpose."""


class ConfigError(WireIngestError):
    """A bad command line or configuration: reported in one line, exit code 2."""


class SourceError(WireIngestError):
    """A source that cannot be listed or pulled from right now (a folder gone, a broker
    unreachable): a run stops with exit code 2, a watcher says so and tries again."""


class DataError(WireIngestError):
    """An input item a stage cannot handle; it becomes a dead letter.

    ``args`` is exactly ``(reason, message)``, so the default ``Exception`` pickling
    rebuilds it in another process (Beam workers) without a custom ``__reduce__``.
    """

    def __init__(self, reason: Reason, message: str) -> None:
        super().__init__(reason, message)
        self.reason = reason
        self.message = message

    def __str__(self) -> str:
        return f"{self.reason}: {self.message}"


class ReadError(DataError):
    """The bytes could not be read or unpacked."""


class ParseError(DataError):
    """The bytes are not a story in the expected format."""


class CleanError(DataError):
    """Nothing is left of the story once boilerplate is removed."""


class EnrichError(DataError):
    """The story cannot be annotated."""
