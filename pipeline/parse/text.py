"""Plain-text stories: a headline line, then paragraphs.

This is how stories arrive when they are saved from a web page, reposted by an aggregator or
sent as plain copy (``corpora/seed/reuters-idlib-repost.txt``): the first non-blank line is the
headline and the rest is the body, paragraphs separated by blank lines (or, in files with no
blank lines at all, one paragraph a line). Captions, bylines, datelines, sign-offs and
trailers are all still in the body here; the clean stage finds and removes them.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from pipeline.errors import ParseError, Reason
from pipeline.parse.decode import decode_text
from pipeline.parse.wire import headline_or_lead, json_start, parse_json, parse_xml, xml_root
from pipeline.records import PARAGRAPH_BREAK, RawItem, Story

FORMAT = "text"
# A first line longer than this is a paragraph, not a headline: the headline is then made of
# the body's first words.
MAX_HEADLINE_CHARS = 300

_BLANK_LINES = re.compile(r"\n[ \t\u00a0]*\n")


def detect(raw: bytes) -> bool:
    """Anything the other formats do not claim, except a well-formed XML or JSON document:
    that is data in a format wire-ingest has no parser for (an agency's own XML, a feed, a
    JSON schema), not copy, and is better dead-lettered as such than read as a story of tags."""
    return structured_kind(raw) is None


def structured_kind(raw: bytes) -> str | None:
    """ "an XML document (root <RBNews>)" or "a JSON document" when ``raw`` is one, else None."""
    if json_start(raw):
        try:
            parse_json(raw)
        except ParseError:
            return None
        return "a JSON document"
    root = xml_root(raw)
    if root is None or root.lower() == "html":
        return None
    try:
        parse_xml(raw)
    except ParseError as error:
        if error.reason is Reason.UNSAFE:
            raise  # entity declarations (billion laughs, XXE): refused, whatever it holds
        return None
    return f"an XML document (root <{root}>)"


def parse_text(item: RawItem) -> Iterator[Story]:
    text = decode_text(item.raw).strip()
    first, _, rest = text.partition("\n")
    headline = first.strip()
    if len(headline) > MAX_HEADLINE_CHARS:
        headline, rest = "", text
    paragraphs = split_paragraphs(rest)
    if not paragraphs:
        raise ParseError(Reason.NO_BODY, "a headline line and no body text")
    headline = headline_or_lead(headline, None, paragraphs)
    yield Story(
        source=replace(item.source, format=FORMAT),
        raw=item.raw,
        headline=headline,
        body=PARAGRAPH_BREAK.join(paragraphs),
        page_text=True,  # saved from a page, or plain copy: nothing says which
    )


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by blank lines; in text with none, each line is one."""
    blocks = _BLANK_LINES.split(text.strip())
    if len(blocks) == 1:
        blocks = text.split("\n")
    paragraphs = ("\n".join(line.strip() for line in block.strip().split("\n")) for block in blocks)
    return [paragraph for paragraph in paragraphs if paragraph]
