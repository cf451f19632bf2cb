"""The pure core of the clean stage: ``strip_boilerplate(story, rulebook) -> story``."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace

from pipeline.clean.rules import Rule, RuleBook, named_values
from pipeline.errors import CleanError, Reason
from pipeline.records import PARAGRAPH_BREAK, Removed, Story
from pipeline.settings import Scope

_LEAD_SCOPE = frozenset({Scope.LEAD})
_PREFIX_SCOPE = frozenset({Scope.PREFIX})
_PARAGRAPH_SCOPE = frozenset({Scope.PARAGRAPH})
_BODY_SCOPES = frozenset({Scope.PARAGRAPH, Scope.LIST, Scope.REST})
# Fields that collect every value found (several captions, credit lines); the others keep the
# first value, and a value the parser already set (from format metadata) wins over text rules.
_JOINED_FIELDS = {"caption": "\n", "credit": "; "}


def strip_boilerplate(story: Story, book: RuleBook) -> Story:
    """Removes boilerplate from ``story.body``; every cut goes into ``removed`` with its rule.

    Raises:
        CleanError: when nothing of the body is left.
    """
    cuts = _Cuts(book)
    paragraphs = story.paragraphs
    if not paragraphs:
        raise CleanError(Reason.NO_BODY, "the story has no body text")
    # Lead: captions and bylines before the first body paragraph, never the last paragraph.
    # A line that a paragraph rule knows (a sign-off, a share prompt) is that, not a caption.
    while len(paragraphs) > 1 and (
        hit := book.first_match(paragraphs[0], _PARAGRAPH_SCOPE)
        or book.first_match(paragraphs[0], _LEAD_SCOPE)
    ):
        cuts.add(*hit, paragraphs.pop(0))
    # Prefix: a dateline opening the first body paragraph.
    if hit := book.first_match(paragraphs[0], _PREFIX_SCOPE):
        rule, found = hit
        rest = paragraphs[0][found.end() :]
        if rest.strip():
            cuts.add(rule, found, found.group(0).strip())
            paragraphs[0] = rest.lstrip()
    kept = list(_keep_body(paragraphs, book, cuts))
    if not kept:
        kinds = ", ".join(sorted({cut.kind for cut in cuts.removed}))
        raise CleanError(Reason.NO_BODY, f"every paragraph was boilerplate ({kinds})")
    return replace(
        story,
        body=PARAGRAPH_BREAK.join(kept),
        removed=story.removed + tuple(cuts.removed),
        **cuts.fields(story),
    )


def _keep_body(paragraphs: list[str], book: RuleBook, cuts: _Cuts) -> Iterator[str]:
    body_started = False
    index = 0
    while index < len(paragraphs):
        paragraph = paragraphs[index]
        index += 1
        hit = book.first_match(paragraph, _BODY_SCOPES)
        if hit is None:
            body_started = True
            yield paragraph
            continue
        rule, found = hit
        cuts.add(rule, found, paragraph)
        if not body_started:  # a list or rest rule only cuts what trails a body
            continue
        if rule.scope is Scope.LIST:
            assert rule.items is not None  # settings require items for lists
            while index < len(paragraphs) and rule.items.fullmatch(paragraphs[index]):
                cuts.add(rule, None, paragraphs[index])
                index += 1
        elif rule.scope is Scope.REST:
            for trailing in paragraphs[index:]:
                cuts.add(rule, None, trailing)
            return


@dataclass
class _Cuts:
    book: RuleBook
    removed: list[Removed] = field(default_factory=list)
    found: dict[str, list[str]] = field(default_factory=dict)

    def add(self, rule: Rule, found: re.Match[str] | None, text: str) -> None:
        self.removed.append(Removed(kind=rule.kind, rule=rule.name, text=text))
        for name, value in named_values(found) if found else ():
            if name == "provider":
                value = self.book.provider_name(value)
            self.found.setdefault(name, []).append(value)

    def fields(self, story: Story) -> dict[str, str]:
        values = {}
        for name, found in self.found.items():
            current = getattr(story, name)
            if name in _JOINED_FIELDS:
                values[name] = _JOINED_FIELDS[name].join(([current] if current else []) + found)
            elif current is None:
                values[name] = found[0]
        return values
