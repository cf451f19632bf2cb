"""An output loaded into a DuckDB file: tables ``stories``, ``dead_letters`` and
``duplicates`` in the records' own shape, and the views a newsroom queries.

Each Avro file is loaded in a transaction of its own, together with its row in the load
ledger (``_wire_ingest_loads``): a file is in the tables with its ledger row or not at all,
so a load killed half-way leaves the database as its last committed file left it, and the
next load carries on; a file already in the ledger is not loaded again. DuckDB's own lock
keeps a second process out of the file while a load runs (``OutputBusy``: exit 75).

DuckDB is pinned (2.0.0, pyproject.toml): 2.0 changed its Python API (no
``Relation.fetchone``, a result read half-way blocks the connection), so this module only
runs statements and reads whole results, and a later release is taken on purpose.

Views, refreshed by every load:

* ``story_versions``: every version of every story, ``version_number`` 1, 2, ... in the
  order ``version_rank``, then ``version_created``, then ``ingested_at``;
* ``current_stories``: per ``id`` the latest of those; the story is absent when that version
  is canceled or withheld (a kill recalls every earlier version), and while its
  ``embargoed`` time is in the future;
* ``story_clusters``: near-duplicate clusters among the current stories, with their members.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pyarrow as pa

from pipeline.errors import ConfigError
from pipeline.sink.lock import OutputBusy
from pipeline.sink.avro import schema_document
from pipeline.warehouse.arrow import arrow_schema
from pipeline.warehouse.targets import (
    LATEST_FIRST,
    OLDEST_FIRST,
    TABLES,
    LoadReport,
    Table,
    finalized_files,
    table_batches,
)

LOADS = "_wire_ingest_loads"
_BATCH = "_wire_ingest_batch"
VIEWS = {
    "story_versions": f"""
        SELECT row_number() OVER (PARTITION BY id ORDER BY {OLDEST_FIRST}) AS version_number, *
        FROM stories
        ORDER BY id, version_number""",
    "current_stories": f"""
        SELECT * EXCLUDE (latest) FROM (
            SELECT *, row_number() OVER (PARTITION BY id ORDER BY {LATEST_FIRST}) AS latest
            FROM stories
        )
        WHERE latest = 1
          AND pub_status NOT IN ('canceled', 'withheld')
          AND (embargoed IS NULL OR embargoed <= current_timestamp)""",
    "story_clusters": """
        SELECT cluster_id,
               count(*) AS stories,
               min(ingested_at) AS first_ingested_at,
               max(ingested_at) AS last_ingested_at,
               list(struct_pack(id := id, headline := headline, provider := provider,
                                similarity := cluster_similarity, ingested_at := ingested_at)
                    ORDER BY ingested_at, id) AS members
        FROM current_stories
        GROUP BY cluster_id""",
}


class DuckDBTarget:
    """``duckdb:PATH``: the database file at PATH, created on the first load."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.spec = f"duckdb:{path}"

    def load(self, output: str) -> LoadReport:
        """Loads every finalized file of ``output`` not loaded yet, and refreshes the views.

        Raises:
            OutputBusy: another process has the database open.
            ConfigError: the database file cannot be opened (not a DuckDB file, no access).
        """
        report = LoadReport(self.spec)
        connection = self._connect()
        try:
            connection.execute(
                f"CREATE TABLE IF NOT EXISTS {LOADS} (file VARCHAR PRIMARY KEY, "
                '"table" VARCHAR, rows BIGINT, loaded_at TIMESTAMP WITH TIME ZONE)'
            )
            loaded = {row[0] for row in connection.execute(f"SELECT file FROM {LOADS}").fetchall()}
            for table in TABLES:
                _ensure_table(connection, table)
                report.rows[table.name] = 0
                for relative, path in finalized_files(output, table):
                    if relative in loaded:
                        report.files_already += 1
                        continue
                    report.rows[table.name] += _load_file(connection, table, relative, path)
                    report.files_loaded += 1
            for name, query in VIEWS.items():
                connection.execute(f"CREATE OR REPLACE VIEW {name} AS {query}")
        finally:
            connection.close()
        return report

    def _connect(self) -> duckdb.DuckDBPyConnection:
        Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            return duckdb.connect(self.path)
        except duckdb.IOException as error:
            if "lock" in str(error).lower():
                raise OutputBusy(f"{self.spec} is open in another process: {error}") from error
            raise ConfigError(f"{self.spec}: cannot open it: {error}") from error


def _ensure_table(connection: duckdb.DuckDBPyConnection, table: Table) -> None:
    """The table with every column of the current schema (columns a newer schema version added
    are added to a table an older one made)."""
    empty = arrow_schema(schema_document(table.schema)).empty_table()
    connection.register(_BATCH, empty)
    try:
        connection.execute(f"CREATE TABLE IF NOT EXISTS {table.name} AS SELECT * FROM {_BATCH}")
        have = {row[0] for row in connection.execute(f"DESCRIBE {table.name}").fetchall()}
        for name, kind, *_ in connection.execute(f"DESCRIBE {_BATCH}").fetchall():
            if name not in have:
                connection.execute(f'ALTER TABLE {table.name} ADD COLUMN "{name}" {kind}')
    finally:
        connection.unregister(_BATCH)


def _load_file(
    connection: duckdb.DuckDBPyConnection, table: Table, relative: str, path: Path
) -> int:
    """One file's records and its ledger row, in one transaction; the rows it added."""
    rows = 0
    connection.execute("BEGIN TRANSACTION")
    try:
        for batch in table_batches(path, table):
            connection.register(_BATCH, pa.Table.from_batches([batch]))
            connection.execute(f"INSERT INTO {table.name} BY NAME SELECT * FROM {_BATCH}")
            connection.unregister(_BATCH)
            rows += batch.num_rows
        connection.execute(
            f"INSERT INTO {LOADS} VALUES (?, ?, ?, ?)",
            [relative, table.name, rows, datetime.now(UTC)],
        )
        connection.execute("COMMIT")
    except BaseException:
        connection.execute("ROLLBACK")
        raise
    return rows
