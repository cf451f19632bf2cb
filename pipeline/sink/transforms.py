"""Write stage as Beam transforms: records to Avro files, in a batch's staging folder.

A batch writes under ``OUTPUT/.tmp/<batch>/`` (``stories/``, ``dead_letter/``,
``duplicates/``), and the ledger (``pipeline.sink.ledger``) commits the files and moves them
into place once they are all complete, so a reader or a warehouse load of ``stories/**/*.avro``
never sees a half-written file, even after a crash. The staging folder starts with ``.``, so
a recursive load does not pick up its files either. ``fileio.WriteToFiles``, unlike
``WriteToAvro``, also works on windowed, unbounded input.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any

import apache_beam as beam
from apache_beam.io import fileio
from apache_beam.io.filesystems import FileSystems
from apache_beam.options.value_provider import StaticValueProvider

from pipeline.sink.avro import (
    DEAD_LETTER_SCHEMA,
    DUPLICATE_SCHEMA,
    STORY_SCHEMA,
    AvroFileSink,
    dead_letter_record,
    duplicate_record,
    story_record,
)

STORIES_DIR = "stories"
DEAD_LETTER_DIR = "dead_letter"
DUPLICATES_DIR = "duplicates"
OUTPUT_DIRS = (STORIES_DIR, DEAD_LETTER_DIR, DUPLICATES_DIR)
# Committed files go into a folder of the batch's ingest date (UTC) inside each of those,
# Hive-style (stories/ingest_date=2026-12-01/...), which BigQuery, DuckDB, Spark and polars
# read as a partition column.
PARTITION = "ingest_date"
# The batch's near-duplicate index entries, JSON lines: the ledger takes them into its commit
# record, and they are not moved into the output.
CLUSTERS_DIR = "clusters"
CLUSTERS_SUFFIX = ".jsonl"
WRITING_DIR = ".writing"  # fileio's own temporary files, inside the staging folder
SUFFIX = ".avro"


class WriteAvro(beam.PTransform):
    """Writes ``to_record(item)`` for each item to ``<staging>/<folder>/<folder>-<batch>-*.avro``.

    The batch id in file names keeps every file traceable to the run (and commit) that wrote it.
    """

    def __init__(
        self,
        staging: str,
        folder: str,
        schema_name: str,
        to_record: Callable[[Any], dict[str, Any]],
        batch_id: str,
    ) -> None:
        super().__init__()
        self._path = FileSystems.join(staging, folder)
        self._temp = StaticValueProvider(str, FileSystems.join(staging, WRITING_DIR, folder))
        self._naming = fileio.default_file_naming(f"{folder}-{batch_id}", SUFFIX)
        self._schema_name = schema_name
        self._to_record = to_record

    def expand(self, items: beam.PCollection) -> beam.PCollection:
        schema_name = self._schema_name
        return (
            items
            | "ToRecord" >> beam.Map(self._to_record)
            | "WriteFiles"
            >> fileio.WriteToFiles(
                path=self._path,
                file_naming=self._naming,
                temp_directory=self._temp,
                sink=lambda _destination: AvroFileSink(schema_name),
            )
        )


def write_stories(staging: str, batch_id: str, ingested_at: datetime) -> WriteAvro:
    to_record = functools.partial(story_record, ingested_at=ingested_at)
    return WriteAvro(staging, STORIES_DIR, STORY_SCHEMA, to_record, batch_id)


def write_cluster_entries(staging: str, batch_id: str) -> beam.PTransform:
    return fileio.WriteToFiles(
        path=FileSystems.join(staging, CLUSTERS_DIR),
        file_naming=fileio.default_file_naming(f"{CLUSTERS_DIR}-{batch_id}", CLUSTERS_SUFFIX),
        temp_directory=StaticValueProvider(
            str, FileSystems.join(staging, WRITING_DIR, CLUSTERS_DIR)
        ),
        sink=lambda _destination: fileio.TextSink(),
    )


def write_dead_letters(staging: str, batch_id: str) -> WriteAvro:
    return WriteAvro(staging, DEAD_LETTER_DIR, DEAD_LETTER_SCHEMA, dead_letter_record, batch_id)


def write_duplicates(staging: str, batch_id: str) -> WriteAvro:
    return WriteAvro(staging, DUPLICATES_DIR, DUPLICATE_SCHEMA, duplicate_record, batch_id)
