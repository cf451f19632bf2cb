"""Doc to annotations on hand-built Docs, the paragraph-break component, the length guard."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc, Span

from pipeline.enrich.components import PARAGRAPH_BREAKS
from pipeline.enrich.features import annotations_from_doc, ensure_annotatable
from pipeline.errors import EnrichError, Reason
from pipeline.records import RawItem, Story
from pipeline.records import Span as TextSpan


def test_annotations_from_doc_keeps_offsets_into_the_text() -> None:
    nlp = spacy.blank("en")
    doc = nlp("Dmitry Peskov spoke.\n\nThe Kremlin agreed.")
    doc.ents = [Span(doc, 0, 2, label="PERSON"), Span(doc, 6, 7, label="ORG")]
    for token in doc:
        token.is_sent_start = token.i in (0, 5)
    annotations = annotations_from_doc(doc, "blank-0", ("x",))
    assert [(e.text, e.label, e.start, e.end) for e in annotations.entities] == [
        ("Dmitry Peskov", "PERSON", 0, 13),
        ("Kremlin", "ORG", 26, 33),
    ]
    # The paragraph break is not part of either sentence.
    assert annotations.sentences == (TextSpan(0, 20), TextSpan(22, 41))
    assert (annotations.model, annotations.components) == ("blank-0", ("x",))


def test_annotations_without_sentence_boundaries_have_no_sentences() -> None:
    doc = Doc(spacy.blank("en").vocab, words=["No", "sentences"])
    assert annotations_from_doc(doc, "m", ()).sentences == ()


def test_paragraph_breaks_start_a_sentence_at_each_paragraph() -> None:
    nlp = spacy.blank("en")
    nlp.add_pipe(PARAGRAPH_BREAKS)
    doc = nlp("First paragraph has no full stop\n\nsecond one neither\n\n\nthird")
    starts = [token.text for token in doc if token.is_sent_start]
    assert starts == ["First", "second", "third"]


def test_ensure_annotatable_rejects_overlong_bodies() -> None:
    body = "word " * 100
    item = Story(RawItem.of("a", b"x").source, b"x", "H", body)
    assert list(ensure_annotatable(item, max_chars=500)) == [item]
    with pytest.raises(EnrichError) as failure:
        list(ensure_annotatable(item, max_chars=499))
    assert failure.value.reason is Reason.TEXT_TOO_LONG
    assert "500 characters" in failure.value.message
