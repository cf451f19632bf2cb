"""What the JSON wire formats share: telling them apart, reading their values, their bodies.

Three formats arrive as JSON: ninjs (IPTC News in JSON, 1.x to 3.x), AP Media API responses
(whose items use ninjs 1.x names) and JSON Lines of stories, one object a line. ``sniff``
decides among the three in one place, so no two of them can claim the same bytes whatever
order the registry tries them in, and none claims plain text, HTML or XML (which never
start with ``{`` or ``[``).

Bodies come as plain text, HTML/XHTML or NITF, labelled by a content type, by a property
name (``body_xhtml``) or not at all. Markup is turned into paragraphs by ``wire.paragraphs``
on a safely parsed tree: HTML with lxml's HTML parser (no DTD, no entity expansion, no
network), NITF with ``wire.parse_xml`` (entity declarations refused as ``unsafe``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from enum import Enum
from typing import Any


from pipeline.errors import ParseError, Reason
from pipeline.parse import wire
from pipeline.parse.text import split_paragraphs
from pipeline.records import ItemFailure, RawItem, Source, Story, Subject

NINJS = "ninjs"
AP_MEDIA = "ap-media"
JSONL = "jsonl"

# Keys are looked for in the first bytes only: enough for any wrapper and an item's first keys.
SNIFF_BYTES = 16384
# JSON Lines are recognised from their first lines: each starts an object, and the first is
# a whole one (a later line may be broken, a line the parser dead-letters on its own).
SNIFF_LINES = 3

_AP_WRAPPER = re.compile(rb'"api_version"\s*:|"data"\s*:\s*\{\s*"(?:meta|query|item|items)"\s*:')
# ninjs's top-level properties, 1.0 to 3.1, lower-cased (3.x writes them in camelCase), and
# the prefixes of 1.x's open-ended ones (body_text, headline_main, description_caption, ...).
NINJS_PROPERTIES = frozenset(
    {"uri", "guid", "type", "version", "versioncreated", "firstcreated", "contentcreated",
     "pubstatus", "embargoed", "embargoeduntil", "expires", "urgency", "profile", "standard",
     "$standard", "representationtype", "mimetype", "language", "headline", "headlines", "title",
     "slugline", "bodies", "descriptions", "by", "byline", "located", "ednote",
     "copyrightholder", "copyrightnotice", "usageterms", "rightsinfo", "subject", "subjects",
     "genre", "genres", "place", "places", "person", "people", "organisation", "organisations",
     "object", "objects", "event", "events", "eventdetails", "plannedcoverage", "infosource",
     "infosources", "altids", "renditions", "associations", "trustindicator", "trustindicators",
     "digitalsourcetype", "charcount", "wordcount"}
)  # fmt: skip
NINJS_PREFIXES = ("body_", "headline_", "description_")
_NINJS_ID = re.compile(rb'"(?:uri|guid)"\s*:\s*"')


def _alternatives(names: Iterable[str]) -> bytes:
    return b"|".join(re.escape(name).encode() for name in sorted(names))


_NINJS_KEY = re.compile(
    rb'"(?:' + _alternatives(NINJS_PROPERTIES - {"uri", "guid"})
    + rb"|(?:" + _alternatives(NINJS_PREFIXES) + rb')\w+)"\s*:',
    re.I,
)  # fmt: skip
_STORY_KEYS = (re.compile(rb'"headline"\s*:'), re.compile(rb'"body"\s*:'))


def sniff(raw: bytes) -> str | None:
    """Which JSON wire format ``raw`` is: ``NINJS``, ``AP_MEDIA``, ``JSONL`` or None.

    In this order: two or more lines that each start a JSON object, the first a whole one, are
    JSON Lines (pretty-printed JSON has a key on its second line); a document with the AP
    Media API's wrapper (``api_version``, or ``data`` holding ``item``/``items``) is AP; one
    with a ``uri`` or ``guid`` string beside another ninjs property is ninjs; and a single line
    holding a ``headline`` and a ``body`` (a name ninjs does not use) is one-line JSON Lines.
    """
    if wire.json_start(raw) is None:
        return None
    lines = _first_lines(raw)
    if len(lines) > 1 and lines[0].endswith(b"}") and all(line.startswith(b"{") for line in lines):
        return JSONL
    head = raw[:SNIFF_BYTES]
    if _AP_WRAPPER.search(head):
        return AP_MEDIA
    if _NINJS_ID.search(head) and _NINJS_KEY.search(head):
        return NINJS
    if len(lines) == 1 and all(key.search(head) for key in _STORY_KEYS):
        return JSONL
    return None


def _first_lines(raw: bytes) -> list[bytes]:
    """Up to ``SNIFF_LINES`` non-blank lines from the start, stripped (a line may be long:
    one story each)."""
    lines: list[bytes] = []
    start = 0
    while len(lines) < SNIFF_LINES and start < len(raw):
        end = raw.find(b"\n", start)
        end = len(raw) if end < 0 else end
        line = raw[start:end].strip().lstrip(b"\xef\xbb\xbf")
        if line:
            lines.append(line)
        start = end + 1
    return lines


def dump(value: Any) -> bytes:
    """One item of a JSON container as its own bytes, for its source hash and dead letter."""
    try:
        serialised = json.dumps(value, ensure_ascii=False)
    except RecursionError:  # read at the decoder's depth limit, too deep to write back
        serialised = repr(value)
    return serialised.encode("utf-8", errors="backslashreplace")  # lone surrogates


def kind_of(value: Any) -> str:
    """What a JSON value is, for messages: "an object", "a string", ..."""
    names = {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}
    return names.get(type(value), "null" if value is None else "a number")


def each_item(
    item: RawItem,
    format_name: str,
    entries: Iterable[tuple[Any, bytes]],
    build: Callable[[Any, Source, bytes], Story],
) -> Iterator[Story | ItemFailure]:
    """The stories of a container: ``build(value, source, raw)`` for each ``(value, raw)``
    entry, indexed from 0; an entry it refuses becomes an ItemFailure and the rest go on."""
    for index, (value, raw) in enumerate(entries):
        source = wire.item_source(item, index, raw, format_name)
        try:
            yield build(value, source, raw)
        except ParseError as error:
            yield ItemFailure(source, raw, error)


# Values: JSON as producers write it, wrong types included. Each reader returns None (or an
# empty tuple) for a value it cannot use, so that one odd field never loses the story.


# JSON may escape lone UTF-16 surrogates, which no UTF-8 output can carry.
_SURROGATES = re.compile("[\ud800-\udfff]")


def text(value: Any) -> str | None:
    """A string value, cleaned; None when it is not a string or is blank."""
    return (wire.clean(_SURROGATES.sub("", value)) or None) if isinstance(value, str) else None


def byline(value: Any) -> str | None:
    """A byline string without its leading "By"."""
    return wire.byline_text(text(value))


def version(value: Any) -> str | None:
    """Versions are strings in ninjs and numbers in AP's API."""
    if isinstance(value, bool) or not isinstance(value, str | int):
        return None
    return text(str(value))


