"""NewsML-G2: IPTC's XML news exchange format (namespace http://iptc.org/std/nar/2006-10-01/).

A file is one item (a ``newsItem``, ``packageItem``, ``planningItem``, ``conceptItem``,
``knowledgeItem`` or ``catalogItem`` root) or a ``newsMessage``, whose ``itemSet`` carries
several items; each of those becomes one story or one failure, numbered from 0 in document
order. Elements are matched by their local names, since agencies bind the namespace to any
prefix (Reuters writes ``ns0:``) or none.

Only a ``newsItem`` can be a text story. The other item kinds are packages of references,
coverage plans and vocabularies (``not_text``), and so is a ``newsItem`` whose
``itemMeta/itemClass`` is a picture, graphic, video, audio or any class but text
(``ninat:text``, Reuters' ``icls:text``). A ``composite`` item is a story only when its
content holds text (events or sports data are not); an item without a class is read as text.

The body is the item's inline text, recognised by its markup rather than by ``contenttype``
(agencies write ``xhtml/xml``, ``application/xhtml+html``, ...): NITF (its ``body.content``;
``body.head`` holds the headline and byline, not story text) or XHTML (its ``body``, less
the ``<header>`` where dpa repeats the headline and slug metadata) in ``inlineXML``, else
plain text in ``inlineData``. Other inline XML (SportsML, events) is not story text, and
``remoteContent`` is only a reference: a text item with nothing else has no body
(``no_body``: wire-ingest reads no network). A kill or withhold notice (``pubStatus``
canceled or withheld) sent without text is a story all the same, with an empty body.

Metadata comes from where NewsML-G2 puts it: ``guid`` and ``version`` on the item;
``versionCreated``, ``firstCreated``, ``embargoed``, ``pubStatus``, ``signal`` (IPTC ``sig:``
codes only: Reuters' ``edStat:``, ``prodId:`` and the like are routing codes), ``edNote`` and
``provider`` in ``itemMeta``; ``urgency``, ``headline`` (role main, else the first; else
NITF's own), ``slugline``, ``dateline``, ``located``, ``by`` without "By" (else the creators
who wrote it: not the agency naming itself as source, nor a photographer; else NITF's
byline), ``creditline`` (``credit``), ``contentCreated`` (``first_created`` when
``firstCreated`` is absent), ``subject``, ``keyword``, ``altId`` (identifiers an agency
profile may take the id from) and ``language`` (else the item's ``xml:lang``) in
``contentMeta``; the copyright notice (else the holder) in ``rightsInfo``.

A bare ``contentSet``, the way the NewsML-G2 guidelines show content on its own (LISTING 25),
is read as an item without metadata: its inline NITF still carries a headline and a story.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import datetime
from xml.etree.ElementTree import Element

from pipeline.errors import ParseError, Reason
from pipeline.parse import wire, wirelines
from pipeline.parse.markup import BLOCKS, local_name
from pipeline.parse.nitf import nitf_fields
from pipeline.records import PARAGRAPH_BREAK, RECALLS, ItemFailure, RawItem, Source, Story, Subject

FORMAT = "newsml-g2"
NAR = "http://iptc.org/std/nar/2006-10-01/"

# NewsML-G2's item kinds besides newsItem: none of them carries a story's text.
OTHER_ITEMS = {
    "packageItem": "a package of references to other items",
    "planningItem": "news coverage planning",
    "conceptItem": "a concept (a person, an organisation, an event, ...)",
    "knowledgeItem": "a set of concepts",
    "catalogItem": "a catalog of controlled vocabularies",
}
ROOTS = frozenset({"newsItem", "newsMessage", "contentSet", *OTHER_ITEMS})
# Item classes (IPTC nature-of-item codes) that can be a text story.
TEXT_CLASSES = frozenset({"text", "composite"})
IPTC_SIGNAL_URI = "cv.iptc.org/newscodes/signal/"
# Creator roles that do not write the story (the last part of the role's QCode).
_NOT_WRITERS = frozenset({"source", "photographer", "cameraman", "editor"})

# Markup sent as inlineData is parsed inside a wrapper, where a declaration cannot stand.
_XML_DECLARATION = re.compile(r"\A<\?xml[^>]*\?>\s*")


@dataclass(frozen=True)
class Content:
    """An item's story text, with the headline and byline of its NITF body (if any)."""

    paragraphs: list[str]
    headline: str | None = None
    byline: str | None = None


