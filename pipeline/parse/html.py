"""HTML pages: trafilatura for the main text and the page's metadata, then the clean stage.

Trafilatura finds an article's main content and metadata well but keeps trailers ("Related",
share bars, newsletter prompts, repeated titles); the clean stage's rules cut those. Tried
and measured (BENCHMARKS.md): giving the clean stage the whole page with trafilatura's
paragraphs as a hint won recall but lost more precision. A page where trafilatura finds no
main text is not lost: its whole text, block by block, goes to the clean stage, whose
main-text model then looks for the story as it does in saved text pages.

Parsing is lxml's HTML parser, which neither loads DTDs nor expands entities declared in
the document, and reads no network.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime

import lxml.html
import trafilatura
from dateutil import parser as dateparser
from lxml import etree
from trafilatura.utils import detect_encoding

from pipeline.errors import ParseError, Reason
from pipeline.parse.markup import text_blocks
from pipeline.parse.wire import xml_root
from pipeline.records import PARAGRAPH_BREAK, PageMetadata, RawItem, Story

FORMAT = "html"

_LIST_MARK = re.compile(r"^- ")  # trafilatura's text output marks list items so
_HTML_START = re.compile(
    rb"^\s*(?:<\?xml[^>]*>\s*)?(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html)\b", re.I | re.S
)
# Elements a saved page or fragment may open with, before (or without) its <html>.
_HTML_FIRST = frozenset(
    {"html", "head", "body", "meta", "title", "link", "base", "style", "script", "div", "p",
     "table", "header", "nav", "main", "article", "section", "center", "font", "h1", "a"}
)  # fmt: skip
_DECLARED_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?([\w.:-]+)""", re.I)


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
    paragraphs = [
        _LIST_MARK.sub("", line).strip() for line in main_text.split("\n") if line.strip()
    ]
    page_text = not paragraphs
    if page_text:
        body = tree.find("body")
        paragraphs = list(text_blocks(body if body is not None else tree))
    if not paragraphs:
        raise ParseError(Reason.NO_BODY, "the page has no text")
    yield Story(
        source=replace(item.source, format=FORMAT),
        raw=item.raw,
        headline=getattr(document, "title", None) or _first_heading(tree),
        # Trafilatura's main text; failing that, the whole page for the clean stage's model.
        body=PARAGRAPH_BREAK.join(paragraphs),
        page_text=page_text,
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
