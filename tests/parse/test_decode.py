"""Decoding: UTF-8, byte-order marks, the Windows-1252 fallback, and what is not text."""

from __future__ import annotations

import codecs

import pytest

from pipeline.errors import ParseError, Reason
from pipeline.parse.decode import decode_text

TEXT = "Erdogan’s office said “no” — £5 café"


@pytest.mark.parametrize(
    "raw",
    [
        TEXT.encode("utf-8"),
        codecs.BOM_UTF8 + TEXT.encode("utf-8"),
        codecs.BOM_UTF16_LE + TEXT.encode("utf-16-le"),
        codecs.BOM_UTF16_BE + TEXT.encode("utf-16-be"),
        TEXT.encode("cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-le-bom", "utf-16-be-bom", "windows-1252"],
)
def test_decode_text_reads_each_encoding(raw: bytes) -> None:
    assert decode_text(raw) == TEXT


def test_decode_text_reads_latin1_pound_sign() -> None:
    # BBC set, tech/114.txt style: Latin-1 0xA3 where UTF-8 expects a continuation byte.
    assert decode_text(b"costs \xa3600m a year") == "costs £600m a year"


def test_decode_text_normalises_line_ends_and_drops_stray_controls() -> None:
    assert decode_text(b"Head\r\n\r\nBody\x07 one\rtwo\x0cthree") == "Head\n\nBody one\ntwo\nthree"


@pytest.mark.parametrize(
    ("raw", "reason", "says"),
    [
        (b"text\x00with a NUL", Reason.BINARY, "offset 4"),
        (bytes(range(1, 32)) * 10 + b"mostly control characters", Reason.BINARY, "control"),
        (b"caf\xe9 \x81 not cp1252", Reason.UNDECODABLE, "0x81 at offset 5"),
        (codecs.BOM_UTF8 + b"\xff\xfe", Reason.UNDECODABLE, "utf-8"),
    ],
    ids=["nul", "controls", "undefined-in-cp1252", "bad-after-bom"],
)
def test_decode_text_rejects_what_is_not_text(raw: bytes, reason: Reason, says: str) -> None:
    with pytest.raises(ParseError) as failure:
        decode_text(raw)
    assert failure.value.reason is reason
    assert says in failure.value.message
