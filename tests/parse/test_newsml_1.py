"""NewsML 1.2: recognising it, one story or failure per NewsItem, which content is the text
(inline NITF, XHTML, HTML as text, plain text; roles, language versions, equivalents), the
metadata along the component tree, non-text items, broken and hostile documents."""

from __future__ import annotations

import hashlib
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.errors import ParseError, Reason
from pipeline.parse.newsml_1 import detect, parse_newsml_1
from pipeline.records import ItemFailure, RawItem, Story, Subject
from tests.conftest import CASES, corpus

NEWSML = CASES / "newsml_1"
LAUGHS = '<!ENTITY lol0 "lol">' + "".join(
    f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
)
IDENTIFICATION = (
    "<Identification><NewsIdentifier><ProviderId>example.com</ProviderId>"
    "<DateId>20240102</DateId><NewsItemId>{id}</NewsItemId>"
    '<RevisionId PreviousRevision="0" Update="N">1</RevisionId>'
    "<PublicIdentifier>urn:newsml:example.com:20240102:{id}:1</PublicIdentifier>"
    "</NewsIdentifier></Identification>"
)
# How ATS and Kyodo start their documents: the NewsML DTD, taking in the NITF module.
ATS_DOCTYPE = (
    b'<!DOCTYPE NewsML PUBLIC "urn:newsml:iptc.org:20031010:NewsMLv1.2.dtd:1" "NewsML-1.2.dtd"\n'
    b'[<!ENTITY % nitf SYSTEM "nitf-3-0.dtd"> %nitf; ]>\n'
)
USABLE = '<NewsManagement><NewsItemType FormalName="News"/><Status FormalName="Usable"/>' \
         "</NewsManagement>"  # fmt: skip


def parse_all(raw: bytes, uri: str = "in/feed.xml") -> list[Story | ItemFailure]:
    return list(parse_newsml_1(RawItem.of(uri, raw)))


def parse(raw: bytes) -> Story:
    (story,) = parse_all(raw)
    assert isinstance(story, Story), story
    return story


def failed(raw: bytes) -> ParseError:
    (failure,) = parse_all(raw)
    assert isinstance(failure, ItemFailure), failure
    assert isinstance(failure.error, ParseError)
    return failure.error


def case(name: str) -> Story:
    return parse((NEWSML / name).read_bytes())


def news_item(content: str, *, id: str = "1", management: str = USABLE) -> str:
    return f"<NewsItem>{IDENTIFICATION.format(id=id)}{management}{content}</NewsItem>"


def newsml(*items: str, envelope: str = "<NewsEnvelope/>") -> bytes:
    document = f'<?xml version="1.0" encoding="UTF-8"?><NewsML>{envelope}{"".join(items)}</NewsML>'
    return document.encode()


def text_item(text: str, *, media: str = "Text", fmt: str = "", role: str = "") -> str:
    role_element = f'<Role FormalName="{role}"/>' if role else ""
    format_element = f'<Format FormalName="{fmt}"/>' if fmt else ""
    media_type = f'<MediaType FormalName="{media}"/>'
    data = f"<DataContent>{text}</DataContent>"
    return f"<NewsComponent>{role_element}<ContentItem>{media_type}{format_element}{data}" \
           "</ContentItem></NewsComponent>"  # fmt: skip


def with_ats_doctype(raw: bytes) -> bytes:
    return raw.replace(b"<NewsML>", ATS_DOCTYPE + b"<NewsML>", 1)


def photo_item(role: str = "Photo") -> str:
    return (f'<NewsComponent><Role FormalName="{role}"/><ContentItem Href="picture.jpg">'
            '<MediaType FormalName="Photo"/><MimeType FormalName="image/jpeg"/>'
            "</ContentItem></NewsComponent>")  # fmt: skip


def component(*parts: str, lines: str = "", attributes: str = "") -> str:
    news_lines = f"<NewsLines>{lines}</NewsLines>" if lines else ""
    return f"<NewsComponent{attributes}>{news_lines}{''.join(parts)}</NewsComponent>"


# Recognising NewsML 1.2.


@pytest.mark.parametrize("name", ["afp-sample.xml", "businesswire-20130731006140.xml", "ana.xml"])
def test_newsml_1_detects_its_fixtures(name: str) -> None:
    assert detect((NEWSML / name).read_bytes())


