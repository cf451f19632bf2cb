"""NITF 3.x (News Industry Text Format, IPTC): one story a document.

An ``<nitf>`` document (with or without the ``http://iptc.org/std/NITF/2006-10-18/``
namespace; a DOCTYPE naming the NITF DTD is fine) keeps its metadata in ``head`` and the story
in ``body``: ``body.head`` (headline, byline, dateline, distributor), ``body.content`` (the
text) and ``body.end`` (taglines, not story text). NewsML 1.2 and NewsML-G2 carry NITF inside
them, so the mapping is ``nitf_fields``, which takes an already parsed element: the ``nitf``
element, or a bare ``body`` or ``body.content``.

How NITF maps onto ``Story``, and why:

* ``headline``: ``body.head/hedline/hl1``, else ``head/title``, else the slugline or the first
  words of the body. ``hl2`` in the ``hedline`` is a subheadline; ``Story`` has no field for
  one, and agencies fill it inconsistently (AP repeats the headline, EFE puts its keyword
  line there), so it is dropped. ``hl2`` inside ``body.content`` is a subheading of the text
  and stays in the body as a paragraph of its own.
* ``body``: the paragraphs of every ``body.content``: ``p``, subheadings, list items, blocks,
  notes each a paragraph; a table one paragraph a row, its cells separated by tabs (agate:
  sports tables, market data), so columns stay apart. ``media`` blocks are left out: a
  picture's reference, credit and caption are not story text. Their ``media-caption`` goes
  into ``caption``. ``body.head/abstract`` is a summary of the story, not part of it.
* ``byline``: ``body.head/byline`` without its title (``byttl``) and a leading "By".
* ``dateline``: ``body.head/dateline`` as written ("NEW YORK", "BEIJING July 23"), less a
  ``story.date`` that only repeats its machine timestamp (EFE writes its ``norm`` there).
* ``located``: the first ``docdata/evloc`` (city, county-dist, state-prov, iso-cc), where the
  events happened; else the dateline's ``location``, where the story was filed.
* ``provider``: ``body.head/distributor``, else ``docdata/doc-id/@regsrc``, else the
  ``docdata/doc.copyright/@holder`` (AAP and PA name themselves only there).
* ``copyright``: ``docdata/doc.copyright`` ("© year holder"), else a ``copyrite`` element,
  else ``body.head/rights/rights.owner``.
* ``id``: ``docdata/doc-id/@id-string`` (an agency profile may choose ``du-key/@key``
  instead); ``version``: ``docdata/du-key/@version``.
* ``version_created``: ``docdata/date.issue`` (when this version was issued), else
  ``head/pubdata/@date.publication``. NITF does not say when the first version was created,
  so ``first_created`` stays empty.
* ``embargoed``: ``docdata/date.release`` when the document is ``management-status``
  "embargoed" or is released later than it was issued (a release time equal to the issue
  time, as AAP sends it, is no embargo). ``date.expire`` has no ``Story`` field.
* ``pub_status``: ``docdata/@management-status`` (usable, withheld, canceled); an embargoed
  document without a release time is withheld.
* ``signals``: "correction" for a ``docdata/correction``, "update" for a document that names
  the one it replaces (``docdata/@management-doc-idref``).
* ``urgency``: ``docdata/urgency/@ed-urg``; ``editorial_note``: ``docdata/ed-msg/@info``;
  ``keywords``: ``docdata/key-list/keyword/@key``; ``slugline``: the ANPA keyword or NTB
  "stikkord" ``head/meta`` that AAP and NTB send (NITF itself has no slugline).
* ``subjects``: ``head/tobject/tobject.subject`` (refnum as code, the most specific of
  detail, matter and type as name, scheme "iptc-subjectcode" unless ``ipr`` names another
  owner) and the entities of ``docdata/identified-content`` (person, org, location, ...:
  their value or code, their text, and their code source or else their kind as scheme).
* ``language``: ``xml:lang``, ``lang`` or ``baselang`` on the root (or on ``body``).

Documents are read with ``wire.parse_xml``: the shared safe parser, with its two fixes for
what real agency files get wrong (a DOCTYPE taking in DTD modules, a Latin-1 label on UTF-8).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from copy import deepcopy
from dataclasses import replace
from datetime import datetime
from xml.etree.ElementTree import Element

from pipeline.errors import ParseError, Reason
from pipeline.parse import wire
from pipeline.parse.markup import local_name
from pipeline.records import PARAGRAPH_BREAK, RECALLS, RawItem, Story, Subject

FORMAT = "nitf"
SUBJECT_SCHEME = "iptc-subjectcode"  # IPTC Subject Codes (the 8-digit refnums)

_EMBARGOED = "embargoed"
_SPACE_BEFORE_PUNCTUATION = re.compile(r"\s+([,.;:])")
# Agency head/meta names that carry the story's slug (ANPA keyword line, NTB "stikkord").
_SLUG_META = ("anpa-keyword", "NTBStikkord")
# The entities NITF's docdata/identified-content names, with the attribute holding their code.
_IDENTIFIED = {"person": "value", "org": "value", "location": "location-code", "event": "value",
               "function": "value", "object.title": "value", "virtloc": "value",
               "classifier": "value"}  # fmt: skip
_CODE_SOURCES = ("idsrc", "code-source")
_EVLOC_PARTS = ("city", "county-dist", "state-prov", "iso-cc")  # smallest place first
# Table cells are joined with this character while the shared markup walker folds white space
# (it would fold a tab into a space); it becomes a tab once the paragraphs are made.
_CELL_BREAK = "\ue000"
_ROW_GROUPS = ("thead", "tbody", "tfoot")
_CELLS = ("td", "th")


def detect(raw: bytes) -> bool:
    return wire.xml_root(raw) == "nitf"


def parse_nitf(item: RawItem) -> Iterator[Story]:
    root = wire.parse_xml(item.raw)
    if local_name(root.tag) != "nitf":
        raise ParseError(Reason.MALFORMED, f"root element <{local_name(root.tag)}>, not <nitf>")
    fields = nitf_fields(root)
    if not fields["body"] and fields.get("pub_status") not in RECALLS:
        raise ParseError(Reason.NO_BODY, "the NITF body.content has no text")
    source = replace(item.source, format=FORMAT)
    yield Story(source=source, raw=item.raw, **fields)  # type: ignore[arg-type]


def nitf_fields(element: Element) -> dict[str, object]:
    """The ``Story`` fields an NITF element carries, as keyword arguments for ``Story``.

    ``element`` is an ``nitf`` element, or a bare ``body`` or ``body.content`` (as NewsML-G2
    and NewsML 1.2 sometimes embed them), in any namespace. ``headline`` and ``body`` are
    always there: the headline falls back to the slugline or the first words of the body, and
    the body is "" when the NITF has no text (callers decide what that means: ``parse_nitf``
    raises ``NO_BODY``). Every other key is present only when the NITF carries a value, so a
    caller with better metadata of its own merges with ``{**nitf_fields(e), **its_fields}``.
    """
    name = local_name(element.tag)
    root = element if name == "nitf" else None
    body = wire.child(root, "body") if root is not None else (element if name == "body" else None)
    contents = [element] if name == "body.content" else _children(body, "body.content")
    head = wire.child(root, "head")
    docdata = wire.child(head, "docdata")
    body_head = wire.child(body, "body.head")
    paragraphs = [paragraph for content in contents for paragraph in markup_paragraphs(content)]
    slugline = _slugline(head)
    headline = wire.text(wire.child(body_head, "hedline", "hl1")) or wire.text(
        wire.child(head, "title")
    )
    status = (_attribute(docdata, "management-status") or "").lower()
    issued = _norm_time(wire.child(docdata, "date.issue"))
    embargoed = _embargo(status, issued, _norm_time(wire.child(docdata, "date.release")))
    fields: dict[str, object] = {
        "headline": wire.headline_or_lead(headline, slugline, paragraphs),
        "body": PARAGRAPH_BREAK.join(paragraphs),
        "id": _attribute(wire.child(docdata, "doc-id"), "id-string"),
        "identifiers": _identifiers(docdata),
        "version": _attribute(wire.child(docdata, "du-key"), "version"),
        "version_created": issued or _pubdata_time(head),
        "embargoed": embargoed,
        "pub_status": "withheld"
        if status == _EMBARGOED and not embargoed
        else wire.pub_status(status),
        "signals": _signals(docdata),
        "urgency": wire.urgency(_attribute(wire.child(docdata, "urgency"), "ed-urg")),
        "provider": wire.text(wire.child(body_head, "distributor"))
        or _attribute(wire.child(docdata, "doc-id"), "regsrc")
        or _attribute(wire.child(docdata, "doc.copyright"), "holder"),
        "byline": wire.byline_text(
            _spaced_text(wire.child(body_head, "byline"), skip=_is_byline_title)
        ),
        "dateline": _spaced_text(wire.child(body_head, "dateline"), skip=_is_machine_date),
        "located": _evloc(docdata) or wire.text(wire.child(body_head, "dateline", "location")),
        "slugline": slugline,
        "subjects": tuple(dict.fromkeys([*_tobject_subjects(head), *_identified(docdata)])),
        "keywords": _keywords(docdata),
        "language": _language(root if root is not None else element, body),
        "copyright": _copyright(docdata, body),
        "editorial_note": _attribute(wire.child(docdata, "ed-msg"), "info"),
        "caption": "\n".join(_captions(contents)) or None,
    }
    return {key: value for key, value in fields.items() if value or key in ("headline", "body")}


def markup_paragraphs(element: Element) -> list[str]:
    """A body's markup (NITF ``body.content``, XHTML) as paragraphs: the shared block rules,
    plus a table one paragraph a row (cells separated by tabs) and without NITF media."""
    return [text.replace(_CELL_BREAK, "\t") for text in wire.paragraphs(_prose_tree(element))]


def _children(element: Element | None, name: str) -> list[Element]:
    return list(wire.children(element, name)) if element is not None else []


def _identifiers(docdata: Element | None) -> tuple[tuple[str, str], ...]:
    """``doc-id`` (its ``id-string``) and ``du-key`` (its ``key``, which NTB keeps across
    versions while its doc-id carries the version), for an agency profile to choose among."""
    named = (
        ("doc-id", _attribute(wire.child(docdata, "doc-id"), "id-string")),
        ("du-key", _attribute(wire.child(docdata, "du-key"), "key")),
    )
    return tuple((name, value) for name, value in named if value)


def _attribute(element: Element | None, name: str) -> str | None:
    return (wire.clean(element.get(name)) or None) if element is not None else None


def _norm_time(element: Element | None) -> datetime | None:
    return wire.timestamp(element.get("norm")) if element is not None else None


def _pubdata_time(head: Element | None) -> datetime | None:
    return wire.timestamp(_attribute(wire.child(head, "pubdata"), "date.publication"))


def _embargo(status: str, issued: datetime | None, release: datetime | None) -> datetime | None:
    if release is None:
        return None
    return release if status == _EMBARGOED or (issued is not None and release > issued) else None


def _signals(docdata: Element | None) -> tuple[str, ...]:
    if docdata is None:
        return ()
    found = [("correction", wire.child(docdata, "correction") is not None),
             ("update", bool(docdata.get("management-doc-idref")))]  # fmt: skip
    return tuple(name for name, present in found if present)


def _slugline(head: Element | None) -> str | None:
    metas = {meta.get("name"): meta.get("content") for meta in _children(head, "meta")}
    slugs = (wire.clean(metas.get(name)) for name in _SLUG_META)
    return next((slug for slug in slugs if slug), None)


def _spaced_text(element: Element | None, *, skip: Callable[[Element], bool]) -> str | None:
    """The text of ``element`` without the subtrees ``skip`` names; the pieces of its children
    are kept apart by a space ("By<person>Staff</person>" reads "By Staff")."""
    if element is None:
        return None
    joined = " ".join(_texts(element, skip))
    return _SPACE_BEFORE_PUNCTUATION.sub(r"\1", wire.clean(joined)) or None


def _texts(element: Element, skip: Callable[[Element], bool]) -> Iterator[str]:
    yield element.text or ""
    for node in element:
        if not skip(node):
            yield from _texts(node, skip)
        yield node.tail or ""


def _is_byline_title(node: Element) -> bool:
    return local_name(node.tag) == "byttl"


def _is_machine_date(node: Element) -> bool:
    """A ``story.date`` whose text is only its ``norm`` timestamp again, not a dateline's date."""
    return local_name(node.tag) == "story.date" and wire.clean(node.text) == node.get("norm")


