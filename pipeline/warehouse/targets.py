"""Where an output is loaded: targets by scheme (``duckdb:PATH``), and what a load did.

A target is one entry in ``TARGETS``: a class made from the part of the spec after its scheme,
with ``load(output)`` putting every finalized Avro file of the output that it does not hold
yet into its tables, each file once and atomically, and refreshing its views.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import pyarrow as pa

from pipeline.errors import ConfigError
from pipeline.sink.transforms import DEAD_LETTER_DIR, DUPLICATES_DIR, STORIES_DIR, SUFFIX
from pipeline.sink.avro import schema_document
from pipeline.warehouse.arrow import read_batches


@dataclass(frozen=True)
class Table:
    """A warehouse table: the output folder it is loaded from, the schema of its records, and
    the UTC time its rows are partitioned by in a warehouse that partitions (the day a story
    was ingested, as the output's ``ingest_date=`` folders)."""

    name: str
    folder: str
    schema: str
    partition_time: str


TABLES = (
    Table("stories", STORIES_DIR, "wire_story", "ingested_at"),
    Table("dead_letters", DEAD_LETTER_DIR, "dead_letter", "failed_at"),
    Table("duplicates", DUPLICATES_DIR, "duplicate", "detected_at"),
)
# How the versions of one story are ordered (SQL, the same in DuckDB and BigQuery): a higher
# version_rank is later; ties are broken by version_created, then by ingested_at.
OLDEST_FIRST = "version_rank, version_created NULLS FIRST, ingested_at"
LATEST_FIRST = "version_rank DESC, version_created DESC NULLS LAST, ingested_at DESC"


@dataclass
class LoadReport:
    """What one load did."""

    target: str
    files_loaded: int = 0
    files_already: int = 0  # loaded by an earlier load: left alone
    rows: dict[str, int] = field(default_factory=dict)  # rows added, by table

    def to_json(self) -> dict[str, object]:
        return {"target": self.target, "files_loaded": self.files_loaded, "rows": self.rows}

    def line(self) -> str:
        added = rows_added(self.rows)
        return (
            f"loaded {self.files_loaded} files into {self.target} ({added}); "
            f"{self.files_already} files were there already"
        )


def rows_added(rows: dict[str, int]) -> str:
    """``stories +3, dead_letters +1``: what a load added, by table."""
    return ", ".join(f"{table} +{count}" for table, count in rows.items()) or "no rows"


class LoadError(ConfigError):
    """An output file that cannot be read (damaged, or not ours): one line naming it; the
    files loaded before it stay loaded, and it and the ones after it are not."""


def table_batches(path: Path, table: Table) -> Iterator[pa.RecordBatch]:
    """The file's records as Arrow batches of the table's schema.

    Raises:
        LoadError: the file is damaged (truncated, not Avro, not this table's records).
    """
    try:
        yield from read_batches(path, schema_document(table.schema))
    except (ValueError, EOFError, OSError) as error:  # what fastavro raises on a bad file
        raise LoadError(f"{path}: cannot load it into {table.name}: {error}") from error


class Target(Protocol):
    spec: str

    def load(self, output: str) -> LoadReport: ...


def finalized_files(output: str, table: Table) -> list[tuple[str, Path]]:
    """The table's committed Avro files in ``output``, as (path relative to the output, path),
    oldest batch first (file names start with the batch's time). Files still being written
    are in ``.tmp/`` and not among them."""
    root = Path(output)
    paths = sorted((root / table.folder).rglob(f"*{SUFFIX}"), key=lambda path: path.name)
    return [(path.relative_to(root).as_posix(), path) for path in paths]


@dataclass(frozen=True)
class TargetKind:
    """A kind of target: the class (``module:Class``) made from what follows its scheme, the
    shape of that (for messages), and the extra that installs its library, if any."""

    target: str
    argument: str
    extra: str | None = None


# Targets by the scheme of their spec; a new warehouse is one entry here. Each target's module
# is imported when it is used: a command that loads nothing, or into another target, does not
# import its library.
TARGETS = {
    "duckdb": TargetKind("pipeline.warehouse.duckdb_target:DuckDBTarget", "PATH"),
    "bigquery": TargetKind(
        "pipeline.warehouse.bigquery_target:BigQueryTarget", "PROJECT.DATASET", extra="gcp"
    ),
    "iceberg": TargetKind("pipeline.warehouse.iceberg_target:IcebergTarget", "PATH", extra="lake"),
    "kafka": TargetKind(
        "pipeline.warehouse.kafka_target:KafkaTarget", "//HOST:PORT/TOPIC", extra="kafka"
    ),
}


def open_target(spec: str) -> Target:
    """The target a ``--to`` / ``--load-to`` spec names.

    Raises:
        ConfigError: an unknown scheme, or nothing after it.
    """
    scheme, _, rest = spec.partition(":")
    if scheme not in TARGETS:
        choices = ", ".join(f"{name}:{kind.argument}" for name, kind in TARGETS.items())
        raise ConfigError(f"load target {spec!r}: expected {choices}")
    kind = TARGETS[scheme]
    if not rest:
        raise ConfigError(f"load target {spec!r}: no {kind.argument} after {scheme}:")
    module, _, name = kind.target.partition(":")
    try:
        target: Callable[[str], Target] = getattr(importlib.import_module(module), name)
    except ImportError as error:
        if kind.extra is None:  # a core dependency missing: a broken install, not a config
            raise
        raise ConfigError(
            f"{spec}: needs the {kind.extra} extra: pip install 'wire-ingest[{kind.extra}]' "
            f"({error})"
        ) from error
    return target(rest)