@pytest.mark.parametrize(
    "raw",
    [
        b"Headline\n\nBody text.",
        b"<!DOCTYPE html><html><body><p>x</p></body></html>",
        b'<?xml version="1.0"?><nitf><body/></nitf>',
        b'<newsMessage xmlns="http://iptc.org/std/nar/2006-10-01/"><itemSet/></newsMessage>',
        b'<newsItem xmlns="http://iptc.org/std/nar/2006-10-01/"/>',
        b'{"uri": "urn:newsml:x", "type": "text"}',
    ],
)
def test_newsml_1_detect_leaves_other_formats_alone(raw: bytes) -> None:
    assert not detect(raw)


def test_newsml_1_detects_a_doctype_with_dtd_modules() -> None:
    assert detect(with_ats_doctype(newsml(news_item(text_item("x")))))


# Real documents.


def test_newsml_1_reads_the_afp_sample() -> None:
    raw = (NEWSML / "afp-sample.xml").read_bytes()
    (story,) = parse_all(raw, uri="in/afp.xml")
    assert isinstance(story, Story)
    assert story.source.format == "newsml-1"
    assert story.source.uri == "in/afp.xml"
    assert story.source.index == 0
    assert story.raw.startswith(b"<NewsItem") and story.raw.endswith(b"</NewsItem>")
    assert story.source.sha256 == hashlib.sha256(story.raw).hexdigest()
    assert story.headline == "Israel strikes key Hamas targets as UN Security Council to meet"
    assert story.id == "urn:newsml:afp.com:20210516T080625Z:TX-PAR-WGF71"  # without revision
    assert story.version == "1"
    assert story.signals == ()
    created = datetime(2021, 5, 16, 8, 6, 25, tzinfo=UTC)
    assert story.first_created == story.version_created == created
    assert story.pub_status == "usable"
    assert story.urgency == 4
    assert story.provider == "AFP"
    assert story.language == "en"
    assert story.dateline == "Gaza City, Palestinian Territories, May 16, 2021 (AFP) -"
    assert story.slugline == "Israel-Palestinians-conflict"  # the NameLabel
    assert story.located == "Gaza City, PSE"
    assert story.editorial_note == (
        "RECASTS with attack on Hamas targets, RAISES Gaza death toll, UPDATES throughout"
    )
    assert story.keywords == ("Israel", "Palestinians", "conflict")  # not PersonInImage ones
    assert [subject.code for subject in story.subjects] == [
        "16000000",
        "16002000",
        "02003000",
        "11000000",
        "02000000",
        "02003001",
    ]
    assert {subject.scheme for subject in story.subjects} == {"iptc-subjectcode"}
    assert story.paragraphs[0].startswith("Israel's army said Sunday it had bombed the home")
    assert "- Media offices destroyed -" in story.paragraphs  # an hl2 subheading
    assert "" not in story.paragraphs  # the empty <p/>s
    assert story.paragraphs[-1] == "bur-dar-gl/fz"  # AFP's desk sign-off: the clean stage's
    assert len(story.paragraphs) == 42


def test_newsml_1_takes_the_body_role_of_business_wire() -> None:
    story = case("businesswire-20130731006140.xml")
    assert story.headline == (
        "Lunch Taking a Toll? Let Applebee’s® Industrial Strength Lunch Decoy Stand In"
    )
    assert story.dateline == "KANSAS CITY, Mo."
    assert story.slugline == "MO-APPLEBEE’S"
    assert story.copyright == "Copyright Business Wire 2013"
    assert story.provider == "Business Wire"  # the envelope's SentFrom, not the Source company
    assert story.language == "en"
    assert story.id == "urn:newsml:businesswire.com:20010714:20130731006140"
    assert story.paragraphs[0].startswith("With more Applebee’s® Lunch Combos than ever")
    assert story.paragraphs[-1].startswith("Applebee’s Neighborhood Grill and Bar® (www.")
    assert any(p.startswith("The Classic Turkey Breast Sandwich is") for p in story.paragraphs)
    for other_component in (".bwalignc", "Chase Wagner", "62-Inch", "Now that Applebee's"):
        assert other_component not in story.body  # CSS, Contact, SubHeadLine, Video


