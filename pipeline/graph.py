"""The pipeline graph: read -> parse -> clean -> identify -> enrich -> write, and dead letters.

Identification (and exact-duplicate merging) runs before enrichment, not after as in
DESIGN.md's diagram: the result is the same, and duplicates are not annotated for nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import apache_beam as beam

from pipeline.clean.rules import RuleBook
from pipeline.clean.transforms import CleanStories
from pipeline.enrich.transforms import EnrichStories
from pipeline.identify.transforms import IdentifyStories
from pipeline.parse.transforms import ParseStories
from pipeline.read.transforms import ReadItems
from pipeline.settings import Settings
from pipeline.sink.transforms import write_dead_letters, write_stories
from pipeline.stage import CountAs, StageOutputs


class IngestStories(beam.PTransform):
    """Reads the files matching ``patterns`` into clean, annotated, de-duplicated stories.

    Returns ``StageOutputs(items=stories, dead_letters=...)``; every item read ends in exactly
    one of them or in a story's ``duplicate_sources``.
    """

    def __init__(
        self, patterns: Sequence[str], *, settings: Settings, book: RuleBook, format_name: str
    ) -> None:
        super().__init__()
        self._patterns = patterns
        self._settings = settings
        self._book = book
        self._format_name = format_name

    def expand(self, pbegin: beam.pvalue.PBegin) -> StageOutputs:
        read = pbegin | "Read" >> ReadItems(
            self._patterns, max_item_bytes=self._settings.read.max_item_bytes
        )
        parsed = read.items | "Parse" >> ParseStories(self._format_name)
        # An item is read once parsing has split files into stories, or once it failed trying.
        stories = parsed.items | "CountParsed" >> CountAs("items_read")
        intake_failures = (
            (read.dead_letters, parsed.dead_letters)
            | "IntakeFailures" >> beam.Flatten()
            | "CountFailedReads" >> CountAs("items_read")
        )
        cleaned = stories | "Clean" >> CleanStories(self._book)
        unique = cleaned.items | "Identify" >> IdentifyStories()
        enriched = unique | "Enrich" >> EnrichStories(self._settings.enrich)
        dead_letters = (
            intake_failures,
            cleaned.dead_letters,
            enriched.dead_letters,
        ) | "DeadLetters" >> beam.Flatten()
        return StageOutputs(enriched.items, dead_letters)


@dataclass(frozen=True)
class Job:
    """Everything one run needs, checked before the pipeline is built."""

    patterns: tuple[str, ...]
    output: str
    format_name: str
    settings: Settings
    book: RuleBook
    run_id: str
    started_at: datetime


def build(pipeline: beam.Pipeline, job: Job) -> None:
    """Adds the whole job to ``pipeline``: ingest, then write stories and dead letters."""
    stories, dead_letters = pipeline | "Ingest" >> IngestStories(
        job.patterns, settings=job.settings, book=job.book, format_name=job.format_name
    )
    stories | "WriteStories" >> write_stories(job.output, job.run_id, job.started_at)
    dead_letters | "WriteDeadLetters" >> write_dead_letters(job.output, job.run_id)
