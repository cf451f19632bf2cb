"""What the agency formats share: safe XML and JSON parsing, timestamps, text clean-up, and
the source of one item inside a multi-item file.

XML is parsed with defusedxml: a document that declares entities or refers to external ones
(billion laughs, XXE) is refused before anything is expanded or fetched, so it costs bounded
time and memory and becomes a dead letter (reason ``unsafe``). Encodings are as declared; a
document whose bytes do not match its declaration (Latin-1 or Windows-1252 labelled UTF-8, the
common case) is read again as Windows-1252.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from xml.etree.ElementTree import Element, ParseError as XMLSyntaxError, tostring

import defusedxml.ElementTree as SafeET
import lxml.html
from dateutil import parser as dateparser
from defusedxml import DefusedXmlException
from lxml import etree

from pipeline.errors import DataError, ParseError, Reason
from pipeline.parse.decode import decode_text
from pipeline.parse.markup import local_name, text_blocks
from pipeline.records import ItemFailure, RawItem, Source, Story

_XML_DECLARATION = re.compile(rb"^\s*<\?xml[^>]*\?>")
_QUOTED = rb"""(?:"[^"]*"|'[^']*')"""
# A DOCTYPE whose internal subset only declares and uses external parameter entities (DTD
# modules); group 1 is the DOCTYPE without that subset. Possessive repeats: no backtracking.
_DTD_MODULES = re.compile(
    rb"(<!DOCTYPE\s+[\w.:-]+\s+(?:PUBLIC\s+" + _QUOTED + rb"\s*|SYSTEM\s*)" + _QUOTED + rb"\s*)"
    rb"\[(?:\s++|<!ENTITY\s+%\s+[\w.:-]+\s+(?:SYSTEM|PUBLIC\s+"
    + _QUOTED
    + rb")\s*"
    + _QUOTED
    + rb"\s*>|%[\w.:-]+;)*+\]"
)
_PROLOG_BYTES = 8192  # where a DOCTYPE can be
_LATIN_LABEL = re.compile(
    rb"""(\s*<\?xml[^>]*?encoding\s*=\s*["'])(iso-8859-15?|latin-?1|windows-1252|cp1252)(?=["'])""",
    re.I,
)

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
_DOUBLE_ESCAPED = re.compile(r"&(?:#[0-9]+|#x[0-9a-fA-F]+|[A-Za-z]+);")
_LEADING_BY = re.compile(r"^by\b[\s:]*", re.I)
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
# A time written without an offset is read as UTC under this name, which the parse stage's
# agency profiles (pipeline.parse.profiles) look for: an agency whose profile names its time
# zone has such times read in that zone instead. Equal to UTC in every comparison.
UNZONED = timezone(timedelta(0), "UTC (no offset given)")
# A headline made from the body, for items that carry none: this many words at most.
FALLBACK_HEADLINE_WORDS = 12


def parse_xml(raw: bytes) -> Element:
    """The document's root element, parsed without expanding or fetching any entity.

    Two things real agency files get wrong are put right first:

    * a DOCTYPE whose internal subset only takes in DTD modules as external parameter
      entities (``[<!ENTITY % nitf SYSTEM "nitf-3-0.dtd"> %nitf;]``: ATS, Kyodo; the way the
      NewsML 1.2 DTD is meant to take in NITF) loses that subset. The safe parser refuses any
      entity declaration, and these would never be fetched anyway (we read no DTD). A subset
      with anything else in it (a general entity: billion laughs, XXE) stays, and is refused;
    * a Latin-1 or Windows-1252 encoding declaration on bytes that are UTF-8 (AFP, Ritzau) is
      corrected, else every accented letter reads as two ("dÃ©cÃ¨s"). Text really in Latin-1
      with any accented letter is almost never valid UTF-8, so the check is safe.
    """
    raw = _utf8_label(_without_dtd_modules(raw))
    try:
        return _parse(raw)
    except XMLSyntaxError as first:
        # Bytes that do not match the declared encoding: read them as Windows-1252.
        try:
            text = raw.decode("cp1252", errors="strict")
        except UnicodeDecodeError:
            raise _malformed(first) from first
        try:
            return _parse(_XML_DECLARATION.sub(b"", text.encode("utf-8"), count=1))
        except XMLSyntaxError:
            raise _malformed(first) from first