def strings(value: Any) -> tuple[str, ...]:
    """A list of strings (or one string) as a tuple, blanks and repeats dropped."""
    values = value if isinstance(value, list) else [value]
    return tuple(dict.fromkeys(filter(None, map(text, values))))


def signals(value: Any) -> tuple[str, ...]:
    """Signal names lower-cased without their scheme prefix: "sig:update" -> "update"."""
    return tuple(dict.fromkeys(name.lower().rpartition(":")[2] for name in strings(value)))


def subjects(value: Any) -> tuple[Subject, ...]:
    """Subject objects (or plain names) as Subjects, in order, repeats dropped."""
    values = value if isinstance(value, list) else [value]
    found = (_subject(entry) for entry in values)
    return tuple(dict.fromkeys(entry for entry in found if entry is not None))


def _subject(entry: Any) -> Subject | None:
    """A subject's code ("code", "qcode", "literal", else the last segment of its "uri"), name,
    and scheme ("scheme", else the uri up to that segment); a bare string is a name."""
    if isinstance(entry, str):
        return Subject(name=text(entry)) if text(entry) else None
    if not isinstance(entry, dict):
        return None
    uri = text(entry.get("uri"))
    stem, _, last = (uri or "").rstrip("/").rpartition("/")
    code = next(filter(None, (text(entry.get(key)) for key in ("code", "qcode", "literal"))), None)
    found = Subject(
        code=code or (last if stem else uri),
        name=text(entry.get("name")),
        scheme=text(entry.get("scheme")) or (f"{stem}/" if stem else None),
    )
    return found if found.code or found.name else None


