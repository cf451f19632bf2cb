"""Markup to paragraphs: the text of an element tree, a block element a paragraph.

Shared by the HTML parser (lxml HTML trees) and the XML wire formats (NITF bodies, XHTML in
NewsML-G2 and ninjs, ElementTree or lxml), so every format turns markup into ``Story.body``
paragraphs the same way. Tags are compared by their local name, so namespaced XHTML and NITF
(``{http://www.w3.org/1999/xhtml}p``) read like plain HTML.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pipeline.records import BlockMarkup

# Never text: scripts, styles, embedded objects, and NITF's media references.
SKIP = frozenset(
    {"script", "style", "noscript", "template", "svg", "head", "iframe", "select", "title",
     "button", "object", "embed", "canvas", "math", "media-reference", "media-metadata"}
)  # fmt: skip
# Elements that start a new paragraph: HTML blocks, and NITF's headings and blocks.
BLOCKS = frozenset(
    {"address", "article", "aside", "blockquote", "body", "center", "dd", "details", "div",
     "dl", "dt", "figcaption", "figure", "footer", "form", "h1", "h2", "h3", "h4", "h5", "h6",
     "header", "hr", "li", "main", "nav", "ol", "p", "pre", "section", "summary", "table",
     "tbody", "td", "th", "tr", "ul", "hl1", "hl2", "block", "body.content", "media",
     "media-caption", "note", "bq", "fn", "abstract", "nitf-table"}
)  # fmt: skip
# Elements whose presence around a paragraph says what part of a page it is in.
STRUCTURE = frozenset(
    {"nav", "aside", "footer", "header", "li", "form", "h1", "h2", "h3", "h4", "h5", "h6",
     "blockquote", "figure", "figcaption", "td", "article", "main", "a"}
)  # fmt: skip
_SPACES = re.compile(r"[^\S\n]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def local_name(tag: Any) -> str:
    """``{namespace}name`` -> ``name``; comments and processing instructions -> ""."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def text_blocks(element: Any) -> Iterator[str]:
    """The text of ``element`` as paragraphs, one a block element, in reading order, the way
    it reads in a browser: a <br> breaks the line and two of them the paragraph."""
    return (
        block[0] for block in _walk(element, region=None, track=False) if isinstance(block, tuple)
    )


def blocks_with_region(element: Any, region: Any) -> tuple[list[str], range, list[BlockMarkup]]:
    """The paragraphs of ``element``, which of them are the text of ``region`` (``element``
    itself or a descendant), whose edges end a paragraph as a block element's do, and where
    each paragraph stands in the markup."""
    paragraphs: list[str] = []
    markup: list[BlockMarkup] = []
    start = stop = 0
    for block in _walk(element, region, track=True):
        if block is _ENTER:
            start = len(paragraphs)
        elif block is _LEAVE:
            stop = len(paragraphs)
        elif isinstance(block, tuple):
            paragraphs.append(block[0])
            markup.append(block[1])
    return paragraphs, range(start, stop), markup


_ENTER, _LEAVE = object(), object()  # where the walk enters and leaves the region


def _walk(
    element: Any, region: Any, *, track: bool
) -> Iterator[tuple[str, BlockMarkup | None] | object]:
    """Paragraphs with their place in the markup (when ``track``), with ``_ENTER`` and
    ``_LEAVE`` around those of ``region``.

    The walk keeps its own stack rather than recursing, so a hostile document nested
    thousands deep reads like any other.
    """
    buffer: list[str] = []
    opened: list[Any] = []  # the readable elements the walk is inside
    link_chars = 0  # characters of the buffer inside links
    links_open = 0

    def flush() -> Iterator[tuple[str, BlockMarkup | None]]:
        nonlocal link_chars
        text = _CONTROL.sub("", "".join(buffer))
        markup = _markup(opened, link_chars, len(text)) if track and text.strip() else None
        buffer.clear()
        link_chars = 0
        for part in re.split(r"\n\s*\n", text):
            lines = (_SPACES.sub(" ", line).strip() for line in part.split("\n"))
            paragraph = "\n".join(line for line in lines if line)
            if paragraph:
                yield paragraph, markup

    def add(value: str | None) -> None:
        nonlocal link_chars
        text = _SPACES.sub(" ", (value or "").replace("\n", " "))
        buffer.append(text)
        if links_open:
            link_chars += len(text)

    # (node, entering): on entering a node its text is read and its children pushed; on
    # leaving it, a block ends its paragraph and the node's tail follows.
    stack: list[tuple[Any, bool]] = [(element, True)]
    while stack:
        node, entering = stack.pop()
        name = local_name(node.tag)
        readable = bool(name) and name not in SKIP
        if entering:
            if node is region:
                yield from flush()
                yield _ENTER
            if readable:
                if name in BLOCKS:
                    yield from flush()
                opened.append(node)
                links_open += name == "a"
                if name == "br":
                    buffer.append("\n")
                add(node.text)
            stack.append((node, False))
            if readable:
                stack.extend((child, True) for child in reversed(list(node)))
            continue
        if readable and name in BLOCKS or node is region:
            yield from flush()
        if node is region:
            yield _LEAVE
        if readable:
            opened.pop()
            links_open -= name == "a"
        if node is not element:
            add(node.tail)
    yield from flush()


def _markup(opened: list[Any], link_chars: int, size: int) -> BlockMarkup:
    """Where a paragraph stands: inside which structural elements, under which class and id
    names (nearest first), and how much of it is link text."""
    names = []
    for node in reversed(opened):
        for attribute in ("id", "class"):
            if value := node.get(attribute):
                names.append(value)
    return BlockMarkup(
        links=min(link_chars / size, 1.0) if size else 0.0,
        tags=frozenset(local_name(node.tag) for node in opened) & STRUCTURE,
        names=" ".join(names).lower(),
    )
