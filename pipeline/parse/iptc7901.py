"""IPTC 7901: the IPTC's recommended teleprinter format for news (dpa's international services
still send it), one transmission framed by control characters.

A transmission, as dpa sends it::

    SOH eca062 4 i 211 ccccb   dpa 061      source and message number, priority, category,
                                            word count; dpa adds a selector, its name and
                                            its own message number
    Germany-politics/                       keywords, "/" after each
    STX 1ST LEAD                            take designators (optional)
    Germany Social Democrats: ... could fail headline
    By Manuel Schwarz, dpa =                byline (optional); "=" closes the heading
    Berlin (dpa) - Negotiations between ... text, hard-wrapped at 69 columns, paragraphs
    Chancellor Angela Merkel and ...        indented or after a blank line
    # dpa NOTEBOOK                          dpa's notes to editors, not for publication
    dpa wsz jln npr                         the editors' initials
    ETX 131137 GMT Nov 13                   day, hour and minute, zone, month, year
    DEL DEL EOT

A file holding several transmissions is a container, one story each. A transmission whose
header is in an agency's own layout (SOH, a line that is not 7901's, STX) is read all the
same: that line is never the headline, and the fields it would give stay empty.

Mapped onto Story:

* ``urgency``: the priority digit as it stands (IPTC 7901 priorities run 1, flash, to 6);
* ``subjects``: the category letters, scheme ``iptc7901-category`` (dpa: i international,
  s sports, rs service, ...);
* ``keywords`` and ``slugline`` from the keyword lines before STX (``Germany-football``,
  ``Munich``, ``Mueller``; slugline ``Germany-football/Munich/Mueller``);
* ``provider``: the sender's name in the header (``dpa``; ``dpa-tns``, dpa relaying Tribune
  News Service, is ``dpa``);
* ``headline`` and ``byline`` (without "By") from the heading, which ends at the first line
  closing with "="; take designators before the headline ("1ST LEAD", "CORRECTION") give
  ``signals``; service flags ("EXTRA", "REFILE", "(Achtung)") are dropped;
* ``editorial_note``: dpa's notebook (from its "#" heading, or from "The following information
  is not for publication"), without its markup; a "(c)" line in it is the ``copyright``;
* ``version_created`` from the trailer (German month names too: "Okt", "Dez"); a time
  without a zone is in the agency profile's zone (GMT when it names none), one in a zone
  other than GMT is left out;
* ``dateline``: the place that opens the text (``Berlin``), left in the body for the clean
  stage.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime

from pipeline.errors import ParseError, Reason
from pipeline.parse import wire, wirelines
from pipeline.records import PARAGRAPH_BREAK, ItemFailure, RawItem, Source, Story, Subject

FORMAT = "iptc7901"
CATEGORY_SCHEME = "iptc7901-category"
# The heading (designators, headline, byline) is a few lines at most.
MAX_HEADING_LINES = 6

_DETECT = re.compile(
    rb"\A(?:\xef\xbb\xbf)?\s*\x01"
    + wirelines.PADDING
    + rb"[A-Za-z]{1,8}\d{1,6} \d [A-Za-z]{1,4} \d{1,6}\b"
)
# A transmission in an agency's own header layout: SOH, a header of its own, STX, the text.
_DETECT_FRAMED = re.compile(rb"\A(?:\xef\xbb\xbf)?\s*\x01[^\x01\x02]{1,512}\x02")
_FRAME_START = re.compile(rb"\x01(?=" + wirelines.PADDING + rb"[A-Za-z]{1,8}\d{1,6} \d )")
_HEADER = re.compile(
    r"\x01[A-Za-z]*\d* (?P<priority>\d) (?P<category>[A-Za-z]{1,4}) \d+(?P<rest>[^\n]*)"
)
_SENDER = re.compile(r"(?P<sender>[A-Za-z]+)(?:-[A-Za-z]+)? +\d+\s*$")
_BYLINE = re.compile(r"By\s+(?P<name>.+)")
_NOTEBOOK = re.compile(r"#\s|The following information is not (?:intended )?for publication", re.I)
_NOTE_DECORATION = re.compile(r"^[#\-\s]+|^[*\s]+$|^The following information is not.*$", re.I)
_COPYRIGHT = re.compile(r"(?:\(c\)|©)", re.I)
_TRAILER = re.compile(
    r"(?P<day>\d\d)(?P<hour>\d\d)(?P<minute>\d\d)(?: (?P<zone>[A-Z]{2,5}))?"
    r" (?P<month>[^\W\d_]{3,4})\.? (?P<year>\d\d)\b"
)
# English and German month abbreviations: dpa's trailers use either.
_MONTHS = {
    name: number
    for number, names in enumerate(
        (("jan", "jän"), ("feb",), ("mar", "mär", "mrz"), ("apr",), ("may", "mai"), ("jun",),
         ("jul",), ("aug",), ("sep", "sept"), ("oct", "okt"), ("nov",), ("dec", "dez")),
        start=1,
    )
    for name in names
}  # fmt: skip
_UTC_ZONES = {None, "GMT", "UTC", "UT", "Z"}


def detect(raw: bytes) -> bool:
    """SOH, then source and message number, priority digit, category and word count; or SOH,
    a header in the agency's own layout and STX (ANPA, tried before, claims its own)."""
    head = raw[:1024]
    return bool(_DETECT.match(head) or _DETECT_FRAMED.match(head))


