"""IPTC 7901: recognising a transmission, its header, keywords and heading as fields, its
hard-wrapped text as paragraphs, dpa's notebook as the editorial note, several transmissions
in one file, broken ones."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime

import pytest

from pipeline.errors import ParseError, Reason
from pipeline.parse.iptc7901 import detect, parse_iptc7901
from pipeline.records import ItemFailure, RawItem, Story, Subject
from tests.conftest import CASES, corpus

FIXTURES = CASES / "iptc7901"


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def parse(raw: bytes, uri: str = "in/dpa.txt") -> Story:
    (story,) = parse_iptc7901(RawItem.of(uri, raw))
    assert isinstance(story, Story)
    return story


def transmission(text: str, header: str = "eca0001 4 i 99  dpa 0001") -> bytes:
    """A minimal transmission around ``text``."""
    return (
        f"\x01{header}\r\n\r\nTest/\r\n\x02{text}\r\n\x03011200 GMT Jan 19\r\n\x7f\n\x7f\x04"
    ).encode()


@pytest.mark.parametrize(
    "raw",
    [
        b"Headline\n\nBody text.",
        b"\x01SHDRACE: CANTERBURY\x1f6\x1fN\x1fN\x1fNSW\x1fWednesday\r\n\r\n1. MONTAUK\r\n",
        b"ZCZC AAP\r\n%A\r\n#Legionella_BC1\r\n$Legionella found\r\nText.\r\nNNNN",
    ],
)
def test_iptc7901_detect_leaves_other_formats_alone(raw: bytes) -> None:
    assert not detect(raw)


def test_iptc7901_maps_header_keywords_heading_and_trailer() -> None:
    raw = fixture("IPTC7901-excerpt.txt")
    story = parse(raw)
    assert story.source.format == "iptc7901"
    assert story.source.sha256 == hashlib.sha256(raw).hexdigest()
    assert story.raw == raw
    assert story.headline == "Germany Social Democrats: Coalition talks with Merkel could fail"
    assert story.byline is None
    assert story.urgency == 4
    assert story.subjects == (Subject(code="i", scheme="iptc7901-category"),)
    assert story.keywords == ("Germany-politics",)
    assert story.slugline == "Germany-politics"
    assert story.provider == "dpa"
    assert story.version_created == datetime(2013, 11, 13, 11, 37, tzinfo=UTC)
    assert story.dateline == "Berlin"
    assert story.signals == ()


def test_iptc7901_reflows_text_and_keeps_the_notebook_out() -> None:
    story = parse(fixture("IPTC7901-excerpt.txt"))
    assert story.paragraphs == [
        "Berlin (dpa) - Negotiations between German conservatives headed by Chancellor Angela "
        "Merkel and the left-leaning Social Democrats (SPD) on forming a coalition government "
        "could fail, a senior SPD member warned Wednesday.",
        "Merkel's Christian Democratic Union (CDU) and their Bavaria-based sister party, the "
        "Christian Social Union (CSU), launched coalition talks with the SPD last month after "
        "the conservatives failed to secure an absolute majority in an election they won in "
        "September.",
    ]
    assert story.editorial_note == (
        "dpa Contacts\nReporting by: Wolfgang Schmidt\nEditing by: Joseph Nasr\n"
        "Tel: +49 30 2852 31472; <englishservice@dpa.com>"
    )
    for trailer in ("NOTEBOOK", "not for publication", "dpa wsz jln npr", "* * *"):
        assert trailer not in story.body
        assert trailer not in (story.editorial_note or "")


def test_iptc7901_lead_designator_byline_latin1_and_german_month() -> None:
    story = parse(fixture("IPTC7901_odd_charset-excerpt.txt"))
    assert story.headline == "German football saddened by illness to striker legend Mueller"
    assert story.byline == "Manuel Schwarz, dpa"
    assert story.signals == ("update",)  # "1ST LEAD"
    assert story.urgency == 3
    assert story.subjects == (Subject(code="s", scheme="iptc7901-category"),)
    assert story.keywords == ("Germany-football", "Munich", "Mueller")
    assert story.slugline == "Germany-football/Munich/Mueller"
    assert "Thomas Müller, and we are also grateful" in story.body
    assert story.version_created == datetime(2015, 10, 7, 13, 41, tzinfo=UTC)  # "Okt 15"
    assert story.editorial_note is not None
    assert story.editorial_note.startswith("Note to editors\nadds comments by Germany coach Loew")


def test_iptc7901_relayed_sender_copyright_and_zoneless_trailer() -> None:
    story = parse(fixture("dpa_two_by_line-excerpt.txt"))
    assert story.provider == "dpa"  # "dpa-tns": dpa relaying Tribune News Service
    assert story.headline == "Chiefs-Rams 2.0? Would be a fun Super Bowl, but don't count on it"
    assert story.byline == "Tom Krasovic, The San Diego Union-Tribune"
    assert story.copyright == "(c)2018 The San Diego Union-Tribune"
    assert story.keywords == ("American Football", "NFL")
    assert story.dateline == "San Diego"
    assert story.version_created == datetime(2018, 11, 21, 12, 59, tzinfo=UTC)
    assert story.paragraphs[-1] == "Here's hoping the history is wrong."


@pytest.mark.parametrize(
    ("trailer", "expected"),
    [
        ("011200 GMT Jan 19", datetime(2019, 1, 1, 12, 0, tzinfo=UTC)),
        ("241830 Dez 99", datetime(1999, 12, 24, 18, 30, tzinfo=UTC)),
        ("011200 MEZ Jan 19", None),  # another zone: no guess at its offset
        ("311200 GMT Feb 19", None),  # no such day
        ("garbled", None),
    ],
)
def test_iptc7901_trailer_time(trailer: str, expected: datetime | None) -> None:
    raw = transmission("Head =\r\n\r\n   Text.").replace(b"011200 GMT Jan 19", trailer.encode())
    assert parse(raw).version_created == expected


def test_iptc7901_heading_without_equals_sign_is_its_first_line() -> None:
    story = parse(transmission("A headline\r\nBody line one\r\nwrapped on.\r\n\r\nSecond."))
    assert story.headline == "A headline"
    assert story.paragraphs == ["Body line one wrapped on.", "Second."]


def test_iptc7901_several_transmissions_make_a_container() -> None:
    first = fixture("IPTC7901-excerpt.txt")
    second = transmission("Second story =\r\n\r\n   Its text.")
    headless = transmission("Third =\r\n\r\n   Text.").replace(b"\x02", b"")
    raw = first + second + headless
    items = list(parse_iptc7901(RawItem.of("in/dpa.txt", raw)))
    assert [type(item) for item in items] == [Story, Story, ItemFailure]
    assert [item.source.index for item in items] == [0, 1, 2]
    assert [item.raw for item in items] == [first, second, headless]
    for item in items:
        assert item.source.sha256 == hashlib.sha256(item.raw).hexdigest()
        assert item.source.format == "iptc7901"
    assert items[1].headline == "Second story"
    assert isinstance(items[2], ItemFailure)
    assert items[2].error.reason is Reason.MALFORMED


@pytest.mark.parametrize(
    ("raw", "reason", "message"),
    [
        (transmission("Head =\r\n\r\n   Text.").replace(b"\x03", b""), Reason.MALFORMED, "no ETX"),
        (transmission("Head =\r\n\r\n   Text.").replace(b"\x02", b""), Reason.MALFORMED, "no STX"),
        (transmission("Only a headline ="), Reason.NO_BODY, "no text"),
        (transmission("Head =\r\n\r\n   \x00"), Reason.BINARY, "NUL byte"),
    ],
)
def test_iptc7901_broken_transmissions(raw: bytes, reason: Reason, message: str) -> None:
    with pytest.raises(ParseError) as failure:
        parse(raw)
    assert failure.value.reason is reason
    assert message in failure.value.message


@pytest.mark.slow
def test_iptc7901_reads_every_superdesk_7901_file() -> None:
    """The six dpa IPTC 7901 files of the Superdesk fixtures: one story each."""
    root = corpus("superdesk-fixtures")
    files = sorted([*root.rglob("IPTC7901*.txt"), *root.rglob("dpa_*.txt")])
    assert len(files) == 6
    for path in files:
        story = parse(path.read_bytes(), uri=str(path))
        assert story.headline and story.body, path.name
        assert story.provider == "dpa" and story.version_created is not None, path.name
        assert "Notebook" not in story.body and "\x03" not in story.body, path.name
    others = [path for path in (*root.rglob("*.tst"), *root.rglob("*.txt")) if path not in files]
    assert not [path.name for path in others if detect(path.read_bytes())]
