"""NewsML 1.2 (IPTC, 2003): AFP, Business Wire, Belga, ANP, ATS, Kyodo, dpa, ANA.

A ``NewsML`` document is an envelope (``NewsEnvelope``) and one or more ``NewsItem``s: it is a
container, and every ``NewsItem`` becomes a story or a failure of its own (``source.index``
counts the NewsItems, ``raw`` is the NewsItem's own XML). A NewsItem has ``Identification``
and ``NewsManagement`` and one ``NewsComponent`` tree; the tree's leaves are ``ContentItem``s
whose ``DataContent`` holds the text: inline NITF (AFP, ANP, ATS, Kyodo), XHTML (Business
Wire), HTML in CDATA (ANA) or plain text (Belga), or a reference (``Href``) to a picture,
sound or video file. Metadata sits at every level of the tree and applies to everything
below it, so a story's metadata is read along the path from the NewsItem's top component down
to the component holding its text, the innermost value winning.

Which content is the story's text: the text content items (``MediaType`` Text, a text
``MimeType`` other than CSS, or inline ``DataContent``) whose component ``Role`` is a body
role (Body, Main, Lead) when any has one, else all text items except titles, headlines,
captions, contacts and style sheets. Of alternatives (a component with
``EquivalentsList="yes"``, or Belga's Dutch and French versions side by side) the first is
taken: the body is the text items in the first one's language and branch. A NewsItem is not a
text story (``NOT_TEXT``) when that text sits inside a picture, video or audio component
(Belga describes its clips and bulletins with a Body), when it carries only pictures, sounds,
videos or graphics, or when it is an ``Update`` or a ``TopicSet`` rather than a
``NewsComponent``. A NewsItem whose text items are empty is ``NO_BODY``.

How NewsML 1.2 maps onto ``Story``, and why:

* ``id``: ``urn:newsml:{ProviderId}:{DateId}:{NewsItemId}``, the ``PublicIdentifier`` without
  its revision: a story's identity is its id and its version, and a PublicIdentifier also
  carries the revision (some agencies, Belga among them, send one PublicIdentifier for all
  their items). Without those three parts, the PublicIdentifier as given.
* ``version``: ``RevisionId``; ``supersedes`` and the "update" signal: the
  ``PreviousRevision`` it names.
* ``first_created`` / ``version_created``: ``FirstCreated`` / ``ThisRevisionCreated``.
* ``pub_status``: ``Status`` (Usable, Withheld, Canceled); an Embargoed item is usable from
  the time of its ``StatusWillChange`` (``embargoed``), or withheld when that is not given.
* ``urgency``: ``Urgency``, else the envelope's ``Priority`` (same 1-9 scale).
* From ``NewsLines``: ``headline`` (``HeadLine``, else a Title or HeadLine component's text,
  else the NITF's), ``byline`` (``ByLine`` without "By", else the NITF's, else
  ``AdministrativeMetadata/Creator/Party``, where AFP names its writers), ``dateline``, ``slugline``
  (``SlugLine``, else the ``NameLabel`` AFP fills with the slug), ``copyright``
  (``CopyrightLine``), ``keywords`` (``KeywordLine``s and ``Keyword`` properties),
  ``editorial_note`` (an AdvisoryLine or EditorialNote ``NewsLine``). ``SubHeadLine`` has no
  ``Story`` field.
* From ``DescriptiveMetadata``: ``language`` (``Language``, else ``xml:lang``), ``subjects``
  (``SubjectCode``: IPTC subject codes as scheme "iptc-subjectcode", others under their
  ``Scheme`` or ``Vocabulary``; names from the document's ``TopicSet``s when they give them),
  ``located`` (``Location``: city, area, country).
* ``provider``: ``AdministrativeMetadata/Provider/Party``, else the envelope's ``SentFrom``
  party, else ``ProviderId``.
* Inline NITF is read with ``nitf.nitf_fields``; its byline, dateline, caption and the like
  fill what the NewsML metadata leaves empty.

Documents are read with ``wire.parse_xml``: the safe parser, after dropping the DTD-module
subset that ATS and Kyodo put in their DOCTYPE (the way the NewsML 1.2 DTD takes in NITF)
and after correcting AFP's Latin-1 label on UTF-8 bytes.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from xml.etree.ElementTree import Element

import lxml.html
from lxml import etree

from pipeline.errors import ParseError, Reason
from pipeline.parse import wire
from pipeline.parse.markup import local_name
from pipeline.parse.nitf import (
    SUBJECT_SCHEME,
    markup_paragraphs,
    nitf_fields,
)
from pipeline.parse.text import split_paragraphs
from pipeline.records import PARAGRAPH_BREAK, RECALLS, ItemFailure, RawItem, Story, Subject

FORMAT = "newsml-1"

_BODY_ROLES = frozenset({"body", "main", "lead"})
_TITLE_ROLES = frozenset({"title", "headline"})
_NOT_BODY_ROLES = _TITLE_ROLES | {"subheadline", "caption", "contact", "stylesheet", "logo",
                                  "byline", "credit", "thumbnail", "preview"}  # fmt: skip
# Components whose text describes a picture, clip or sound: their items are not text stories.
_MEDIA_ROLES = frozenset({"photo", "picture", "image", "graphic", "video", "clip", "audio",
                          "sound"})  # fmt: skip
_TEXT_MIME_TYPES = frozenset({"application/xml", "application/xhtml+xml", "application/nitf+xml"})
_HTML_FORMATS = frozenset({"html", "xhtml", "text/html", "text/xhtml"})  # Format or MimeType
_NITF_ROOTS = ("nitf", "body", "body.content")
_EDITORIAL_LINES = frozenset({"advisoryline", "editorialnote", "ednote"})
_LOCATION_PARTS = ("SubLocation", "City", "CountryArea", "Country")  # smallest place first
_IPTC_SUBJECT_SCHEMES = frozenset({"iptcsubjectcodes", "iptcsubjectcode", "iptc"})
_IPTC_SUBJECT_CODE = re.compile(r"\d{8}")
_SUBJECT_LEVELS = ("Subject", "SubjectMatter", "SubjectDetail")
# HTML carried as text (Belga bodies, ANA's CDATA): a tag name we know, in angle brackets.
_HTML_TAG = re.compile(
    r"</?(?:p|br|div|span|b|i|u|em|strong|a|ul|ol|li|h[1-6]|table)\b[^>]*>", re.I
)
_IDENTITY_PARTS = ("ProviderId", "DateId", "NewsItemId")


def detect(raw: bytes) -> bool:
    return wire.xml_root(raw) == "NewsML"


def parse_newsml_1(item: RawItem) -> Iterator[Story | ItemFailure]:
    root = wire.parse_xml(item.raw)
    if local_name(root.tag) != "NewsML":
        raise ParseError(Reason.MALFORMED, f"root element <{local_name(root.tag)}>, not <NewsML>")
    news_items = list(wire.children(root, "NewsItem"))
    if not news_items:
        raise ParseError(Reason.MALFORMED, "a NewsML document without a NewsItem")
    envelope = wire.child(root, "NewsEnvelope")
    topic_names = _topic_names(root)
    for index, news_item in enumerate(news_items):
        raw = wire.element_bytes(news_item)
        try:
            fields = _story_fields(news_item, envelope, topic_names)
        except ParseError as error:
            yield wire.failure(item, index, raw, FORMAT, error)
            continue
        source = wire.item_source(item, index, raw, FORMAT)
        yield Story(source=source, raw=raw, **fields)  # type: ignore[arg-type]


@dataclass(frozen=True)
class _Content:
    """A ``ContentItem`` and the ``NewsComponent``s above it, from the NewsItem's top one."""

    item: Element
    components: tuple[Element, ...]

    @property
    def role(self) -> str:
        return _role(self.components[-1])

    @property
    def kind(self) -> str:
        """What the item is: "text", else its media type or MIME type (photo, audio,
        image/jpeg, ...), or "media" for a bare reference to a file. A ``ComplexData`` item
        (a media type for mixed content) whose ``DataContent`` holds text is text."""
        media_type = _formal(wire.child(self.item, "MediaType")).lower()
        if media_type == "complexdata" and _holds_text(self.item):
            return "text"
        if media_type:
            return media_type
        mime = _formal(wire.child(self.item, "MimeType")).lower()
        if mime:
            textual = mime in _TEXT_MIME_TYPES or (mime.startswith("text/") and mime != "text/css")
            return "text" if textual else mime
        return "text" if wire.child(self.item, "DataContent") is not None else "media"

    @property
    def language(self) -> str | None:
        for element in (self.item, *reversed(self.components)):
            language = _formal(wire.child(element, "DescriptiveMetadata", "Language"))
            if tag := wire.language_tag(language or element.get(wire.XML_LANG)):
                return tag
        return None

    def choices(self) -> dict[Element, Element]:
        """Under each ``EquivalentsList`` component above this item, the child it lies in."""
        path = (*self.components, self.item)
        return {component: path[index + 1] for index, component in enumerate(self.components)
                if component.get("EquivalentsList", "").lower() == "yes"}  # fmt: skip

    def alternative_to(self, other: _Content) -> bool:
        mine, theirs = self.choices(), other.choices()
        shared = mine.keys() & theirs.keys()
        differs = any(mine[component] is not theirs[component] for component in shared)
        return differs or self.language != other.language


