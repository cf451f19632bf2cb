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
_SPACES = re.compile(r"[^\S\n]+")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def local_name(tag: Any) -> str:
    """``{namespace}name`` -> ``name``; comments and processing instructions -> ""."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def text_blocks(element: Any) -> Iterator[str]:
    """The text of ``element`` as paragraphs, one a block element, in reading order, the way
    it reads in a browser: a <br> breaks the line and two of them the paragraph."""
    return (block for block in _walk(element, region=None) if isinstance(block, str))


def blocks_with_region(element: Any, region: Any) -> tuple[list[str], range]:
    """The paragraphs of ``element``, and which of them are the text of ``region`` (``element``
    itself or a descendant), whose edges end a paragraph as a block element's do."""
    paragraphs: list[str] = []
    start = stop = 0
    for block in _walk(element, region):
        if block is _ENTER:
            start = len(paragraphs)
        elif block is _LEAVE:
            stop = len(paragraphs)
        else:
            paragraphs.append(block)
    return paragraphs, range(start, stop)


_ENTER, _LEAVE = object(), object()  # where the walk enters and leaves the region


def _walk(element: Any, region: Any) -> Iterator[str | object]:
    """Paragraphs, with ``_ENTER`` and ``_LEAVE`` around those of ``region``.

    The walk keeps its own stack rather than recursing, so a hostile document nested
    thousands deep reads like any other.
    """
    buffer: list[str] = []

    def flush() -> Iterator[str]:
        text = _CONTROL.sub("", "".join(buffer))
        buffer.clear()
        for part in re.split(r"\n\s*\n", text):
            lines = (_SPACES.sub(" ", line).strip() for line in part.split("\n"))
            paragraph = "\n".join(line for line in lines if line)
            if paragraph:
                yield paragraph

    def inline(value: str | None) -> str:
        return _SPACES.sub(" ", (value or "").replace("\n", " "))

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
                if name == "br":
                    buffer.append("\n")
                buffer.append(inline(node.text))
            stack.append((node, False))
            if readable:
                stack.extend((child, True) for child in reversed(list(node)))
            continue
        if readable and name in BLOCKS or node is region:
            yield from flush()
        if node is region:
            yield _LEAVE
        if node is not element:
            buffer.append(inline(node.tail))
    yield from flush()
