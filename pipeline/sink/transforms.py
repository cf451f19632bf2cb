"""Write stage as Beam transforms: records to Avro files, atomically.

``fileio.WriteToFiles`` writes each file in a temporary folder and renames it into place
once complete, so a reader or a warehouse load of ``stories/*.avro`` never sees a half-written
file, even after a crash. The temporary folder is outside ``stories/`` and ``dead_letter/`` so
that a recursive load does not pick up temporary files either. Unlike ``WriteToAvro``, the
same writer also works on windowed, unbounded input.
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
    STORY_SCHEMA,
    AvroFileSink,
    dead_letter_record,
    story_record,
)

STORIES_DIR = "stories"
DEAD_LETTER_DIR = "dead_letter"
TEMP_DIR = ".tmp"
SUFFIX = ".avro"


class WriteAvro(beam.PTransform):
    """Writes ``to_record(item)`` for each item to ``<output>/<folder>/<folder>-<run_id>-*.avro``.

    The run id in file names keeps every file traceable to the run (and summary) that wrote it.
    """

    def __init__(
        self,
        output: str,
        folder: str,
        schema_name: str,
        to_record: Callable[[Any], dict[str, Any]],
        run_id: str,
    ) -> None:
        super().__init__()
        self._path = FileSystems.join(output, folder)
        self._temp = StaticValueProvider(str, FileSystems.join(output, TEMP_DIR, run_id, folder))
        self._naming = fileio.default_file_naming(f"{folder}-{run_id}", SUFFIX)
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


def write_stories(output: str, run_id: str, ingested_at: datetime) -> WriteAvro:
    to_record = functools.partial(story_record, ingested_at=ingested_at)
    return WriteAvro(output, STORIES_DIR, STORY_SCHEMA, to_record, run_id)


def write_dead_letters(output: str, run_id: str) -> WriteAvro:
    return WriteAvro(output, DEAD_LETTER_DIR, DEAD_LETTER_SCHEMA, dead_letter_record, run_id)