def _story_fields(
    news_item: Element, envelope: Element | None, topic_names: dict[str, str]
) -> dict[str, object]:
    """The ``Story`` fields of a NewsItem (keyword arguments), or the reason it is none."""
    top = wire.child(news_item, "NewsComponent")
    if top is None:
        raise _not_a_component(news_item)
    contents = list(_contents(top, ()))
    management = wire.child(news_item, "NewsManagement")
    status = _formal(wire.child(management, "Status")).lower()
    release = _release(management)
    recalled = _status(status, release) in RECALLS  # a kill or withhold: text optional
    body = _body_contents(contents, recalled=recalled)
    path = body[0].components if body else (top,)  # the metadata that applies to the text
    nitf: dict[str, object] = {}
    paragraphs: list[str] = []
    for content in body:
        found, fields = _content_paragraphs(content.item)
        paragraphs += found
        nitf = nitf or fields
    if not paragraphs and not recalled:
        raise ParseError(Reason.NO_BODY, f"the NewsItem's {_described(body)} has no text")
    identification = wire.child(news_item, "Identification")
    identifier = wire.child(identification, "NewsIdentifier")
    slugline = _line(path, "SlugLine") or wire.text(wire.child(identification, "NameLabel"))
    same_version = [c for c in contents if not body or not c.alternative_to(body[0])]
    headline = _line(path, "HeadLine") or _title(same_version) or _str(nitf, "headline")
    previous = _previous_revision(identifier)
    priority = _formal(wire.child(management, "Urgency")) or _formal(
        wire.child(envelope, "Priority")
    )
    own: dict[str, object] = {
        "id": _identity(identifier),
        "identifiers": tuple(
            (name, value)
            for name in ("PublicIdentifier", "NewsItemId")
            if (value := wire.text(wire.child(identifier, name)))
        ),
        "version": wire.text(wire.child(identifier, "RevisionId")),
        "supersedes": previous,
        "signals": ("update",) if previous else (),
        "first_created": _time(management, "FirstCreated"),
        "version_created": _time(management, "ThisRevisionCreated"),
        "embargoed": release if status in ("embargoed", "withheld") else None,
        "pub_status": _status(status, release),
        "urgency": wire.urgency(priority),
        "priority": priority,
        "provider": _provider(path, envelope, identifier),
        "byline": wire.byline_text(_line(path, "ByLine"))
        or _str(nitf, "byline")
        or _administrative(path, "Creator"),
        "dateline": _line(path, "DateLine"),
        "slugline": slugline,
        "copyright": _line(path, "CopyrightLine"),
        "editorial_note": _news_line(path, _EDITORIAL_LINES),
        "keywords": _union(_keywords(path), nitf.get("keywords")),
        "subjects": _union(_subjects(path, topic_names), nitf.get("subjects")),
        "language": (body and body[0].language) or wire.language_tag(news_item.get(wire.XML_LANG)),
        "located": _located(path),
        "headline": wire.headline_or_lead(headline, slugline or _str(nitf, "slugline"), paragraphs),
        "body": PARAGRAPH_BREAK.join(paragraphs),
    }
    # The NewsML metadata wins; what it leaves empty, the NITF's fills. The body is always
    # there, empty for a kill without text.
    return {**nitf, **{key: value for key, value in own.items() if value}, "body": own["body"]}


