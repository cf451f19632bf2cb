"""HTML pages: recognising them, decoding them, trafilatura's main text and metadata, the
fallback to the whole page, and hostile documents."""

from __future__ import annotations

import codecs
import json
import time
from datetime import UTC, datetime

import pytest

from pipeline.clean.rules import RuleBook
from pipeline.clean.strip import strip_boilerplate
from pipeline.errors import ParseError, Reason
from pipeline.parse import html as html_module
from pipeline.parse.html import decode_html, detect, parse_html
from pipeline.parse.markup import text_blocks
from pipeline.parse.registry import detect_format
from pipeline.records import RawItem, Story
from tests.conftest import CASES, corpus

ARTICLE = (CASES / "html" / "article.html").read_bytes()
ARTICLE_TITLE = "Kremlin says Turkey must rein in Idlib rebels"


def parse(raw: bytes) -> Story:
    (story,) = parse_html(RawItem.of("page.html", raw))
    return story


@pytest.mark.parametrize(
    "raw",
    [
        b"<!DOCTYPE html><html><body><p>x</p></body></html>",
        b"  \n<html lang='en'><p>x</p></html>",
        codecs.BOM_UTF8 + b"<!doctype HTML>\n<title>x</title>",
        b"<?xml version='1.0'?>\n<!-- saved page -->\n<html><p>x</p></html>",
        b"<meta charset='utf-8'>\n<head><title>t</title></head><body>x</body>",
    ],
)
def test_detect_recognises_html(raw: bytes) -> None:
    assert detect(raw)
    assert detect_format(raw).name == "html"


@pytest.mark.parametrize(
    "raw",
    [b"Headline\n\nBody text.", b"<?xml version='1.0'?><nitf><body/></nitf>", b'{"headline": 1}'],
)
def test_detect_leaves_other_content_alone(raw: bytes) -> None:
    assert not detect(raw)


def test_decode_html_prefers_valid_utf8_then_the_declared_charset() -> None:
    assert decode_html("<p>café</p>".encode()) == "<p>café</p>"
    latin = '<meta charset="iso-8859-1"><p>café £5</p>'.encode("latin-1")
    assert decode_html(latin) == '<meta charset="iso-8859-1"><p>café £5</p>'


def test_parse_html_takes_main_text_and_metadata() -> None:
    story = parse(ARTICLE)
    assert story.source.format == "html"
    assert story.headline == "Kremlin says Turkey must rein in Idlib rebels"
    assert story.byline == "Jane Reporter"
    assert story.language == "en"
    assert story.page is not None
    assert story.page.site_name == "Example News"
    assert story.page.url == "https://news.example.com/world/kremlin-turkey-idlib"
    assert story.page.author == "Jane Reporter"
    assert story.page.published == datetime(2019, 2, 15, tzinfo=UTC)
    assert not story.page_text
    for furniture in ("Home", "Related stories", "Vuhledar", "Privacy Policy", "© 2019"):
        assert furniture not in story.body


def test_html_story_after_cleaning(book: RuleBook) -> None:
    story = strip_boilerplate(parse(ARTICLE), book)
    assert story.body.startswith("The Kremlin said on Friday")
    assert story.body.endswith("and one which borders Turkey.")
    assert (
        "“We really do need a ceasefire in Idlib,” Kremlin spokesman Dmitry Peskov told reporters."
        in story.paragraphs
    )
    assert [(cut.kind, cut.text) for cut in story.removed] == [
        ("headline", "Kremlin says Turkey must rein in Idlib rebels"),
        ("subscribe", "Sign up for our daily newsletter"),
    ]


def test_page_without_main_text_goes_whole_to_the_clean_stage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When trafilatura finds no main text (it returns None on some real pages; none of our
    fixtures trigger it), the whole page goes on for the clean stage's model to judge."""
    monkeypatch.setattr(html_module.trafilatura, "bare_extraction", lambda *a, **k: None)
    story = parse(ARTICLE)
    assert story.page_text
    assert story.paragraphs[:3] == ["Home World Business Sport", ARTICLE_TITLE, "By Jane Reporter"]
    assert story.headline == ARTICLE_TITLE  # from the page's <h1>


def test_text_blocks_follow_the_page_layout() -> None:
    import lxml.html

    tree = lxml.html.fromstring(
        "<div>One <b>bold</b> line<br>and the next<br><br>New paragraph"
        "<script>var x = 1;</script><ul><li>item</li></ul></div>"
    )
    assert list(text_blocks(tree)) == ["One bold line\nand the next", "New paragraph", "item"]


def test_xml_declaration_in_an_html_page_is_fine() -> None:
    story = parse(
        b'<?xml version="1.0" encoding="utf-8"?><html><body><p>'
        + b"Word " * 40
        + b"</p></body></html>"
    )
    assert story.body.startswith("Word Word")


def test_page_with_no_text_is_a_parse_error() -> None:
    with pytest.raises(ParseError) as failure:
        parse(b"<html><body><script>1</script></body></html>")
    assert failure.value.reason is Reason.NO_BODY


def test_entity_declarations_are_not_expanded() -> None:
    """A billion-laughs DOCTYPE and an external entity: parsed fast, nothing expanded or read."""
    laughs = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    raw = (
        f'<!DOCTYPE html [<!ENTITY xxe SYSTEM "file:///etc/passwd">{laughs}]>'
        "<html><body><h1>Entity test page for the parser</h1>"
        "<p>A paragraph long enough to be the main text of this page, &lol9; and &xxe; here.</p>"
        "</body></html>"
    ).encode()
    start = time.perf_counter()
    story = parse(raw)
    assert time.perf_counter() - start < 5
    assert "root:" not in story.body
    assert story.body.count("lol") < 10


@pytest.mark.slow
@pytest.mark.parametrize("name", ["bbc-1", "guardian-1", "nytimes-1", "ars-1", "wapo-1"])
def test_readability_pages_give_their_titles_and_sites(name: str, book: RuleBook) -> None:
    folder = corpus("boilerplate", "mozilla-readability", "test-pages", name)
    expected = json.loads((folder / "expected-metadata.json").read_text(encoding="utf-8"))
    story = strip_boilerplate(parse((folder / "source.html").read_bytes()), book)
    assert story.headline.startswith(expected["title"][:40])
    assert story.page is not None and story.page.published is not None
    assert len(story.body.split()) > 200
