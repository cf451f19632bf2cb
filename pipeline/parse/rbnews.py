"""Ritzau's RBNews: the Danish agency's own XML, one ``<RBNews>`` a story, or a feed response
(``XMLNewsQueuedResponse``) holding a ``ListOfRBNews`` of them (a container: one item each).

An item, as Ritzau sends it::

    <RBNews>
      <NewsID>9a6955fc-...</NewsID>            the story's id, the same for all its versions
      <PublishDate>2018-01-30T17:32:18.397</PublishDate>   local time, no offset
      <strapline>NU/FLASH-U</strapline>        the slug
      <headline>...</headline> <subtitle>...</subtitle>
      <town>Haag</town>                        where it was filed
      <section>Udland</section>                Ritzau's desk
      <version>1</version> <Replaces>...</Replaces>
      <content>&lt;p&gt;...&lt;/p&gt;</content>   the text, as escaped HTML
      <Priority>3</Priority>
      <Annuleret>false</Annuleret>             canceled (a kill)
      <NyVersion>false</NyVersion> <Korrektion>false</Korrektion>   update, correction
      <byLine>Peder Top Poulsen</byLine>
      <TilRedaktionen>...</TilRedaktionen>     "to the editors": not for publication

Mapped onto Story: ``id`` (NewsID), ``version`` and ``supersedes`` (Replaces),
``version_created`` (PublishDate, in the Ritzau profile's zone), ``slugline``, ``headline``
(else the subtitle, else the slug), ``dateline`` and ``located`` (town), ``subjects`` (the
section, scheme ``ritzau-section``), ``urgency`` (Priority, IPTC's 1-9 scale), ``byline``,
``editorial_note`` (TilRedaktionen, as text), ``pub_status`` canceled for Annuleret,
``signals`` update and correction, ``provider`` Ritzau. The subtitle is not story text.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from xml.etree.ElementTree import Element

from pipeline.errors import ParseError, Reason
from pipeline.parse import wire
from pipeline.parse.markup import local_name
from pipeline.records import PARAGRAPH_BREAK, ItemFailure, RawItem, Source, Story, Subject

FORMAT = "rbnews"
PROVIDER = "Ritzau"
SECTION_SCHEME = "ritzau-section"
ROOTS = frozenset({"RBNews", "XMLNewsQueuedResponse"})
# Ritzau's flags for a story that is a new version or a correction of an earlier one.
_SIGNALS = {"NyVersion": "update", "Korrektion": "correction"}


def detect(raw: bytes) -> bool:
    return wire.xml_root(raw) in ROOTS


def parse_rbnews(item: RawItem) -> Iterator[Story | ItemFailure]:
    root = wire.parse_xml(item.raw)
    if local_name(root.tag) == "RBNews":
        yield story(root, replace(item.source, format=FORMAT), item.raw)
        return
    entries = list(wire.descendants(root, "RBNews"))
    if not entries:
        raise ParseError(Reason.NO_BODY, "an RBNews feed response with no RBNews in it")
    yield from wire.each_element(item, FORMAT, entries, story)


def story(element: Element, source: Source, raw: bytes) -> Story:
    """One ``<RBNews>`` as a Story; ParseError when it has no text and is not a kill."""
    canceled = _flag(element, "Annuleret")
    paragraphs = [
        wire.unescape_twice(paragraph)
        for paragraph in wire.html_paragraphs(_field(element, "content") or "")
    ]
    if not paragraphs and not canceled:
        raise ParseError(Reason.NO_BODY, "an RBNews item whose content holds no text")
    slugline = _field(element, "strapline")
    town = _field(element, "town")
    section = _field(element, "section")
    note = wire.html_paragraphs(_field(element, "TilRedaktionen") or "")
    return Story(
        source=source,
        raw=raw,
        headline=wire.headline_or_lead(
            _field(element, "headline") or _field(element, "subtitle"), slugline, paragraphs
        ),
        body=PARAGRAPH_BREAK.join(paragraphs),
        provider=PROVIDER,
        id=_field(element, "NewsID") or "",
        version=_field(element, "version"),
        supersedes=_field(element, "Replaces"),
        version_created=wire.timestamp(_field(element, "PublishDate")),
        pub_status="canceled" if canceled else "usable",
        urgency=wire.urgency(_field(element, "Priority")),
        priority=_field(element, "Priority"),
        signals=tuple(signal for flag, signal in _SIGNALS.items() if _flag(element, flag)),
        slugline=slugline,
        dateline=town,
        located=town,
        subjects=(
            Subject(code=_field(element, "sectionShort"), name=section, scheme=SECTION_SCHEME),
        )
        if section
        else (),  # fmt: skip
        byline=wire.byline_text(_field(element, "byLine")),
        editorial_note="\n".join(note) or None,
    )


def _flag(element: Element, name: str) -> bool:
    return (_field(element, name) or "").lower() == "true"


def _field(element: Element, name: str) -> str | None:
    """A child's text, cleaned; None when absent, nil or blank."""
    return wire.text(wire.child(element, name))
