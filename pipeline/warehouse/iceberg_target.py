"""An output kept as Apache Iceberg tables (``iceberg:PATH``): a lake table that Spark, Trino,
Snowflake and BigQuery read, holding each story once, at its latest version.

Why Iceberg and not Delta Lake: both are read by those engines, but delta-rs (deltalake 1.6)
aborts the Python process at exit once Beam is loaded ("terminate called without an active
exception", exit 134: measured here), and wire-ingest loads from inside its runs. pyiceberg
is pure Python over pyarrow; its tables live in a folder with a SQLite catalog
(``PATH/catalog.db``), which Spark and Trino reach through their JDBC catalog or by the
table's metadata file.

Tables in namespace ``wire``:

* ``stories``: per ``id`` the latest version (by ``version_rank``, then ``version_created``,
  then ``ingested_at``). A newer version replaces the row (delete and append, one snapshot);
  a kill or withhold deletes it; an older version arriving late changes nothing. pyiceberg's
  own ``upsert`` has no "only if newer", so the versions are compared here first. Embargoed
  stories are kept with their ``embargoed`` time, for readers to filter on;
* ``story_recalls``: the kills and withholds seen, so that an older version arriving after
  its kill does not bring the story back;
* ``dead_letters``, ``duplicates``: every record, appended.

A file is loaded once: each snapshot a load makes names the file it loaded
(``wire_ingest.file``), and files named by any snapshot are not loaded again (expiring old
snapshots forgets that: a reload then appends dead letters again, while stories stay right).
Columns a newer schema version adds are added to the tables (Iceberg's schema evolution, by
name). A table's snapshot is atomic; a load killed between a file's recalls and its stories
leaves the file unnamed, and the next load does it again, which changes nothing twice.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from pyiceberg.catalog.sql import SqlCatalog
from pyiceberg.expressions import In
from pyiceberg.table import Table as IcebergTable

from pipeline.records import RECALLS
from pipeline.sink.avro import schema_document
from pipeline.warehouse.arrow import arrow_schema
from pipeline.warehouse.targets import TABLES, LoadReport, finalized_files, table_batches

NAMESPACE = "wire"
FILE_PROPERTY = "wire_ingest.file"
RECALLS_TABLE = "story_recalls"
# What orders the versions of one id, latest last.
ORDER = ("version_rank", "version_created", "ingested_at")
_RECALL_FIELDS = ("id", "version", "pub_status", *ORDER)


class IcebergTarget:
    """``iceberg:PATH``: Iceberg tables under the folder PATH, with their catalog in it."""

    def __init__(self, path: str) -> None:
        self.path = Path(path).resolve()
        self.spec = f"iceberg:{path}"

    def load(self, output: str) -> LoadReport:
        report = LoadReport(self.spec)
        self.path.mkdir(parents=True, exist_ok=True)
        catalog = SqlCatalog(
            NAMESPACE,
            uri=f"sqlite:///{self.path / 'catalog.db'}",
            warehouse=self.path.as_uri(),
        )
        catalog.create_namespace_if_not_exists(NAMESPACE)
        story_schema = arrow_schema(schema_document("wire_story"))
        recalls = catalog.create_table_if_not_exists(
            f"{NAMESPACE}.{RECALLS_TABLE}",
            schema=pa.schema([story_schema.field(name) for name in _RECALL_FIELDS]),
        )
        for table in TABLES:
            schema = arrow_schema(schema_document(table.schema))
            target = catalog.create_table_if_not_exists(f"{NAMESPACE}.{table.name}", schema=schema)
            with target.update_schema() as update:  # columns a newer schema version added
                update.union_by_name(schema)
            loaded = _loaded(target)
            report.rows[table.name] = 0
            for relative, path in finalized_files(output, table):
                if relative in loaded:
                    report.files_already += 1
                    continue
                data = pa.Table.from_batches(
                    table_batches(path, table), schema=arrow_schema(schema_document(table.schema))
                )
                if table.name == "stories":
                    report.rows[table.name] += _merge_stories(target, recalls, data, relative)
                else:
                    _append(target, data, relative)
                    report.rows[table.name] += data.num_rows
                report.files_loaded += 1
        return report


def _loaded(table: IcebergTable) -> set[str]:
    """The files the table's snapshots say they loaded."""
    return {
        file
        for snapshot in table.snapshots()
        if snapshot.summary is not None
        and (file := snapshot.summary.additional_properties.get(FILE_PROPERTY))
    }


def _append(table: IcebergTable, data: pa.Table, relative: str) -> None:
    with table.transaction() as transaction:
        transaction.append(data, snapshot_properties={FILE_PROPERTY: relative})


def _merge_stories(
    stories: IcebergTable, recalls: IcebergTable, data: pa.Table, relative: str
) -> int:
    """The file's stories merged in, newer versions only; the rows the table changed by."""
    latest = _latest_per_id(data)
    ids = latest.column("id").to_pylist()
    held, recalled_before = _orders(stories, ids), _orders(recalls, ids)
    known = {key: max(held.get(key, _BEFORE_ALL), recalled_before.get(key, _BEFORE_ALL))
             for key in held.keys() | recalled_before.keys()}  # fmt: skip
    newer = [n for n, row in enumerate(latest.select(ORDER).to_pylist())
             if _key(row) > known.get(ids[n], _BEFORE_ALL)]  # fmt: skip
    newer_rows = latest.take(pa.array(newer, type=pa.int64()))
    recalled = pc.is_in(newer_rows.column("pub_status"), pa.array(sorted(RECALLS)))
    kills = newer_rows.filter(recalled)
    if kills.num_rows:  # first: a crash after this and before the stories redoes both
        with recalls.transaction() as transaction:
            earlier = [key for key in kills.column("id").to_pylist() if key in recalled_before]
            if earlier:
                transaction.delete(In("id", earlier))
            transaction.append(kills.select(list(_RECALL_FIELDS)))
    with stories.transaction() as transaction:
        replaced = [key for key in newer_rows.column("id").to_pylist() if key in held]
        if replaced:
            transaction.delete(In("id", replaced))
        transaction.append(newer_rows.filter(pc.invert(recalled)),
                           snapshot_properties={FILE_PROPERTY: relative})  # fmt: skip
    return len(newer)


_BEFORE_ALL: tuple[Any, ...] = (float("-inf"),)


def _key(row: dict[str, Any]) -> tuple[Any, ...]:
    """A version's place in its story's order (a missing version_created sorts first)."""
    created = row["version_created"]
    return (row["version_rank"], created is not None, created, row["ingested_at"])


def _latest_per_id(data: pa.Table) -> pa.Table:
    rows = data.select(["id", *ORDER]).to_pylist()
    best: dict[str, int] = {}
    for n, row in enumerate(rows):
        if row["id"] not in best or _key(row) > _key(rows[best[row["id"]]]):
            best[row["id"]] = n
    return data.take(pa.array(sorted(best.values()), type=pa.int64()))


def _orders(table: IcebergTable, ids: list[str]) -> dict[str, tuple[Any, ...]]:
    """The order key of the version each of ``ids`` has in ``table``."""
    if not ids:
        return {}
    found = table.scan(row_filter=In("id", ids), selected_fields=("id", *ORDER)).to_arrow()
    return {row["id"]: _key(row) for row in found.to_pylist()}
