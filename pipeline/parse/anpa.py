"""ANPA-1312: the American newspaper wire format (AP, and in 1987 Reuters), one transmission
framed by control characters.

A transmission, as AP sends it::

    SYN SYN SOH W2870 US asian                      service level, message number, selector
    f l DC3 DC1 BC-LT--Argentina-CancerB  11-13 1049 priority, category, format, keyword,
                                                     version, filing date, word count
    STX ^BC-LT--Argentina-Cancer Beauty,466<         keyword line (full keyword, version, words)
    ^For Argentine chemo patients, mirrors can hurt< headline
    ^AP Photo XNP101, XNP102<                        photo references
    ^Eds: With AP Photos.<                           note to editors
    ^By PAUL BYRNE and ALMUDENA CALATRAVA=           byline, then the writer's title
    TAB   BUENOS AIRES, Argentina (AP) _ For ...     text: a paragraph per indented line
    ETX AP-WF-11-13-13 1509GMT<                      sender, desk and transmission time (GMT)
    FF EOT

Lines open with ``^`` (a heading or header line) and close with ``<`` (flush left) or ``=``
(centred). A file holding several transmissions is a container, one story each.

Mapped onto Story:

* ``urgency`` from the priority letter: f(lash) 1, b(ulletin) 2, u(rgent) 3, r(egular) 5;
  other letters (d, s, z, ...), whose meaning varies by agency, leave it unset;
* ``subjects``: the category letter, scheme ``anpa-category`` (AP: a domestic, i
  international, e entertainment, s sports, f financial, l lifestyle, ...);
* ``slugline``: the keyword as sent (``BC-LT--Argentina-Cancer Beauty``), from the keyword line,
  else the header's (truncated to 24 characters there); ``version`` the version designator
  (``1st Ld-Writethru``), whose "Ld"/"Writethru"/"Correction" also give ``signals``;
* ``headline``, ``byline`` (without "By"), ``editorial_note`` ("Eds:" and "EDITOR'S NOTE"
  lines) from the ``^`` lines before the text; photo references and the writer's title are
  dropped, and so is a summary line after the headline (it repeats the lead). Without a
  headline line (alerts, tables), the keyword without its cycle and desk codes stands in;
* ``provider`` and ``version_created`` from the trailer (``AP-WF-11-13-13 1509GMT``);
* ``dateline``: the place that opens the text (``BUENOS AIRES, Argentina``). It stays in the
  body, for the clean stage to cut and record like any other.

The text loses its framing: control codes, quad marks, ``___`` separator lines. AP's 7-bit
typography becomes the characters it stands for (`` and '' are curly quotes, a lone _ is a
dash). Text-format takes (DC1) are re-flowed into paragraphs; tabular takes (DC2: standings,
weather tables) keep a paragraph per row, their column codes turned into spaces. A take whose
only text is its ``^`` lines (a headline list) has those lines as its body.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from pipeline.errors import ParseError, Reason
from pipeline.parse import wire, wirelines
from pipeline.records import PARAGRAPH_BREAK, ItemFailure, RawItem, Source, Story, Subject

FORMAT = "anpa"
CATEGORY_SCHEME = "anpa-category"
# ANPA-1312 priority letters as IPTC urgency (1 most urgent, 5 normal).
URGENCY = {"f": 1, "b": 2, "u": 3, "r": 5}

_DETECT = re.compile(
    rb"\A(?:\xef\xbb\xbf)?[\s\x05\x16]*\x01" + wirelines.PADDING + rb"[A-Za-z]\d{4}\x1f"
)
# A transmission starts at its SYN run and SOH, followed by service level and message number.
_FRAME_START = re.compile(rb"\x16*\x01(?=" + wirelines.PADDING + rb"[A-Za-z]\d{4}\x1f)")
# The header's second line: priority, category, format codes, keyword, version, MM-DD, words.
_HEADER_LINE = re.compile(
    r"^(?P<priority>[A-Za-z]) (?P<category>[A-Za-z])(?P<format>[\x11-\x14]*) +(?P<keyword>\S+)"
    r"(?: +(?P<version>\S.*?))? +\d{1,2}-\d{1,2}(?: +\d{1,5})? *$",
    re.M,
)
_TABULAR = "\x12"  # DC2 in the format codes: a table, to be kept row by row
_KEYWORD = re.compile(r"[A-Za-z0-9*]{2,}-\S")
# The cycle (BC-, AM-, PM-) and desk (LT--, US--) codes before the slug proper.
_SLUG_CODES = re.compile(r"^(?:[A-Z]{2}-+)?(?:[A-Za-z]{1,4}--)?")
_QUAD = re.compile(r"\s*[<=]?\s*$")  # a line's closing quad mark
_RULE = re.compile(r"_{3,}")  # a separator line between sections
_END_OF_TAKE = "END"  # a "^END<" line closes some tables
_BYLINE = re.compile(r"By\s+(?P<name>.+)")
_EDITORS_NOTE = re.compile(r"\(?\s*Eds:\s*(?P<note>.*?)\)?|EDITOR'S NOTE\s*[_:—-]?\s*(?P<intro>.*)")
_MEDIA = re.compile(r"(?:[A-Z]{1,5} )?(?:Photos?|Videos?|Audio|Graphics?)\b[\sA-Z0-9,]*")
_TRAILER = re.compile(
    r"(?P<sender>[A-Za-z]+)-[A-Za-z0-9]+-(?P<month>\d\d)-(?P<day>\d\d)-(?P<year>\d\d)"
    r" (?P<hour>\d\d)(?P<minute>\d\d) ?GMT"
)
# Table codes: tab line indicator (a row follows), TTS space band, column separators.
_TABLE_CODES = str.maketrans({"\x08": "", "\x10": " ", "\x1e": " ", "\x1f": " "})
_TYPOGRAPHY = (("``", "“"), ("''", "”"), ("`", "‘"))
_DASH = re.compile(r"(?<=\s)_(?=\s)")


def detect(raw: bytes) -> bool:
    """SOH, a service level letter, a four-digit message number and US, at the start."""
    return bool(_DETECT.match(raw[:512]))


def parse_anpa(item: RawItem) -> Iterator[Story | ItemFailure]:
    frames = wirelines.split_frames(item.raw, _FRAME_START)
    return wirelines.one_or_many(item, FORMAT, frames, _parse_frame)


@dataclass(frozen=True)
class Envelope:
    """What the header lines before STX say about the take."""

    urgency: int | None = None
    priority: str | None = None  # the letter as sent
    category: str | None = None
    tabular: bool = False
    keyword: str | None = None
    version: str | None = None


def parse_envelope(header: str) -> Envelope:
    """The header's priority, category, format and keyword (empty when it has no such line)."""
    found = _HEADER_LINE.search(header)
    if not found:
        return Envelope()
    return Envelope(
        urgency=URGENCY.get(found["priority"].lower()),
        priority=found["priority"],
        category=found["category"].lower(),
        tabular=_TABULAR in found["format"],
        keyword=found["keyword"],
        version=found["version"],
    )


