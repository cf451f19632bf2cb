"""The pipeline graph: read -> parse -> clean -> identify -> cluster -> enrich -> write, and
dead letters.

One graph for every command: its source is a batch of ``Delivery``s (the files a run
matched, the files or messages a watcher found since its last batch), its sink the Avro
writers, into the batch's staging folder that the ledger then commits.

Identification (and exact-duplicate merging) runs before enrichment, not after as in
DESIGN.md's diagram: the result is the same, and duplicates are not annotated for nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import NamedTuple

import apache_beam as beam

from pipeline.clean.rules import RuleBook
from pipeline.clean.transforms import CleanStories
from pipeline.cluster.transforms import ClusterStories
from pipeline.enrich.transforms import EnrichStories
from pipeline.identify.transforms import IdentifyStories
from pipeline.parse.transforms import ParseStories
from pipeline.read.transforms import ReadItems
from pipeline.records import Delivery
from pipeline.settings import Settings
from pipeline.sink.ledger import KnownStories
from pipeline.sink.transforms import (
    write_cluster_entries,
    write_dead_letters,
    write_duplicates,
    write_stories,
)
from pipeline.stage import CountAs


class IngestOutputs(NamedTuple):
    """Every item read ends in exactly one of the first three, or in a story's
    ``duplicate_sources``."""

    stories: beam.PCollection
    dead_letters: beam.PCollection
    duplicates: beam.PCollection  # items repeating a story already in the output
    clusters: beam.PCollection  # the stories' near-duplicate index entries (JSON lines)


class IngestStories(beam.PTransform):
    """Turns ``Delivery``s (files to read, or message bytes) into clean, annotated stories,
    one per id, version and content.

    Args:
        ingested_at: when the run (or the watcher's batch) started.
        known: the stories already in the output; an item repeating one becomes a duplicate,
            and new stories join their clusters.
    """

    def __init__(
        self,
        *,
        settings: Settings,
        book: RuleBook,
        format_name: str,
        ingested_at: datetime,
        known: KnownStories | None = None,
    ) -> None:
        super().__init__()
        self._settings = settings
        self._book = book
        self._format_name = format_name
        self._ingested_at = ingested_at
        self._known = known

    def expand(self, deliveries: beam.PCollection) -> IngestOutputs:
        read = deliveries | "Read" >> ReadItems(max_item_bytes=self._settings.read.max_item_bytes)
        parsed = read.items | "Parse" >> ParseStories(
            self._format_name, self._settings.agencies, self._settings.clean.providers
        )
        # An item is read once parsing has split files into stories, or once it failed trying.
        stories = parsed.items | "CountParsed" >> CountAs("items_read")
        intake_failures = (
            (read.dead_letters, parsed.dead_letters)
            | "IntakeFailures" >> beam.Flatten()
            | "CountFailedReads" >> CountAs("items_read")
        )
        cleaned = stories | "Clean" >> CleanStories(self._book)
        unique = cleaned.items | "Identify" >> IdentifyStories(
            self._settings.identify, arrived=self._ingested_at, known=self._known
        )
        clustered = unique.stories | "Cluster" >> ClusterStories(
            self._settings.identify, ingested_at=self._ingested_at, known=self._known
        )
        enriched = clustered.stories | "Enrich" >> EnrichStories(self._settings.enrich)
        dead_letters = (
            intake_failures,
            cleaned.dead_letters,
            enriched.dead_letters,
        ) | "DeadLetters" >> beam.Flatten()
        return IngestOutputs(enriched.items, dead_letters, unique.duplicates, clustered.entries)


@dataclass(frozen=True)
class Job:
    """What every batch of one run or watcher shares, checked before any pipeline is built."""

    format_name: str
    settings: Settings
    book: RuleBook


def build(
    pipeline: beam.Pipeline,
    job: Job,
    deliveries: Sequence[Delivery],
    *,
    staging: str,
    batch_id: str,
    ingested_at: datetime,
    known: KnownStories,
) -> None:
    """Adds one batch to ``pipeline``: ingest ``deliveries``, write what comes out into
    ``staging`` (the ledger commits it); ``ingested_at`` is the batch's time, in every
    record it writes."""
    outputs = (
        pipeline
        | "Deliveries" >> beam.Create(list(deliveries))
        | "Ingest"
        >> IngestStories(
            settings=job.settings,
            book=job.book,
            format_name=job.format_name,
            ingested_at=ingested_at,
            known=known,
        )
    )
    # Counted for the run's progress only: the summary counts the records in the files.
    (
        outputs.stories
        | "CountWritten" >> CountAs("written")
        | "WriteStories" >> write_stories(staging, batch_id, ingested_at)
    )
    (
        outputs.dead_letters
        | "CountDeadLettered" >> CountAs("dead_lettered")
        | "WriteDeadLetters" >> write_dead_letters(staging, batch_id)
    )
    (
        outputs.duplicates
        | "CountDuplicateRecords" >> CountAs("duplicate_records")
        | "WriteDuplicates" >> write_duplicates(staging, batch_id)
    )
    outputs.clusters | "WriteClusterEntries" >> write_cluster_entries(staging, batch_id)