def _str(fields: dict[str, object], key: str) -> str | None:
    value = fields.get(key)
    return value if isinstance(value, str) else None


def _union(first: Iterable[object], second: object) -> tuple[object, ...]:
    """Both sequences' values, once each, in order (``second`` may be absent)."""
    return tuple(dict.fromkeys([*first, *(second if isinstance(second, tuple) else ())]))


def _time(management: Element | None, name: str) -> datetime | None:
    return wire.timestamp(wire.text(wire.child(management, name)))


def _not_a_component(news_item: Element) -> ParseError:
    if wire.child(news_item, "Update") is not None:
        return ParseError(Reason.NOT_TEXT, "an Update to an earlier NewsItem, not a story")
    if wire.child(news_item, "TopicSet") is not None:
        return ParseError(Reason.NOT_TEXT, "a TopicSet (a vocabulary), not a story")
    return ParseError(Reason.NO_BODY, "a NewsItem without a NewsComponent")


def _contents(component: Element, above: tuple[Element, ...]) -> Iterator[_Content]:
    path = (*above, component)
    for node in component:
        name = local_name(node.tag)
        if name == "ContentItem":
            yield _Content(node, path)
        elif name == "NewsComponent":
            yield from _contents(node, path)


def _body_contents(contents: list[_Content], *, recalled: bool) -> list[_Content]:
    """The content items holding the story's text (see the module docstring), or the reason
    there are none; none at all is no error for a kill or withhold (``recalled``)."""
    texts = [c for c in contents if c.kind == "text" and c.role not in _NOT_BODY_ROLES]
    chosen = [content for content in texts if content.role in _BODY_ROLES] or texts
    if not chosen:
        kinds = sorted({content.kind for content in contents if content.kind != "text"})
        if kinds:
            raise ParseError(Reason.NOT_TEXT, f"{', '.join(kinds)} content only, not a text story")
        if recalled:
            return []
        raise ParseError(Reason.NO_BODY, "a NewsItem without text content")
    first = chosen[0]
    media = [role for role in map(_role, first.components) if role in _MEDIA_ROLES]
    if media:
        message = f"the text describes a {media[-1]} component, not a text story"
        raise ParseError(Reason.NOT_TEXT, message)
    return [content for content in chosen if not content.alternative_to(first)]


