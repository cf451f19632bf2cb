"""Enrich stage as a Beam transform."""

from __future__ import annotations

import functools
from dataclasses import replace

import apache_beam as beam
from apache_beam.ml.inference.base import PredictionResult, RunInference

from pipeline.enrich.features import prepare
from pipeline.enrich.handler import SpacyModelHandler
from pipeline.records import Story
from pipeline.settings import EnrichSettings
from pipeline.stage import RunStep, StageOutputs


def _attach(result: PredictionResult) -> Story:
    return replace(result.example, annotations=result.inference)


class EnrichStories(beam.PTransform):
    """Annotates each story's body with the configured spaCy pipeline; stories in another
    language than the model's are passed on unannotated, saying so.

    Every story takes the same path, where a Partition by language and a Flatten would do:
    Beam's local runner holds a Flatten's whole output before the next step starts, which
    would keep every annotated story in memory between this stage and the write.
    """

    def __init__(self, settings: EnrichSettings) -> None:
        super().__init__()
        self._settings = settings
        self._handler = SpacyModelHandler(settings)  # checks the model here, not on a worker

    def expand(self, stories: beam.PCollection) -> StageOutputs:
        prepared = stories | "Prepare" >> RunStep(
            "enrich", functools.partial(prepare, max_chars=self._settings.max_chars)
        )
        enriched = (
            prepared.items
            | "RunSpacy" >> RunInference(self._handler)
            | "AttachAnnotations" >> beam.Map(_attach)
        )
        return StageOutputs(enriched, prepared.dead_letters)