def short_slug(keyword: str | None) -> str | None:
    """The keyword without its cycle and desk codes: "BC-LT--Argentina" -> "Argentina"."""
    return (_SLUG_CODES.sub("", keyword) or keyword) if keyword else None


@dataclass(frozen=True)
class _Head:
    """The ``^`` lines between the keyword line and the text."""

    headline: str | None
    byline: str | None
    notes: tuple[str, ...]
    others: tuple[str, ...]  # summaries and writers' titles; a table's headings


def _parse_frame(raw: bytes, source: Source) -> Story:
    frame = wirelines.frame_parts(wirelines.decode(raw))
    envelope = parse_envelope(frame.header)
    lines = frame.text.split("\n")
    keyword, version = envelope.keyword, envelope.version
    if lines and (from_line := _keyword_line(lines[0])):
        keyword, version = from_line[0], from_line[1] or version
        lines = lines[1:]
    head_size = next((i for i, line in enumerate(lines) if not line.startswith("^")), len(lines))
    head = _classify(_header_text(line) for line in lines[:head_size])
    paragraphs = _paragraphs(lines[head_size:], envelope.tabular)
    if envelope.tabular or not paragraphs:
        paragraphs = [*head.others, *paragraphs]
    paragraphs = [_typography(paragraph) for paragraph in paragraphs]
    if not paragraphs:
        raise ParseError(Reason.NO_BODY, "the take has no text between STX and ETX")
    trailer = _TRAILER.search(frame.trailer)
    provider = trailer["sender"] if trailer else None
    return Story(
        source=source,
        raw=raw,
        headline=wire.headline_or_lead(head.headline, short_slug(keyword), paragraphs),
        body=PARAGRAPH_BREAK.join(paragraphs),
        provider=provider,
        byline=head.byline,
        dateline=wirelines.leading_dateline(paragraphs, provider),
        version=version,
        version_created=_transmitted(trailer),
        urgency=envelope.urgency,
        priority=envelope.priority,
        signals=wirelines.signals(version),
        slugline=keyword,
        subjects=_subjects(envelope.category),
        editorial_note="\n".join(head.notes) or None,
    )


