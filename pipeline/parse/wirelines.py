"""What the teleprinter-era line formats share: ANPA-1312, IPTC 7901 and the ANPA takes that
Reuters-21578 wraps in SGML.

These formats come from wires that printed as they received: a transmission is framed by
control characters (SOH starts it, STX starts its text, ETX ends the text, EOT ends the
transmission; SYN fills the line before SOH), its header lines are fixed fields, and its text
is hard-wrapped at the width of the printer, a paragraph starting on an indented line or after
a blank line. This module holds the parts that do not depend on the header's layout:

* decoding that keeps the control characters, since they are the framing (the shared
  ``decode_text`` removes them, and counts a table's column codes as binary data);
* splitting a file that holds several transmissions into frames, and a frame into header,
  text and trailer;
* re-flowing hard-wrapped lines into paragraphs, or keeping a table's rows as they are;
* the dateline that opens the text ("BERLIN (dpa) - "), and the update and correction signals
  that a take's version line ("1st Ld-Writethru", "CORRECTED") carries;
* yielding stories: one for a single transmission, one per frame (or failure) for a file of
  several.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from itertools import pairwise

from pipeline.errors import DataError, ParseError, Reason
from pipeline.parse import wire
from pipeline.parse.decode import decode_bytes
from pipeline.records import ItemFailure, RawItem, Source, Story

STX, ETX, EOT = "\x02", "\x03", "\x04"  # start of text, end of text, end of transmission
# Fillers (DEL, SYN) some systems pad header lines with, before or after their fields: never
# text, wherever they stand. As a byte pattern for the formats' sniffers and frame starts.
PADDING = rb"[\x16\x7f]*"
_FILLERS = re.compile("[\x16\x7f]")
WRAP_WIDTH = 100  # wires wrap at 69 to 80 columns
# Paragraph tags inside plain text (ANSA wraps its plain text in <p>).
_PLAIN_TEXT_BREAKS = re.compile(r"</?p\b[^>]*>|<br\s*/?>", re.I)
_BLANK_LINES = re.compile(r"\n[ \t\u00a0]*\n")

# C0 and C1 control characters except tab and line feed (the frames' codes, and the column
# and typesetting codes of tables), removed from text once the framing has been read.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# "BUENOS AIRES, Argentina (AP) _ For ...", "Berlin (dpa) - Negotiations ...": the place, the
# agency in parentheses, a dash. AP's 7-bit copy writes the dash as "_".
_DATELINE = re.compile(
    r"(?P<place>[A-Z][^\s()][^()\n!?]{0,58}?)\s+"
    r"\((?P<agency>[^()\n]{1,30})\)\s+(?:_|-{1,2}|–|—)\s"
)
# Version designators: "1st Ld-Writethru", "2nd Lead", "NEW LEAD", "Writethru" are updates of
# an earlier take; "Correction", "CORRECTED" correct one.
_UPDATE = r"\b(?:\d+(?:st|nd|rd|th)\s*(?:ld|lead)|new\s*(?:ld|lead)|write-?thru)"
_SIGNALS = (
    ("update", re.compile(_UPDATE, re.I)),
    ("correction", re.compile(r"\b(?:correct(?:ion|ed|s|ive)?|corr)\b", re.I)),
)


def decode(raw: bytes) -> str:
    """The bytes as text (``decode.decode_bytes``) with their control characters kept but the
    fillers (DEL, SYN) some systems pad lines with, and line ends as ``\\n``."""
    return _FILLERS.sub("", decode_bytes(raw)).replace("\r\n", "\n").replace("\r", "\n")


def split_frames(raw: bytes, start: re.Pattern[bytes]) -> list[bytes]:
    """The transmissions in a file, each from where ``start`` matches to the next one (bytes
    before the first belong to the first); the whole file when ``start`` never matches."""
    starts = [found.start() for found in start.finditer(raw)]
    if not starts:
        return [raw]
    return [raw[begin:end] for begin, end in pairwise([0, *starts[1:], len(raw)])]


@dataclass(frozen=True)
class Frame:
    header: str  # from SOH to STX: the fixed-field header lines
    text: str  # from STX to ETX: the story
    trailer: str  # from ETX to EOT: the sender's sign-off and transmission time


def frame_parts(text: str) -> Frame:
    """A transmission cut at its STX and ETX."""
    header, stx, rest = text.partition(STX)
    if not stx:
        raise ParseError(Reason.MALFORMED, "no STX (start of text) in the transmission")
    body, etx, trailer = rest.partition(ETX)
    if not etx:
        raise ParseError(Reason.MALFORMED, "no ETX (end of text): the transmission is truncated")
    return Frame(header, body, trailer.partition(EOT)[0])


def strip_controls(text: str) -> str:
    return _CONTROL.sub("", text)


def plain_paragraphs(value: str) -> list[str]:
    """Plain text as paragraphs. Blank lines separate paragraphs; so, in copy wrapped at a
    fixed width, does a line indented deeper than the others (the wire convention ANSA
    keeps), the flush lines after it continuing it. Text with neither is a paragraph a line,
    and so is a block whose lines are longer than any wire wraps at (``WRAP_WIDTH``): those
    lines are paragraphs, not wrapped. <p> and <br> tags break paragraphs too."""
    text = _PLAIN_TEXT_BREAKS.sub("\n\n", value.replace("\r\n", "\n"))
    blocks = [block for block in _BLANK_LINES.split(text) if block.strip()]
    found: list[str] = []
    for block in blocks:
        lines = [line.rstrip() for line in block.split("\n") if line.strip()]
        margin = min(map(_indent, lines))
        indented = any(_indent(line) > margin for line in lines)
        unwrapped = len(blocks) == 1 or max(map(len, lines)) > WRAP_WIDTH
        current: list[str] = []
        for line in lines:
            starts_paragraph = _indent(line) > margin if indented else unwrapped
            if starts_paragraph and current:
                found.append(" ".join(current))
                current = []
            current.append(line.strip())
        found.append(" ".join(current))
    return [paragraph for paragraph in map(wire.clean, found) if paragraph]


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def reflow(lines: Iterable[str]) -> list[str]:
    """Hard-wrapped lines as paragraphs: an indented line or a blank line starts a new one;
    wrapped lines join with a space (none after a compound's hyphen); spaces collapse."""
    paragraphs: list[str] = []
    current: list[str] = []
    for line in lines:
        words = line.split()
        if current and (not words or line[0] in " \t"):
            paragraphs.append(_join(current))
            current = []
        if words:
            current.append(" ".join(words))
    if current:
        paragraphs.append(_join(current))
    return paragraphs


def _join(lines: list[str]) -> str:
    parts = [lines[0]]
    for line in lines[1:]:
        # A line broken after a compound's hyphen ("anti-" / "aircraft") joins without a
        # space; a spaced dash at the end of a line ("said -") keeps one.
        if not (parts[-1].endswith("-") and parts[-1][-2:-1].isalpha()):
            parts.append(" ")
        parts.append(line)
    return "".join(parts)


def preformatted(lines: Iterable[str]) -> list[str]:
    """A table's rows, one paragraph each, their column spacing kept."""
    return [line.strip() for line in lines if line.strip()]


def leading_dateline(paragraphs: list[str], agency: str | None) -> str | None:
    """The place of the dateline that opens the text ("Berlin" of "Berlin (dpa) - "), when the
    parentheses name the sending agency ("(tca/dpa)" names dpa); "The Greens (SPD) - " is no
    dateline."""
    found = _DATELINE.match(paragraphs[0]) if paragraphs and agency else None
    if found is None or not re.search(rf"\b{re.escape(agency or '')}\b", found["agency"], re.I):
        return None
    return found["place"].strip()


def signals(*designators: str | None) -> tuple[str, ...]:
    """The update and correction signals that version designators name."""
    text = " ".join(filter(None, designators))
    return tuple(name for name, pattern in _SIGNALS if pattern.search(text))


def full_year(two_digits: str) -> int:
    """A wire's two-digit year: 70-99 are the 1900s, the rest the 2000s."""
    year = int(two_digits)
    return year + (1900 if year >= 70 else 2000)


def one_or_many(
    item: RawItem,
    format_name: str,
    frames: list[bytes],
    parse_frame: Callable[[bytes, Source], Story],
) -> Iterator[Story | ItemFailure]:
    """One transmission: its story, the file's own source and bytes (a problem raises). Several:
    a story or a failure for each, with its index, its own bytes and their hash."""
    if len(frames) == 1:
        yield parse_frame(item.raw, replace(item.source, format=format_name))
        return
    yield from each_item(item, format_name, frames, parse_frame)


def each_item(
    item: RawItem,
    format_name: str,
    parts: list[bytes],
    parse_part: Callable[[bytes, Source], Story],
) -> Iterator[Story | ItemFailure]:
    """The items of a container, in order: a story, or a failure that names the item."""
    for index, part in enumerate(parts):
        try:
            story = parse_part(part, wire.item_source(item, index, part, format_name))
        except DataError as error:
            yield wire.failure(item, index, part, format_name, error)
        else:
            yield story