def _holds_text(item: Element) -> bool:
    data = wire.child(item, "DataContent")
    return data is not None and bool("".join(data.itertext()).strip())


def _content_paragraphs(item: Element) -> tuple[list[str], dict[str, object]]:
    """The paragraphs of a content item, with the fields of its NITF when it is NITF."""
    data = wire.child(item, "DataContent")
    if data is None:
        return [], {}
    nitf = next((node for node in data if local_name(node.tag) in _NITF_ROOTS), None)
    if nitf is not None:
        fields = nitf_fields(nitf)
        return str(fields["body"]).split(PARAGRAPH_BREAK) if fields["body"] else [], fields
    if len(data):
        return markup_paragraphs(data), {}
    text = data.text or ""
    declared = {_formal(wire.child(item, name)).lower() for name in ("Format", "MimeType")}
    if declared & _HTML_FORMATS or _HTML_TAG.search(text):
        return _html_paragraphs(text), {}
    return _text_paragraphs(text), {}


def _text_paragraphs(text: str) -> list[str]:
    """Plain text: paragraphs between blank lines, or one a line when there are none."""
    paragraphs = ("\n".join(map(wire.clean, part.split("\n"))) for part in split_paragraphs(text))
    return [paragraph for paragraph in paragraphs if paragraph.strip()]


def _html_paragraphs(text: str) -> list[str]:
    """HTML sent as text, read by lxml's HTML parser (which expands no declared entities and
    loads nothing)."""
    if not text.strip():
        return []
    parser = lxml.html.HTMLParser(remove_comments=True, no_network=True)
    try:
        fragment = lxml.html.fragment_fromstring(text, create_parent="div", parser=parser)
    except (etree.ParserError, ValueError):
        return []
    return markup_paragraphs(fragment)


def _described(contents: Iterable[_Content]) -> str:
    roles = sorted({content.role for content in contents if content.role})
    return f"{'/'.join(roles)} text" if roles else "text content"


def _role(component: Element) -> str:
    return _formal(wire.child(component, "Role")).lower()


def _formal(element: Element | None) -> str:
    return wire.clean(element.get("FormalName")) if element is not None else ""


def _title(contents: Iterable[_Content]) -> str | None:
    """The text of a Title or HeadLine component (Belga, Business Wire)."""
    for content in contents:
        if content.role in _TITLE_ROLES and content.kind == "text":
            if title := " ".join(_content_paragraphs(content.item)[0]):
                return wire.clean(title)
    return None


def _newslines(path: tuple[Element, ...], name: str) -> Iterator[Element]:
    """The ``NewsLines`` children called ``name`` (in any case: Belga writes "Headline"),
    innermost component first."""
    wanted = name.lower()
    for component in reversed(path):
        lines = wire.child(component, "NewsLines")
        if lines is not None:
            yield from (line for line in lines if local_name(line.tag).lower() == wanted)


def _line(path: tuple[Element, ...], name: str) -> str | None:
    return next((text for line in _newslines(path, name) if (text := wire.text(line))), None)


