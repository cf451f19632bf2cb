"""HTML pages: trafilatura for the main text and the page's metadata, then the clean stage.

Trafilatura finds an article's main content and metadata well, but drops story text at the
edges and in between (a standfirst, a subheading, a table, the paragraphs after an inline
box) and keeps trailers ("Related", share bars, newsletter prompts). So the story goes on
as the page's whole text, block by block, with trafilatura's finding attached
(``ExtractedText``): the paragraphs it kept, and the page area around them (the smallest
element holding nearly all its text, widened to its surroundings up to twice that size).
The clean stage's main-text model then takes trafilatura's paragraphs as certain main text
and adds the story text around them it finds inside that area, and its rules cut the
trailers. Where trafilatura's text is not the page's main text at all (a list of names
from a sidebar, one post of a blog page), or where it finds none, the model looks for the
story in the whole page as it does in saved text pages. Measured in BENCHMARKS.md.

Parsing is lxml's HTML parser, which neither loads DTDs nor expands entities declared in
the document, and reads no network.
"""

from __future__ import annotations

import codecs
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import lxml.html
import trafilatura
from dateutil import parser as dateparser
from lxml import etree
from trafilatura.utils import detect_encoding

from pipeline.errors import ParseError, Reason
from pipeline.parse.markup import blocks_with_region
from pipeline.parse.wire import xml_root
from pipeline.records import PARAGRAPH_BREAK, ExtractedText, PageMetadata, RawItem, Story

FORMAT = "html"

_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S
)
# Elements a saved page or fragment may open with, before (or without) its <html>.
_HTML_FIRST = frozenset(
    {"html", "head", "body", "meta", "title", "link", "base", "style", "script", "div", "p",
     "table", "header", "nav", "main", "article", "section", "center", "font", "h1", "a"}
)  # fmt: skip
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.I)
# Words; one a character in scripts written without spaces between words.
_WORDS = re.compile(
    r"[\u0e00-\u0e7f\u1000-\u109f\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af]|\w+"
)
# The article is the smallest element holding this share of the main text's words.
_ARTICLE_SHARE = 0.9
# A paragraph of at least this many words is trafilatura's when this share of its word
# trigrams is in trafilatura's text (which joins table cells and splits lines differently); a
# shorter one only when it is one of trafilatura's lines word for word ("Home" is in any text).
_LONG_PARAGRAPH = 5
_TRIGRAM_SHARE = 0.8


def detect(raw: bytes) -> bool:
    """An HTML document: a doctype or <html> first, or an element pages start with (a page
    or fragment saved without <html>). A document whose first element is not HTML (<nitf>,
    <REUTERS>, <rss>, ...) is not, whatever tags it holds further down."""
    start = raw[:4096].lstrip(codecs.BOM_UTF8)
    if _HTML_START.match(start):
        return True
    first = xml_root(start)
    return first is not None and first.lower() in _HTML_FIRST


def decode_html(raw: bytes) -> str:
    """A byte-order mark, else UTF-8 when the bytes are valid UTF-8 (a page declaring
    Latin-1 but sending UTF-8 is far more common than the reverse), else the charset the
    page declares, else a guess (charset-normalizer, as trafilatura guesses), else
    Windows-1252."""
    for mark, encoding in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                           (codecs.BOM_UTF16_BE, "utf-16-be")):  # fmt: skip
        if raw.startswith(mark):
            return raw[len(mark) :].decode(encoding, errors="replace")
    declared = _DECLARED_CHARSET.search(raw[:4096])
    candidates = ["utf-8"]
    if declared:
        candidates.append(declared.group(1).decode("ascii", errors="replace"))
    candidates += detect_encoding(raw)
    for encoding in candidates:
        try:
            return raw.decode(encoding)
        except (LookupError, UnicodeDecodeError):
            continue
    return raw.decode("cp1252", errors="replace")


def load_tree(raw: bytes) -> etree._Element:
    """The page as an lxml HTML tree (comments dropped)."""
    # Re-encoded as UTF-8 bytes: lxml refuses text that still carries an XML declaration.
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, no_network=True)
    try:
        return lxml.html.document_fromstring(decode_html(raw).encode("utf-8"), parser=parser)
    except (etree.ParserError, ValueError) as error:
        raise ParseError(Reason.NO_BODY, f"no HTML document in it: {error}") from error