def detect(raw: bytes) -> bool:
    """A NewsML-G2 item or newsMessage (or a bare contentSet) by its root element's name; or
    any other document whose root is in the NewsML-G2 namespace (a catalog, a groupSet), so
    that it is refused as no story rather than read as another format."""
    root = wire.xml_root(raw)
    if root is None or root in ROOTS:
        return root is not None
    tag_pattern = rb"<(?:([\w.-]+):)?" + re.escape(root.encode()) + rb"\b[^>]*>"
    start_tag = re.search(tag_pattern, raw[:8192])
    if start_tag is None:
        return False
    prefix = b":" + start_tag.group(1) if start_tag.group(1) else b""
    declaration = rb"xmlns" + re.escape(prefix) + rb"\s*=\s*[\"']" + re.escape(NAR.encode())
    return re.search(declaration, start_tag.group()) is not None


def parse_newsml_g2(item: RawItem) -> Iterator[Story | ItemFailure]:
    root = wire.parse_xml(item.raw)
    if local_name(root.tag) != "newsMessage":
        yield parse_item(root, replace(item.source, format=FORMAT), item.raw)
        return
    items = [element for item_set in wire.children(root, "itemSet") for element in item_set
             if local_name(element.tag)]  # fmt: skip
    if not items:
        raise ParseError(Reason.NO_BODY, "a newsMessage with no items in it")
    yield from wire.each_element(item, FORMAT, items, parse_item)


def parse_item(element: Element, source: Source, raw: bytes) -> Story:
    """One item as a story; a ParseError when it is not a text story or has no text."""
    kind = local_name(element.tag)
    if kind in OTHER_ITEMS:
        raise ParseError(Reason.NOT_TEXT, f"{kind}: {OTHER_ITEMS[kind]}, not a text story")
    if kind not in ("newsItem", "contentSet"):
        if element.tag.startswith(f"{{{NAR}}}"):
            raise ParseError(Reason.NOT_TEXT, f"a NewsML-G2 <{kind}> on its own, not an item")
        raise ParseError(Reason.MALFORMED, f"<{kind}> is not a NewsML-G2 item or newsMessage")
    item_meta = wire.child(element, "itemMeta")
    content_meta = wire.child(element, "contentMeta")
    nature = _code(wire.child(item_meta, "itemClass"))
    if nature is not None and nature not in TEXT_CLASSES:
        raise ParseError(Reason.NOT_TEXT, f"{nature} item, not a text story")
    pub_status = wire.pub_status(_code(wire.child(item_meta, "pubStatus"))) or "usable"
    content = item_content(element if kind == "contentSet" else wire.child(element, "contentSet"))
    if isinstance(content, str):
        if pub_status in RECALLS:
            content = Content(paragraphs=[])  # a kill or withhold notice: a record, no text
        elif nature == "composite":
            raise ParseError(Reason.NOT_TEXT, f"composite item with no text: {content}")
        else:
            raise ParseError(Reason.NO_BODY, f"no story text: {content}")
    slugline = _text(wire.child(content_meta, "slugline"))
    headline = _headline(content_meta) or content.headline
    provider = _provider(wire.child(item_meta, "provider"))
    return Story(
        source=source,
        raw=raw,
        headline=wire.headline_or_lead(headline, slugline, content.paragraphs),
        body=PARAGRAPH_BREAK.join(content.paragraphs),
        id=element.get("guid", ""),
        version=element.get("version"),
        version_created=_timestamp(item_meta, "versionCreated"),
        first_created=_timestamp(item_meta, "firstCreated")
        or _timestamp(content_meta, "contentCreated"),
        embargoed=_timestamp(item_meta, "embargoed"),
        pub_status=pub_status,
        signals=_signals(item_meta),
        editorial_note=_joined(map(_text, _children(item_meta, "edNote")), "\n"),
        provider=provider,
        urgency=wire.urgency(_text(wire.child(content_meta, "urgency"))),
        priority=_text(wire.child(content_meta, "urgency")),
        slugline=slugline,
        dateline=_text(wire.child(content_meta, "dateline")),
        located=_name(wire.child(content_meta, "located")),
        byline=_byline(content_meta, provider) or content.byline,
        subjects=tuple(filter(None, map(_subject, _children(content_meta, "subject")))),
        keywords=_distinct(map(_text, _children(content_meta, "keyword"))),
        language=_language(element, content_meta),
        copyright=_copyright(element),
        credit=_text(wire.child(content_meta, "creditline")),
        identifiers=_identifiers(element, content_meta),
    )


