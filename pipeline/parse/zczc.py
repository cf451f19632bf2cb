"""Telex framing, ``ZCZC`` to ``NNNN``, with AAP's header lines: AAP (Australian Associated
Press) sends its copy this way, and so do the racing and results services it carries.

A message, as AAP sends it::

    ZCZC AAP                          start of message and the sender's routing (optional)
    %A                                categories
    #Legionella_BC1                   keyword (slug) and take
    $Legionella found in Qld hospital headline; a one-letter value ($J, $T) is a code
    :(BRISBANE)                       dateline in parentheses; in news copy (with %), the
                                      byline or a release's source
    &AAPIS\\Huttonc                    the editor's login: not for the record
    *07000000                         IPTC subject code (8 digits), or AAP's own letter
    ~AM Service                       the service: not for the record
    @QLD                              state or place
    Legionella bacteria has been ...  text: paragraphs after blank lines or indented
    AAP RTV                           sign-off (the clean stage's rules take it)
    NNNN                              end of message

Each header line is one of those marks and a value (sports copy adds ``=`` round, ``^`` its
headline, ``+`` a number); the text starts at the first line that is not one (so a first line
of text that opens with a mark's character, "$5m deal...", would be read as a mark: AAP's
copy has the marks' block before a line of prose). Racing and
results services (``ZCZC FMG000``) send routing codes on the next line (``YY TDA``) and few
marks: with no headline mark, the first line of text is the headline. A file with several
messages is a container, one story each. The marks are read as AAP's samples in the shared
corpora use them (Superdesk's AAP fixtures, line ends CR, CRLF or LF); no public
specification of them was found.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pipeline.errors import ParseError, Reason
from pipeline.parse import wire, wirelines
from pipeline.records import PARAGRAPH_BREAK, ItemFailure, RawItem, Source, Story, Subject

FORMAT = "zczc"
CATEGORY_SCHEME = "aap-category"
SUBJECT_SCHEME = "iptc-subjectcode"
SERVICE_SCHEME = "aap-code"

_DETECT = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*ZCZC\b")
_FRAME_START = re.compile(rb"(?m)^[ \t]*ZCZC\b")
_START = re.compile(r"\A\s*ZCZC[ \t]*(?P<routing>[^\n]*)\n?")
_END = re.compile(r"(?:\A|\n)\s*NNNN\s*\Z")
_ROUTING_LINE = re.compile(r"[A-Z]{2}(?: \S+)+")  # "YY TDA", "HH TDCom", "YY RFG INTERNET (3RR)"
_MARKS = "%#$:&*~@=^+"
ROUTING_LINE_LENGTH = 40  # a routing line is a few codes
TITLE_LINE_LENGTH = 150  # a results service's first line, taken as its headline when shorter
_SUBJECT_CODE = re.compile(r"\d{8}")
_IN_PARENTHESES = re.compile(r"\((?P<place>[^()]+)\)")


def detect(raw: bytes) -> bool:
    """``ZCZC`` at the start (a routing word may follow)."""
    return bool(_DETECT.match(raw[:256]))


def parse_zczc(item: RawItem) -> Iterator[Story | ItemFailure]:
    frames = wirelines.split_frames(item.raw, _FRAME_START)
    return wirelines.one_or_many(item, FORMAT, frames, _parse_frame)


def _parse_frame(raw: bytes, source: Source) -> Story:
    text = wirelines.strip_controls(wirelines.decode(raw))
    start = _START.match(text)
    if start is None:
        raise ParseError(Reason.MALFORMED, "the message does not open with a ZCZC line")
    lines = _END.split(text[start.end() :], maxsplit=1)[0].split("\n")
    marks: dict[str, list[str]] = {}
    at = 0
    while at < len(lines) and (_is_mark(lines[at]) or not lines[at].strip() or _routes(lines, at)):
        if _is_mark(lines[at]):
            marks.setdefault(lines[at][0], []).append(wire.clean(lines[at][1:]))
        at += 1
    paragraphs = wirelines.plain_paragraphs("\n".join(lines[at:]))
    if not paragraphs:
        raise ParseError(Reason.NO_BODY, "the message has header lines and no text")
    place, byline = _source_line(marks.get(":", []), news="%" in marks)
    slugline = _first(marks, "#")
    headline = next((h for h in marks.get("$", []) if len(h) > 1), None) or _first(marks, "^")
    titled = len(paragraphs) > 1 and len(paragraphs[0]) < TITLE_LINE_LENGTH
    if headline is None and slugline is None and titled:
        headline, paragraphs = paragraphs[0], paragraphs[1:]  # a results service's title line
    return Story(
        source=source,
        raw=raw,
        headline=wire.headline_or_lead(headline, slugline, paragraphs),
        body=PARAGRAPH_BREAK.join(paragraphs),
        provider="AAP" if start["routing"].strip().upper().startswith("AAP") else None,
        byline=byline,
        dateline=place,
        slugline=slugline,
        located=_first(marks, "@"),
        subjects=tuple(_subjects(marks)),
    )


def _is_mark(line: str) -> bool:
    """A mark and its value, which may be empty; not a bulleted line of text ("* Prime...")."""
    return bool(line) and line[0] in _MARKS and not line[1:2].isspace()


def _routes(lines: list[str], at: int) -> bool:
    """A routing line of codes (``YY TDA``), only where the header starts."""
    line = lines[at].strip()
    return at == 0 and len(line) < ROUTING_LINE_LENGTH and bool(_ROUTING_LINE.fullmatch(line))


def _first(marks: dict[str, list[str]], mark: str) -> str | None:
    return next((value for value in marks.get(mark, []) if value), None)


def _source_line(values: list[str], *, news: bool) -> tuple[str | None, str | None]:
    """The ``:`` lines: a place in parentheses is the dateline; in news copy, words are the
    byline (a release's source, "Master Builders Australia"), a bare time ("1200") neither.
    Results services put titles and dates there."""
    place = byline = None
    for value in values:
        if found := _IN_PARENTHESES.fullmatch(value):
            place = place or found["place"].strip()
        elif news and any(character.isalpha() for character in value):
            byline = byline or value
    return place, byline


def _subjects(marks: dict[str, list[str]]) -> Iterator[Subject]:
    for value in marks.get("%", []):
        for code in value.split():
            yield Subject(code=code, scheme=CATEGORY_SCHEME)
    for value in marks.get("*", []):
        if value:
            scheme = SUBJECT_SCHEME if _SUBJECT_CODE.fullmatch(value) else SERVICE_SCHEME
            yield Subject(code=value, scheme=scheme)