def parse_html(item: RawItem) -> Iterator[Story]:
    tree = load_tree(item.raw)
    document = trafilatura.bare_extraction(
        lxml.html.fromstring(etree.tostring(tree)),  # trafilatura prunes the tree it gets
        with_metadata=True,
        include_comments=False,
        favor_recall=True,
    )
    main_text = getattr(document, "text", None) or ""
    area = article_area(tree, word_counts(main_text)) if main_text.strip() else tree
    # The whole tree, not <body>: a stray </body> early in a page leaves the rest outside it.
    paragraphs, region, markup = blocks_with_region(tree, area)
    if not paragraphs:
        raise ParseError(Reason.NO_BODY, "the page has no text")
    found = found_paragraphs(paragraphs, region, main_text)
    yield Story(
        source=replace(item.source, format=FORMAT),
        raw=item.raw,
        headline=getattr(document, "title", None) or _first_heading(tree),
        body=PARAGRAPH_BREAK.join(paragraphs),
        page_text=True,
        extracted=ExtractedText(region, found) if found else None,
        markup=tuple(markup),
        byline=getattr(document, "author", None),
        language=getattr(document, "language", None) or tree.get("lang") or None,
        page=PageMetadata(
            title=getattr(document, "title", None),
            author=getattr(document, "author", None),
            published=_timestamp(getattr(document, "date", None)),
            site_name=getattr(document, "sitename", None),
            url=getattr(document, "url", None),
        ),
    )


def word_counts(text: str) -> Counter[str]:
    """The words of ``text``, lower-cased, counted."""
    return Counter(_WORDS.findall(text.lower()))


def article_area(root: etree._Element, words: Counter[str]) -> etree._Element:
    """The page area around a text: the smallest element holding nearly all of ``words``
    (the article), widened to the elements around it up to twice its size (or 200 words
    more), where the rest of the story may be."""
    total = sum(words.values()) or 1

    def holds_article(element: etree._Element) -> bool:
        if not isinstance(element.tag, str):  # a processing instruction
            return False
        covered = sum((word_counts(element.text_content()) & words).values())
        return covered >= _ARTICLE_SHARE * total

    # Only the elements holding the article can have a descendant that does: walk down those.
    article, deepest = root, 0
    stack = [(root, 0)]
    while stack:
        element, depth = stack.pop()
        if depth > deepest:
            article, deepest = element, depth
        stack.extend((child, depth + 1) for child in reversed(element) if holds_article(child))
    size = _word_total(article)
    while (parent := article.getparent()) is not None and parent.tag != "html":
        if _word_total(parent) > max(2 * size, size + 200):
            break
        article = parent
    return article


def _word_total(element: etree._Element) -> int:
    return len(_WORDS.findall(element.text_content().lower()))


def found_paragraphs(paragraphs: list[str], region: range, main_text: str) -> frozenset[int]:
    """The paragraphs of the region that hold trafilatura's main text."""
    words = _WORDS.findall(main_text.lower())
    trigrams = set(zip(words, words[1:], words[2:], strict=False))
    lines = {tuple(_WORDS.findall(line.lower())) for line in main_text.split("\n")}
    found = set()
    for index in region:
        own = _WORDS.findall(paragraphs[index].lower())
        if len(own) >= _LONG_PARAGRAPH:
            grams = set(zip(own, own[1:], own[2:], strict=False))
            if len(grams & trigrams) >= _TRIGRAM_SHARE * len(grams):
                found.add(index)
        elif own and tuple(own) in lines:
            found.add(index)
    return frozenset(found)


def _first_heading(tree: etree._Element) -> str:
    for heading in tree.iter("h1"):
        text = " ".join(heading.text_content().split())
        if text:
            return text
    return ""


def _timestamp(value: str | None) -> datetime | None:
    """A page date (trafilatura gives YYYY-MM-DD) as UTC midnight, or None."""
    if not value:
        return None
    try:
        parsed = dateparser.isoparse(value)
    except (ValueError, OverflowError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