# Content: the first inline rendition with text, or why there is none.


def item_content(content_set: Element | None) -> Content | str:
    """The story text of the first inline rendition that has some, XML before plain text;
    else a phrase saying why there is none."""
    if content_set is None:
        return "the item has no contentSet"
    renditions = [*map(markup_content, wire.children(content_set, "inlineXML")),
                  *map(plain_content, wire.children(content_set, "inlineData"))]  # fmt: skip
    texts = [found for found in renditions if isinstance(found, Content) and found.paragraphs]
    not_text = [found for found in renditions if isinstance(found, str)]
    if texts:
        return texts[0]
    if not_text:
        return not_text[0]
    if next(wire.children(content_set, "remoteContent"), None) is not None:
        return "its content is only referenced (remoteContent), and wire-ingest reads no network"
    return "its contentSet holds no text"


def markup_content(inline: Element) -> Content | str:
    """NITF, XHTML or bare XHTML blocks in an inlineXML, known by their elements; other XML
    (SportsML, events) is not story text."""
    top = next((element for element in inline if local_name(element.tag)), None)
    if top is None:
        return Content([])
    name = local_name(top.tag)
    if name in ("nitf", "body.content"):  # read as the NITF parser reads it
        fields = nitf_fields(top)
        body = str(fields["body"])
        return Content(
            [wire.unescape_twice(paragraph) for paragraph in body.split(PARAGRAPH_BREAK)]
            if body
            else [],
            headline=_optional(fields.get("headline")) if name == "nitf" else None,
            byline=_optional(fields.get("byline")),
        )
    if name == "html":
        body = wire.child(top, "body")
        return Content(_paragraphs(top if body is None else _without_header(body)))
    if name == "body":
        return Content(_paragraphs(_without_header(top)))
    if name in BLOCKS:
        return Content(_paragraphs(inline))
    contenttype = inline.get("contenttype") or "XML"
    return f"its inline {contenttype} (<{name}>) is not NITF or XHTML story text"


def plain_content(inline: Element) -> Content | str:
    """The text of an inlineData, whatever its content type says (agencies name their own:
    ``application/ttnitf+xml``): markup sent as data is read as inline XML, other text as
    plain text. Encoded data (base64) is not text."""
    contenttype = inline.get("contenttype") or "text/plain"
    encoding = inline.get("encoding")  # base64 and the like: binary data
    if encoding:
        return f"its inlineData is {encoding}-encoded {contenttype}, not plain text"
    text = (inline.text or "").strip()
    if text.startswith("<") and not contenttype.lower().startswith("text/plain"):
        markup = _XML_DECLARATION.sub("", text)
        try:
            wrapped = wire.parse_xml(f"<inlineXML>{markup}</inlineXML>".encode())
        except ParseError:
            return f"its inlineData is {contenttype} that does not parse as XML"
        return markup_content(wrapped)
    return Content(wirelines.plain_paragraphs(wire.unescape_twice(text)))


def _optional(value: object) -> str | None:
    return value if isinstance(value, str) and value else None


def _paragraphs(element: Element | None) -> list[str]:
    """Body markup as paragraphs; the line breaks (<br>) inside them stay."""
    found = (wire.unescape_twice(paragraph).strip() for paragraph in wire.paragraphs(element))
    return [paragraph for paragraph in found if paragraph]


def _without_header(body: Element) -> Element:
    """An XHTML body without its <header>, where dpa repeats the headline and slug metadata
    that contentMeta already carries."""
    trimmed = copy.copy(body)  # a new element sharing the children: the item stays whole
    for header in list(wire.children(trimmed, "header")):
        trimmed.remove(header)
    return trimmed


# Metadata.


def _headline(content_meta: Element | None) -> str | None:
    """The headline whose role is main, else the first one."""
    headlines = [h for h in _children(content_meta, "headline") if _text(h)]
    main = [h for h in headlines if (h.get("role") or "").rpartition(":")[2].lower() == "main"]
    return _text((main or headlines)[0]) if headlines else None