def test_newsml_1_reads_html_in_cdata_and_topic_names() -> None:
    story = case("ana.xml")
    assert story.headline == "Wage employment balance positive in Jan-March"
    assert story.paragraphs[0].startswith("Wage employment in the private sector grew in March")
    assert story.paragraphs[-1].startswith("© ΑΠΕ-ΜΠΕ ΑΕ.")  # the clean stage's to cut
    assert len(story.paragraphs) == 4  # the <P> </P> is no paragraph
    assert story.language == "en"  # "EN"
    assert story.urgency == 5  # the envelope's Priority
    assert story.located == "Athens, GRC"
    assert story.provider == "ana-mpe.gr"  # no Provider party: the ProviderId
    assert story.subjects == (
        Subject("09003000", "Employment/Unemployment", "iptc-subjectcode"),
        Subject("09003002", "Job Layoffs", "iptc-subjectcode"),
        Subject("04008004", "Economic Indicator", "iptc-subjectcode"),
    )
    assert (story.copyright or "").startswith("© 2018 ΑΘΗΝΑΪΚΟ ΠΡΑΚΤΟΡΕΙΟ")


def test_newsml_1_reads_utf8_under_a_latin1_label() -> None:
    story = case("afp-latin1-label.xml")
    assert story.headline.startswith("Décès de Naomi Musenga: l'opératrice du Samu")
    assert story.copyright == "© 2024 AFP"
    assert story.language == "fr"
    assert len(story.paragraphs) == 2  # bare <p>s in the DataContent


# Containers: one story or failure per NewsItem.


def test_newsml_1_gives_each_news_item_its_story_or_failure() -> None:
    items = [
        news_item(
            component(
                text_item("<p>First story.</p>", fmt="XHTML"), lines="<HeadLine>One</HeadLine>"
            ),
            id="a",
        ),  # fmt: skip
        news_item(component(photo_item()), id="b"),
        news_item("<Update><InsertAfter DuidRef='x'/></Update>", id="c"),
        news_item(component(text_item("   ")), id="d"),
        news_item(component(text_item("Plain text story.\n\nSecond paragraph.")), id="e"),
    ]
    raw = newsml(*items)
    results = parse_all(raw, uri="in/feed.xml")
    assert [r.source.index for r in results] == [0, 1, 2, 3, 4]
    assert [type(r).__name__ for r in results] == ["Story", "ItemFailure", "ItemFailure",
                                                   "ItemFailure", "Story"]  # fmt: skip
    for result, item_id in zip(results, "abcde", strict=True):
        assert result.source.uri == "in/feed.xml"
        assert result.source.format == "newsml-1"
        assert result.raw.startswith(b"<NewsItem>")  # the NewsItem's own bytes
        assert f"<NewsItemId>{item_id}</NewsItemId>".encode() in result.raw
        assert result.source.sha256 == hashlib.sha256(result.raw).hexdigest()
    first, photo, update, empty, last = results
    assert isinstance(first, Story) and isinstance(last, Story)
    assert (first.headline, first.body) == ("One", "First story.")
    assert first.id == "urn:newsml:example.com:20240102:a"
    assert last.paragraphs == ["Plain text story.", "Second paragraph."]
    assert last.headline == "Plain text story. Second paragraph."  # no HeadLine: the lead
    failures = [f for f in (photo, update, empty) if isinstance(f, ItemFailure)]
    assert [(f.error.reason, f.error.message) for f in failures] == [
        (Reason.NOT_TEXT, "photo content only, not a text story"),
        (Reason.NOT_TEXT, "an Update to an earlier NewsItem, not a story"),
        (Reason.NO_BODY, "the NewsItem's text content has no text"),
    ]


def test_newsml_1_media_described_by_a_body_is_not_a_text_story() -> None:
    """Belga describes a video (or a radio bulletin) with a Body component inside it."""
    video = component(
        text_item("A shot list of the clip.", role="Body"),
        photo_item("Clip"),
        attributes="",
        lines="<HeadLine>Clip</HeadLine>",
    ).replace(  # fmt: skip
        "<NewsComponent>", '<NewsComponent><Role FormalName="Video"/>', 1
    )
    error = failed(newsml(news_item(component(video))))
    assert error.reason is Reason.NOT_TEXT
    assert error.message == "the text describes a video component, not a text story"


