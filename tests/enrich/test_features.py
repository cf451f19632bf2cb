"""Doc to annotations on hand-built Docs, the paragraph-break component, the length guard."""

from __future__ import annotations

from dataclasses import replace

import pytest
import spacy
from spacy.language import Language
from spacy.tokens import Doc, Span

from pipeline.enrich.components import PARAGRAPH_BREAKS
from pipeline.enrich.features import annotations_from_doc, parse_dateline, phrases, prepare
from pipeline.errors import EnrichError, Reason
from pipeline.records import Dateline, RawItem, Story
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


def test_prepare_rejects_overlong_bodies() -> None:
    body = "word " * 100
    item = Story(RawItem.of("a", b"x").source, b"x", "H", body, language="en")
    assert [story.body for story in prepare(item, max_chars=500)] == [body]
    with pytest.raises(EnrichError) as failure:
        list(prepare(item, max_chars=499))
    assert failure.value.reason is Reason.TEXT_TOO_LONG
    assert "500 characters" in failure.value.message


def test_prepare_detects_the_language_only_when_the_source_did_not_say() -> None:
    body = (
        "Der Schiedsrichter hatte recht, sagte der Trainer nach dem Spiel. Die Mannschaft "
        "hat verdient verloren und muss sich in der nächsten Woche deutlich steigern."
    )
    story = Story(RawItem.of("a", b"x").source, b"x", "H", body)
    (prepared,) = prepare(story, max_chars=10_000)
    assert prepared.language == "de"
    (given,) = prepare(replace(story, language="en"), max_chars=10_000)
    assert given.language == "en"


@pytest.mark.parametrize(
    ("dateline", "place", "agency", "date"),
    [
        ("MOSCOW (Reuters)", "MOSCOW", "Reuters", None),
        ("GROSSETO, Italy (AP)", "GROSSETO, Italy", "AP", None),
        ("WASHINGTON, March 3 (Reuters)", "WASHINGTON", "Reuters", "March 3"),
        ("SALVADOR, Feb 26", "SALVADOR", None, "Feb 26"),
        ("LONDON", "LONDON", None, None),
        ("PARIS, 3 Jan. (AFP) -", "PARIS", "AFP", "3 Jan."),
    ],
)
def test_parse_dateline(dateline: str, place: str, agency: str | None, date: str | None) -> None:
    assert parse_dateline(dateline) == Dateline(place, agency, date)


def test_prepare_takes_the_dateline_apart() -> None:
    story = Story(RawItem.of("a", b"x").source, b"x", "H", "Body.", dateline="MOSCOW (Reuters)")
    (prepared,) = prepare(story, max_chars=100)
    assert prepared.dateline_parts == Dateline("MOSCOW", "Reuters", None)


def test_key_phrases_and_word_count(nlp: Language) -> None:
    doc = nlp(
        "The Russian air base came under drone attack. Officials said the air base "
        "was hit twice, and the drone attack caused no casualties."
    )
    top = phrases(doc, 3)
    assert top[0] == "drone attack"  # twice, the same words
    assert {"Russian air base", "air base"} <= set(top)
    annotations = annotations_from_doc(doc, "m", (), key_phrases=3)
    assert annotations.word_count == 23
    assert annotations.key_phrases == top
