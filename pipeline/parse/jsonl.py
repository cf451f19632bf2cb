"""JSON Lines of stories: one JSON object a line, each one story.

What scrapers, exports and hand-made test sets produce. Each line is an object with at least
``headline`` and ``body`` (plain text, paragraphs separated by blank lines or one a line; or
HTML), and optionally Story's own field names: ``id``, ``version``, ``version_created``,
``first_created``, ``embargoed`` (ISO 8601), ``provider``, ``language``, ``byline``,
``dateline``, ``located``, ``slugline``, ``copyright``, ``editorial_note``, ``pub_status``,
``urgency`` (1-9), ``signals``, ``keywords`` (lists of strings) and ``subjects`` (objects with
``code``, ``name``, ``scheme``/``uri``, or plain names). Other keys are ignored.

The file is a container: each non-blank line is an item, indexed from 0 among the non-blank
lines, its bytes its own. A line that is not a JSON object, or has no headline, is
``malformed``; one without body text is ``no_body``; either way the other lines go on. Lines
are decoded one by one, so one line in Windows-1252 among UTF-8 ones loses nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from pipeline.errors import ParseError, Reason
from pipeline.parse import jsonwire, wire
from pipeline.records import PARAGRAPH_BREAK, ItemFailure, RawItem, Source, Story

FORMAT = jsonwire.JSONL


def detect(raw: bytes) -> bool:
    return jsonwire.sniff(raw) == FORMAT


def parse_jsonl(item: RawItem) -> Iterator[Story | ItemFailure]:
    lines = [(number, line.strip()) for number, line in enumerate(item.raw.split(b"\n"), 1)]
    entries = [(number, line) for number, line in lines if line]
    if not entries:
        raise ParseError(Reason.NO_BODY, "no JSON lines, only white space")
    yield from jsonwire.each_item(item, FORMAT, entries, _line_story)


def _line_story(number: int, source: Source, raw: bytes) -> Story:
    try:
        return story(wire.parse_json(raw), source, raw)
    except ParseError as error:
        raise ParseError(error.reason, f"line {number}: {error.message}") from error


def story(value: Any, source: Source, raw: bytes) -> Story:
    """One line's object as a Story."""
    if not isinstance(value, dict):
        raise ParseError(Reason.MALFORMED, f"{jsonwire.kind_of(value)}, not a JSON object")
    headline = jsonwire.text(value.get("headline"))
    if not headline:
        raise ParseError(Reason.MALFORMED, "no headline: every line needs a headline and a body")
    body = value.get("body")
    read = jsonwire.read_body("", body) if isinstance(body, str) else None
    paragraphs = read[1] if read else []
    if not paragraphs:
        raise ParseError(Reason.NO_BODY, "no body text")
    return Story(
        source=source,
        raw=raw,
        headline=headline,
        body=PARAGRAPH_BREAK.join(paragraphs),
        **jsonwire.story_fields({name: [value.get(name)] for name in jsonwire.READERS}),
    )
