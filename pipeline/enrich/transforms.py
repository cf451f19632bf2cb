"""Enrich stage as a Beam transform."""

from __future__ import annotations

import functools
from dataclasses import replace

import apache_beam as beam
from apache_beam.ml.inference.base import PredictionResult, RunInference

from pipeline.enrich.features import ensure_annotatable
from pipeline.enrich.handler import SpacyModelHandler
from pipeline.records import Story
from pipeline.settings import EnrichSettings
from pipeline.stage import RunStep, StageOutputs


def _attach(result: PredictionResult) -> Story:
    return replace(result.example, annotations=result.inference)


class EnrichStories(beam.PTransform):
    """Annotates each story's body with the configured spaCy pipeline."""

    def __init__(self, settings: EnrichSettings) -> None:
        super().__init__()
        self._settings = settings

    def expand(self, stories: beam.PCollection) -> StageOutputs:
        checked = stories | "CheckLength" >> RunStep(
            "enrich", functools.partial(ensure_annotatable, max_chars=self._settings.max_chars)
        )
        enriched = (
            checked.items
            | "RunSpacy" >> RunInference(SpacyModelHandler(self._settings))
            | "AttachAnnotations" >> beam.Map(_attach)
        )
        return StageOutputs(enriched, checked.dead_letters)
