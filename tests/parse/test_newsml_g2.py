"""The NewsML-G2 parser: recognising it, items and newsMessages, which items are text, where the
body and each metadata field come from, and broken or hostile documents."""

from __future__ import annotations

import hashlib
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.errors import DataError, ParseError, Reason
from pipeline.parse.newsml_g2 import FORMAT, detect, parse_newsml_g2
from pipeline.parse.wirelines import plain_paragraphs
from pipeline.records import RECALLS, ItemFailure, RawItem, Story, Subject
from tests.conftest import CASES, corpus

G2 = CASES / "newsml_g2"
NAR = "http://iptc.org/std/nar/2006-10-01/"


def case(name: str) -> bytes:
    return (G2 / name).read_bytes()


def parse_all(raw: bytes, uri: str = "in/item.xml") -> list[Story | ItemFailure]:
    return list(parse_newsml_g2(RawItem.of(uri, raw)))


def parse(raw: bytes) -> Story:
    (story,) = parse_all(raw)
    assert isinstance(story, Story)
    return story


def refused(raw: bytes) -> ParseError:
    with pytest.raises(ParseError) as failure:
        parse_all(raw)
    return failure.value


def news_item(content_set: str, item_meta: str = "", content_meta: str = "") -> bytes:
    """A minimal newsItem around the given parts."""
    return (
        f'<newsItem xmlns="{NAR}" guid="urn:test:1" version="2" standard="NewsML-G2">'
        f'<itemMeta><itemClass qcode="ninat:text"/>{item_meta}</itemMeta>'
        f"<contentMeta>{content_meta}</contentMeta><contentSet>{content_set}</contentSet>"
        "</newsItem>"
    ).encode()


XHTML_BODY = (
    '<inlineXML><html xmlns="http://www.w3.org/1999/xhtml"><body><p>Story text.</p></body></html>'
    "</inlineXML>"
)


# Detection.


@pytest.mark.parametrize(
    "name",
    ["LISTING_2_NewsML-G2_Text_Document.xml", "LISTING_3_Photo_in_NewsML-G2.xml",
     "LISTING_17_Planning_Item_a_CCL.xml", "news-message-package-text-photo.xml",
     "reuters-update-excerpt.xml", "ansa-plain-text-excerpt.xml",
     "LISTING_25_An_NITF_marked-up_article_conveyed_in_inlineXML.xml"],
)  # fmt: skip
def test_newsml_g2_detect_recognises_items_and_messages(name: str) -> None:
    assert detect(case(name))


def test_newsml_g2_detect_claims_other_documents_in_its_namespace() -> None:
    """A catalog is NewsML-G2 but no item: claimed, so that it is refused as no story."""
    catalog = f'<?xml version="1.0"?>\n<catalog xmlns="{NAR}"><scheme alias="a"/></catalog>'
    assert detect(catalog.encode())
    assert refused(catalog.encode()).reason is Reason.NOT_TEXT


@pytest.mark.parametrize(
    "raw",
    [
        b"Headline\n\nBody text.",
        b"<!DOCTYPE html><html><body><p>x</p></body></html>",
        b'{"uri": "urn:x", "headline": "ninjs"}',
        # NITF that declares the NewsML-G2 namespace for a prefix it does not use for its root
        f'<?xml version="1.0"?><nitf xmlns:iptc="{NAR}"><body/></nitf>'.encode(),
        b'<?xml version="1.0"?><NewsML Version="1.2"><NewsItem/></NewsML>',
        f'<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns="{NAR}"/>'.encode(),
    ],
)
def test_newsml_g2_detect_leaves_other_formats_alone(raw: bytes) -> None:
    assert not detect(raw)


# A text item and its metadata.


