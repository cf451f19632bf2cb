"""Cluster stage as a Beam transform.

Sketches are made where the stories are, in parallel; matching them is sequential by nature
(a story joins the cluster of the first story it repeats, so each match depends on the ones
before it), so the sketches alone, 128 numbers a story, meet in one place: a single-key
group, matched in order against the output's index. Each story then gets its cluster from
that result, a side input keyed by the story's identity; the new index entries go to the
batch's staging folder, and the ledger commits them with the stories.
"""

from __future__ import annotations

import functools
import json
import threading
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime, timedelta
from typing import NamedTuple

import apache_beam as beam
from apache_beam import pvalue

from pipeline.cluster.clusters import Arrival, Assignment, ClusterIndex, assign, sketch
from pipeline.identify.identity import duplicate_key
from pipeline.identify.versions import microseconds
from pipeline.records import Story
from pipeline.settings import IdentifySettings
from pipeline.sink.ledger import KnownStories, story_key_digest

_LAST = (1 << 63) - 1  # sorts a story without a version_created after those with one


class ClusterOutputs(NamedTuple):
    stories: beam.PCollection  # every story, with its cluster_id and cluster_similarity
    entries: beam.PCollection  # the stories' new index entries, as JSON lines


def arrival_order(story: Story) -> tuple[int, str, int]:
    """Earlier versions first, then by source: the order stories of one batch are matched in."""
    created = story.version_created or story.first_created
    return (microseconds(created) if created else _LAST, story.source.uri, story.source.index)


def index_key(story: Story) -> str:
    """The story's key in the index: its identity (id, version, content), as the ledger
    keeps it."""
    return story_key_digest(duplicate_key(story))


def arrival(story: Story, *, words: int) -> tuple[None, tuple[tuple[int, str, int], Arrival]]:
    found = Arrival(index_key(story), story.id, sketch(story.body, words))
    return None, (arrival_order(story), found)


def with_cluster(story: Story, assignments: dict[str, Assignment]) -> Story:
    assignment = assignments[index_key(story)]
    return replace(
        story, cluster_id=assignment.cluster_id, cluster_similarity=assignment.similarity
    )


# One index per output and process, brought up to date with the ledger before each batch: a
# watcher's worker builds the LSH once, then adds each batch's entries.
_INDEXES: dict[tuple[str, float, str], ClusterIndex] = {}
_INDEXES_LOCK = threading.Lock()


class _AssignFn(beam.DoFn):
    ENTRIES = "entries"

    def __init__(
        self, known: KnownStories | None, settings: IdentifySettings, seen_at: int, expires_at: int
    ) -> None:
        self._known = known
        self._settings = settings
        self._seen_at = seen_at
        self._expires_at = expires_at

    def process(
        self, keyed: tuple[None, Iterable[tuple[tuple[int, str, int], Arrival]]]
    ) -> Iterator[Assignment | pvalue.TaggedOutput]:
        arrivals = [found for _, found in sorted(keyed[1], key=lambda pair: pair[0])]
        with _INDEXES_LOCK:
            index = self._index()
            found = list(
                assign(index, arrivals, seen_at=self._seen_at, expires_at=self._expires_at)
            )
        for assignment, entry in found:
            yield assignment
            yield pvalue.TaggedOutput(self.ENTRIES, json.dumps(entry.to_json()))

    def _index(self) -> ClusterIndex:
        threshold, measure = self._settings.cluster_threshold, self._settings.cluster_measure
        if self._known is None:
            return ClusterIndex(threshold, measure)
        index = _INDEXES.get((self._known.output, threshold, measure))
        if index is None:
            index = _INDEXES[(self._known.output, threshold, measure)] = ClusterIndex(
                threshold, measure
            )
        index.sync(self._known.clusters(), now=self._seen_at)
        return index


class ClusterStories(beam.PTransform):
    """Gives every story its near-duplicate cluster, against the output's index (``known``)
    and the stories of the batch before it.

    Args:
        settings: threshold, shingle size and horizon.
        ingested_at: when the run started; index entries expire a horizon after it.
        known: what the output holds; None for an output with nothing in it.
    """

    def __init__(
        self,
        settings: IdentifySettings,
        *,
        ingested_at: datetime,
        known: KnownStories | None = None,
    ) -> None:
        super().__init__()
        self._settings = settings
        self._seen_at = microseconds(ingested_at)
        horizon = timedelta(days=settings.cluster_horizon_days)
        self._expires_at = microseconds(ingested_at + horizon)
        self._known = known

    def expand(self, stories: beam.PCollection) -> ClusterOutputs:
        words = self._settings.shingle_words
        matched = (
            stories
            | "Sketch" >> beam.Map(functools.partial(arrival, words=words))
            | "Together" >> beam.GroupByKey()
            | "Match"
            >> beam.ParDo(
                _AssignFn(self._known, self._settings, self._seen_at, self._expires_at)
            ).with_outputs(_AssignFn.ENTRIES, main="assignments")
        )
        by_key = matched.assignments | "ByKey" >> beam.Map(lambda found: (found.key, found))
        clustered = stories | "Attach" >> beam.Map(
            with_cluster, assignments=beam.pvalue.AsDict(by_key)
        )
        return ClusterOutputs(clustered, matched[_AssignFn.ENTRIES])