def parse_iptc7901(item: RawItem) -> Iterator[Story | ItemFailure]:
    frames = wirelines.split_frames(item.raw, _FRAME_START)
    return wirelines.one_or_many(item, FORMAT, frames, _parse_frame)


def _parse_frame(raw: bytes, source: Source) -> Story:
    frame = wirelines.frame_parts(wirelines.decode(raw))
    header = _HEADER.search(frame.header)
    # Without the standard header line, the first line is the agency's own header (never the
    # headline), and what follows it before STX the keywords, as in 7901.
    own_header, _, keyword_lines = frame.header.partition("\n")
    sender = _SENDER.search(header["rest"] if header else own_header)
    provider = sender["sender"] if sender else None
    keywords = _keywords(frame.header[header.end() :] if header else keyword_lines)
    lines = _without_initials(wirelines.strip_controls(frame.text).split("\n"), provider)
    size = _heading_size(lines)
    designators, headline, byline = _heading(lines[:size])
    notebook = next((i for i, line in enumerate(lines) if _NOTEBOOK.match(line)), len(lines))
    paragraphs = wirelines.reflow(lines[size:notebook])
    if not paragraphs:
        raise ParseError(Reason.NO_BODY, "the transmission has a heading and no text")
    notes = _notes(lines[notebook:])
    return Story(
        source=source,
        raw=raw,
        headline=wire.headline_or_lead(headline, "/".join(keywords), paragraphs),
        body=PARAGRAPH_BREAK.join(paragraphs),
        provider=provider,
        byline=byline,
        dateline=wirelines.leading_dateline(paragraphs, provider),
        version_created=_transmitted(frame.trailer),
        urgency=wire.urgency(header["priority"]) if header else None,
        priority=header["priority"] if header else None,
        signals=wirelines.signals(*designators),
        slugline="/".join(keywords) or None,
        subjects=(Subject(code=header["category"].lower(), scheme=CATEGORY_SCHEME),)
        if header
        else (),
        keywords=keywords,
        copyright=next((note for note in notes if _COPYRIGHT.match(note)), None),
        editorial_note="\n".join(notes) or None,
    )


def _keywords(lines: str) -> tuple[str, ...]:
    """The keyword lines between the header line and STX: "Germany-football/Munich/"."""
    parts = wirelines.strip_controls(lines).replace("\n", "/").split("/")
    return tuple(wire.clean(part) for part in parts if part.strip())


def _without_initials(lines: list[str], provider: str | None) -> list[str]:
    """The text without the editors' initials that close it ("dpa wsz jln npr")."""
    if provider is None:
        return lines
    initials = re.compile(rf"{re.escape(provider)}(?: [a-z]{{1,5}})+", re.I)
    last = max((i for i, line in enumerate(lines) if line.strip()), default=None)
    if last is not None and initials.fullmatch(lines[last].strip()):
        return lines[:last] + lines[last + 1 :]
    return lines


def _heading_size(lines: list[str]) -> int:
    """The heading runs to its first line closing with "=", else it is the first line."""
    for index, line in enumerate(lines[:MAX_HEADING_LINES]):
        if not line.strip():
            break
        if line.rstrip().endswith("="):
            return index + 1
    return 1


def _heading(lines: list[str]) -> tuple[list[str], str | None, str | None]:
    """Designators, headline and byline, from the heading's lines."""
    lines = [wire.clean(line) for line in lines]
    if lines:
        lines[-1] = lines[-1].removesuffix("=").rstrip()
    lines = [line for line in lines if line]
    byline = None
    if lines and (by := _BYLINE.fullmatch(lines[-1])):
        byline = by["name"]
        lines.pop()
    headline = lines.pop() if lines else None
    return lines, headline, byline


def _notes(lines: list[str]) -> list[str]:
    """The notebook's lines, without its headings' and list items' markup."""
    notes = []
    for line in lines:
        if line.startswith("# "):
            continue  # the notebook's own title
        if text := wire.clean(_NOTE_DECORATION.sub("", line.strip())):
            notes.append(text)
    return notes


def _transmitted(trailer: str) -> datetime | None:
    found = _TRAILER.search(trailer)
    if found is None or found["zone"] not in _UTC_ZONES:
        return None
    month = _MONTHS.get(found["month"].lower())
    if month is None:
        return None
    try:
        return datetime(
            wirelines.full_year(found["year"]), month, int(found["day"]),
            int(found["hour"]), int(found["minute"]),
            tzinfo=UTC if found["zone"] else wire.UNZONED,
        )  # fmt: skip
    except ValueError:  # a date that does not exist: the story stands without it
        return None