def test_newsml_g2_reads_a_text_item_with_inline_nitf() -> None:
    raw = case("LISTING_2_NewsML-G2_Text_Document.xml")
    story = parse(raw)
    assert story.source.format == FORMAT == "newsml-g2"
    assert story.raw == raw
    assert story.source.sha256 == hashlib.sha256(raw).hexdigest()
    assert story.headline == 'Fed to halt QE to avert "bubble"'
    assert len(story.paragraphs) == 2  # body.content only: the hedline and byline are not text
    assert story.paragraphs[0].startswith("(New York, NY - October 21) Et, sent luptat luptat,")
    assert story.paragraphs[1].endswith("esto cons dolutpat, si.")
    assert story.id == "urn:newsml:acmenews.com:20161121:US-FINANCE-FED"
    assert story.version == "11"
    assert story.version_created == datetime(2018, 11, 21, 21, 25, 32, tzinfo=UTC)
    assert story.pub_status == "usable"
    assert story.slugline == "US-Finance-Fed"
    assert story.located == "New York, NY"
    assert story.byline == "Meredith Jameson"
    assert story.language == "en-US"
    assert story.copyright == "Copyright 2017-18 Acme News and Media LLC"
    assert story.provider is None  # a provider URI only: no name to give
    assert story.subjects == (
        Subject("04000000", "economy, business and finance", "medtop"),
        Subject("20000350", "central bank", "medtop"),
        Subject("20000379", "money and monetary policy", "medtop"),
    )
    assert not story.page_text


def test_newsml_g2_reads_item_meta() -> None:
    story = parse(case("listing-1-with-listing-2-body.xml"))
    assert story.provider == "REUTERS"  # nprov:REUTERS, no name given
    assert story.first_created == datetime(2016, 10, 18, 18, 12, 21, tzinfo=UTC)
    assert story.embargoed == datetime(2018, 10, 23, 12, 0, tzinfo=UTC)
    assert story.signals == ("update",)
    assert story.editorial_note == (
        "Note to editors: STRICTLY EMBARGOED. Not for public release until 12noon on Friday, "
        "October 23, 2018."
    )
    assert story.copyright == "Copyright 2017-18 Example Enews LLP, all rights reserved"
    assert story.located == "Berlin"  # the place's name, not its broader areas
    assert story.language == "en-GB"  # no <language>: the item's xml:lang
    assert story.subjects[1] == Subject("20000523", "labour market", "medtop")  # first name


def test_newsml_g2_sports_story_in_nitf() -> None:
    story = parse(case("LISTING_22_Sports_story_in_NewsML-G2NITF.xml"))
    assert story.headline == (
        "Preview: Arizona Diamondbacks (29-23) at Philadelphia Phillies (26-24), 7:05 p.m."
    )
    assert story.slugline == "AAV!PREVIEW-ARI-PHI"
    assert story.byline == "The Sports Network"  # the creator's name
    assert story.provider == "www.xmlteam.com"
    assert story.located is None  # qcodes only (city:Philadelphia): no name
    assert len(story.paragraphs) == 6
    assert story.paragraphs[0].startswith("(Sports Network) - A pair of teams")
    assert Subject("l.mlb.com-t.19", "Philadelphia Phillies", "team") in story.subjects
    assert Subject("l.mlb.com-2016-e.19358", None, "event") in story.subjects


def test_newsml_g2_bare_content_set_takes_nitf_headline() -> None:
    story = parse(case("LISTING_25_An_NITF_marked-up_article_conveyed_in_inlineXML.xml"))
    assert story.headline == (
        "Arizona Diamondbacks (29-23) at Philadelphia Phillies (26-24), 7:05p.m."
    )
    assert story.byline is None  # its <byline> holds only a <byttl>, a title, as NITF reads it
    assert story.paragraphs[0].startswith("(Sports Network) - With the Philadelphia Phillies")
    assert story.id == "" and story.version is None


def test_newsml_g2_content_meta_fields() -> None:
    story = parse(
        news_item(
            XHTML_BODY,
            item_meta='<provider literal="ansa.it"/><edNote>One.</edNote><edNote>Two.</edNote>'
            '<signal qcode="sig:correction"/><signal qcode="edStat:C"/>'
            '<signal uri="http://cv.iptc.org/newscodes/signal/update"/>',
            content_meta="<urgency>2</urgency><headline>Sub</headline>"
            '<headline role="hld:main">Main headline</headline><by>By A. Writer</by>'
            '<creator literal="Ignored"/><dateline>ROME, Oct 11</dateline>'
            '<located literal="Rome"/><keyword>Italy</keyword><keyword>Spain</keyword>'
            '<keyword>Italy</keyword><language tag="it"/>'
            '<subject literal="ALR"/>'
            '<subject qcode="subj:11000000"><name>politics</name></subject>',
        )
    )
    assert story.headline == "Main headline"
    assert story.byline == "A. Writer"  # without "By", as every format gives it
    assert story.provider == "ansa.it"
    assert story.editorial_note == "One.\nTwo."
    assert story.signals == ("correction", "update")  # IPTC signals only
    assert story.urgency == 2
    assert story.dateline == "ROME, Oct 11"
    assert story.located == "Rome"
    assert story.keywords == ("Italy", "Spain")
    assert story.language == "it"
    assert story.subjects == (Subject(None, "ALR", None), Subject("11000000", "politics", "subj"))