def _subjects(category: str | None) -> tuple[Subject, ...]:
    return (Subject(code=category, scheme=CATEGORY_SCHEME),) if category else ()


def _keyword_line(line: str) -> tuple[str, str | None] | None:
    """The keyword line's keyword and version: "^BC-US--Ethanol, 1st Ld-Writethru,1140<"."""
    if not (line.startswith("^") and line.rstrip().endswith("<")):
        return None
    last = line.rsplit("^", 1)[-1].rstrip().rstrip("<")
    pieces = [piece.strip() for piece in last.split(",")]
    if len(pieces) > 1 and (pieces[-1].isdigit() or not pieces[-1]):
        pieces.pop()  # the word count
    if not _KEYWORD.match(pieces[0]):
        return None
    return pieces[0], ", ".join(pieces[1:]) or None


def _header_text(line: str) -> str:
    return wire.clean(_QUAD.sub("", line.lstrip("^").translate(_TABLE_CODES)))


def _classify(lines: Iterable[str]) -> _Head:
    headline = byline = None
    notes: list[str] = []
    others: list[str] = []
    for line in filter(None, lines):
        if (by := _BYLINE.fullmatch(line)) and byline is None:
            byline = _typography(by["name"])
        elif note := _EDITORS_NOTE.fullmatch(line):
            notes.append(_typography(note["note"] or note["intro"]))
        elif _MEDIA.fullmatch(line):
            continue
        elif headline is None:
            headline = _typography(line)
        else:
            others.append(line)
    return _Head(headline, byline, tuple(notes), tuple(others))


def _paragraphs(lines: list[str], tabular: bool) -> list[str]:
    """The text's paragraphs; a ``^`` heading line is a paragraph of its own."""
    paragraphs: list[str] = []
    run: list[str] = []

    def flush() -> None:
        rows = [" ".join(line.split()) for line in run]
        paragraphs.extend(wirelines.preformatted(rows) if tabular else wirelines.reflow(run))
        run.clear()

    for line in lines:
        text = wirelines.strip_controls(_QUAD.sub("", line.translate(_TABLE_CODES)))
        if text.startswith("^"):  # a table's heading row starts "^" after its row code
            flush()
            if (heading := wire.clean(text.lstrip("^"))) and heading != _END_OF_TAKE:
                paragraphs.append(heading)
        elif _RULE.fullmatch(text.strip()):
            flush()
        else:
            run.append(text)
    flush()
    return paragraphs


def _typography(text: str) -> str:
    """AP's 7-bit stand-ins as the characters they stand for."""
    for ascii_form, character in _TYPOGRAPHY:
        text = text.replace(ascii_form, character)
    return _DASH.sub("—", text)


def _transmitted(trailer: re.Match[str] | None) -> datetime | None:
    if trailer is None:
        return None
    try:
        return datetime(
            wirelines.full_year(trailer["year"]), int(trailer["month"]), int(trailer["day"]),
            int(trailer["hour"]), int(trailer["minute"]), tzinfo=UTC,
        )  # fmt: skip
    except ValueError:  # a date that does not exist: the story stands without it
        return None