def _evloc(docdata: Element | None) -> str | None:
    evloc = wire.child(docdata, "evloc")
    if evloc is None:
        return None
    parts = (wire.clean(evloc.get(name)) for name in _EVLOC_PARTS)
    return ", ".join(dict.fromkeys(part for part in parts if part)) or None


def _tobject_subjects(head: Element | None) -> Iterator[Subject]:
    tobject = wire.child(head, "tobject")
    for subject in _children(tobject, "tobject.subject"):
        names = (subject.get(f"tobject.subject.{level}") for level in ("detail", "matter", "type"))
        owner = wire.clean(subject.get("tobject.subject.ipr"))
        code = wire.clean(subject.get("tobject.subject.refnum")) or None
        name = next((wire.clean(name) for name in names if wire.clean(name)), None)
        if code or name:
            scheme = SUBJECT_SCHEME if owner.upper() in ("", "IPTC") else owner.lower()
            yield Subject(code=code, name=name, scheme=scheme)


def _identified(docdata: Element | None) -> Iterator[Subject]:
    content = wire.child(docdata, "identified-content")
    for entity in content if content is not None else ():
        kind = local_name(entity.tag)
        if kind not in _IDENTIFIED:
            continue
        code = wire.clean(entity.get(_IDENTIFIED[kind])) or None
        source = next((wire.clean(entity.get(a)) for a in _CODE_SOURCES if entity.get(a)), "")
        name = wire.text(entity)
        if code or name:
            yield Subject(code=code, name=name, scheme=source or kind)


