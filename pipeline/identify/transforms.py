"""Identify stage as a Beam transform."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NamedTuple

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from pipeline.identify.identity import duplicate_key, identify, merge_duplicates, repeats
from pipeline.records import Story
from pipeline.sink.ledger import KnownStories, story_key_digest
from pipeline.stage import METRICS_NAMESPACE


class IdentifyOutputs(NamedTuple):
    stories: beam.PCollection  # one Story per id, version and content, new to the output
    duplicates: beam.PCollection  # a Duplicate for each item repeating a story in the output


class _MergeDuplicatesFn(beam.DoFn):
    DUPLICATE = "duplicate"

    def __init__(self, known: KnownStories | None) -> None:
        self._known = known
        self._keys: frozenset[str] | set[str] = frozenset()
        self._merged = Metrics.counter(METRICS_NAMESPACE, "duplicates")

    def setup(self) -> None:
        if self._known is not None:
            self._keys = self._known.load()

    def process(self, keyed: tuple[str, Iterable[Story]]) -> Iterable[Story | pvalue.TaggedOutput]:
        key, copies = keyed[0], list(keyed[1])
        story = merge_duplicates(copies)
        if story_key_digest(key) in self._keys:
            for duplicate in repeats(story, detected_at=datetime.now(UTC)):
                yield pvalue.TaggedOutput(self.DUPLICATE, duplicate)
            return
        self._merged.inc(len(copies) - 1)
        yield story


class IdentifyStories(beam.PTransform):
    """Sets ids and hashes, then merges exact duplicates (each merged copy is counted); a
    story already in the output (``known``) becomes duplicate records instead.

    Args:
        known: the stories earlier runs and batches committed to the output; None for none.
    """

    def __init__(self, known: KnownStories | None = None) -> None:
        super().__init__()
        self._known = known

    def expand(self, stories: beam.PCollection) -> IdentifyOutputs:
        merged = (
            stories
            | "Identify" >> beam.Map(identify)
            | "KeyByIdentity" >> beam.WithKeys(duplicate_key)
            | "GroupDuplicates" >> beam.GroupByKey()
            | "MergeDuplicates"
            >> beam.ParDo(_MergeDuplicatesFn(self._known)).with_outputs(
                _MergeDuplicatesFn.DUPLICATE, main="stories"
            )
        )
        return IdentifyOutputs(merged.stories, merged[_MergeDuplicatesFn.DUPLICATE])
