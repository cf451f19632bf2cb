"""Enrich stage as a Beam transform."""

from __future__ import annotations

import functools
from dataclasses import replace

import apache_beam as beam
from apache_beam.ml.inference.base import PredictionResult, RunInference

from pipeline.enrich.features import prepare
from pipeline.enrich.handler import SpacyModelHandler, check_model
from pipeline.enrich.language import primary
from pipeline.records import Annotations, Story
from pipeline.settings import EnrichSettings
from pipeline.stage import RunStep, StageOutputs

_ANNOTATE, _SKIP = 0, 1


def _attach(result: PredictionResult) -> Story:
    return replace(result.example, annotations=result.inference)


def _skipped(story: Story, *, model: str, language: str) -> Story:
    """A story in a language the model does not read: kept, marked, and not annotated."""
    reason = f"language {story.language}: the spaCy pipeline {model} reads {language} only"
    return replace(
        story,
        annotations=Annotations(
            model="", components=(), word_count=len(story.body.split()), skipped=reason
        ),
    )


class EnrichStories(beam.PTransform):
    """Annotates each story's body with the configured spaCy pipeline; stories in another
    language than the model's are passed on unannotated, saying so."""

    def __init__(self, settings: EnrichSettings) -> None:
        super().__init__()
        self._settings = settings
        self._language = check_model(settings)  # and fails here, not on a worker

    def _route(self, story: Story, _count: int) -> int:
        same = story.language is None or primary(story.language) == self._language
        return _ANNOTATE if same else _SKIP

    def expand(self, stories: beam.PCollection) -> StageOutputs:
        prepared = stories | "Prepare" >> RunStep(
            "enrich", functools.partial(prepare, max_chars=self._settings.max_chars)
        )
        annotate, skip = prepared.items | "ByLanguage" >> beam.Partition(self._route, 2)
        annotated = (
            annotate
            | "RunSpacy" >> RunInference(SpacyModelHandler(self._settings))
            | "AttachAnnotations" >> beam.Map(_attach)
        )
        skipped = skip | "MarkSkipped" >> beam.Map(
            _skipped, model=self._settings.model, language=self._language
        )
        enriched = (annotated, skipped) | "Enriched" >> beam.Flatten()
        return StageOutputs(enriched, prepared.dead_letters)