@pytest.mark.parametrize(
    ("status", "expected"),
    [('qcode="stat:usable"', "usable"), ('qcode="stat:withheld"', "withheld"),
     ('qcode="stat:canceled"', "canceled"), ('qcode="stat:cancelled"', "canceled"),
     ('uri="http://cv.iptc.org/newscodes/pubstatusg2/withheld"', "withheld")],
)  # fmt: skip
def test_newsml_g2_pub_status_is_normalised(status: str, expected: str) -> None:
    assert parse(news_item(XHTML_BODY, item_meta=f"<pubStatus {status}/>")).pub_status == expected


@pytest.mark.parametrize("value", ["0", "10", "high", ""])
def test_newsml_g2_urgency_outside_1_to_9_is_left_out(value: str) -> None:
    story = parse(news_item(XHTML_BODY, content_meta=f"<urgency>{value}</urgency>"))
    assert story.urgency is None


def test_newsml_g2_headline_falls_back_to_slugline_then_lead() -> None:
    slug = parse(news_item(XHTML_BODY, content_meta="<headline/><slugline>SLUG-LINE</slugline>"))
    assert slug.headline == "SLUG-LINE"
    assert parse(news_item(XHTML_BODY)).headline == "Story text."


# Bodies.


def test_newsml_g2_prefixed_reuters_message_with_xhtml_body() -> None:
    raw = case("reuters-update-excerpt.xml")
    (story,) = parse_all(raw)
    assert isinstance(story, Story)
    assert story.source.index == 0 and story.raw != raw  # an item of a message: its own bytes
    assert story.headline.startswith("CORRECTED-S. Illinois battles flooding")
    assert story.paragraphs == [
        "(In Jan. 3 story, corrects last paragraph to reflect that figure on Exxon Mobil "
        "terminal refers to capacity, not barrels per day)",
        "Jan 3 (Reuters) - Residents of flooded areas in far southern Illinois anxiously waited "
        "for the swollen Mississippi River to peak on Sunday, with hundreds electing to remain "
        "in their homes, as states downstream prepared for the rising waters.",
        "About 125 structures were flooded in hard-hit Alexander County, the southernmost point "
        "in Illinois, where three families near one breach stayed dry behind sandbag "
        "fortifications and private levees, county board Chairman Chalen Tatum said.",
    ]
    assert story.id == "tag:reuters.com,0000:newsml_L1N14N0FF"
    assert story.version == "978556838"
    assert story.provider == "reuters.com"
    assert story.byline is None  # its creator, "Reuters", is the provider, not a writer
    assert story.urgency == 3
    assert story.signals == ()  # edStat:C, prodId:TXT, pmt:text are Reuters routing codes
    assert story.slugline == "USA-WEATHER/ (UPDATE 1, PIX, CORRECTED)"
    assert story.subjects[0] == Subject("a", None, "MCC")
    assert (story.copyright or "").startswith("(c) Copyright Thomson Reuters 2016.")


def test_newsml_g2_kill_notice_without_text_is_a_story_with_no_body() -> None:
    (kill,) = parse_all(case("reuters-kill-excerpt.xml"))
    assert isinstance(kill, Story)
    assert (kill.pub_status, kill.body) == ("canceled", "")
    assert kill.id == "tag:reuters.com,0000:newsml_L1N14N0FF" and kill.version == "1542761538"


def test_newsml_g2_plain_text_in_inline_data() -> None:
    story = parse_all(case("ansa-plain-text-excerpt.xml"))[0]
    assert isinstance(story, Story)
    assert story.paragraphs == [
        "(ANSA) - Rome, October 11 - Italian Foreign Minister Angelino Alfano has said that the "
        "Catalan independence declaration is unacceptable.",
        '"Unacceptable Catalan unilateral independence declaration," Alfano said via his '
        "@angealfa Twitter account.",
    ]
    assert story.headline == "Catalan independence declaration unacceptable - Alfano"
    assert story.located == "Rome" and story.language == "it" and story.urgency == 5


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("One.\n\nTwo\nwrapped.\n", ["One.", "Two wrapped."]),
        ("One.\nTwo.\nThree.", ["One.", "Two.", "Three."]),  # no blank lines: a line each
        ("   First\nwrapped.\n   Second\nwrapped.", ["First wrapped.", "Second wrapped."]),
        ("<p>One.</p><p>Two.</p>", ["One.", "Two."]),
        ("   \n\n  ", []),
    ],
)
def test_newsml_g2_plain_paragraphs(text: str, expected: list[str]) -> None:
    assert plain_paragraphs(text) == expected