def _news_line(path: tuple[Element, ...], types: frozenset[str]) -> str | None:
    for line in _newslines(path, "NewsLine"):
        if _formal(wire.child(line, "NewsLineType")).lower() in types:
            if text := wire.text(wire.child(line, "NewsLineText")):
                return text
    return None


def _keywords(path: tuple[Element, ...]) -> Iterator[str]:
    for line in _newslines(path, "KeywordLine"):
        if text := wire.text(line):
            yield text
    for component in path:
        for prop in _properties(wire.child(component, "DescriptiveMetadata")):
            if prop.get("FormalName") == "Keyword" and not prop.get("Role"):
                if value := wire.clean(prop.get("Value")):
                    yield value


def _properties(element: Element | None) -> list[Element]:
    return list(wire.children(element, "Property")) if element is not None else []


def _subjects(path: tuple[Element, ...], names: dict[str, str]) -> Iterator[Subject]:
    for component in path:
        metadata = wire.child(component, "DescriptiveMetadata")
        for codes in wire.children(metadata, "SubjectCode") if metadata is not None else ():
            for subject in codes:
                code = wire.clean(subject.get("FormalName"))
                if local_name(subject.tag) in _SUBJECT_LEVELS and code:
                    named = subject.get("Scheme") or subject.get("Vocabulary")
                    scheme = _subject_scheme(code, named)
                    yield Subject(code=code, name=names.get(code), scheme=scheme)


def _subject_scheme(code: str, scheme: str | None) -> str | None:
    named = wire.clean(scheme)
    if named.lower() in _IPTC_SUBJECT_SCHEMES or (not named and _IPTC_SUBJECT_CODE.fullmatch(code)):
        return SUBJECT_SCHEME
    return named or None


def _topic_names(root: Element) -> dict[str, str]:
    """Subject names from the document's ``TopicSet``s (ANA sends them): the English name,
    else the first one given."""
    names: dict[str, str] = {}
    for topic in wire.descendants(root, "Topic"):
        code = wire.text(wire.child(topic, "FormalName"))
        given = [d for d in wire.children(topic, "Description") if d.get("Variant") == "Name"]
        english = [d for d in given if wire.language_tag(d.get(wire.XML_LANG)) == "en"]
        if code and (name := wire.text(next(iter(english or given), None))):
            names.setdefault(code, name)
    return names


def _located(path: tuple[Element, ...]) -> str | None:
    for component in reversed(path):
        metadata = wire.child(component, "DescriptiveMetadata")
        location = wire.child(metadata, "Location")
        values = {prop.get("FormalName"): wire.clean(prop.get("Value"))
                  for prop in _properties(location) or _properties(metadata)}  # fmt: skip
        parts = [values[part] for part in _LOCATION_PARTS if values.get(part)]
        if parts:
            return ", ".join(dict.fromkeys(parts))
    return None


def _administrative(path: tuple[Element, ...], role: str) -> str | None:
    """The party in an ``AdministrativeMetadata`` role (Provider, Creator), from the innermost
    component that names one."""
    for component in reversed(path):
        if party := _formal(wire.child(component, "AdministrativeMetadata", role, "Party")):
            return party
    return None


def _provider(
    path: tuple[Element, ...], envelope: Element | None, identifier: Element | None
) -> str | None:
    return (
        _administrative(path, "Provider")
        or _formal(wire.child(envelope, "SentFrom", "Party"))
        or wire.text(wire.child(identifier, "ProviderId"))
    )


def _identity(identifier: Element | None) -> str | None:
    parts = [wire.text(wire.child(identifier, name)) for name in _IDENTITY_PARTS]
    if all(parts):
        return "urn:newsml:" + ":".join(parts)  # type: ignore[arg-type]
    return wire.text(wire.child(identifier, "PublicIdentifier"))


def _previous_revision(identifier: Element | None) -> str | None:
    """The revision this one replaces; ``PreviousRevision="0"`` is a first revision."""
    revision = wire.child(identifier, "RevisionId")
    previous = wire.clean(revision.get("PreviousRevision")) if revision is not None else ""
    return previous if previous not in ("", "0") else None


def _release(management: Element | None) -> datetime | None:
    """When a withheld or embargoed item becomes usable, as ``StatusWillChange`` says."""
    change = wire.child(management, "StatusWillChange")
    future = _formal(wire.child(change, "FutureStatus")).lower()
    if change is None or future not in ("", "usable"):
        return None
    return wire.timestamp(wire.text(wire.child(change, "DateAndTime")))


def _status(status: str, release: datetime | None) -> str | None:
    if status == "embargoed":
        return "usable" if release else "withheld"
    return wire.pub_status(status)
