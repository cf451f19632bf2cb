"""Identify stage as a Beam transform."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import NamedTuple

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from pipeline import progress
from pipeline.identify.identity import duplicate_key, identify, merge_duplicates, repeats
from pipeline.identify.versions import versioned
from pipeline.records import Story
from pipeline.settings import IdentifySettings
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
        progress.count("duplicates", len(copies) - 1)
        yield story


def _identify(
    story: Story, *, kill_patterns: tuple[re.Pattern[str], ...], arrived: datetime
) -> Story:
    return versioned(identify(story), kill_patterns=kill_patterns, arrived=arrived)


class IdentifyStories(beam.PTransform):
    """Sets ids, hashes, version ranks and kill advisories' status, then merges exact
    duplicates (each merged copy is counted); a story already in the output (``known``)
    becomes duplicate records instead.

    Args:
        settings: the kill patterns.
        arrived: when the run started (the rank of versions with no order of their own).
        known: the stories earlier runs and batches committed to the output; None for none.
    """

    def __init__(
        self, settings: IdentifySettings, *, arrived: datetime, known: KnownStories | None = None
    ) -> None:
        super().__init__()
        self._kill_patterns = tuple(re.compile(pattern) for pattern in settings.kill_patterns)
        self._arrived = arrived
        self._known = known

    def expand(self, stories: beam.PCollection) -> IdentifyOutputs:
        step = functools.partial(
            _identify, kill_patterns=self._kill_patterns, arrived=self._arrived
        )
        merged = (
            stories
            | "Identify" >> beam.Map(step)
            | "KeyByIdentity" >> beam.WithKeys(duplicate_key)
            | "GroupDuplicates" >> beam.GroupByKey()
            | "MergeDuplicates"
            >> beam.ParDo(_MergeDuplicatesFn(self._known)).with_outputs(
                _MergeDuplicatesFn.DUPLICATE, main="stories"
            )
        )
        return IdentifyOutputs(merged.stories, merged[_MergeDuplicatesFn.DUPLICATE])
