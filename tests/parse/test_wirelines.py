"""The teleprinter formats' shared core: frames, decoding, re-flowing, datelines, signals."""

from __future__ import annotations

import re

import pytest

from pipeline.errors import ParseError, Reason
from pipeline.parse import wirelines


def test_wirelines_split_frames_at_each_start() -> None:
    start = re.compile(rb"\x01")
    assert wirelines.split_frames(b"\r\n\x01one\x04\r\n\x01two\x04", start) == [
        b"\r\n\x01one\x04\r\n",
        b"\x01two\x04",
    ]
    assert wirelines.split_frames(b"no frame at all", start) == [b"no frame at all"]


def test_wirelines_frame_parts() -> None:
    frame = wirelines.frame_parts("\x01head\n\x02text\n\x03trailer\n\x04after")
    assert frame == wirelines.Frame("\x01head\n", "text\n", "trailer\n")


def test_wirelines_decode_keeps_control_characters_and_normalises_line_ends() -> None:
    assert wirelines.decode(b"\xef\xbb\xbf\x01a\r\nb\rc\x1fd") == "\x01a\nb\nc\x1fd"
    assert wirelines.decode("Müller".encode("cp1252")) == "Müller"
    with pytest.raises(ParseError) as failure:
        wirelines.decode(b"a\x00b")
    assert failure.value.reason is Reason.BINARY


def test_wirelines_reflow() -> None:
    lines = [
        "   First paragraph, wrapped",
        "at the printer's  width; a well-",
        "known compound and a spaced -",
        "dash.",
        "\tSecond, indented.",
        "",
        "Third, after a blank line.",
    ]
    assert wirelines.reflow(lines) == [
        "First paragraph, wrapped at the printer's width; a well-known compound and a spaced - "
        "dash.",
        "Second, indented.",
        "Third, after a blank line.",
    ]


def test_wirelines_preformatted_keeps_rows() -> None:
    assert wirelines.preformatted([" Coffee   825  1343", "", " Cocoa    756  1058 "]) == [
        "Coffee   825  1343",
        "Cocoa    756  1058",
    ]


@pytest.mark.parametrize(
    ("paragraph", "agency", "place"),
    [
        ("BUENOS AIRES, Argentina (AP) _ For cancer patients", "AP", "BUENOS AIRES, Argentina"),
        ("CHATHAM, Mass. (AP) — A lobster died.", "AP", "CHATHAM, Mass."),
        ("San Diego (tca/dpa) - History says", "dpa", "San Diego"),
        ("Berlin (dpa) -- Talks", "dpa", "Berlin"),
        ("The Social Democrats (SPD) - a party", "dpa", None),  # not the agency
        ("Berlin (dpa) - Talks", None, None),  # no agency known: no guess
        ("Negotiations between German conservatives (CDU) and others", "dpa", None),
    ],
)
def test_wirelines_leading_dateline(paragraph: str, agency: str | None, place: str | None) -> None:
    assert wirelines.leading_dateline([paragraph, "next"], agency) == place


@pytest.mark.parametrize(
    ("designators", "expected"),
    [
        (("1st Ld-Writethru",), ("update",)),
        (("REFILE", "1ST LEAD"), ("update",)),
        (("Writethru",), ("update",)),
        (("CORRECTED",), ("correction",)),
        (("2nd Ld-Writethru, Correction",), ("update", "correction")),
        (("EXTRA", None), ()),
        ((), ()),
    ],
)
def test_wirelines_signals(designators: tuple[str | None, ...], expected: tuple[str, ...]) -> None:
    assert wirelines.signals(*designators) == expected


def test_wirelines_full_year() -> None:
    assert [wirelines.full_year(year) for year in ("87", "99", "00", "19")] == [
        1987,
        1999,
        2000,
        2019,
    ]
