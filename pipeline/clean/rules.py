"""Clean rules compiled once from their settings into a ``RuleBook``.

Compiling happens when the pipeline is built, so a bad pattern or an unknown field name is a
``ConfigError`` before any data is read, and workers receive ready, picklable patterns.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from types import MappingProxyType
from typing import Any

from pipeline.clean.main_text import MainText, MainTextModels
from pipeline.errors import ConfigError
from pipeline.settings import (
    AgencySettings,
    CleanSettings,
    RuleSettings,
    Scope,
    by_agency,
    find_agency,
)

# Scopes of the rules that name boilerplate wherever it stands in the body.
BODY_SCOPES = frozenset({Scope.PARAGRAPH, Scope.LIST, Scope.REST})
# The story fields a rule's named groups may fill.
FIELDS = frozenset({"provider", "byline", "dateline", "caption", "credit"})
PROVIDER_PLACEHOLDER = "{provider}"


@dataclass(frozen=True)
class Rule:
    name: str
    kind: str
    scope: Scope
    patterns: tuple[re.Pattern[str], ...]
    items: re.Pattern[str] | None = None
    pages_only: bool = False

    def match(self, paragraph: str) -> re.Match[str] | None:
        """The first pattern matching the whole paragraph (its start, for scope prefix)."""
        for pattern in self.patterns:
            found = (
                pattern.match(paragraph)
                if self.scope is Scope.PREFIX
                else pattern.fullmatch(paragraph)
            )
            if found:
                return found
        return None


_Hit = tuple[Rule, re.Match[str]] | None
_REMEMBERED_MATCHES = 4096


@dataclass(frozen=True)
class RuleBook:
    """Everything the clean stage applies: the rules, provider names, the main-text model."""

    rules: tuple[Rule, ...]
    providers: Mapping[str, str]  # casefolded name as written -> canonical provider name
    main_text: MainText | None = None
    # An agency's own rules (its profile's, in configs/agencies.toml), by casefolded agency
    # name: tried before ``rules`` on that agency's stories.
    agency_rules: Mapping[str, tuple[Rule, ...]] = field(default_factory=dict)
    # The clean stage asks about a paragraph several times (the model's features, the comment
    # thread's start, the sweeps), and menus and footers repeat from page to page.
    _matches: dict[tuple[str, frozenset[Scope], bool], tuple[_Hit]] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )
    _agency_books: dict[str, RuleBook] = field(
        default_factory=dict, init=False, repr=False, compare=False
    )

    def __getstate__(self) -> dict[str, Any]:
        """Pickled (to Beam workers) without the remembered matches: re.Match objects do not
        pickle."""
        return {**self.__dict__, "_matches": {}, "_agency_books": {}}

    def for_provider(self, provider: str | None) -> RuleBook:
        """The book for one provider's stories: its agency's rules first, then these."""
        own = find_agency(self.agency_rules, provider)
        if not own or provider is None:
            return self
        key = provider.strip().casefold()
        book = self._agency_books.get(key)
        if book is None:
            book = self._agency_books[key] = replace(self, rules=own + self.rules, agency_rules={})
        return book

    def first_match(
        self, paragraph: str, scopes: frozenset[Scope], *, page_text: bool = True
    ) -> _Hit:
        """The first rule in ``scopes`` matching ``paragraph``; rules meant for page text are
        left out for wire copy (``page_text=False``)."""
        key = (paragraph, scopes, page_text)
        remembered = self._matches.get(key)  # a 1-tuple: None is an answer (no rule matches)
        if remembered is None:
            remembered = (self._first_match(paragraph, scopes, page_text),)
            if len(self._matches) >= _REMEMBERED_MATCHES:
                self._matches.clear()
            self._matches[key] = remembered
        return remembered[0]

    def _first_match(self, paragraph: str, scopes: frozenset[Scope], page_text: bool) -> _Hit:
        for rule in self.rules:
            if rule.scope not in scopes or (rule.pages_only and not page_text):
                continue
            if found := rule.match(paragraph):
                return rule, found
        return None

    def marks(self, paragraphs: Sequence[str]) -> list[bool]:
        """Whether a body rule matches each paragraph (a feature of the main-text model)."""
        return [self.first_match(paragraph, BODY_SCOPES) is not None for paragraph in paragraphs]

    def is_agency(self, name: str) -> bool:
        """Whether ``name`` is one of the agencies' names, as written in copy."""
        return name.strip().casefold() in self.providers

    def provider_name(self, written: str) -> str:
        return self.providers.get(written.strip().casefold(), written.strip())


def build_rulebook(
    settings: CleanSettings, agencies: Mapping[str, AgencySettings] = MappingProxyType({})
) -> RuleBook:
    providers = {name.casefold(): canonical for name, canonical in settings.providers.items()}
    # Longest first, so that "Reuters" is taken whole rather than as "Reuter" and an "s".
    alternatives = "|".join(re.escape(name) for name in sorted(providers, key=len, reverse=True))
    provider_group = f"(?P<provider>(?i:{alternatives}))"
    agency_rules = by_agency(
        {
            agency: _compile_all(profile.rules, provider_group, f"agencies.{agency}.rules")
            for agency, profile in agencies.items()
            if profile.rules
        },
        settings.providers,
    )
    rules = _compile_all(settings.rules, provider_group, "clean.rules")
    return RuleBook(rules, providers, _main_text(settings), agency_rules)


def _compile_all(
    rules: Mapping[str, RuleSettings], provider_group: str, where: str
) -> tuple[Rule, ...]:
    return tuple(
        _compile(f"{where}.{name}", name, rule, provider_group)
        for name, rule in rules.items()
        if rule.enabled
    )


def _main_text(settings: CleanSettings) -> MainText | None:
    if not settings.main_text:
        return None
    path = settings.main_text_model or None
    try:
        models = MainTextModels.load(path)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ConfigError(f"clean.main_text_model: cannot load {path}: {error}") from error
    return MainText(models, settings.main_text_around_extracted, settings.site_context)


def _compile(where: str, name: str, rule: RuleSettings, provider_group: str) -> Rule:
    return Rule(
        name=name,
        kind=rule.kind,
        scope=rule.scope,
        patterns=tuple(_pattern(where, text, provider_group) for text in rule.patterns),
        items=_pattern(where, rule.items, provider_group) if rule.items else None,
        pages_only=rule.pages_only,
    )


def _pattern(where: str, text: str, provider_group: str) -> re.Pattern[str]:
    try:
        pattern = re.compile(text.replace(PROVIDER_PLACEHOLDER, provider_group))
    except re.error as error:
        raise ConfigError(f"{where}: bad pattern {text!r}: {error}") from error
    unknown = set(pattern.groupindex) - FIELDS
    if unknown:
        raise ConfigError(
            f"{where}: group {sorted(unknown)[0]!r} names no story field; "
            f"use one of {sorted(FIELDS)}"
        )
    return pattern


def named_values(found: re.Match[str]) -> Iterator[tuple[str, str]]:
    """The story fields a match fills, with their (stripped, non-empty) values."""
    for name, value in found.groupdict().items():
        if value and value.strip():
            yield name, value.strip()
