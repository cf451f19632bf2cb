"""NITF: recognising it, its metadata, its body (subheadings, lists, tables, media), NITF
embedded in other formats (``nitf_fields``), broken, empty and hostile documents."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.errors import ParseError, Reason
from pipeline.parse import wire
from pipeline.parse.nitf import detect, nitf_fields, parse_nitf
from pipeline.parse.wire import byline_text
from pipeline.parse.wire import language_tag, pub_status, urgency
from pipeline.records import PARAGRAPH_BREAK, RawItem, Story, Subject
from tests.conftest import CASES, corpus

NITF = CASES / "nitf"
NS = "http://iptc.org/std/NITF/2006-10-18/"
LAUGHS = '<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
)


def parse(raw: bytes, uri: str = "in/story.xml") -> Story:
    (story,) = parse_nitf(RawItem.of(uri, raw))
    return story


def case(name: str) -> Story:
    return parse((NITF / name).read_bytes(), uri=name)


def refused(raw: bytes) -> ParseError:
    with pytest.raises(ParseError) as failure:
        parse(raw)
    return failure.value


def nitf(body: str, head: str = "", attributes: str = "") -> bytes:
    return f"<nitf{attributes}><head>{head}</head><body>{body}</body></nitf>".encode()


# Recognising NITF.


@pytest.mark.parametrize("name", ["ntb-sample.xml", "iptc-fishing.xml", "iptc-namespaced.xml"])
def test_nitf_detects_its_fixtures(name: str) -> None:
    assert detect((NITF / name).read_bytes())


@pytest.mark.parametrize(
    "raw",
    [
        b"Headline\n\nBody text.",
        b"<!DOCTYPE html><html><body><p>x</p></body></html>",
        b'<?xml version="1.0"?><NewsML Version="1.2"><NewsItem/></NewsML>',
        b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/"><nitf/></newsItem>',
        b'{"uri": "x", "body_text": "<nitf>"}',
        b"<rss><channel><item><title>x</title></item></channel></rss>",
    ],
)
def test_nitf_detect_leaves_other_formats_alone(raw: bytes) -> None:
    assert not detect(raw)


# Metadata.


def test_nitf_reads_the_ntb_sample() -> None:
    raw = (NITF / "ntb-sample.xml").read_bytes()
    story = parse(raw, uri="in/ntb.xml")
    assert story.source.format == "nitf"
    assert story.source.uri == "in/ntb.xml"
    assert story.source.sha256 == hashlib.sha256(raw).hexdigest()
    assert story.raw == raw
    assert story.headline == "Pandemien herjer på den legeløse indiske landsbygda"
    assert story.id == "NTB5df9281a-a270-4dc5-a618-869bbc3bbca7_00"
    assert story.version == "1"
    assert story.version_created == datetime(2021, 5, 16, 9, 0, 4, tzinfo=UTC)
    assert story.first_created is None  # NITF does not say
    assert story.urgency == 5
    assert story.language == "nb-NO"  # baselang
    assert story.provider == "NTB"
    assert story.byline == "NTB-AFP-DPA"
    assert story.dateline == "Unnao"
    assert story.located == "India, Asia"  # evloc: county-dist, state-prov
    assert story.slugline == "india-korona-bygd"
    assert story.keywords == ("india-korona-bygd",)
    assert story.subjects == (
        Subject("07001000", "Sykdom", "iptc-subjectcode"),
        Subject("07000000", "Medisin og helse", "iptc-subjectcode"),
    )
    assert story.editorial_note is None  # ed-msg info=""
    assert story.pub_status == "usable"
    assert story.caption == (
        "Kremasjonsbål for koronaofre brenner i Indias hovedstad New Delhi. "
        "Foto: Amit Sharma / AP / NTB"
    )
    assert not story.page_text


def test_nitf_body_keeps_subheadings_and_leaves_media_out() -> None:
    story = case("ntb-sample.xml")
    assert story.paragraphs[0].startswith("Koronapandemien herjer også i landsbyer")
    assert "- Det skjulte India" in story.paragraphs  # an hl2 in body.content
    assert story.paragraphs[-1] == "(©NTB)"  # sign-offs are the clean stage's
    assert "Kremasjonsbål" not in story.body  # the caption is not story text
    assert "kenneth.kandolf.haug" not in story.body  # body.end
    assert len(story.paragraphs) == 22


def test_nitf_reads_the_iptc_sample_article() -> None:
    story = case("iptc-fishing.xml")
    assert story.headline == "Weather and Tide Updates for Norfolk"  # hl1, not the hl2
    assert story.id == "iptc.321656141.b"
    assert story.version == "1"  # du-key
    assert story.pub_status == "canceled"
    assert story.signals == ("update",)  # management-doc-idref names the one it replaces
    assert story.urgency == 3
    assert story.version_created == datetime(2002, 2, 25, 19, 30, tzinfo=UTC)
    assert story.embargoed == datetime(2002, 2, 26, 14, 30, tzinfo=UTC)  # released after issue
    assert story.byline == "Alan Karben"  # without "By" and the byttl
    assert story.dateline == "Newport News, VA"
    assert story.located == "Norfolk, VA, US"
    assert story.provider == "XML Team Solutions, Inc."
    assert story.copyright == "© 2002 International Press Telecommunications Council"
    assert story.editorial_note == "Today begins an expanded format of this popular column."
    assert story.keywords == ("fishing", "lures", "tides")
    assert story.subjects == (
        Subject("17000000", "Weather", "iptc-subjectcode"),
        Subject("17004000", "Statistics", "iptc-subjectcode"),
        Subject("04001002", "Fishing Industry", "iptc-subjectcode"),
        Subject("23602", None, "zipcodes.usps.gov"),  # identified-content location
    )
    assert story.caption == "The tides, captured on film late yesterday."
    assert story.paragraphs[0].startswith("The weather was superb today in Norfolk")
    assert "The Tides are High" in story.paragraphs
    assert "Deer Creek: This area has proven" in story.body  # list items are paragraphs
    assert story.paragraphs[-1] == "Happy fishing everybody!"
    for left_out in ("A sample, fictitious NITF article", "Superb weather in Norfolk today",
                     "Karben\n", "Stewart Klometers"):  # fmt: skip
        assert left_out not in story.body  # hl2 in hedline, abstract, media producer, body.end


def test_nitf_reads_ap_byline_dateline_and_copyright() -> None:
    story = case("ap-excerpt.xml")
    assert story.headline == "Can trading pollution like stocks help fight climate change?"
    assert story.byline == "BERNARD CONDON"
    assert story.dateline == "NEW YORK"
    assert story.located == "NEW YORK"  # no evloc: the dateline's location
    assert story.provider == "The Associated Press"
    assert story.copyright == "© 2015 AP"
    assert story.editorial_note == "For global distribution"
    assert story.version_created == datetime(2015, 12, 10, 19, 10, 44, tzinfo=UTC)
    assert story.id == ""  # doc-id carries only its regsrc
    assert story.paragraphs[0].startswith("NEW YORK (AP) — The gas produced by hog manure")
    assert len(story.paragraphs) == 5


def test_nitf_efe_machine_dates_abstracts_and_owned_codes() -> None:
    story = case("efe.xml")
    assert story.dateline is None  # its story.date only repeats the timestamp
    assert story.located == "Tegucigalpa, HND"
    assert story.body == "Tegucigalpa, Jan 2 (EFE).- Test body."  # no abstract, no hl2
    assert story.language == "en-US"
    assert story.byline == "gr/bp"  # as EFE sends it
    assert story.copyright == "Agencia EFE"  # rights.owner
    assert story.subjects == (
        Subject("11006005", "Executive (government)", "iptc-subjectcode"),
        Subject("F01001000", "GOVERNMENT", "efe"),
    )
    assert story.pub_status == "usable"
    assert story.embargoed is None


def test_nitf_tables_are_one_paragraph_a_row() -> None:
    story = case("ap-table-excerpt.xml")
    assert story.paragraphs[:5] == [
        "THROUGH JULY 5",
        "AMERICAN LEAGUE",
        "\tG\tAB\tH\tR\tPct.",  # the header's first cell is empty: columns stay aligned
        "Brantley Hou\t64\t263\t89\t42\t.338",
        "Guerrero Jr. Tor\t83\t301\t101\t67\t.336",
    ]
    assert story.paragraphs[5] == "Home Runs"
    assert story.copyright == "© 2021 AP"


def test_nitf_with_namespace() -> None:
    story = case("iptc-namespaced.xml")
    assert story.headline == (
        "Arizona Diamondbacks (29-23) at Philadelphia Phillies (26-24), 7:05p.m."
    )
    assert story.byline is None  # only a byttl
    assert story.paragraphs == [
        "(Sports Network) - With the Philadelphia Phillies picking up momentum after their "
        "three-game sweep of the Atlanta Braves, and the Arizona Diamondbacks capturing all four "
        "of their games against the Houston Astros, tonight's game at Citizen Bank Park looks set "
        "to be a clash of the Titans."
    ]


@pytest.mark.parametrize(
    ("status", "release", "pub", "embargoed"),
    [
        ("usable", "20200101T120000Z", "usable", None),  # released when issued: no embargo
        ("usable", "20200102T090000Z", "usable", datetime(2020, 1, 2, 9, tzinfo=UTC)),
        ("embargoed", "20200101T120000Z", "usable", datetime(2020, 1, 1, 12, tzinfo=UTC)),
        ("embargoed", None, "withheld", None),
        ("withheld", None, "withheld", None),
        ("cancelled", None, "canceled", None),
    ],
)
def test_nitf_status_and_embargo(
    status: str, release: str | None, pub: str, embargoed: datetime | None
) -> None:
    released = f'<date.release norm="{release}"/>' if release else ""
    head = (f'<docdata management-status="{status}"><date.issue norm="20200101T120000Z"/>'
            f"{released}<correction info='typo'/></docdata>")  # fmt: skip
    story = parse(nitf("<body.content><p>Text.</p></body.content>", head))
    assert (story.pub_status, story.embargoed) == (pub, embargoed)
    assert story.signals == ("correction",)


def test_nitf_headline_falls_back_to_title_slug_then_lead() -> None:
    text = "<body.content><p>" + "word " * 20 + "</p></body.content>"
    assert parse(nitf(text, "<title>The title</title>")).headline == "The title"
    slug = '<meta name="anpa-keyword" content="Slug words"/>'
    assert parse(nitf(text, slug)).slugline == "Slug words"
    assert parse(nitf(text, slug)).headline == "Slug words"
    assert parse(nitf(text)).headline == "word " * 11 + "word ..."


def test_nitf_language_from_xml_lang_or_lang() -> None:
    content = "<body.content><p>Text.</p></body.content>"
    assert parse(nitf(content, attributes=' xml:lang="EN-gb"')).language == "en-GB"
    assert parse(nitf(content, attributes=' lang="de"')).language == "de"


# NITF inside other formats.


def test_nitf_fields_of_an_embedded_element() -> None:
    """What the NewsML parsers get: only the fields the NITF carries, plus headline and body,
    ready for ``Story(**fields)``."""
    root = wire.parse_xml((NITF / "iptc-namespaced.xml").read_bytes())
    fields = nitf_fields(root)
    assert set(fields) == {"headline", "body"}
    source = RawItem.of("x", b"x").source
    assert Story(source=source, raw=b"x", **fields).headline  # type: ignore[arg-type]


@pytest.mark.parametrize("bare", ["body", "body.content"])
def test_nitf_fields_of_a_bare_body(bare: str) -> None:
    content = "<body.content><p>First.</p><hl2>Sub</hl2><p>Second.</p></body.content>"
    head = "<body.head><hedline><hl1>Head</hl1></hedline></body.head>"
    xml = f'<body xmlns="{NS}">{head}{content}</body>'
    element = wire.parse_xml(xml.encode())
    element = element if bare == "body" else next(wire.descendants(element, "body.content"))
    fields = nitf_fields(element)
    assert fields["body"] == PARAGRAPH_BREAK.join(["First.", "Sub", "Second."])
    assert fields["headline"] == ("Head" if bare == "body" else "First. Sub Second.")


def test_nitf_fields_of_an_empty_body_leave_the_decision_to_the_caller() -> None:
    assert nitf_fields(wire.parse_xml(nitf("<body.content/>")))["body"] == ""


# Broken, empty and hostile documents.


def test_nitf_without_body_text_is_no_body() -> None:
    raw = nitf('<body.head><hedline><hl1>Only a headline</hl1></hedline></body.head>'
               '<body.content><p/><media media-type="image"><media-caption>A caption'
               "</media-caption></media></body.content>")  # fmt: skip
    assert refused(raw).reason is Reason.NO_BODY


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"<nitf><head><title>Cut off", Reason.MALFORMED),
        (b"<html><body><p>Not NITF</p></body></html>", Reason.MALFORMED),
        (b"", Reason.MALFORMED),
    ],
)
def test_nitf_broken_documents(raw: bytes, reason: Reason) -> None:
    assert refused(raw).reason is reason


@pytest.mark.parametrize(
    ("declarations", "reference"),
    [(LAUGHS, "&lol9;"), ('<!ENTITY xxe SYSTEM "file:///etc/passwd">', "&xxe;")],
)
def test_nitf_entities_are_refused_as_unsafe(declarations: str, reference: str) -> None:
    """A billion-laughs DOCTYPE and an external entity: refused fast, nothing expanded or read."""
    raw = f"<!DOCTYPE nitf [{declarations}]>".encode() + nitf(
        f"<body.content><p>{reference}</p></body.content>"
    )
    start = time.perf_counter()
    error = refused(raw)
    assert time.perf_counter() - start < 2
    assert error.reason is Reason.UNSAFE


def test_nitf_doctype_that_only_takes_in_dtd_modules_is_read() -> None:
    """ATS and Kyodo declare the NITF DTD module in their DOCTYPE; we never read it."""
    doctype = b'<!DOCTYPE nitf PUBLIC "-//IPTC//DTD NITF 3.0//EN" "nitf.dtd" [\n' \
              b'  <!ENTITY % xhtml SYSTEM "xhtml.dtd"> %xhtml; ]>\n'  # fmt: skip
    content = "<body.content><p>Fine.</p></body.content>"
    story = parse(b'<?xml version="1.0"?>\n' + doctype + nitf(content))
    assert story.body == "Fine."
    # A general entity next to a module is still refused.
    sneaky = doctype.replace(b"%xhtml; ]", b'%xhtml; <!ENTITY x SYSTEM "file:///etc/passwd"> ]')
    assert refused(sneaky + nitf("<body.content><p>&x;</p></body.content>")).reason is Reason.UNSAFE


def test_nitf_encoding_labels() -> None:
    body = "<body.content><p>Décès à Strasbourg</p></body.content>"
    declared = b'<?xml version="1.0" encoding="ISO-8859-1"?>'
    # UTF-8 bytes under a Latin-1 label (AFP, Ritzau) read as UTF-8 ...
    assert parse(declared + nitf(body)).body == "Décès à Strasbourg"
    # ... and Latin-1 bytes under the same label as Latin-1.
    latin = declared + f"<nitf><body>{body}</body></nitf>".encode("latin-1")
    assert parse(latin).body == "Décès à Strasbourg"


# The small helpers the NewsML 1.2 parser shares.


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("EN", "en"),
        ("nl-nl", "nl-NL"),
        ("nb-NO", "nb-NO"),
        ("zh_hant_tw", "zh-Hant-TW"),
        ("x-default", None),
        ("", None),
        (None, None),
    ],  # fmt: skip
)
def test_nitf_language_tag(value: str | None, expected: str | None) -> None:
    assert language_tag(value) == expected


def test_nitf_small_normalisers() -> None:
    assert [pub_status(v) for v in ("Usable", "stat:canceled", "CANCELLED", "open")] == [
        "usable",
        "canceled",
        "canceled",
        None,
    ]
    values = ("4", " 1 ", "0", "10", "DEFAULT", None)
    assert [urgency(v) for v in values] == [4, 1, None, None, None, None]
    assert byline_text("By Meredith Jameson,") == "Meredith Jameson"
    assert byline_text("Bye Bye Band") == "Bye Bye Band"
    assert byline_text("  ") is None


# The shared corpora.


def nitf_files() -> list[Path]:
    folders = [corpus("nitf", "samples"), corpus("superdesk-fixtures"), corpus("ninjs", "tools")]
    return sorted(path for folder in folders for path in folder.rglob("*")
                  if path.is_file() and detect(path.read_bytes()))  # fmt: skip


@pytest.mark.slow
def test_nitf_reads_every_corpus_document() -> None:
    """Every standalone NITF document in the corpora is a story with a headline and a body,
    except the one Superdesk test item whose body is empty on purpose."""
    stories, empty = [], []
    for path in nitf_files():
        try:
            stories.append(parse(path.read_bytes(), uri=str(path)))
        except ParseError as error:
            assert error.reason is Reason.NO_BODY, path
            empty.append(path.name)
    assert empty == ["aap-finance-lite.xml"]
    assert len(stories) == 28
    assert all(story.headline and story.body for story in stories)
    assert all("Ã" not in story.body for story in stories)  # no mislabelled UTF-8 read wrong