def _without_dtd_modules(raw: bytes) -> bytes:
    prolog = raw[:_PROLOG_BYTES]
    found = _DTD_MODULES.search(prolog)
    if found is None:
        return raw
    return prolog[: found.start()] + found.group(1) + prolog[found.end() :] + raw[_PROLOG_BYTES:]


def _utf8_label(raw: bytes) -> bytes:
    found = _LATIN_LABEL.match(raw)
    if found is None or raw.isascii():
        return raw
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return raw  # really Latin-1 (or Windows-1252): as declared
    return found.group(1) + b"utf-8" + raw[found.end(2) :]


def _parse(raw: bytes) -> Element:
    try:
        return SafeET.fromstring(raw, forbid_dtd=False, forbid_entities=True, forbid_external=True)
    except DefusedXmlException as error:
        raise ParseError(Reason.UNSAFE, f"refused XML: {error}") from error


def _malformed(error: XMLSyntaxError) -> ParseError:
    return ParseError(Reason.MALFORMED, f"not well-formed XML: {error}")


def parse_json(raw: bytes) -> Any:
    """The JSON value; anything unreadable (also nesting too deep for the decoder and integers
    too long for Python's int) is malformed."""
    try:
        return json.loads(decode_text(raw))
    except RecursionError as error:
        raise ParseError(Reason.MALFORMED, "JSON nested too deeply to read") from error
    except ValueError as error:  # JSONDecodeError, or an integer of thousands of digits
        raise ParseError(Reason.MALFORMED, f"not valid JSON: {error}") from error


def children(element: Element, name: str) -> Iterator[Element]:
    """Direct children with this local name, whatever their namespace."""
    return (child for child in element if local_name(child.tag) == name)


def child(element: Element | None, *path: str) -> Element | None:
    """The first element down ``path`` (local names), or None."""
    for name in path:
        if element is None:
            return None
        element = next(children(element, name), None)
    return element


def descendants(element: Element, name: str) -> Iterator[Element]:
    """All elements below ``element`` with this local name, in document order."""
    return (node for node in element.iter() if local_name(node.tag) == name)


def text(element: Element | None) -> str | None:
    """All the text of ``element``, control characters removed, spaces collapsed; None when
    there is none."""
    if element is None:
        return None
    return clean("".join(element.itertext())) or None


def clean(value: str | None) -> str:
    return _SPACES.sub(" ", _CONTROL.sub("", value or "")).strip()


def paragraphs(element: Element | None) -> list[str]:
    """Body markup (NITF, XHTML) as paragraphs."""
    return list(text_blocks(element)) if element is not None else []


def unescape_twice(value: str) -> str:
    """Character references the sender escaped twice (STT writes ``&amp;#39;``, Ritzau
    ``&amp;amp;apos;``), which parsing leaves in the text as a literal ``&#39;``, resolved."""
    return _DOUBLE_ESCAPED.sub(lambda found: html.unescape(found.group()), value)


def html_paragraphs(markup: str) -> list[str]:
    """HTML markup (a whole page or a fragment, as a string) as paragraphs, without its
    figures (an item's pictures, whose captions are no story text)."""
    # As bytes: lxml refuses a string that still carries an XML declaration.
    parser = lxml.html.HTMLParser(encoding="utf-8", remove_comments=True, no_network=True)
    try:
        tree = lxml.html.document_fromstring(markup.encode("utf-8"), parser=parser)
    except (etree.LxmlError, ValueError):  # no element at all: "Document is empty"
        return []
    etree.strip_elements(tree, "figure", with_tail=False)
    body = tree.find("body")
    return paragraphs(body if body is not None else tree)


def timestamp(value: Any) -> datetime | None:
    """An ISO 8601 or similar time as a UTC datetime (a time without an offset is
    ``UNZONED``, for the agency's profile to place); None when absent or unreadable, since a
    bad date must not lose the story."""
    if not value or not isinstance(value, str):
        return None
    try:
        parsed = dateparser.parse(value.strip())
    except (ValueError, OverflowError):
        return None
    return parsed.replace(tzinfo=UNZONED) if parsed.tzinfo is None else parsed.astimezone(UTC)


