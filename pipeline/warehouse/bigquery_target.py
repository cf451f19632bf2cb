"""An output loaded into BigQuery (``bigquery:PROJECT.DATASET``): tables ``stories``,
``dead_letters`` and ``duplicates`` in the records' own shape, partitioned by day, and the
views a newsroom queries, as in DuckDB.

Each Avro file is one load job (free, unlike a query that copies rows), read with its logical
types (``use_avro_logical_types``: timestamps arrive as TIMESTAMP, not INT64), appended to a
table this module creates from the schema file: every record field a column of the same name
and nesting (RECORD, REPEATED RECORD), the table partitioned by the day of its UTC time
(``ingested_at`` for stories: the output's ``ingest_date=`` folders) and stories clustered by
``id``, so a day's or a story's rows are read without scanning the rest.

A file is loaded once. A load job is atomic (all its rows or none), and its job id is made
from the table and the file's name and bytes: a load killed after its job was sent sends the
same id again, BigQuery answers that the job exists, and its outcome is taken instead of
loading the rows a second time. Loaded files are then named in the ledger table
``_wire_ingest_loads``, which later loads read to skip them without asking for each job.

The views mean what DuckDB's do (duckdb_target.py), in BigQuery SQL: ``story_versions``,
``current_stories`` (absent when the latest version is canceled or withheld, and while it is
under embargo) and ``story_clusters``.

Where BigQuery is: Google's default credentials and the project named, or, with
``BIGQUERY_EMULATOR_HOST=HOST:PORT`` set (as ``PUBSUB_EMULATOR_HOST`` for Pub/Sub), an
emulator there, without credentials. The library is google-cloud-bigquery, from the ``gcp``
extra.
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

import fastavro
import pyarrow as pa
from google.api_core import exceptions
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.auth.exceptions import GoogleAuthError
from google.cloud import bigquery

from pipeline.errors import ConfigError
from pipeline.sink.avro import schema_document
from pipeline.warehouse.arrow import arrow_schema
from pipeline.warehouse.targets import (
    LATEST_FIRST,
    OLDEST_FIRST,
    TABLES,
    LoadError,
    LoadReport,
    Table,
    finalized_files,
)

EMULATOR_HOST = "BIGQUERY_EMULATOR_HOST"
LOADS = "_wire_ingest_loads"
LOADS_SCHEMA = [
    bigquery.SchemaField("file", "STRING", mode="REQUIRED"),
    bigquery.SchemaField("table", "STRING", mode="REQUIRED"),
    bigquery.SchemaField("rows", "INTEGER", mode="REQUIRED"),
    bigquery.SchemaField("job_id", "STRING", mode="REQUIRED"),
    bigquery.SchemaField("loaded_at", "TIMESTAMP", mode="REQUIRED"),
]
# The first call fails within this many seconds when BigQuery cannot be reached (the client's
# own retries would wait ten minutes), with a line saying so.
REACH_TIMEOUT = 30.0
# Letters, digits and underscores (BigQuery's rule for dataset names).
_DATASET = re.compile(r"\w{1,1024}", re.ASCII)

VIEWS = {
    "story_versions": f"""
        SELECT ROW_NUMBER() OVER (PARTITION BY id ORDER BY {OLDEST_FIRST}) AS version_number, *
        FROM `{{dataset}}.stories`""",
    "current_stories": f"""
        SELECT * EXCEPT (latest) FROM (
            SELECT *, ROW_NUMBER() OVER (PARTITION BY id ORDER BY {LATEST_FIRST}) AS latest
            FROM `{{dataset}}.stories`
        )
        WHERE latest = 1
          AND pub_status NOT IN ('canceled', 'withheld')
          AND (embargoed IS NULL OR embargoed <= CURRENT_TIMESTAMP())""",
    "story_clusters": """
        SELECT cluster_id,
               COUNT(*) AS stories,
               MIN(ingested_at) AS first_ingested_at,
               MAX(ingested_at) AS last_ingested_at,
               ARRAY_AGG(STRUCT(id, headline, provider, cluster_similarity AS similarity,
                                ingested_at)
                         ORDER BY ingested_at, id) AS members
        FROM `{dataset}.current_stories`
        GROUP BY cluster_id""",
}


class BigQueryTarget:
    """``bigquery:PROJECT.DATASET``: the dataset, created on the first load."""

    def __init__(self, dataset: str) -> None:
        project, _, name = dataset.rpartition(".")
        if not project or not _DATASET.fullmatch(name):
            raise ConfigError(
                f"bigquery:{dataset}: expected bigquery:PROJECT.DATASET, the dataset's name "
                "in letters, digits and underscores"
            )
        self.project, self.dataset = project, dataset
        self.spec = f"bigquery:{dataset}"

    def load(self, output: str) -> LoadReport:
        """Loads every finalized file of ``output`` not loaded yet, and refreshes the views.

        Raises:
            ConfigError: BigQuery cannot be reached, refuses the credentials or a request
                (a permission, a quota).
            LoadError: a file BigQuery cannot load (named, with BigQuery's reason).
        """
        client = self._connect()
        try:
            return self._load(client, output)
        except LoadError:
            raise
        except exceptions.GoogleAPICallError as error:  # a permission, a quota, an outage
            reason = _one_line(error)
            raise ConfigError(f"{self.spec}: BigQuery refused the load: {reason}") from error

    def _load(self, client: bigquery.Client, output: str) -> LoadReport:
        report = LoadReport(self.spec)
        ledger = f"{self.dataset}.{LOADS}"
        client.create_table(bigquery.Table(ledger, schema=LOADS_SCHEMA), exists_ok=True)
        loaded = {row.file for row in client.query(f"SELECT file FROM `{ledger}`").result()}
        for table in TABLES:
            created = self._ensure_table(client, table)
            report.rows[table.name] = 0
            for relative, path in finalized_files(output, table):
                if relative in loaded:
                    report.files_already += 1
                    continue
                job_id = load_job_id(created, relative, path)
                rows = self._load_file(client, created, path, job_id)
                client.query(
                    f"INSERT INTO `{ledger}` (file, `table`, rows, job_id, loaded_at) "
                    "VALUES (@file, @table, @rows, @job_id, CURRENT_TIMESTAMP())",
                    job_config=bigquery.QueryJobConfig(
                        query_parameters=[
                            bigquery.ScalarQueryParameter("file", "STRING", relative),
                            bigquery.ScalarQueryParameter("table", "STRING", table.name),
                            bigquery.ScalarQueryParameter("rows", "INT64", rows),
                            bigquery.ScalarQueryParameter("job_id", "STRING", job_id),
                        ]
                    ),
                ).result()
                report.rows[table.name] += rows
                report.files_loaded += 1
        for name, query in VIEWS.items():
            client.query(
                f"CREATE OR REPLACE VIEW `{self.dataset}.{name}` AS "
                + query.format(dataset=self.dataset)
            ).result()
        return report

    def _connect(self) -> bigquery.Client:
        """A client, after making sure the dataset exists (the first call: it says whether
        BigQuery can be reached at all)."""
        emulator = os.environ.get(EMULATOR_HOST)
        where = f"the emulator at {emulator}" if emulator else "BigQuery"
        try:
            if emulator:
                client = bigquery.Client(
                    project=self.project,
                    credentials=AnonymousCredentials(),
                    client_options=ClientOptions(api_endpoint=f"http://{emulator}"),
                )
            else:
                client = bigquery.Client(project=self.project)
            client.create_dataset(
                self.dataset,
                exists_ok=True,
                retry=bigquery.DEFAULT_RETRY.with_timeout(REACH_TIMEOUT),
                timeout=REACH_TIMEOUT,
            )
        except GoogleAuthError as error:
            raise ConfigError(
                f"{self.spec}: no Google credentials for {where} (gcloud auth "
                f"application-default login, or {EMULATOR_HOST} for an emulator): {error}"
            ) from error
        except (exceptions.GoogleAPIError, OSError) as error:
            raise ConfigError(f"{self.spec}: cannot reach {where}: {error}") from error
        return client

    def _ensure_table(self, client: bigquery.Client, table: Table) -> bigquery.Table:
        """The table with every column of the current schema: created partitioned by day,
        and given the columns a newer schema version added when an older one made it."""
        schema = [bigquery_field(field) for field in arrow_schema(schema_document(table.schema))]
        wanted = bigquery.Table(f"{self.dataset}.{table.name}", schema=schema)
        wanted.time_partitioning = bigquery.TimePartitioning(field=table.partition_time)
        if table.name == "stories":
            wanted.clustering_fields = ["id"]
        found = client.create_table(wanted, exists_ok=True)
        have = {field.name for field in found.schema}
        if missing := [field for field in schema if field.name not in have]:
            found.schema = [*found.schema, *missing]
            found = client.update_table(found, ["schema"])
        return found

    def _load_file(
        self, client: bigquery.Client, table: bigquery.Table, path: Path, job_id: str
    ) -> int:
        """Runs the file's load job, or takes the outcome of the one an earlier, interrupted
        load sent with the same id; the rows the file holds."""
        config = bigquery.LoadJobConfig(
            source_format=bigquery.SourceFormat.AVRO,
            use_avro_logical_types=True,
            write_disposition=bigquery.WriteDisposition.WRITE_APPEND,
        )
        try:
            try:
                with path.open("rb") as handle:
                    job = client.load_table_from_file(
                        handle, table, job_id=job_id, job_config=config
                    )
            except exceptions.Conflict:  # sent before: its outcome stands
                job = client.get_job(job_id)
            job.result()
        except exceptions.GoogleAPICallError as error:
            raise LoadError(
                f"{path}: BigQuery did not load it into {table.table_id}: {_one_line(error)}"
            ) from error
        return _rows(path)


def _one_line(error: exceptions.GoogleAPICallError) -> str:
    """BigQuery's message, which can span lines, on one."""
    return " ".join(str(error.message).split())


def load_job_id(table: bigquery.Table, relative: str, path: Path) -> str:
    """The file's load job id: the same for the same file into the same table (a table made
    again after a drop has a new creation time, so its loads are new jobs)."""
    digest = hashlib.sha256(f"{table.full_table_id}\n{table.created}\n{relative}\n".encode())
    digest.update(path.read_bytes())
    return f"wire_ingest_load_{digest.hexdigest()[:40]}"


def _rows(path: Path) -> int:
    """The records in an Avro file, from its block headers (nothing is decoded)."""
    with path.open("rb") as handle:
        return sum(block.num_records for block in fastavro.block_reader(handle))


_KINDS = (
    (pa.types.is_string, "STRING"),
    (pa.types.is_integer, "INTEGER"),
    (pa.types.is_floating, "FLOAT"),
    (pa.types.is_boolean, "BOOLEAN"),
    (pa.types.is_binary, "BYTES"),
    (pa.types.is_timestamp, "TIMESTAMP"),
    (pa.types.is_date, "DATE"),
)


def bigquery_field(field: pa.Field) -> bigquery.SchemaField:
    """A column of the Arrow schema (warehouse.arrow, from the Avro schema) as BigQuery's:
    a list is a REPEATED column of its items, a struct a RECORD."""
    kind, mode = field.type, "NULLABLE"
    if pa.types.is_list(kind):
        kind, mode = kind.value_type, "REPEATED"
    if pa.types.is_struct(kind):
        inner = [bigquery_field(kind.field(index)) for index in range(kind.num_fields)]
        return bigquery.SchemaField(field.name, "RECORD", mode=mode, fields=inner)
    for matches, name in _KINDS:
        if matches(kind):
            return bigquery.SchemaField(field.name, name, mode=mode)
    raise TypeError(f"column {field.name}: no BigQuery type for {kind}")  # a schema we wrote
