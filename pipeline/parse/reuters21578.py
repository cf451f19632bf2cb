"""Reuters-21578: 1987 Reuters wire stories in SGML, up to 1,000 ``<REUTERS>`` elements a file.

It is SGML, not XML: a DOCTYPE line naming a DTD that is not there, ``<`` written as ``&lt;`` but
``>`` left bare, control characters as ``&#3;``, attributes in any order. An XML parser refuses
it; the elements are flat and regular (the collection's README gives the layout), so a few
anchored regular expressions read it, and only the entities it uses are decoded (``&lt;``,
``&gt;``, ``&amp;``, numeric). Each element is one item of the file (a container): its index
counts elements from 0, its raw bytes are the element's own.

Mapped onto Story:

* ``id``: ``reuters21578:<NEWID>`` (the collection's id, chronological), else
  ``reuters21578:oldid-<OLDID>``; ``version_created`` and ``first_created``: ``<DATE>`` (written
  without a zone: UTC unless the Reuters profile in configs/agencies.toml names one; the
  noise some dates carry after the time is ignored);
* ``headline``: ``<TITLE>``; ``dateline``: ``<DATELINE>`` without its closing " -";
  ``byline``: ``<AUTHOR>`` without "By"; ``provider``: Reuters;
* ``subjects``: the ``<D>`` codes of ``<TOPICS>``, ``<PLACES>``, ``<PEOPLE>``, ``<ORGS>``,
  ``<EXCHANGES>`` and ``<COMPANIES>``, schemes ``reuters21578-topics``, ``-places``, ...;
* ``<UNKNOWN>`` blocks hold the take's ANPA-1312 header (``f0704 US reute`` / ``u f
  BC-BAHIA-COCOA-REVIEW 02-26 0105``), read with the ANPA parser's header reader: the keyword
  is the ``slugline``, the priority the ``urgency``, the category a subject (``anpa-category``);
  the blocks are not text and are dropped;
* ``signals``: a "CORRECTED - " title gives ``correction``;
* the body: ``<BODY>``, re-flowed (its paragraphs start on indented lines), cut at the ETX that
  ends the take, without the " Reuter" sign-off (also "REUTER", "REUTER...", glued to the last
  sentence) and the "MORE" that announces a further take.

The three kinds of ``<TEXT>``:

* NORM (19,043): title, dateline, body, as above;
* BRIEF (1,798): a flash or bulletin whose headline is the whole story. The collection has no
  text for them (1,604 hold the filler "Blah blah blah.", the others nothing), so they are
  failures with reason ``no_body``: a body copied from the headline would be text the wire
  never sent, and the contract wants a body;
* UNPROC (737): text the collection's makers could not structure, mostly tables (futures
  volumes, deposit rates): the first line is the headline, the other lines are kept as rows, a
  paragraph each. One with a title line and no rows is ``no_body``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import datetime

from pipeline.errors import ParseError, Reason
from pipeline.parse import anpa, wire, wirelines
from pipeline.records import PARAGRAPH_BREAK, ItemFailure, RawItem, Source, Story, Subject

FORMAT = "reuters21578"
PROVIDER = "Reuters"
ID_PREFIX = "reuters21578:"
CATEGORY_SETS = ("topics", "places", "people", "orgs", "exchanges", "companies")
# What the collection's makers put where a BRIEF item's text would be.
FILLER = "Blah blah blah."

_DETECT = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*(?:<!DOCTYPE\s+lewis\b[^>]*>\s*)?<REUTERS\b")
_OPEN = re.compile(rb"<REUTERS\b")
_CLOSE = b"</REUTERS>"
_ATTRIBUTE = re.compile(r'(\w+)\s*=\s*"([^"]*)"')
_DATE = re.compile(
    r"<DATE>\s*(?P<day>\d{1,2})-(?P<month>[A-Za-z]{3})-(?P<year>\d{4})\s+"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2}):(?P<second>\d{2})(?:\.(?P<hundredths>\d{1,2}))?"
)
_MONTHS = {name: number for number, name in enumerate(
    ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"), start=1
)}  # fmt: skip
_TEXT = re.compile(r"<TEXT\b(?P<attributes>[^>]*)>(?P<content>.*?)</TEXT>", re.S)
_TYPE = re.compile(r'TYPE\s*=\s*"(\w+)"')
_TITLE = re.compile(r"<TITLE>(.*?)</TITLE>", re.S)
_DATELINE = re.compile(r"<DATELINE>(.*?)</DATELINE>", re.S)
_AUTHOR = re.compile(r"<AUTHOR>(.*?)</AUTHOR>", re.S)
_BODY = re.compile(r"<BODY>(.*?)</BODY>", re.S)
_UNKNOWN = re.compile(r"<UNKNOWN>(.*?)</UNKNOWN>", re.S)
_CATEGORY = {
    name: re.compile(rf"<{name.upper()}>(.*?)</{name.upper()}>", re.S) for name in CATEGORY_SETS
}
_D = re.compile(r"<D>(.*?)</D>", re.S)
_ENTITY = re.compile(r"&(?:#(\d{1,7})|#[xX]([0-9A-Fa-f]{1,6})|(lt|gt|amp|quot|apos));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_TAG = re.compile(r"</?[A-Z]+>")  # before decoding entities: "&lt;TX>" is text, not a tag
_BY = re.compile(r"(?i)^by\s+")
# What closes a take: the sign-off ("Reuter", "REUTER...", a misspelt "REUITER", a clipped
# "REUTE", with the operator's time and initials "REUTER11:43/VB", with a stray digit) or
# "MORE" (another take follows), alone on the last line or after its last sentence or figure;
# some takes have both, or two sign-offs.
_TAKE_END = re.compile(
    r"""(?:^|(?<=[.!?"')\]\d])\s+|\s{2,})\s*(?:reuters?|reuiter|reute|more)"""
    r"(?:\.{2,}|\d{1,2}:\d{2}/\w+|\d)?\s*$",
    re.I,
)
# A designator before a title: "CORRECTED - BANKAMERICA ...", "(CORRECTED) - ...".
_TITLE_DESIGNATOR = re.compile(r"\(?(?P<designator>[A-Z]+)\)?\s+-\s")


def detect(raw: bytes) -> bool:
    """The collection's DOCTYPE line, or a <REUTERS> element, at the start."""
    return bool(_DETECT.match(raw[:4096]))


def parse_reuters21578(item: RawItem) -> Iterator[Story | ItemFailure]:
    starts = [found.start() for found in _OPEN.finditer(item.raw)]
    if not starts:
        raise ParseError(Reason.MALFORMED, "no <REUTERS> element in the file")
    ends = [*starts[1:], len(item.raw)]
    elements = [_element(item.raw[start:end]) for start, end in zip(starts, ends, strict=True)]
    return wirelines.each_item(item, FORMAT, elements, _parse_element)


def _element(chunk: bytes) -> bytes:
    """One element's bytes: to its end tag, or all there is of it when it has none."""
    end = chunk.find(_CLOSE)
    return chunk[: end + len(_CLOSE)] if end >= 0 else chunk.rstrip()


def _parse_element(raw: bytes, source: Source) -> Story:
    if not raw.endswith(_CLOSE):
        raise ParseError(Reason.MALFORMED, "no </REUTERS> end tag: the element is truncated")
    sgml = wirelines.decode(raw)
    attributes = dict(_ATTRIBUTE.findall(sgml[: sgml.find(">")]))
    text = _TEXT.search(sgml)
    if text is None:
        raise ParseError(Reason.MALFORMED, "no <TEXT> element")
    kind_attribute = _TYPE.search(text["attributes"])
    kind = kind_attribute[1].upper() if kind_attribute else "NORM"
    content = text["content"]
    title, paragraphs = _title_and_paragraphs(content)
    if not paragraphs:
        raise ParseError(Reason.NO_BODY, _no_body(kind, title))
    envelope = anpa.parse_envelope(_unescape("\n".join(_UNKNOWN.findall(sgml))))
    dateline = (_field(_DATELINE, content) or "").rstrip(" -")  # "SALVADOR, Feb 26 -"
    author = _field(_AUTHOR, content)
    created = _created(sgml)
    designator = _TITLE_DESIGNATOR.match(title or "")
    return Story(
        source=source,
        raw=raw,
        headline=wire.headline_or_lead(title, anpa.short_slug(envelope.keyword), paragraphs),
        body=PARAGRAPH_BREAK.join(paragraphs),
        provider=PROVIDER,
        byline=_BY.sub("", author) if author else None,
        dateline=dateline or None,
        version_created=created,
        first_created=created,
        urgency=envelope.urgency,
        priority=envelope.priority,
        signals=wirelines.signals(designator["designator"]) if designator else (),
        slugline=envelope.keyword,
        subjects=_subjects(sgml, envelope.category),
        id=_id(attributes),
    )


def _unescape(text: str) -> str:
    return _ENTITY.sub(_character, text)


def _character(entity: re.Match[str]) -> str:
    if entity[3]:
        return _NAMED[entity[3]]
    code = int(entity[1]) if entity[1] else int(entity[2], 16)
    return chr(code) if code <= 0x10FFFF else ""


def _field(pattern: re.Pattern[str], sgml: str) -> str | None:
    found = pattern.search(sgml)
    if found is None:
        return None
    return wire.clean(_unescape(found[1])) or None


def _lines(sgml: str) -> list[str]:
    """Text as lines: entities decoded, cut at the ETX that ends the take, control characters
    and SGML tags gone, without the sign-off and take marker that close it."""
    text = _unescape(_TAG.sub("", sgml)).partition(wirelines.ETX)[0]
    lines = wirelines.strip_controls(text).rstrip().split("\n")
    while lines and (end := _TAKE_END.search(lines[-1])):
        lines[-1] = lines[-1][: end.start()]
        while lines and not lines[-1].strip():
            lines.pop()
    return lines


def _title_and_paragraphs(content: str) -> tuple[str | None, list[str]]:
    """The title and the body's paragraphs, from the <TEXT> element's content."""
    title = _TITLE.search(content)
    body = _BODY.search(content)
    if body or title:
        # A BRIEF has a title and no <BODY>: whatever follows its title is its text.
        text = body[1] if body else content[title.end() :] if title else ""
        paragraphs = [p for p in wirelines.reflow(_lines(text)) if p != FILLER]
        return _field(_TITLE, content), paragraphs
    # UNPROC: text without structure, mostly tables, under a title line.
    rows = [line for line in _lines(content) if line.strip()]
    return (wire.clean(rows[0]), wirelines.preformatted(rows[1:])) if rows else (None, [])


def _no_body(kind: str, title: str | None) -> str:
    if kind == "BRIEF":
        return "BRIEF item: a headline-only flash, the collection holds no text for it"
    if title:
        return f"{kind} item: a title and no text"
    return f"{kind} item with no text at all"


def _created(sgml: str) -> datetime | None:
    found = _DATE.search(sgml)
    month = _MONTHS.get(found["month"].upper()) if found else None
    if found is None or month is None:
        return None
    try:
        return datetime(
            int(found["year"]), month, int(found["day"]), int(found["hour"]),
            int(found["minute"]), int(found["second"]),
            int((found["hundredths"] or "0").ljust(2, "0")) * 10_000, tzinfo=wire.UNZONED,
        )  # fmt: skip
    except ValueError:  # a date that does not exist: the story stands without it
        return None


def _subjects(sgml: str, anpa_category: str | None) -> tuple[Subject, ...]:
    subjects = [
        Subject(code=code, scheme=f"reuters21578-{name}")
        for name, pattern in _CATEGORY.items()
        if (found := pattern.search(sgml))
        for code in (wire.clean(_unescape(d)) for d in _D.findall(found[1]))
        if code
    ]
    if anpa_category:
        subjects.append(Subject(code=anpa_category, scheme=anpa.CATEGORY_SCHEME))
    return tuple(subjects)


def _id(attributes: dict[str, str]) -> str:
    if new_id := attributes.get("NEWID", "").strip():
        return f"{ID_PREFIX}{new_id}"
    if old_id := attributes.get("OLDID", "").strip():
        return f"{ID_PREFIX}oldid-{old_id}"
    return ""