def test_newsml_g2_prefers_inline_xml_to_plain_text() -> None:
    plain = '<inlineData contenttype="text/plain">Plain.</inlineData>'
    story = parse(news_item(plain + XHTML_BODY))
    assert story.body == "Story text."


def test_newsml_g2_xhtml_header_is_not_story_text() -> None:
    """dpa's XHTML repeats the headline and slug metadata in the body's <header>."""
    body = (
        '<inlineXML contenttype="application/xhtml+xml"><html xmlns="http://www.w3.org/1999/xhtml">'
        '<body><header><ul class="slugline"><li>Fußball</li></ul><h1>Headline</h1></header>'
        "<section><p>London (dpa) - Story text.</p><p>More.</p></section></body></html></inlineXML>"
    )
    assert parse(news_item(body)).paragraphs == ["London (dpa) - Story text.", "More."]


def test_newsml_g2_twice_escaped_references_are_resolved() -> None:
    """STT escapes its text twice: ``&amp;#39;`` reaches us as ``&#39;``."""
    body = "<inlineXML><p>Alko&amp;#39;s monopoly, &amp;quot;quoted&amp;quot;.</p></inlineXML>"
    story = parse(news_item(body, content_meta="<headline>It&amp;#39;s</headline>"))
    assert story.body == 'Alko\'s monopoly, "quoted".'
    assert story.headline == "It's"


def test_newsml_g2_line_breaks_inside_paragraphs_stay() -> None:
    body = "<inlineXML><p>Line one<br/>line two</p></inlineXML>"
    assert parse(news_item(body)).paragraphs == ["Line one\nline two"]


# newsMessages.


def test_newsml_g2_news_message_gives_each_item_its_index_source_and_bytes() -> None:
    item = RawItem.of("in/message.xml", case("news-message-package-text-photo.xml"))
    package, text, photo = parse_newsml_g2(item)
    assert isinstance(package, ItemFailure) and isinstance(photo, ItemFailure)
    assert isinstance(text, Story)
    assert [entry.source.index for entry in (package, text, photo)] == [0, 1, 2]
    for entry in (package, text, photo):
        assert entry.source.uri == "in/message.xml"
        assert entry.source.format == FORMAT
        assert entry.source.sha256 == hashlib.sha256(entry.raw).hexdigest()
        assert entry.raw != item.raw
    assert b"US-FINANCE-FED" in text.raw and b"GYI0062134533" not in text.raw  # its own bytes
    assert text.headline == 'Fed to halt QE to avert "bubble"'
    assert package.error.reason is Reason.NOT_TEXT
    assert "packageItem" in package.error.message
    assert photo.error.reason is Reason.NOT_TEXT
    assert photo.error.message == "picture item, not a text story"


def test_newsml_g2_empty_news_message_has_no_body() -> None:
    empty = f'<newsMessage xmlns="{NAR}"><header/><itemSet/></newsMessage>'.encode()
    assert refused(empty).reason is Reason.NO_BODY


# What is not a text story.


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("LISTING_3_Photo_in_NewsML-G2.xml", "picture item, not a text story"),
        ("LISTING_17_Planning_Item_a_CCL.xml",
         "planningItem: news coverage planning, not a text story"),
        ("LISTING_16_A_Set_of_Events_carried_in_a_News_Item.xml",
         "composite item with no text: its inline XML (<events>) is not NITF or XHTML story text"),
    ],
)  # fmt: skip
def test_newsml_g2_non_text_items(name: str, message: str) -> None:
    error = refused(case(name))
    assert error.reason is Reason.NOT_TEXT
    assert error.message == message


@pytest.mark.parametrize("nature", ["ninat:video", "icls:audio", "ninat:graphic", "icls:picture"])
def test_newsml_g2_media_classes_are_not_text(nature: str) -> None:
    raw = news_item(XHTML_BODY).replace(b"ninat:text", nature.encode())
    assert refused(raw).reason is Reason.NOT_TEXT


