"""Identify stage as a Beam transform."""

from __future__ import annotations

from collections.abc import Iterable

import apache_beam as beam
from apache_beam.metrics import Metrics

from pipeline.identify.identity import duplicate_key, identify, merge_duplicates
from pipeline.records import Story
from pipeline.stage import METRICS_NAMESPACE


class _MergeDuplicatesFn(beam.DoFn):
    def __init__(self) -> None:
        self._dropped = Metrics.counter(METRICS_NAMESPACE, "duplicates")

    def process(self, keyed: tuple[str, Iterable[Story]]) -> Iterable[Story]:
        copies = list(keyed[1])
        self._dropped.inc(len(copies) - 1)
        yield merge_duplicates(copies)


class IdentifyStories(beam.PTransform):
    """Sets ids and hashes, then merges exact duplicates (each dropped copy is counted)."""

    def expand(self, stories: beam.PCollection) -> beam.PCollection:
        return (
            stories
            | "Identify" >> beam.Map(identify)
            | "KeyByIdentity" >> beam.WithKeys(duplicate_key)
            | "GroupDuplicates" >> beam.GroupByKey()
            | "MergeDuplicates" >> beam.ParDo(_MergeDuplicatesFn())
        )
