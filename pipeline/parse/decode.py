"""Bytes to text, for the formats that carry no encoding declaration of their own.

UTF-8 first (with or without a byte-order mark, or UTF-16 with one); bytes that are not
valid UTF-8 are read as Windows-1252 (a superset of Latin-1's printable range and what
"Latin-1" files saved on Windows really are), each where it stands: a Windows-1252 file reads
as one, and so does a Latin-1 name an agency's system pasted into UTF-8 copy, with the UTF-8
around it intact. Bytes Windows-1252 leaves undefined make the item undecodable; NUL bytes or
many control characters make it binary. Both are dead-lettered rather than guessed at, so no
story text is silently garbled.
"""

from __future__ import annotations

import codecs
import re

from pipeline.errors import ParseError, Reason

_BYTE_ORDER_MARKS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
FALLBACK_ENCODING = "cp1252"

# C0 and C1 control characters other than tab, line feed, carriage return and form feed.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
# Text that picked up a few stray control bytes is still text; more than this many, making
# up more than this share of the characters, is binary data.
MAX_CONTROL_CHARS = 8
MAX_CONTROL_SHARE = 0.01


def decode_text(raw: bytes) -> str:
    """Decodes ``raw`` and normalises it: ``\\n`` line ends, no control characters."""
    text = decode_bytes(raw)
    controls = len(_CONTROL.findall(text))
    if controls > MAX_CONTROL_CHARS and controls > MAX_CONTROL_SHARE * len(text):
        raise ParseError(
            Reason.BINARY,
            f"{controls:,} control characters in {len(text):,}: binary data, not text",
        )
    text = _CONTROL.sub("", text)
    return text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")


def decode_bytes(raw: bytes) -> str:
    """``raw`` as text, control characters and line ends as they are."""
    for mark, encoding in _BYTE_ORDER_MARKS:
        if raw.startswith(mark):
            return _strict(raw[len(mark) :], encoding, f"{encoding}, as its byte-order mark says")
    if b"\x00" in raw:
        offset = raw.index(b"\x00")
        raise ParseError(Reason.BINARY, f"NUL byte at offset {offset:,}: binary data, not text")
    return raw.decode("utf-8", errors=_FALLBACK_ERRORS)


def _as_fallback(error: UnicodeError) -> tuple[str, int]:
    """The bytes UTF-8 refused, as Windows-1252 (a codecs error handler)."""
    assert isinstance(error, UnicodeDecodeError)
    bad = error.object[error.start : error.end]
    try:
        return bytes(bad).decode(FALLBACK_ENCODING), error.end
    except UnicodeDecodeError as undefined:
        offset = error.start + undefined.start
        byte = bytes(bad[undefined.start : undefined.start + 1]).hex()
        raise ParseError(
            Reason.UNDECODABLE, f"not UTF-8 or Windows-1252: byte 0x{byte} at offset {offset:,}"
        ) from error


_FALLBACK_ERRORS = "wire-ingest-cp1252"
codecs.register_error(_FALLBACK_ERRORS, _as_fallback)


def _strict(raw: bytes, encoding: str, expected: str) -> str:
    try:
        return raw.decode(encoding)
    except UnicodeDecodeError as error:
        bad = raw[error.start : error.start + 1].hex()
        raise ParseError(
            Reason.UNDECODABLE, f"not {expected}: byte 0x{bad} at offset {error.start:,}"
        ) from error