def test_newsml_1_takes_the_first_language_version() -> None:
    """Belga sends its Dutch and French versions side by side, each with a Title, a Lead and
    a Body; the first is the story. HTML sent as text is read as HTML."""

    def version(language: str, body: str) -> str:
        return component(
            text_item(f"Titel {language}", role="Title"),
            text_item(f"Lead {language}.", role="Lead"),
            text_item(body, role="Body"),
            attributes=f' xml:lang="{language}"',
        )

    dutch = version("nl", "Steven &lt;b&gt;Van Geel&lt;/b&gt; gaf zich aan.\nTweede regel.")
    story = parse(newsml(news_item(component(dutch, version("fr", "Texte français.")))))
    assert story.headline == "Titel nl"  # no HeadLine: the Title component
    assert story.paragraphs == ["Lead nl.", "Steven Van Geel gaf zich aan. Tweede regel."]
    assert story.language == "nl"


def test_newsml_1_plain_text_lines_are_paragraphs() -> None:
    story = parse(newsml(news_item(component(text_item("- one\n   - two\n- three\u00a0")))))
    assert story.paragraphs == ["- one", "- two", "- three"]


def test_newsml_1_takes_the_first_of_equivalents() -> None:
    equivalents = component(
        text_item("<nitf><body><body.content><p>The NITF text.</p></body.content></body></nitf>"),
        text_item("The plain text again."),
        attributes=' EquivalentsList="yes"',
        lines="<HeadLine>Equivalents</HeadLine>",
    )
    assert parse(newsml(news_item(equivalents))).body == "The NITF text."


def test_newsml_1_metadata_along_the_component_tree() -> None:
    management = (
        '<NewsManagement><NewsItemType FormalName="News"/>'
        "<FirstCreated>20240102T080000+0100</FirstCreated>"
        "<ThisRevisionCreated>20240102T093000+0100</ThisRevisionCreated>"
        '<Status FormalName="Embargoed"/><Urgency FormalName="2"/>'
        '<StatusWillChange><FutureStatus FormalName="Usable"/>'
        "<DateAndTime>20240103T000000Z</DateAndTime></StatusWillChange></NewsManagement>"
    )
    nitf = ("<nitf><body><body.head><byline>By Someone Else</byline><dateline>NITF place"
            "</dateline></body.head><body.content><p>Text of the story.</p>"
            '<media media-type="image"><media-caption>The caption.</media-caption></media>'
            "</body.content></body></nitf>")  # fmt: skip
    inner = component(
        text_item(nitf, role="Main"),
        lines="<HeadLine>Inner headline</HeadLine><ByLine>By Jane Doe</ByLine>"
        "<KeywordLine>ECO</KeywordLine>",
    )
    outer = component(
        '<AdministrativeMetadata><Provider><Party FormalName="ANP"/></Provider>'
        '</AdministrativeMetadata><DescriptiveMetadata><Language FormalName="nl-nl"/>'
        '<SubjectCode><Subject FormalName="04000000"/>'
        '<Subject Vocabulary="urn:newsml:anp.nl:ANPCatCodes" FormalName="ECO"/>'
        '<Subject FormalName=""/></SubjectCode>'
        '<Location HowPresent="Origin"><Property FormalName="Country" Value="NLD"/>'
        '<Property FormalName="City" Value="Utrecht"/></Location>'
        '<Property FormalName="Keyword" Value="post"/></DescriptiveMetadata>',
        inner,
        lines="<HeadLine>Outer headline</HeadLine><SlugLine>slug</SlugLine>"
        "<CopyrightLine>© 2024 ANP</CopyrightLine>",
    )
    item = news_item(outer, management=management)
    item = item.replace('PreviousRevision="0"', 'PreviousRevision="1"')
    story = parse(newsml(item))
    assert story.headline == "Inner headline"  # the innermost wins
    assert story.byline == "Jane Doe"  # NewsML's, not the NITF's
    assert story.dateline == "NITF place"  # what NewsML leaves empty, the NITF fills
    assert story.caption == "The caption."
    assert story.slugline == "slug"
    assert story.copyright == "© 2024 ANP"
    assert story.provider == "ANP"
    assert story.language == "nl-NL"
    assert story.located == "Utrecht, NLD"
    assert story.keywords == ("ECO", "post")
    assert story.subjects == (
        Subject("04000000", None, "iptc-subjectcode"),
        Subject("ECO", None, "urn:newsml:anp.nl:ANPCatCodes"),
    )
    assert story.first_created == datetime(2024, 1, 2, 7, tzinfo=UTC)
    assert story.version_created == datetime(2024, 1, 2, 8, 30, tzinfo=UTC)
    assert story.pub_status == "usable"  # usable once the embargo is over
    assert story.embargoed == datetime(2024, 1, 3, tzinfo=UTC)
    assert story.urgency == 2
    assert story.signals == ("update",)  # it names a previous revision
    assert story.body == "Text of the story."


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        ("Canceled", "canceled"),
        ("Withheld", "withheld"),
        ("Embargoed", "withheld"),
        ("USABLE", "usable"),
        ("OPEN", "usable"),
    ],  # fmt: skip
)
def test_newsml_1_status(status: str, expected: str) -> None:
    management = f'<NewsManagement><Status FormalName="{status}"/></NewsManagement>'
    story = parse(newsml(news_item(component(text_item("Text.")), management=management)))
    assert (story.pub_status, story.embargoed) == (expected, None)


