"""ANPA-1312: recognising a transmission, its header and `^` lines as fields, its text as
paragraphs (prose re-flowed, tables row by row), files of several transmissions, broken ones."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from pipeline.errors import ParseError, Reason
from pipeline.parse import anpa
from pipeline.parse.anpa import Envelope, detect, parse_anpa, parse_envelope
from pipeline.records import ItemFailure, RawItem, Story, Subject
from tests.conftest import CASES, corpus

FIXTURES = CASES / "anpa"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse(raw: bytes, uri: str = "in/take.tst") -> Story:
    (story,) = parse_anpa(RawItem.of(uri, raw))
    assert isinstance(story, Story)
    return story


def frame(text: str, encoding: str = "utf-8") -> bytes:
    """A minimal transmission around ``text``."""
    return (
        f"\x16\x16\x01W1234\x1fasian\nr a\x13\x11 BC-Test-Slug     11-13 0100\n"
        f"\x02{text}\n\t   \x03AP-WF-11-13-13 1509GMT<\n\x0c\n\x04"
    ).encode(encoding)


@pytest.mark.parametrize(
    "raw",
    [
        b"Headline\n\nBody text.",
        # AAP's racing results: SOH, then fields separated by US, not an ANPA header
        b"\x01CANTERBURY\x1f1-1\x1fY\x1fN\x1fNSW\x1fWednesday\r\n\r\nTRACK GOOD(3)\r\n",
        b"ZCZC AAP\r\n%A\r\n#Legionella_BC1\r\n$Legionella found\r\nText.\r\nNNNN",
    ],
)
def test_anpa_detect_leaves_other_formats_alone(raw: bytes) -> None:
    assert not detect(raw)


def test_anpa_maps_header_and_head_lines() -> None:
    raw = fixture("anpa-1-excerpt.tst")
    story = parse(raw)
    assert story.source.format == "anpa"
    assert story.source.index == 0
    assert story.source.sha256 == hashlib.sha256(raw).hexdigest()
    assert story.raw == raw
    assert story.headline == "For Argentine chemo patients, mirrors can hurt"
    assert story.byline == "PAUL BYRNE and ALMUDENA CALATRAVA"
    assert story.editorial_note == "With AP Photos."
    assert story.urgency == 1  # f: flash
    assert story.subjects == (Subject(code="l", scheme="anpa-category"),)
    assert story.slugline == "BC-LT--Argentina-Cancer Beauty"
    assert story.version is None
    assert story.signals == ()
    assert story.provider == "AP"
    assert story.version_created == datetime(2013, 11, 13, 15, 9, tzinfo=UTC)
    assert story.dateline == "BUENOS AIRES, Argentina"
    assert not story.page_text


def test_anpa_text_is_paragraphs_in_plain_typography() -> None:
    story = parse(fixture("anpa-1-excerpt.tst"))
    assert len(story.paragraphs) == 2
    assert story.paragraphs[0].startswith(
        "BUENOS AIRES, Argentina (AP) — For cancer patients dealing with the physical"
    )
    assert story.paragraphs[1].startswith("“Look Good Feel Better” is a program")
    for framing in ("AP Photo", "Associated Press", "<", "^", "\t", "AP-WF"):
        assert framing not in story.body


def test_anpa_writethru_gives_version_signal_and_notes() -> None:
    story = parse(fixture("anpa-2-excerpt.tst"))
    assert story.version == "1st Ld-Writethru"
    assert story.signals == ("update",)
    assert story.slugline == "BC-US--Ethanol-Losing Grassland"
    assert story.urgency == 5  # r: regular
    assert story.byline == "CHET BROKAW and JACK GILLUM"
    assert story.editorial_note is not None
    notes = story.editorial_note.split("\n")
    assert notes[0].startswith("Restores reference in 3rd paragraph")
    assert notes[1] == (
        "This is part of an Associated Press investigation into the hidden costs of green energy."
    )
    assert story.paragraphs[0].startswith("ROSCOE, South Dakota (AP) — Robert Malsam")


@pytest.mark.parametrize(
    ("name", "headline", "urgency", "dateline"),
    [
        ("ap_anpa-3.tst", "$210 lobster is found dead", 5, "CHATHAM, Mass."),
        # An alert has no headline line: the keyword without its codes stands in.
        ("ap_anpa-5.tst", "APNewsAlert", 2, "HONOLULU"),
    ],
)
def test_anpa_short_takes(name: str, headline: str, urgency: int, dateline: str) -> None:
    story = parse(fixture(name))
    assert story.headline == headline
    assert story.urgency == urgency
    assert story.dateline == dateline
    assert len(story.paragraphs) == 1


def test_anpa_headline_list_without_text_takes_its_head_lines() -> None:
    story = parse(fixture("anpa-4.tst"))
    assert story.headline == "AP Top Entertainment News at 11:23 p.m. EST"
    assert story.slugline == "AP-Top-Entertainment-Headlines"
    assert story.subjects == (Subject(code="e", scheme="anpa-category"),)
    assert len(story.paragraphs) == 10
    assert story.paragraphs[0] == "Ex-bodyguard testifies about lewd messages sent to Paltrow"
    assert story.version_created == datetime(2016, 2, 10, 4, 23, tzinfo=UTC)


def test_anpa_table_keeps_rows_and_turns_column_codes_into_spaces() -> None:
    story = parse(fixture("ap_anpa-6-excerpt.tst"))
    assert story.headline == "Wild Card Glance"
    assert story.byline == "The Associated Press"
    assert story.paragraphs == [
        "All Times EDT",
        "AMERICAN LEAGUE",
        "W L Pct WCGB",
        "Tampa Bay 73 52 .584 _",
        "Cleveland 73 51 .589 _",
        "Oakland 71 52 .577 1",
    ]


def test_anpa_reflows_hard_wrapped_text() -> None:
    text = (
        "^BC-Test-Slug,100<\n^A headline<\n"
        "\t   PARIS (AP) _ The first paragraph was wrapped\nat the printer's width, and a\n"
        "well-\nknown word broke at its hyphen.\n"
        "\t   A second paragraph.\n\n"
        "Third after a blank line.\n"
        "\t   ___\n"
        "^SECTION HEADING=\n"
        "\t   Last.<"
    )
    story = parse(frame(text))
    assert story.paragraphs == [
        "PARIS (AP) — The first paragraph was wrapped at the printer's width, and a "
        "well-known word broke at its hyphen.",
        "A second paragraph.",
        "Third after a blank line.",
        "SECTION HEADING",
        "Last.",
    ]


def test_anpa_several_transmissions_make_a_container() -> None:
    first, second = fixture("ap_anpa-3.tst"), fixture("ap_anpa-5.tst")
    broken = frame("^BC-Test,1<\n\t   Text that never ends").replace(b"\x03", b"")
    raw = first + second + broken
    items = list(parse_anpa(RawItem.of("in/wire.tst", raw)))
    assert [type(item) for item in items] == [Story, Story, ItemFailure]
    assert [item.source.index for item in items] == [0, 1, 2]
    assert [item.raw for item in items] == [first, second, broken]
    for item in items:
        assert item.source.uri == "in/wire.tst"
        assert item.source.format == "anpa"
        assert item.source.sha256 == hashlib.sha256(item.raw).hexdigest()
    assert items[1].headline == "APNewsAlert"
    failure = items[2]
    assert isinstance(failure, ItemFailure)
    assert failure.error.reason is Reason.MALFORMED
    assert "truncated" in failure.error.message


@pytest.mark.parametrize(
    ("raw", "reason", "message"),
    [
        (frame("^BC-Test,1<\n\t   Text.").replace(b"\x03", b""), Reason.MALFORMED, "no ETX"),
        (frame("x").replace(b"\x02", b""), Reason.MALFORMED, "no STX"),
        (frame("^BC-Test,1<\n\t   \n"), Reason.NO_BODY, "no text"),
        (frame("^BC-Test,1<\n\t   Text\x00."), Reason.BINARY, "NUL byte"),
        (frame("^BC-Test,1<\n\t   Text.") + b"\x81\x8d", Reason.UNDECODABLE, "byte 0x81"),
    ],
)
def test_anpa_broken_transmissions(raw: bytes, reason: Reason, message: str) -> None:
    with pytest.raises(ParseError) as failure:
        parse(raw)
    assert failure.value.reason is reason
    assert message in failure.value.message


def test_anpa_latin1_text_is_read_as_windows_1252() -> None:
    story = parse(frame("^BC-Test,1<\n\t   São Paulo costs € 5.", encoding="cp1252"))
    assert story.body == "São Paulo costs € 5."


@pytest.mark.parametrize(
    ("header", "envelope"),
    [
        (
            "\x16\x16\x01W2870\x1fasian\nf l\x13\x11 BC-LT--Argentina-CancerB     11-13 1049",
            Envelope(1, "f", "l", False, "BC-LT--Argentina-CancerB", None),
        ),
        (
            "\x16\x16\x01s0284\x1f-----\nr s\x14\x12 BC-BBO--WildCardGlance     08-18 ",
            Envelope(5, "r", "s", True, "BC-BBO--WildCardGlance", None),
        ),
        # Reuters-21578's <UNKNOWN> blocks: no format codes; d is not a priority we map
        ("\x16\x16\x01f0704\x1freute\nd f BC-BAHIA-COCOA-REVIEW   02-26 0105",
         Envelope(None, "d", "f", False, "BC-BAHIA-COCOA-REVIEW", None)),
        ("no header here", Envelope()),
    ],
)  # fmt: skip
def test_anpa_parse_envelope(header: str, envelope: Envelope) -> None:
    assert parse_envelope(header) == envelope


def test_anpa_short_slug_drops_cycle_and_desk_codes() -> None:
    assert anpa.short_slug("BC-LT--Argentina-Cancer Beauty") == "Argentina-Cancer Beauty"
    assert anpa.short_slug("BC-BAHIA-COCOA-REVIEW") == "BAHIA-COCOA-REVIEW"
    assert anpa.short_slug("AP-Top-Entertainment-Headlines") == "Top-Entertainment-Headlines"
    assert anpa.short_slug(None) is None


@pytest.mark.slow
def test_anpa_reads_every_superdesk_anpa_file() -> None:
    """The 11 AP ANPA-1312 files of the Superdesk fixtures: one story each, with its header's
    fields and its trailer's time."""
    files = sorted(corpus("superdesk-fixtures").rglob("*anpa*.tst"))
    assert len(files) == 11
    for path in files:
        story = parse(path.read_bytes(), uri=str(path))
        assert story.headline and story.body, path.name
        assert story.provider == "AP", path.name
        assert story.version_created is not None, path.name
        assert story.slugline and story.subjects, path.name
        assert "\x03" not in story.body and "AP-WF" not in story.body, path.name


@pytest.mark.slow
def test_anpa_detects_no_other_superdesk_wire_file() -> None:
    """The AAP, Asianet and dpa wire files and the e-mails are not ANPA-1312."""
    root = corpus("superdesk-fixtures")
    others = [
        path
        for path in (*root.rglob("*.tst"), *root.rglob("*.txt"))
        if "anpa" not in path.name and path.name != "SOURCE.txt"
    ]
    assert len(others) > 40
    assert not [path.name for path in others if detect(path.read_bytes())]
