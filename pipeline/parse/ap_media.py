"""AP Media API responses: one item (``/content``) or a feed of items (``/content/feed``).

A response wraps its content: ``{"api_version": ..., "data": {"item": {...}}}`` for one item,
``{"data": {"items": [{"meta": ..., "item": {...}}, ...]}}`` for a feed (a container: one
Story or ItemFailure an entry, in order). An item on its own, without the wrapper, is read
too. The item uses ninjs 1.x property names, so ``pipeline.parse.ninjs`` maps it (uri,
version, versioncreated, firstcreated, pubstatus, urgency, headline, slugline, subject,
keywords, signals, language, copyrightnotice, ednote, provider) and this module reads what
is AP's own:

* id: ``altids.itemid``, AP's stable id; the item's ``uri`` carries per-request query
  parameters, so the same item has a new uri in every response.
* byline: the ``by`` of each of ``bylines`` (joined with "; ").
* located: ``datelinelocation`` (city, state or area, country), when there is no ``located``.
* headline: ``headline``, else ``headline_extended``, else ``title``.
* ``editorialpriority`` (AP's letter codes) is not an urgency and is left out.

AP does not put a text story's body in the item: its ``renditions`` (``nitf``, ``anpa``)
link to it, to be downloaded with the API key. A text item without an inline body (ninjs
``body_*``/``bodies``, which a reseller's copy may carry) is therefore ``no_body``, saying that
the body is only linked. Picture, graphic, audio and video items are not text, nor are
``complexdata`` items (AP's multimedia packages) without a text body.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from typing import Any

from pipeline.errors import ParseError, Reason
from pipeline.parse import jsonwire, ninjs, wire
from pipeline.records import ItemFailure, RawItem, Source, Story

FORMAT = jsonwire.AP_MEDIA
BYLINE_SEPARATOR = "; "
_DATELINE_PARTS = ("city", "countryareaname", "countryname")


def detect(raw: bytes) -> bool:
    return jsonwire.sniff(raw) == FORMAT


def parse_ap_media(item: RawItem) -> Iterator[Story | ItemFailure]:
    document = wire.parse_json(item.raw)
    if not isinstance(document, dict):
        raise ParseError(
            Reason.MALFORMED, f"the document is {jsonwire.kind_of(document)}, not an AP response"
        )
    data = document.get("data")
    if isinstance(data, dict) and isinstance(data.get("items"), list):
        pairs = ((entry, jsonwire.dump(entry)) for entry in data["items"])
        yield from jsonwire.each_item(item, FORMAT, pairs, _feed_story)
    elif isinstance(data, dict) and "item" in data:
        yield story(data["item"], replace(item.source, format=FORMAT), item.raw)
    elif "altids" in document or "uri" in document:
        yield story(document, replace(item.source, format=FORMAT), item.raw)
    else:
        raise ParseError(Reason.MALFORMED, _no_item(document))


def _no_item(document: dict[str, Any]) -> str:
    error = document.get("error")
    if isinstance(error, dict):  # the API's error response
        return f"an AP Media API error response: {jsonwire.text(error.get('message'))}"
    return "no AP Media API item: neither data.item nor data.items"


def _feed_story(entry: Any, source: Source, raw: bytes) -> Story:
    if not isinstance(entry, dict) or "item" not in entry:
        raise ParseError(Reason.MALFORMED, "a feed entry without an item")
    return story(entry["item"], source, raw)


def story(value: Any, source: Source, raw: bytes) -> Story:
    """One AP item as a Story; ParseError when it is not a text story or has no inline body."""
    fields = ninjs.lowered(value)
    paragraphs = ninjs.text_paragraphs(fields, _missing_body)
    return ninjs.assemble(
        fields,
        paragraphs,
        source,
        raw,
        id=_item_id(fields),
        byline=_byline(fields),
        located=jsonwire.text(fields.get("located")) or _dateline_location(fields),
    )


def _missing_body(kind: str, fields: dict[str, Any]) -> str:
    renditions = fields.get("renditions") if isinstance(fields.get("renditions"), dict) else {}
    linked = [name for name, rendition in renditions.items()
              if isinstance(rendition, dict) and rendition.get("type") == "text"]  # fmt: skip
    if linked:
        return (f"{kind} item whose body is only linked (renditions {', '.join(linked)}: an href "
                "to download), not in the item")  # fmt: skip
    return f"{kind} item with no body text and no text rendition"


def _item_id(fields: dict[str, Any]) -> str | None:
    altids = fields.get("altids")
    return jsonwire.text(altids.get("itemid")) if isinstance(altids, dict) else None


def _byline(fields: dict[str, Any]) -> str | None:
    bylines = fields.get("bylines") if isinstance(fields.get("bylines"), list) else []
    names = jsonwire.strings([entry.get("by") for entry in bylines if isinstance(entry, dict)])
    return BYLINE_SEPARATOR.join(names) or None


def _dateline_location(fields: dict[str, Any]) -> str | None:
    location = fields.get("datelinelocation")
    if not isinstance(location, dict):
        return None
    return ", ".join(jsonwire.strings([location.get(part) for part in _DATELINE_PARTS])) or None