def byline_text(value: str | None) -> str | None:
    """A byline without a leading "By" or the comma its title followed ("By BERNARD CONDON"
    -> "BERNARD CONDON", "By Meredith Jameson, <byttl>..." -> "Meredith Jameson")."""
    return _LEADING_BY.sub("", clean(value)).rstrip(" ,;:") or None


def headline_or_lead(headline: str | None, slugline: str | None, body: list[str]) -> str:
    """The headline, else the slugline, else the first words of the body."""
    if headline or slugline:
        return clean(headline or slugline)
    words = " ".join(body).split()
    return " ".join(words[:FALLBACK_HEADLINE_WORDS]) + (" ..." if len(words) > 12 else "")


def item_source(item: RawItem, index: int, raw: bytes, format_name: str) -> Source:
    """The source of the ``index``-th item of a file: same uri, its own bytes' hash."""
    return replace(RawItem.of(item.source.uri, raw, index=index).source,
                   format=format_name, compression=item.source.compression)  # fmt: skip


def element_bytes(element: Element) -> bytes:
    """One item of a container as bytes, for its dead letter or its ``source.sha256``."""
    return tostring(element, encoding="utf-8")


def failure(
    item: RawItem, index: int, raw: bytes, format_name: str, error: DataError
) -> ItemFailure:
    return ItemFailure(item_source(item, index, raw, format_name), raw, error)


def each_element(
    item: RawItem,
    format_name: str,
    elements: Iterable[Element],
    parse: Callable[[Element, Source, bytes], Story],
) -> Iterator[Story | ItemFailure]:
    """The items of an XML container, in order: each element's story, or the failure that
    names it, with the element's own bytes."""
    for index, element in enumerate(elements):
        raw = element_bytes(element)
        try:
            yield parse(element, item_source(item, index, raw, format_name), raw)
        except ParseError as error:
            yield failure(item, index, raw, format_name, error)


_XML_PROLOG = re.compile(
    rb"^(?:\xef\xbb\xbf)?\s*(?:<\?xml[^>]*\?>\s*)?(?:(?:<!--.*?-->|<\?[^>]*\?>|<!DOCTYPE[^>\[]*(?:\[.*?\])?\s*>)\s*)*<([A-Za-z_][\w.:-]*)",
    re.S,
)


def xml_root(raw: bytes) -> str | None:
    """The local name of an XML document's root element, read from its first bytes without
    parsing (for format sniffing), or None when it does not start like XML."""
    found = _XML_PROLOG.match(raw[:8192])
    return found.group(1).decode("ascii", "replace").rsplit(":", 1)[-1] if found else None


def json_start(raw: bytes) -> str | None:
    """The first character of a JSON document (``{`` or ``[``), or None."""
    start = raw[:64].lstrip(b"\xef\xbb\xbf \t\r\n")[:1]
    return start.decode() if start in (b"{", b"[") else None


def pub_status(value: Any) -> str | None:
    """ "usable", "withheld" or "canceled" ("stat:" prefixes and British spelling accepted);
    None for anything else, which leaves the Story's default."""
    status = (
        (clean(value) if isinstance(value, str) else "")
        .lower()
        .rpartition(":")[2]
        .replace("cancelled", "canceled")
    )
    return status if status in ("usable", "withheld", "canceled") else None


def urgency(value: Any) -> int | None:
    """1 (most urgent) to 9, from a number or a numeric string."""
    if isinstance(value, str):
        value = int(value) if value.strip().isascii() and value.strip().isdigit() else None
    elif isinstance(value, float) and value.is_integer():  # not NaN or Infinity
        value = int(value)
    valid = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 9
    return value if valid else None


def language_tag(value: str | None) -> str | None:
    """A language code in BCP 47 case: "EN" -> "en", "nl-nl" -> "nl-NL", "nb-NO" stays."""
    parts = clean(value).replace("_", "-").split("-")
    if not parts[0].isalpha() or parts[0].lower() in ("x", "i"):
        return None  # empty, or a private-use tag such as x-default
    return "-".join([parts[0].lower(), *(_subtag(part) for part in parts[1:])])


def _subtag(part: str) -> str:
    if len(part) == 2 and part.isalpha():
        return part.upper()  # region
    return part.title() if len(part) == 4 and part.isalpha() else part.lower()  # script
