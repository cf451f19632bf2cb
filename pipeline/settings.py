"""Behaviour settings: ``configs/default.toml``, overridden key by key by a ``--config`` file.

The shipped defaults are read first; a user file then overrides only the keys it sets (tables
merge, other values replace), so a profile can change one rule or the model and nothing else.
The result is validated into frozen models: an unknown key, a wrong type or a bad value is a
``ConfigError`` naming the file and the key, raised before the pipeline is built. Transforms get
these settings through their constructors; no worker reads a file or a global for its config.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from enum import StrEnum
from importlib.resources import files
from pathlib import Path
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.errors import ConfigError

DEFAULT_PROFILE = "default.toml"
# The agency profiles ship in a file of their own, read after the defaults: data that grows
# with every feed a user adds.
AGENCY_PROFILES = "agencies.toml"


class _Settings(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ReadSettings(_Settings):
    max_item_bytes: int = Field(gt=0)
    """Items larger than this (after decompression) are dead-lettered as too_large."""


class Scope(StrEnum):
    """Where in a story a clean rule looks, and what it removes when a pattern matches."""

    LEAD = "lead"  # a whole paragraph before the body starts (captions, bylines)
    PREFIX = "prefix"  # the start of the first body paragraph (datelines)
    PARAGRAPH = "paragraph"  # one whole paragraph anywhere in the body
    LIST = "list"  # a heading paragraph and the list items that follow it
    REST = "rest"  # a paragraph and everything after it


class RuleSettings(_Settings):
    kind: str = Field(pattern=r"^[a-z_]+$")
    """What the removed text is (related_posts, signoff, caption, ...): lands in removed.kind."""
    scope: Scope
    patterns: tuple[str, ...] = Field(min_length=1)
    """Regular expressions; named groups (provider, byline, ...) fill the story's fields."""
    items: str | None = None
    """For scope "list": the pattern each list item matches; the list ends at the first miss."""
    enabled: bool = True
    pages_only: bool = False
    """Only for stories that are a page's whole text (text, HTML): a heuristic that wire copy,
    with its subheadings and table rows, would trip."""

    @model_validator(mode="after")
    def _items_go_with_lists(self) -> RuleSettings:
        if (self.scope is Scope.LIST) != (self.items is not None):
            raise ValueError('"items" is required for scope "list" and only allowed there')
        return self


class CleanSettings(_Settings):
    providers: dict[str, str]
    """Agency names as written (any case) to canonical provider names; ``{provider}`` in a
    pattern matches any of them."""
    rules: dict[str, RuleSettings]
    """Boilerplate rules by name, tried in this order."""
    main_text: bool = True
    """Look for the main text in stories that are a page's whole text (text and HTML input)."""
    main_text_model: str = ""
    """A model file written by scripts/train_main_text_model.py; empty for the shipped one."""
    main_text_around_extracted: bool = True
    """On HTML pages, let the model decide beyond trafilatura's paragraphs; false keeps
    trafilatura's paragraphs, first to last."""
    site_context: bool = True
    """Let the main-text model see what the other pages of a page's site in the same batch
    hold (pipeline/clean/site.py); false cleans each page alone."""


class EnrichSettings(_Settings):
    model: str = Field(min_length=1)
    """An installed spaCy pipeline (package name or path)."""
    exclude: tuple[str, ...] = ()
    """Components not loaded at all."""
    enable: tuple[str, ...] = ()
    """Components the model ships disabled that should run (e.g. senter without the parser)."""
    batch_size: int = Field(gt=0)
    """Most stories an nlp.pipe batch holds."""
    batch_chars: int = Field(gt=0)
    """Most characters an nlp.pipe batch holds (a longer story goes in a batch of its own):
    spaCy's working memory grows with the characters of a batch, not with its stories."""
    max_chars: int = Field(gt=0)
    """Longer bodies are dead-lettered as text_too_long rather than fed to spaCy."""
    key_phrases: int = Field(default=8, ge=0)
    """Key phrases kept a story (0 for none)."""
    quote_verbs: tuple[str, ...] = ()
    """Reporting verbs that attribute a quote to its speaker (said, told, ...), any form."""


class IdentifySettings(_Settings):
    kill_patterns: tuple[str, ...] = ()
    """Regular expressions: a usable story whose version line, slugline or headline one
    matches (from its start, case as written) is a kill advisory, pub_status canceled."""
    cluster_measure: str
    """How alike two bodies are: "jaccard" (shared shingles over all shingles) or "overlap"
    (shared shingles over the smaller body's), names in pipeline.cluster.clusters.MEASURES."""
    cluster_threshold: float = Field(gt=0, le=1)
    """A story joins the cluster of an earlier one whose body it is at least this alike."""
    shingle_words: int = Field(ge=1)
    """Words per shingle: longer shingles tell template stories with other figures apart."""
    cluster_horizon_days: float = Field(gt=0)
    """How far back a story is looked for among earlier ones (what the index keeps)."""

    @model_validator(mode="after")
    def _measure_is_known(self) -> IdentifySettings:
        # Imported here: the settings module is imported everywhere, before the stages.
        from pipeline.cluster.clusters import MEASURES

        if self.cluster_measure not in MEASURES:
            raise ValueError(f"cluster_measure must be one of {', '.join(sorted(MEASURES))}")
        return self

    @model_validator(mode="after")
    def _patterns_compile(self) -> IdentifySettings:
        for pattern in self.kill_patterns:
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"kill pattern {pattern!r}: {error}") from error
        return self