def test_newsml_1_id_falls_back_to_the_public_identifier() -> None:
    item = news_item(component(text_item("Text."))).replace("<DateId>20240102</DateId>", "")
    assert parse(newsml(item)).id == "urn:newsml:example.com:20240102:1:1"


# Broken, empty and hostile documents.


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b"<NewsML><NewsItem><Identification>", "not well-formed XML"),
        (b"<nitf><body/></nitf>", "root element <nitf>, not <NewsML>"),
        (b"<NewsML><NewsEnvelope/></NewsML>", "a NewsML document without a NewsItem"),
    ],
)
def test_newsml_1_broken_documents_are_malformed(raw: bytes, message: str) -> None:
    with pytest.raises(ParseError) as failure:
        parse_all(raw)
    assert failure.value.reason is Reason.MALFORMED
    assert message in failure.value.message


def test_newsml_1_news_item_without_component_is_no_body() -> None:
    error = failed(newsml(news_item("")))
    assert (error.reason, error.message) == (Reason.NO_BODY, "a NewsItem without a NewsComponent")


def test_newsml_1_doctype_with_the_nitf_module_is_read() -> None:
    """ATS and Kyodo take in the NITF DTD module in their DOCTYPE; it is never fetched."""
    raw = with_ats_doctype(newsml(news_item(component(text_item("Text.")))))
    assert parse(raw).body == "Text."


@pytest.mark.parametrize(
    ("declarations", "reference"),
    [(LAUGHS, "&lol9;"), ('<!ENTITY xxe SYSTEM "file:///etc/passwd">', "&xxe;")],
)
def test_newsml_1_entities_are_refused_as_unsafe(declarations: str, reference: str) -> None:
    """A billion-laughs DOCTYPE and an external entity: refused fast, nothing expanded or read."""
    raw = (
        f"<!DOCTYPE NewsML [{declarations}]>".encode()
        + newsml(news_item(component(text_item(reference)))).split(b"?>", 1)[1]
    )
    start = time.perf_counter()
    with pytest.raises(ParseError) as failure:
        parse_all(raw)
    assert time.perf_counter() - start < 2
    assert failure.value.reason is Reason.UNSAFE


# The shared corpora.


def newsml_files() -> list[Path]:
    folders = [corpus("ninjs"), corpus("superdesk-fixtures")]
    return sorted(path for folder in folders for path in folder.rglob("*.xml")
                  if detect(path.read_bytes()))  # fmt: skip


@pytest.mark.slow
def test_newsml_1_reads_every_corpus_document() -> None:
    """The NewsML 1.2 documents of the corpora (AFP, Business Wire, ANA): one text story each."""
    files = newsml_files()
    results = [result for path in files for result in parse_all(path.read_bytes(), str(path))]
    assert len(files) == len(results) == 8
    stories = [result for result in results if isinstance(result, Story)]
    assert len(stories) == 8
    assert all(story.headline and story.body and story.id for story in stories)
