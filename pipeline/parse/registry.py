"""The format registry: format names to parsers, and content sniffing for ``auto``.

A new format is one module with a pure ``parse_<format>(RawItem) -> Iterator[Story]`` and a
``detect(raw) -> bool`` that recognises its content, plus one entry in ``FORMATS``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from types import MappingProxyType

from pipeline.parse import (
    anpa,
    ap_media,
    html,
    iptc7901,
    jsonl,
    newsml_1,
    newsml_g2,
    ninjs,
    nitf,
    rbnews,
    reuters21578,
    text,
    zczc,
)
from pipeline.errors import ParseError, Reason
from pipeline.parse.profiles import AgencyProfile, apply_profile
from pipeline.records import ItemFailure, RawItem, Story

AUTO = "auto"


@dataclass(frozen=True)
class Format:
    name: str
    parse: Callable[[RawItem], Iterator[Story | ItemFailure]]
    detect: Callable[[bytes], bool]  # does this content look like this format?


# Sniffing tries these in order, so the most specific formats come first: JSON, then XML by
# root element, then the control-character framed line formats; HTML after all of them (a
# JSON or XML document may hold "<body>" near its start); plain text comes last and takes
# whatever the others do not recognise (and rejects what is not text), except a well-formed
# XML or JSON document, which no format then claims: it is dead-lettered as unknown_format.
FORMATS: dict[str, Format] = {
    fmt.name: fmt
    for fmt in (
        Format(ap_media.FORMAT, ap_media.parse_ap_media, detect=ap_media.detect),
        Format(jsonl.FORMAT, jsonl.parse_jsonl, detect=jsonl.detect),
        Format(ninjs.FORMAT, ninjs.parse_ninjs, detect=ninjs.detect),
        Format(newsml_g2.FORMAT, newsml_g2.parse_newsml_g2, detect=newsml_g2.detect),
        Format(nitf.FORMAT, nitf.parse_nitf, detect=nitf.detect),
        Format(newsml_1.FORMAT, newsml_1.parse_newsml_1, detect=newsml_1.detect),
        Format(rbnews.FORMAT, rbnews.parse_rbnews, detect=rbnews.detect),
        Format(reuters21578.FORMAT, reuters21578.parse_reuters21578, detect=reuters21578.detect),
        Format(anpa.FORMAT, anpa.parse_anpa, detect=anpa.detect),
        Format(iptc7901.FORMAT, iptc7901.parse_iptc7901, detect=iptc7901.detect),
        Format(zczc.FORMAT, zczc.parse_zczc, detect=zczc.detect),
        Format(html.FORMAT, html.parse_html, detect=html.detect),
        Format(text.FORMAT, text.parse_text, detect=text.detect),
    )
}
FORMAT_CHOICES = (AUTO, *FORMATS)


def detect_format(raw: bytes) -> Format:
    found = next((fmt for fmt in FORMATS.values() if fmt.detect(raw)), None)
    if found is None:
        raise ParseError(
            Reason.UNKNOWN_FORMAT,
            f"{text.structured_kind(raw)} in no format wire-ingest reads "
            "(--format text would read it as text)",
        )
    return found


def parse_item(
    item: RawItem,
    *,
    format_name: str,
    profiles: Mapping[str, AgencyProfile] = MappingProxyType({}),
) -> Iterator[Story | ItemFailure]:
    """Parses ``item`` with the named format's parser, or the sniffed one for ``auto``, and
    reads each story as its agency's profile says (``pipeline.parse.profiles``).

    A format its sender named (a Pub/Sub message's ``format`` attribute, in
    ``item.source.format``) goes before ``format_name``.
    """
    name = item.source.format or format_name
    if name != AUTO and name not in FORMATS:
        raise ParseError(
            Reason.UNKNOWN_FORMAT, f"format {name!r} is not one of {', '.join(FORMAT_CHOICES)}"
        )
    fmt = detect_format(item.raw) if name == AUTO else FORMATS[name]
    for parsed in fmt.parse(item):
        yield apply_profile(parsed, profiles) if isinstance(parsed, Story) else parsed