def test_newsml_g2_composite_with_text_is_a_story() -> None:
    composite = news_item(XHTML_BODY).replace(b"ninat:text", b"ninat:composite")
    assert parse(composite).body == "Story text."


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        (case("LISTING_1_A_NewsML-G2_News_Item.xml"), "its contentSet holds no text"),
        (case("LISTING_21_A_complete_sample_SportsML-G2_document.xml"),
         "its inline application/sportsml+xml (<sports-content>) is not NITF or XHTML story text"),
        (news_item('<remoteContent contenttype="text/plain" href="http://example.com/x.txt"/>'),
         "its content is only referenced (remoteContent), and wire-ingest reads no network"),
        (news_item('<inlineData contenttype="text/plain" encoding="base64">SGk=</inlineData>'),
         "its inlineData is base64-encoded text/plain, not plain text"),
        (news_item("").replace(b"<contentSet></contentSet>", b""), "the item has no contentSet"),
    ],
)  # fmt: skip
def test_newsml_g2_text_items_without_text_have_no_body(raw: bytes, why: str) -> None:
    error = refused(raw)
    assert error.reason is Reason.NO_BODY
    assert error.message == f"no story text: {why}"


# Broken and hostile input.


def test_newsml_g2_truncated_file_is_malformed() -> None:
    raw = case("LISTING_2_NewsML-G2_Text_Document.xml")
    assert refused(raw[: len(raw) // 2]).reason is Reason.MALFORMED


def test_newsml_g2_other_xml_is_malformed_when_forced() -> None:
    error = refused(b'<?xml version="1.0"?><nitf><body/></nitf>')
    assert error.reason is Reason.MALFORMED
    assert error.message == "<nitf> is not a NewsML-G2 item or newsMessage"


LAUGHS = '<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
)


@pytest.mark.parametrize(
    ("declarations", "reference"),
    [(LAUGHS, "&lol9;"), ('<!ENTITY xxe SYSTEM "file:///etc/passwd">', "&xxe;")],
)
def test_newsml_g2_entities_are_refused_as_unsafe(declarations: str, reference: str) -> None:
    """A billion-laughs DOCTYPE and an external entity: refused fast, nothing expanded or read."""
    doctype = f"<!DOCTYPE newsItem [{declarations}]>".encode()
    raw = doctype + news_item(f"<inlineXML><p>{reference}</p></inlineXML>")
    start = time.perf_counter()
    error = refused(raw)
    assert time.perf_counter() - start < 2
    assert error.reason is Reason.UNSAFE


# The shared corpora.


def _g2_files() -> list[Path]:
    """The IPTC examples and unit-test items, the NITF samples that are NewsML-G2, and the
    Superdesk fixtures that name the NewsML-G2 namespace (whatever their file names)."""
    fixtures = corpus("superdesk-fixtures")
    in_fixtures = [path for path in sorted(fixtures.rglob("*"))
                   if path.is_file() and NAR.encode() in path.read_bytes()]  # fmt: skip
    return [
        *sorted(corpus("newsml-g2", "examples").glob("*.xml")),
        *sorted(corpus("newsml-g2", "tests", "unit_test_files").rglob("*.xml")),
        *sorted(corpus("nitf", "samples").glob("iptc-newsml-g2__*.xml")),
        *in_fixtures,
    ]


@pytest.mark.slow
def test_newsml_g2_reads_every_corpus_file() -> None:
    """Every NewsML-G2 file in the shared corpora gives stories with a headline and a body, or
    a specific reason; none crashes the parser."""
    stories: list[Story] = []
    reasons: Counter[str] = Counter()
    files = _g2_files()
    for path in files:
        try:
            for entry in parse_all(path.read_bytes(), str(path)):
                if isinstance(entry, Story):
                    stories.append(entry)
                else:
                    reasons[entry.error.reason] += 1
        except DataError as error:
            assert error.message
            reasons[error.reason] += 1
    assert len(files) == 35 + 161 + 3 + 45
    assert all(story.headline and (story.body or story.pub_status in RECALLS) for story in stories)
    # 36 + 1 in the fixtures: Reuters' kill notice of L1N14N0FF, a story without text.
    assert len(stories) == 5 + 3 + 3 + 36 + 1
    assert sum(story.pub_status == "canceled" and not story.body for story in stories) == 1
    assert reasons == {Reason.NOT_TEXT: 100, Reason.NO_BODY: 102, Reason.MALFORMED: 5}
