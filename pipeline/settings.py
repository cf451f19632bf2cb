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
from enum import StrEnum
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from pipeline.errors import ConfigError

DEFAULT_PROFILE = "default.toml"


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


def load_settings(path: str | Path | None = None) -> Settings:
    """The shipped defaults, overridden by the TOML file at ``path`` when given."""
    default = files("pipeline.configs").joinpath(DEFAULT_PROFILE)
    data = _parse_toml(default.read_text(encoding="utf-8"), f"configs/{DEFAULT_PROFILE}")
    where = f"configs/{DEFAULT_PROFILE}"
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
