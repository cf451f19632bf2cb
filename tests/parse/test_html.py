"""HTML pages: recognising them, decoding them, the page's text with trafilatura's finding and
metadata, the article area around it, and hostile documents."""

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
import lxml.html

from pipeline.parse.html import (
    article_area,
    decode_html,
    detect,
    found_paragraphs,
    parse_html,
    word_counts,
)
from pipeline.parse.markup import blocks_with_region, text_blocks
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


def test_parse_html_takes_the_page_with_trafilaturas_finding_and_metadata() -> None:
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
    # The whole page goes on, for the clean stage's model, with what trafilatura found in it.
    assert story.page_text
    assert story.paragraphs[0] == "Home World Business Sport"
    assert story.extracted is not None
    found = [story.paragraphs[index] for index in sorted(story.extracted.paragraphs)]
    assert found[0] == ARTICLE_TITLE
    assert found[1].startswith("The Kremlin said on Friday")
    assert "“We really do need a ceasefire in Idlib,” Kremlin spokesman" in found[3]
    for furniture in ("Home", "Related stories", "Vuhledar", "Privacy Policy", "© 2019"):
        assert not any(furniture in paragraph for paragraph in found)
    # A small page: the article widened to twice its size is the whole page.
    assert story.extracted.area == range(len(story.paragraphs))


def test_html_story_after_cleaning(book: RuleBook) -> None:
    story = strip_boilerplate(parse(ARTICLE), book)
    assert story.headline == ARTICLE_TITLE
    assert story.body.startswith("The Kremlin said on Friday")
    assert story.body.endswith("and one which borders Turkey.")
    assert (
        "“We really do need a ceasefire in Idlib,” Kremlin spokesman Dmitry Peskov told reporters."
        in story.paragraphs
    )
    assert story.byline == "Jane Reporter"
    assert story.caption is None  # the menu above the headline is not the story's caption
    # (Furniture the model drops inside the main text is recorded as it is met.)
    assert sorted((cut.kind, cut.text) for cut in story.removed) == sorted(
        [
            ("boilerplate", "Home World Business Sport"),
            ("headline", ARTICLE_TITLE),
            ("byline", "By Jane Reporter"),
            ("share", "Share on Facebook Share on Twitter"),
            ("subscribe", "Sign up for our daily newsletter"),
            ("related_posts", "Related stories"),
            ("related_posts", "Russia takes control of Vuhledar"),
            ("related_posts", "Israel strengthens military presence along Lebanon border"),
            ("copyright", "© 2019 Example News. All rights reserved."),
            ("legal", "Terms of Use | Privacy Policy"),
        ]
    )


def test_page_without_main_text_goes_whole_to_the_clean_stage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """When trafilatura finds no main text (it returns None on some real pages; none of our
    fixtures trigger it), the whole page goes on for the clean stage's model to judge."""
    monkeypatch.setattr(html_module.trafilatura, "bare_extraction", lambda *a, **k: None)
    story = parse(ARTICLE)
    assert story.page_text
    assert story.extracted is None
    assert story.paragraphs[:3] == ["Home World Business Sport", ARTICLE_TITLE, "By Jane Reporter"]
    assert story.headline == ARTICLE_TITLE  # from the page's <h1>


def test_article_area_is_the_article_widened_to_twice_its_size() -> None:
    story = " ".join(["word"] * 300)
    teaser = " ".join(["teaser"] * 100)
    sidebar = " ".join(["sidebar"] * 500)
    tree = lxml.html.fromstring(
        f"<html><body><div id='page'><div id='column'><div id='article'><p>{story}</p></div>"
        f"<div id='more'><p>{teaser}</p></div></div><div id='side'><p>{sidebar}</p></div>"
        "</div></body></html>"
    )
    # Column: the article and 100 words more (within twice its size); the page: 900 words.
    assert article_area(tree, word_counts(story)).get("id") == "column"
    # A text found in several places is only nearly all in the element holding them all.
    assert article_area(tree, word_counts(f"{story} {teaser}")).get("id") == "column"


def test_blocks_with_region_say_which_paragraphs_are_the_regions() -> None:
    tree = lxml.html.fromstring(
        "<div><p>Menu</p><span>before <b id='r'>inside<br><br>second</b> after</span>"
        "<p>End</p></div>"
    )
    paragraphs, region, _ = blocks_with_region(tree, tree.get_element_by_id("r"))
    # The region's edges end a paragraph, even inside an inline element.
    assert paragraphs == ["Menu", "before", "inside", "second", "after", "End"]
    assert [paragraphs[index] for index in region] == ["inside", "second"]
    assert list(text_blocks(tree)) == ["Menu", "before inside", "second after", "End"]


def test_trafilaturas_paragraphs_are_found_in_the_page_however_it_splits_them() -> None:
    """Trafilatura joins a table row's cells into one line and may run paragraphs together: a
    paragraph is its when most of its word trigrams are in its text. A short one only when it
    is one of its lines: a menu entry "Home" is somewhere in most texts. (A short table cell
    is not found; between found paragraphs, the main-text model keeps it.)"""
    paragraphs = [
        "Home",
        "Storm closes the coast road",
        "Monday",
        "rain and strong winds all day long",
        "The coast road was closed on Sunday after the storm brought down power lines.",
        "Share",
    ]
    main_text = (
        "Storm closes the coast road\n| Monday | rain and strong winds all day long |\n"
        "The coast road was closed on Sunday after the storm brought down power lines. "
        "Residents were told to stay at home.\nShare this at home"
    )
    assert found_paragraphs(paragraphs, range(6), main_text) == {1, 3, 4}
    assert found_paragraphs(paragraphs, range(2, 6), main_text) == {3, 4}


def test_text_blocks_follow_the_page_layout() -> None:
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