def _keywords(docdata: Element | None) -> tuple[str, ...]:
    keywords = _children(wire.child(docdata, "key-list"), "keyword")
    keys = (wire.clean(keyword.get("key")) for keyword in keywords)
    return tuple(dict.fromkeys(key for key in keys if key))


def _language(root: Element, body: Element | None) -> str | None:
    for element in (root, body):
        for name in (wire.XML_LANG, "lang", "baselang"):
            if element is not None and (tag := wire.language_tag(element.get(name))):
                return tag
    return None


def _copyright(docdata: Element | None, body: Element | None) -> str | None:
    notice = wire.child(docdata, "doc.copyright")
    holder = _attribute(notice, "holder")
    if holder:
        year = _attribute(notice, "year")
        return f"© {year} {holder}" if year else holder
    copyrite = next(wire.descendants(body, "copyrite"), None) if body is not None else None
    return wire.text(copyrite) or wire.text(wire.child(body, "body.head", "rights", "rights.owner"))


def _captions(contents: Iterable[Element]) -> Iterator[str]:
    for content in contents:
        for media in wire.descendants(content, "media"):
            for caption in wire.descendants(media, "media-caption"):
                if text := wire.text(caption):
                    yield text


def _prose_tree(element: Element) -> Element:
    """A copy of ``element`` with each NITF ``media`` block taken out (its tail text kept) and
    each table replaced by one paragraph a row. New elements come from ``makeelement``, so
    this works on lxml trees (HTML carried as text) as on ElementTree ones."""
    copy = deepcopy(element)
    for parent in list(copy.iter()):
        for index, node in enumerate(parent):
            name = local_name(node.tag)
            if name == "media":
                parent[index] = _new(node, "span", "", node.tail)
            elif name == "table":
                parent[index] = _table_rows(node)
    return copy


def _table_rows(table: Element) -> Element:
    """A block of paragraphs standing in for ``table``: its caption, then one a row."""
    rows = _new(table, "div", "", table.tail)
    for part in table:
        name = local_name(part.tag)
        if name == "caption":
            rows.append(_new(table, "p", wire.clean("".join(part.itertext())), None))
        elif name == "tr":
            rows.extend(_row(table, part))
        elif name in _ROW_GROUPS:
            for row in wire.children(part, "tr"):
                rows.extend(_row(table, row))
    return rows


def _row(table: Element, row: Element) -> list[Element]:
    cells = [wire.clean("".join(cell.itertext())) for cell in row if local_name(cell.tag) in _CELLS]
    return [_new(table, "p", _CELL_BREAK.join(cells), None)] if any(cells) else []


def _new(like: Element, tag: str, text: str, tail: str | None) -> Element:
    """A new element of the same tree type as ``like``."""
    element = like.makeelement(tag, {})
    element.text, element.tail = text, tail
    return element
