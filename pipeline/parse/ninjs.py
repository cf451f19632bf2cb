"""ninjs (IPTC News in JSON), versions 1.x to 3.x: one news item a JSON object.

The versions name the same properties differently: 1.x has ``headline``, ``byline``,
``subject`` and ``body_<kind>`` strings (``body_text``, ``body_xhtml``, ``body_html``; 1.6 any
``body_<role>``); 2.x has arrays of ``headlines``, ``bodies`` and ``subjects`` (objects with
``role``, ``contenttype``, ``value``) and ``by``; 3.x is 2.x in camelCase (``versionCreated``,
``pubStatus``, ``contentType``) with ``embargoedUntil`` for ``embargoed``. Property names are
compared lower-cased, which makes 3.x read as 2.x, and each Story field lists the names that
carry it (``_ALIASES``), so one mapping reads every version. Superdesk's ninjs output (``guid``
for ``uri``, ``source``, ``keywords``) and its archive items read the same way.

Mapping: ``uri`` (else ``guid``) -> id; ``version``; ``versioncreated``, ``firstcreated``,
``embargoed``/``embargoeduntil`` -> UTC times; ``pubstatus`` -> usable/withheld/canceled;
``urgency`` 1-9; ``by``/``byline``; ``located``; ``slugline``; ``language``;
``copyrightnotice`` -> copyright; ``ednote`` -> editorial note; ``subject(s)`` -> Subjects
(code from ``code``/``literal`` or the uri's last segment, scheme from ``scheme`` or the
uri's stem); and, where a producer adds them, ``keywords``, ``signals`` and ``dateline``.
Provider: ``provider``, else ``source`` (Superdesk's), else ``copyrightholder``: ninjs has no
provider property, the copyright holder is the agency in the agency examples (dpa, NTB, TT),
and ``by`` names the author, never the agency. Descriptions are summaries, not body text: an
item with only a description has no body. People, places, organisations and genres are not
subjects and are left out.

The body: every readable body is parsed (plain text; HTML or XHTML, without its figures,
which are the item's pictures; NITF's body.content), and the one kept is the most complete:
among those with at least ``COMPLETE_SHARE`` of the longest one's text (in characters: CJK
scripts do not space their words), one with paragraph breaks beats one without, then plain
text beats markup, then document order. So a plain body that is one run of sentences gives
way to the same text in ``<p>`` paragraphs, a plain body with paragraphs wins over the same
text marked up, and a NITF body with a lead paragraph that the plain one lacks wins. A body
with no letter or digit ("...", "[ ... ]" placeholders) is no body; XML other than NITF (TT's
own ``application/xml``) is not read. Nothing else is stripped: headline lines, bylines and
sign-offs inside a body are the clean stage's business.

Items: ``type`` text (or none given, as dpa sends it, or any other type with a text body,
such as BBC's story and advisory) is a story; picture, graphic, video, audio, event,
planning and concept items (and typeless items with ``eventDetails``/``plannedCoverage``)
are not text; composite, component, collection and package items are stories only with a
text body (Business Wire's press releases are composites). A JSON array of items, or a feed
object holding them in ``item``/``items`` (BBC's), is a container: one Story or ItemFailure
each, its bytes the item re-serialised (``json.dumps(item, ensure_ascii=False)``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import replace
from typing import Any

from pipeline.errors import ParseError, Reason
from pipeline.parse import jsonwire, wire
from pipeline.records import PARAGRAPH_BREAK, RECALLS, ItemFailure, RawItem, Source, Story

FORMAT = jsonwire.NINJS
# A body with at least this share of the longest body's text is as complete as it.
COMPLETE_SHARE = 0.95
# A body is text when it has a letter or digit: not "..." or "[ ... ]" placeholders.
_WORD = re.compile(r"\w")

NOT_TEXT_TYPES = frozenset({"picture", "graphic", "video", "audio", "event", "planning", "concept"})
PACKAGE_TYPES = frozenset({"composite", "component", "collection", "package", "complexdata"})
# Properties that make a typeless item an event or a planning item (ninjs 3.x).
_TYPE_BY_PROPERTY = {"eventdetails": "event", "plannedcoverage": "planning"}

# Story field -> ninjs property names (lower-cased), first present wins.
_ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("uri", "guid"),
    "version": ("version",),
    "version_created": ("versioncreated",),
    "first_created": ("firstcreated",),
    "embargoed": ("embargoed", "embargoeduntil"),
    "pub_status": ("pubstatus",),
    "urgency": ("urgency",),
    "signals": ("signals",),
    "provider": ("provider", "source", "copyrightholder"),
    "byline": ("by", "byline"),
    "dateline": ("dateline",),
    "located": ("located",),
    "slugline": ("slugline",),
    "subjects": ("subjects", "subject"),
    "keywords": ("keywords",),
    "language": ("language",),
    "copyright": ("copyrightnotice",),
    "editorial_note": ("ednote",),
}
_FEED_KEYS = ("item", "items")


def detect(raw: bytes) -> bool:
    return jsonwire.sniff(raw) == FORMAT


def parse_ninjs(item: RawItem) -> Iterator[Story | ItemFailure]:
    document = wire.parse_json(item.raw)
    entries = _container_entries(document)
    if entries is None:
        yield story(document, replace(item.source, format=FORMAT), item.raw)
        return
    if not entries:
        raise ParseError(Reason.NO_BODY, "an empty list of ninjs items")
    pairs = ((entry, jsonwire.dump(entry)) for entry in entries)
    yield from jsonwire.each_item(item, FORMAT, pairs, story)


def _container_entries(document: Any) -> list[Any] | None:
    """The items of an array or of a feed object (``{"total": 1, "item": [...]}``); None for a
    single item."""
    if isinstance(document, list):
        return document
    if isinstance(document, dict) and not {"uri", "guid"} & document.keys():
        feeds = (document[key] for key in _FEED_KEYS if isinstance(document.get(key), list))
        return next(feeds, None)
    return None


def story(value: Any, source: Source, raw: bytes) -> Story:
    """One ninjs item as a Story; ParseError when it is not a text story."""
    fields = lowered(value)
    if not fields.keys() & jsonwire.NINJS_PROPERTIES and not any(
        key.startswith(jsonwire.NINJS_PREFIXES) for key in fields
    ):
        raise ParseError(Reason.MALFORMED, "a JSON object with no ninjs property: not ninjs")
    return assemble(fields, text_paragraphs(fields, _missing_body), source, raw)


def text_paragraphs(
    fields: dict[str, Any], missing_body: Callable[[str, dict[str, Any]], str]
) -> list[str]:
    """A text item's body paragraphs. ParseError for an item that is not text, or that has no
    body text (``missing_body(type, fields)`` says why)."""
    kind = item_type(fields)
    if kind in NOT_TEXT_TYPES:
        raise ParseError(Reason.NOT_TEXT, f"{kind} item, not a text story")
    paragraphs = body_paragraphs(fields)
    if not paragraphs and kind in PACKAGE_TYPES:
        raise ParseError(Reason.NOT_TEXT, f"{kind} item without a text body, not a text story")
    if not paragraphs and wire.pub_status(fields.get("pubstatus")) not in RECALLS:
        raise ParseError(Reason.NO_BODY, missing_body(kind, fields))
    return paragraphs


def assemble(fields: dict[str, Any], paragraphs: list[str], source: Source, raw: bytes,
             **overrides: Any) -> Story:  # fmt: skip
    """The Story of an item with these body paragraphs; ``overrides`` replace mapped fields
    (a format built on ninjs names, such as AP's, reads some fields its own way)."""
    metadata = {**metadata_of(fields), **{k: v for k, v in overrides.items() if v is not None}}
    return Story(
        source=source,
        raw=raw,
        headline=wire.headline_or_lead(headline(fields), metadata.get("slugline"), paragraphs),
        body=PARAGRAPH_BREAK.join(paragraphs),
        **metadata,
    )


def lowered(value: Any) -> dict[str, Any]:
    """An item's properties with lower-cased names (the first of two that differ by case wins);
    ParseError when the item is not a JSON object."""
    if not isinstance(value, dict):
        raise ParseError(Reason.MALFORMED, f"an item is {jsonwire.kind_of(value)}, not an object")
    fields: dict[str, Any] = {}
    for key, field in value.items():
        fields.setdefault(key.lower(), field)
    return fields


def item_type(fields: dict[str, Any]) -> str:
    """The item's ``type`` lower-cased; for an item without one, what its properties make it
    (event, planning), else "text"."""
    given = jsonwire.text(fields.get("type"))
    if given:
        return given.lower()
    return next((kind for key, kind in _TYPE_BY_PROPERTY.items() if key in fields), "text")


def metadata_of(fields: dict[str, Any]) -> dict[str, Any]:
    """Story fields from the item's properties, leaving out what it does not carry."""
    return jsonwire.story_fields({name: map(fields.get, keys) for name, keys in _ALIASES.items()})


def headline(fields: dict[str, Any]) -> str | None:
    """``headline`` (1.x), the main or first of ``headlines`` (2.x, 3.x), a ``headline_<role>``
    (1.6), else the ``title``."""
    entries = fields.get("headlines") if isinstance(fields.get("headlines"), list) else []
    main = [entry for entry in entries if isinstance(entry, dict) and entry.get("role") == "main"]
    candidates = [
        fields.get("headline"),
        *(entry.get("value") for entry in main + entries if isinstance(entry, dict)),
        *(value for key, value in fields.items() if key.startswith("headline_")),
        fields.get("title"),
    ]
    return next(filter(None, map(jsonwire.text, candidates)), None)


def body_paragraphs(fields: dict[str, Any]) -> list[str]:
    """The most complete readable body's paragraphs (see the module docstring), or [].

    A body that cannot be read (unsafe or broken NITF) is passed over for the others; when
    none can be read, its ParseError says why.
    """
    readable: list[tuple[jsonwire.BodyKind, list[str]]] = []
    errors: list[ParseError] = []
    for hint, value in _bodies(fields):
        try:
            body = jsonwire.read_body(hint, value)
        except ParseError as error:
            errors.append(error)
            continue
        if body is not None and any(map(_WORD.search, body[1])):
            readable.append(body)
    if not readable and errors:
        raise errors[0]
    if not readable:
        return []
    longest = max(_length(paragraphs) for _, paragraphs in readable)
    complete = [body for body in readable if _length(body[1]) >= COMPLETE_SHARE * longest]
    return max(complete, key=_preference)[1]  # the first of equals: document order


def _bodies(fields: dict[str, Any]) -> Iterator[tuple[str, str]]:
    """Every body as (hint, text): ``bodies`` entries (content type, else role), then the
    ``body`` and ``body_<kind>`` properties (their name)."""
    entries = fields.get("bodies") if isinstance(fields.get("bodies"), list) else []
    for entry in filter(lambda entry: isinstance(entry, dict), entries):
        body = lowered(entry)
        hint = jsonwire.text(body.get("contenttype")) or jsonwire.text(body.get("role")) or ""
        if isinstance(body.get("value"), str):
            yield hint, body["value"]
    for key, value in fields.items():
        if (key == "body" or key.startswith("body_")) and isinstance(value, str):
            yield key.removeprefix("body").lstrip("_"), value


def _preference(body: tuple[jsonwire.BodyKind, list[str]]) -> tuple[bool, bool]:
    """Paragraph breaks first, then plain text."""
    kind, paragraphs = body
    return len(paragraphs) > 1, kind is jsonwire.BodyKind.PLAIN


def _length(paragraphs: list[str]) -> int:
    """Characters other than spaces: words do not count in Chinese or Japanese."""
    return sum(len(paragraph) - paragraph.count(" ") for paragraph in paragraphs)


def _missing_body(kind: str, fields: dict[str, Any]) -> str:
    if any(_bodies(fields)):
        return f"{kind} item whose bodies hold no readable text"
    if any(key == "descriptions" or key.startswith("description_") for key in fields):
        return f"{kind} item with no body text, only a description"
    return f"{kind} item with no body text (no bodies or body_* property)"