# Story field -> how a JSON value for it is read.
READERS: dict[str, Callable[[Any], Any]] = {
    "id": text,
    "version": version,
    "version_created": wire.timestamp,
    "first_created": wire.timestamp,
    "embargoed": wire.timestamp,
    "pub_status": wire.pub_status,
    "urgency": wire.urgency,
    "signals": signals,
    "provider": text,
    "byline": byline,
    "dateline": text,
    "located": text,
    "slugline": text,
    "subjects": subjects,
    "keywords": strings,
    "language": text,
    "copyright": text,
    "editorial_note": text,
}


def story_fields(candidates: Mapping[str, Iterable[Any]]) -> dict[str, Any]:
    """Story fields from candidate values, field by field: the first value its reader can
    use wins; a field with none is left out, at the Story's default."""
    found: dict[str, Any] = {}
    for name, values in candidates.items():
        value = next((v for v in map(READERS[name], values) if v not in (None, ())), None)
        if value is not None:
            found[name] = value
    return found


# Bodies.


class BodyKind(Enum):
    PLAIN = "plain"
    HTML = "html"
    NITF = "nitf"


_MARKUP = re.compile(
    r"<(?:p|div|br|section|article|body|html|span|h[1-6]|ul|ol|li|table|b|i|strong|em|a)\b[^>]*>",
    re.I,
)
_XML_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")


def read_body(hint: str, value: str) -> tuple[BodyKind, list[str]] | None:
    """A body as its kind and paragraphs; None for a body we cannot read (XML other than
    NITF, an agency's own schema). ``hint`` is its content type or property name.

    Raises ParseError for NITF that is unsafe or not well-formed, or markup nested too deep.
    """
    value = _SURROGATES.sub("", value)
    kind = _body_kind(hint, value)
    if kind is None:
        return None
    try:
        if kind is BodyKind.NITF:
            return kind, _nitf_paragraphs(value)
        return kind, wire.html_paragraphs(value) if kind is BodyKind.HTML else _plain_paragraphs(
            value
        )
    except RecursionError as error:
        raise ParseError(Reason.MALFORMED, f"{kind.value} body nested too deeply") from error


def _body_kind(hint: str, value: str) -> BodyKind | None:
    """What a body holds, from its content type or property name (``hint``), else from its
    text: NITF, HTML/XHTML, plain text, or None for other XML."""
    hint = hint.lower()
    is_nitf = wire.xml_root(value[:SNIFF_BYTES].encode("utf-8")) == "nitf"
    if "nitf" in hint or (is_nitf and ("xml" in hint or not hint)):
        return BodyKind.NITF
    if "html" in hint:
        return BodyKind.HTML
    if "xml" in hint:
        return None
    if "plain" in hint or hint == "text":
        return BodyKind.PLAIN
    return BodyKind.HTML if _MARKUP.search(value) else BodyKind.PLAIN


def _plain_paragraphs(value: str) -> list[str]:
    """Paragraphs are separated by blank lines; in text with none, each line is one (wire
    copy often has a line a paragraph); text with no line breaks at all is one paragraph."""
    blocks = split_paragraphs(value.replace("\r\n", "\n").replace("\r", "\n"))
    paragraphs = ("\n".join(filter(None, map(wire.clean, block.split("\n")))) for block in blocks)
    return [paragraph for paragraph in paragraphs if paragraph]


def _nitf_paragraphs(markup: str) -> list[str]:
    # The declaration goes: the text is already decoded, and is read back as UTF-8.
    root = wire.parse_xml(_XML_DECLARATION.sub("", markup, count=1).encode("utf-8"))
    body = wire.child(root, "body")
    content = wire.child(body, "body.content")
    return wire.paragraphs(next(node for node in (content, body, root) if node is not None))