def _byline(content_meta: Element | None, provider: str | None) -> str | None:
    """The ``by`` line without "By", else the writers among the creators: not the agency
    itself (Reuters names itself, "Reuters" for provider "reuters.com"), nor a photographer."""
    by = wire.byline_text(_text(wire.child(content_meta, "by")))
    writers = [
        name
        for creator in _children(content_meta, "creator")
        if (name := _name(creator))
        and name.casefold() not in (provider or "").casefold()
        and (creator.get("role") or "").rpartition(":")[2].lower() not in _NOT_WRITERS
    ]
    return by or _joined(writers, ", ")


def _identifiers(element: Element, content_meta: Element | None) -> tuple[tuple[str, str], ...]:
    """The item's ``guid`` and its ``altId``s by type (``altId:idType:USN``), for an agency
    profile to choose the story's id among."""
    alternatives = [
        (f"altId:{alt.get('type') or ''}".rstrip(":"), value)
        for alt in _children(content_meta, "altId")
        if (value := _text(alt))
    ]
    guid = element.get("guid")
    return (("guid", guid), *alternatives) if guid else tuple(alternatives)


def _subject(element: Element) -> Subject | None:
    scheme, code = _split_qcode(element.get("qcode"))
    name = _text(wire.child(element, "name")) or _clean(element.get("literal") or "") or None
    return Subject(code, name, scheme) if code or name else None


def _signals(item_meta: Element | None) -> tuple[str, ...]:
    """IPTC signals by name: ``sig:update`` and the NewsCodes URI of ``correction``."""
    iptc = [signal for signal in _children(item_meta, "signal")
            if (signal.get("qcode") or "").startswith("sig:")
            or IPTC_SIGNAL_URI in (signal.get("uri") or "")]  # fmt: skip
    return _distinct(map(_code, iptc))


def _name(element: Element | None) -> str | None:
    """A party or place as the item names it: its name, else its literal. Not its qcode,
    which is an identifier (``geo:345678``), not a name."""
    if element is None:
        return None
    return _text(wire.child(element, "name")) or _clean(element.get("literal") or "") or None


def _provider(element: Element | None) -> str | None:
    """The provider's name, else its code in the providers' scheme (``nprov:REUTERS``)."""
    if element is None:
        return None
    return _name(element) or _split_qcode(element.get("qcode"))[1]


def _copyright(item: Element) -> str | None:
    """The first copyright notice, else the first copyright holder's name."""
    rights = _children(item, "rightsInfo")
    notices = (_text(wire.child(info, "copyrightNotice")) for info in rights)
    holders = (_name(wire.child(info, "copyrightHolder")) for info in rights)
    return next(filter(None, notices), None) or next(filter(None, holders), None)


def _language(item: Element, content_meta: Element | None) -> str | None:
    """The content's language tag, else the item's ``xml:lang``."""
    language = wire.child(content_meta, "language")
    return (language.get("tag") if language is not None else None) or item.get(wire.XML_LANG)


def _timestamp(item_meta: Element | None, name: str) -> datetime | None:
    return wire.timestamp(_text(wire.child(item_meta, name)))


def _code(element: Element | None) -> str | None:
    """A concept's code, lower case: ``stat:usable`` -> ``usable``; a NewsCodes URI's last
    part (``http://cv.iptc.org/newscodes/signal/correction`` -> ``correction``)."""
    if element is None:
        return None
    from_uri = (element.get("uri") or "").rstrip("/").rpartition("/")[2]
    return (_split_qcode(element.get("qcode"))[1] or from_uri).lower() or None


def _split_qcode(qcode: str | None) -> tuple[str | None, str | None]:
    """``medtop:04000000`` -> (``medtop``, ``04000000``): a scheme alias, a colon, a code."""
    scheme, colon, code = (qcode or "").strip().partition(":")
    return (scheme or None, code or None) if colon else (None, scheme or None)


# Text.


def _text(element: Element | None) -> str | None:
    return _clean(wire.text(element) or "") or None


def _clean(value: str) -> str:
    return wire.clean(wire.unescape_twice(value))


def _distinct(values: Iterable[str | None]) -> tuple[str, ...]:
    """The values that are not empty, each once, in order."""
    return tuple(dict.fromkeys(filter(None, values)))


def _joined(values: Iterable[str | None], separator: str) -> str | None:
    return separator.join(_distinct(values)) or None


def _children(parent: Element | None, name: str) -> list[Element]:
    return list(wire.children(parent, name)) if parent is not None else []