class AgencySettings(_Settings):
    """What one agency's items mean where their format leaves it to the sender."""

    timezone: str | None = None
    """The IANA zone of the agency's times written without an offset (dpa: Europe/Berlin);
    none: UTC."""
    urgency: dict[str, int] = {}
    """The agency's priority codes as sent (any case) -> IPTC urgency, 1 most urgent to 9;
    over the format's own reading."""
    id: tuple[str, ...] = ()
    """Which of an item's identifiers is the story's id, by the names the parsers give them
    (``guid``, ``altId:<type>``, ``PublicIdentifier``...), first present wins; none: the
    format's own choice."""
    byline: tuple[str, ...] = ()
    """Regular expressions for the agency's byline as it writes it (``Von NAME, dpa``): the
    first that matches the whole byline gives the byline its ``byline`` group."""
    rules: dict[str, RuleSettings] = {}
    """Clean rules for this agency's copy only (its sign-off and byline conventions), tried
    before the general ones."""

    @model_validator(mode="after")
    def _zone_is_known(self) -> AgencySettings:
        if self.timezone is not None:
            try:
                ZoneInfo(self.timezone)
            except (ZoneInfoNotFoundError, ValueError) as error:
                raise ValueError(f"unknown time zone {self.timezone!r}") from error
        return self

    @model_validator(mode="after")
    def _bylines_compile(self) -> AgencySettings:
        for pattern in self.byline:
            try:
                compiled = re.compile(pattern)
            except re.error as error:
                raise ValueError(f"byline pattern {pattern!r}: {error}") from error
            if "byline" not in compiled.groupindex:
                raise ValueError(f"byline pattern {pattern!r} has no (?P<byline>...) group")
        return self

    @model_validator(mode="after")
    def _urgency_in_scale(self) -> AgencySettings:
        for code, value in self.urgency.items():
            if not 1 <= value <= 9:
                raise ValueError(f"urgency for {code!r} must be 1 to 9, not {value}")
        return self


_Profile = TypeVar("_Profile")


def by_agency(values: Mapping[str, _Profile], names: Mapping[str, str]) -> dict[str, _Profile]:
    """``values`` (by agency name) keyed by casefolded name, and by every other name the
    agency goes by in ``names`` ([clean.providers]: "press association" -> "PA")."""
    table = {agency.casefold(): value for agency, value in values.items()}
    for written, canonical in names.items():
        if canonical.casefold() in table:
            table.setdefault(written.casefold(), table[canonical.casefold()])
    return table


def find_agency(by_name: Mapping[str, _Profile], provider: str | None) -> _Profile | None:
    """The entry for ``provider`` in a table keyed by casefolded agency names; a provider
    sent as a code (``nprov:dpa``) is found by the name after its scheme, one sent as a
    domain (``reuters.com``, ``www.ritzau.dk``) by the name before its top level."""
    if not provider:
        return None
    name = provider.strip().casefold()
    code = name.rpartition(":")[2]
    domain = code.rsplit(".", 2)[-2] if "." in code and " " not in code else code
    return by_name.get(name) or by_name.get(code) or by_name.get(domain)


class WatchSettings(_Settings):
    poll_seconds: float = Field(gt=0)
    """How long the watcher waits between looks at its inputs while nothing new comes."""
    linger_seconds: float = Field(ge=0)
    """After the first new delivery, how long more are gathered before the batch runs."""
    max_batch_deliveries: int = Field(gt=0)
    """Most files or messages in one batch (and so behind one Avro file of each kind)."""


class Settings(_Settings):
    read: ReadSettings
    clean: CleanSettings
    identify: IdentifySettings
    enrich: EnrichSettings
    watch: WatchSettings
    agencies: dict[str, AgencySettings] = {}
    """Agency profiles by provider name (as the story's provider, any case)."""


def load_settings(path: str | Path | None = None) -> Settings:
    """The shipped defaults, overridden by the TOML file at ``path`` when given."""
    data: dict[str, Any] = {}
    for name in (DEFAULT_PROFILE, AGENCY_PROFILES):
        where = f"configs/{name}"
        shipped = files("pipeline.configs").joinpath(name).read_text(encoding="utf-8")
        data = merge(data, _parse_toml(shipped, where))
    if path is not None:
        where = str(path)
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"cannot read config {path}: {error}") from error
        data = merge(data, _parse_toml(text, where))
    try:
        return Settings.model_validate(data)
    except ValidationError as error:
        first = error.errors()[0]
        key = ".".join(str(part) for part in first["loc"])
        problem = "unknown key" if first["type"] == "extra_forbidden" else first["msg"]
        raise ConfigError(f"config {where}: {key}: {problem}") from error


def merge(base: dict[str, Any], override: dict[str, Any]) -> dict[str, Any]:
    """``base`` with ``override`` laid over it: tables merge key by key, values replace."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _parse_toml(text: str, where: str) -> dict[str, Any]:
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"config {where}: {error}") from error
