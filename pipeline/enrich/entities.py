"""The entity summary: a story's mentions grouped into entities, each scored for salience.

Pure Python over the entity spans spaCy found, so it adds microseconds to the NLP stage.

Grouping: a mention joins the fullest mention of the same label whose words it ends with or
starts with ("Erdogan" and "Tayyip Erdogan", "Putin" and "Vladimir Putin"; "Reuters" and
"Thomson Reuters"), after dropping a leading "the", a possessive "'s" and, for a person, a
title that spaCy's span took in ("Ms Hewitt" is Patricia Hewitt); the fullest form is the
canonical name. A person's surname joins the person whatever its label, since the
small models often take a lone surname for an organisation, and so does the same name under
another label ("Comissaria Smith" as ORG and as PERSON in one story); of one name, the label
and spelling mentioned most are the entity's. Titles ("Turkish President")
are not part of a PERSON span in spaCy's models, so "Turkish President Tayyip Erdogan" is
already "Tayyip Erdogan".

Salience (0-1): a story is about what its headline names (0.35), what its lead paragraph
names (0.25), what it names often (0.25, mentions against the most-mentioned entity) and
early (0.15, how soon the first mention comes).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pipeline.records import PARAGRAPH_BREAK, Entity, EntitySummary

# Names of things; dates, numbers, money and the like are not what a story is about.
SUMMARY_LABELS = frozenset(
    {"PERSON", "ORG", "GPE", "NORP", "LOC", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
)
WEIGHTS = {"headline": 0.35, "lead": 0.25, "frequency": 0.25, "position": 0.15}
_LEADING_THE = re.compile(r"^the\s+", re.I)
_POSSESSIVE = re.compile(r"['’]s?$")
_WORD = re.compile(r"\w+")
# Titles that stand before a surname and are not part of the name ("Ms Hewitt", "Dr Fox",
# "Senator McCain"). Pope, King, Prince and the like are left on: "Prince Harry" is a name.
PERSON_TITLES = frozenset(
    "mr mrs ms miss mx dr prof sir dame president gov governor sen senator rep "
    "chancellor judge gen general".split()
)

# Wire abbreviations of units, money and figures ("Shr 34 cts vs 1.19 dlrs", "Avg shrs 12.3
# mln", Reuters' earnings style): the small models label a lone "cts" ORG (3,318 of
# Reuters-21578's stories) and "Avg" PERSON, and a mention made of these words only is not
# a name.
UNIT_WORDS = frozenset("avg ct cts dlr dlrs mln mlns bln blns pct shr shrs qtr qtrs".split())


@dataclass
class _Group:
    label: str
    name: str
    words: tuple[str, ...]
    first_start: int
    forms: set[str] = field(default_factory=set)
    mentions: int = 0


def normal_form(mention: str, label: str = "") -> str:
    """A mention without a leading "the" and a possessive ending ("the Kremlin's" ->
    "Kremlin"), and a person without a leading title ("Ms Hewitt" -> "Hewitt")."""
    form = _POSSESSIVE.sub("", _LEADING_THE.sub("", mention.strip())).strip()
    if label == "PERSON":
        title, _, rest = form.partition(" ")
        if rest and title.rstrip(".").casefold() in PERSON_TITLES:
            return rest.strip()
    return form


def summarize_entities(
    headline: str, body: str, entities: Sequence[Entity]
) -> tuple[EntitySummary, ...]:
    """The story's entities, most salient first."""
    mentions = [  # ((label, form), start) of each mention with a name left
        ((entity.label, form), entity.start)
        for entity in entities
        if entity.label in SUMMARY_LABELS
        and (form := normal_form(entity.text, entity.label))
        and not set(_words(form)) <= UNIT_WORDS
    ]
    counts = Counter(key for key, _ in mentions)
    starts: dict[tuple[str, str], int] = {}  # (label, form) -> first start
    for key, start in mentions:
        starts.setdefault(key, start)
    groups: list[_Group] = []
    # Fullest forms first, so that shorter ones find the group they belong to; of the same
    # words, the most mentioned label and spelling first, so that they name the group.
    for label, form in sorted(counts, key=lambda key: (-len(_words(key[1])), -counts[key])):
        words = _words(form)
        group = next((g for g in groups if _belongs(label, words, g)), None)
        if group is None:
            group = _Group(label, form, words, starts[(label, form)])
            groups.append(group)
        group.forms.add(form)
        group.mentions += counts[(label, form)]
        group.first_start = min(group.first_start, starts[(label, form)])
    return _scored(groups, headline, body)


def aliases(summary: Sequence[EntitySummary]) -> Mapping[str, str]:
    """Every form of every entity to its canonical name, for resolving quote speakers (look
    mentions up by their ``normal_form``)."""
    return {form: entity.name for entity in summary for form in (entity.name, *entity.aliases)}


def _scored(groups: list[_Group], headline: str, body: str) -> tuple[EntitySummary, ...]:
    if not groups:
        return ()
    most = max(group.mentions for group in groups)
    lead_end = body.find(PARAGRAPH_BREAK)
    lead_end = len(body) if lead_end < 0 else lead_end
    headline_words = set(_words(headline))
    summaries = []
    for group in groups:
        in_headline = any(set(_words(form)) <= headline_words for form in group.forms)
        score = (
            WEIGHTS["headline"] * in_headline
            + WEIGHTS["lead"] * (group.first_start < lead_end)
            + WEIGHTS["frequency"] * group.mentions / most
            + WEIGHTS["position"] * (1 - group.first_start / max(len(body), 1))
        )
        summaries.append(
            EntitySummary(
                name=group.name,
                label=group.label,
                mentions=group.mentions,
                first_start=group.first_start,
                salience=round(score, 3),
                aliases=tuple(sorted(group.forms - {group.name})),
            )
        )
    return tuple(sorted(summaries, key=lambda s: (-s.salience, s.first_start)))


def _belongs(label: str, words: tuple[str, ...], group: _Group) -> bool:
    """Same label and part of the group's name; or the group's very name under another label
    (the small models label the same name differently within a story: "Comissaria Smith"
    as ORG and as PERSON); or a surname of a person's full name under another label (a lone
    "Schettino" is often an ORG to them)."""
    if not _part_of(words, group.words):
        return False
    surname = (
        group.label == "PERSON" and len(group.words) > 1 and group.words[-len(words) :] == words
    )
    return group.label == label or words == group.words or surname


def _words(text: str) -> tuple[str, ...]:
    return tuple(word.casefold() for word in _WORD.findall(text))


def _part_of(words: tuple[str, ...], fuller: tuple[str, ...]) -> bool:
    """Whether a mention's words end or start a fuller mention's words."""
    size = len(words)
    return 0 < size <= len(fuller) and (fuller[-size:] == words or fuller[:size] == words)
