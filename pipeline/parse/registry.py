"""The format registry: format names to parsers, and content sniffing for ``auto``.

A new format is one module with a pure ``parse_<format>(RawItem) -> Iterator[Story]`` and a
``detect(raw) -> bool`` that recognises its content, plus one entry in ``FORMATS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass

from pipeline.parse import html, text
from pipeline.records import RawItem, Story

AUTO = "auto"


@dataclass(frozen=True)
class Format:
    name: str
    parse: Callable[[RawItem], Iterator[Story]]
    detect: Callable[[bytes], bool]  # does this content look like this format?


def _anything(raw: bytes) -> bool:
    return True


# Sniffing tries these in order, so the most specific formats come first; plain text comes
# last and takes whatever the others do not recognise (and rejects what is not text).
FORMATS: dict[str, Format] = {
    fmt.name: fmt
    for fmt in (
        Format(html.FORMAT, html.parse_html, detect=html.detect),
        Format(text.FORMAT, text.parse_text, detect=_anything),
    )
}
FORMAT_CHOICES = (AUTO, *FORMATS)


def detect_format(raw: bytes) -> Format:
    return next(fmt for fmt in FORMATS.values() if fmt.detect(raw))


def parse_item(item: RawItem, *, format_name: str) -> Iterator[Story]:
    """Parses ``item`` with the named format's parser, or the sniffed one for ``auto``."""
    fmt = detect_format(item.raw) if format_name == AUTO else FORMATS[format_name]
    return fmt.parse(item)
