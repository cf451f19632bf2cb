"""``wire-ingest load OUTPUT --to bigquery:PROJECT.DATASET`` against bqemulator on loopback
(a BigQuery emulator on DuckDB, in an environment of its own, started by scripts/bqemulator): the
tables in the records' shape, partitioned by day; the views give what DuckDB's give on the
same output; each file once.

What the emulator cannot check, and these tests therefore do not:

* that a load job sent again with the same job id is refused: the emulator gives every job an
  id of its own, so a load killed between a job and its ledger row would load that file twice
  there, and not on BigQuery;
* columns a newer schema version adds to a table an older one made: the emulator's table
  patch changes its catalog and not its DuckDB table (and its ALTER TABLE the other way round);
* BigQuery's own Avro reader: the emulator reads the files with DuckDB's.
"""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from google.api_core.client_options import ClientOptions
from google.auth.credentials import AnonymousCredentials
from google.cloud import bigquery

from pipeline.errors import ConfigError
from pipeline.warehouse import bigquery_target
from pipeline.warehouse.bigquery_target import (
    EMULATOR_HOST,
    BigQueryTarget,
    load_job_id,
)
from tests.conftest import SAMPLES
from tests.inputs.conftest import free_port, serve
from tests.test_cli import PYTHON_M, wire_ingest
from tests.warehouse.conftest import query

REPO = Path(__file__).resolve().parents[2]
EMULATOR_VENV = Path(os.environ.get("WIRE_INGEST_BQEMULATOR_VENV", REPO / ".venv-bqemulator"))
PROJECT = "local"


@pytest.fixture(scope="module")
def emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[bigquery.Client]:
    """A client of bqemulator on loopback; ``BIGQUERY_EMULATOR_HOST`` points the loads at it."""
    if not (EMULATOR_VENV / ".installed").exists():
        pytest.skip("no .venv-bqemulator: scripts/test installs it")
    port = free_port()
    command = [str(REPO / "scripts" / "bqemulator"), "--rest-port", str(port),
               "--grpc-port", str(free_port()), "--log-level", "warning"]  # fmt: skip
    log = tmp_path_factory.mktemp("bqemulator") / "emulator.log"
    env = {**os.environ, "WIRE_INGEST_BQEMULATOR_VENV": str(EMULATOR_VENV)}
    with serve(command, port, log, env=env), pytest.MonkeyPatch.context() as patch:
        patch.setenv(EMULATOR_HOST, f"127.0.0.1:{port}")
        yield bigquery.Client(
            project=PROJECT,
            credentials=AnonymousCredentials(),
            client_options=ClientOptions(api_endpoint=f"http://127.0.0.1:{port}"),
        )


def rows(client: bigquery.Client, sql: str) -> list[dict[str, Any]]:
    return [dict(row.items()) for row in client.query(sql).result()]


def load(output: Path, dataset: str) -> str:
    loaded = wire_ingest("load", str(output), "--to", f"bigquery:{PROJECT}.{dataset}",
                         command=PYTHON_M)  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    return loaded.stdout


@pytest.fixture(scope="module")
def warehouse(emulator: bigquery.Client, rounds: dict[str, Any]) -> str:
    """The three rounds' output loaded into the dataset ``wire``."""
    load(rounds["output"], "wire")
    return "wire"


def test_tables_keep_the_records_types_and_nesting_partitioned_by_day(
    emulator: bigquery.Client, warehouse: str
) -> None:
    stories = emulator.get_table(f"{PROJECT}.{warehouse}.stories")
    fields = {field.name: field for field in stories.schema}
    assert fields["ingested_at"].field_type == "TIMESTAMP"
    assert fields["source"].field_type == "RECORD"
    entities = fields["entities"]
    assert (entities.field_type, entities.mode) == ("RECORD", "REPEATED")
    assert [field.name for field in entities.fields] == ["text", "label", "start", "end"]
    assert stories.time_partitioning.field == "ingested_at"
    assert stories.clustering_fields == ["id"]
    letters = emulator.get_table(f"{PROJECT}.{warehouse}.dead_letters")
    assert letters.time_partitioning.field == "failed_at"
    (entity,) = rows(emulator, f"SELECT e.text, e.start, e.`end` FROM `{warehouse}.stories`, "
                     "UNNEST(entities) AS e ORDER BY e.start, e.text LIMIT 1")  # fmt: skip
    assert entity["end"] - entity["start"] == len(entity["text"])
    (latest,) = rows(emulator, f"SELECT max(ingested_at) AS at FROM `{warehouse}.stories`")
    assert latest["at"].tzinfo is not None  # a TIMESTAMP, not the Avro long


def test_the_views_give_what_duckdb_gives(
    emulator: bigquery.Client, warehouse: str, rounds: dict[str, Any]
) -> None:
    database = rounds["database"]
    current = rows(emulator, f"SELECT id, version, pub_status FROM `{warehouse}.current_stories`")
    assert sorted(tuple(row.values()) for row in current) == sorted(
        query(database, "SELECT id, version, pub_status FROM current_stories")
    )
    versions = rows(emulator, f"SELECT id, version_number, version FROM "
                    f"`{warehouse}.story_versions`")  # fmt: skip
    assert sorted(tuple(row.values()) for row in versions) == sorted(
        query(database, "SELECT id, version_number, version FROM story_versions")
    )
    clusters = rows(emulator, f"SELECT cluster_id, stories, members FROM "
                    f"`{warehouse}.story_clusters`")  # fmt: skip
    expected = query(database, "SELECT cluster_id, stories, [m.id FOR m IN members] "
                     "FROM story_clusters")  # fmt: skip
    assert sorted(
        (row["cluster_id"], row["stories"], [member["id"] for member in row["members"]])
        for row in clusters
    ) == sorted(expected)
    letters = rows(emulator, f"SELECT count(*) AS n FROM `{warehouse}.dead_letters`")
    assert letters[0]["n"] == query(database, "SELECT count(*) FROM dead_letters")[0][0]


def test_each_file_once_loading_again_or_after_more_files(
    emulator: bigquery.Client, rounds: dict[str, Any], tmp_path: Path
) -> None:
    output = tmp_path / "out"
    shutil.copytree(rounds["output"], output)
    held_back = sorted((output / "stories").rglob("*.avro"))[-1]
    aside = tmp_path / held_back.name
    held_back.rename(aside)
    first = load(output, "grown")
    aside.rename(held_back)
    second = load(output, "grown")
    third = load(output, "grown")
    assert "loaded 1 files" in second and "loaded 0 files" in third, (first, second, third)
    total = rows(emulator, "SELECT count(*) AS n FROM `grown.stories`")[0]["n"]
    assert total == query(rounds["database"], "SELECT count(*) FROM stories")[0][0]
    ledger = rows(emulator, "SELECT file, `table`, rows FROM `grown._wire_ingest_loads`")
    assert len({row["file"] for row in ledger}) == len(ledger)
    assert sum(row["rows"] for row in ledger if row["table"] == "stories") == total


def test_a_damaged_file_names_itself(
    emulator: bigquery.Client, rounds: dict[str, Any], tmp_path: Path
) -> None:
    output = tmp_path / "out"
    shutil.copytree(rounds["output"], output)
    damaged = sorted((output / "stories").rglob("*.avro"))[0]
    damaged.write_bytes(damaged.read_bytes()[:300])
    loaded = wire_ingest("load", str(output), "--to", f"bigquery:{PROJECT}.damaged",
                         command=PYTHON_M)  # fmt: skip
    assert loaded.returncode == 2, loaded.stderr
    lines = loaded.stderr.strip().splitlines()
    assert len(lines) == 1, loaded.stderr
    line = lines[0]
    assert damaged.name in line and "did not load it into stories" in line


def test_a_request_bigquery_refuses_is_one_line_exit_2(
    emulator: bigquery.Client, rounds: dict[str, Any]
) -> None:
    # A table of someone else's under the ledger's name: the ledger's query is refused.
    emulator.create_dataset("foreign", exists_ok=True)
    emulator.query("CREATE TABLE `foreign._wire_ingest_loads` (x INT64)").result()
    loaded = wire_ingest("load", str(rounds["output"]), "--to", f"bigquery:{PROJECT}.foreign",
                         command=PYTHON_M)  # fmt: skip
    assert loaded.returncode == 2, loaded.stderr
    lines = loaded.stderr.strip().splitlines()
    assert len(lines) == 1 and "BigQuery refused the load" in lines[0], loaded.stderr


def test_the_load_job_id_follows_the_file_and_the_table(tmp_path: Path) -> None:
    table = bigquery.Table(f"{PROJECT}.wire.stories")
    first, other = tmp_path / "a.avro", tmp_path / "b.avro"
    first.write_bytes(b"one")
    other.write_bytes(b"two")
    name = "stories/a.avro"
    assert load_job_id(table, name, first) == load_job_id(table, name, first)
    assert load_job_id(table, name, first) != load_job_id(table, name, other)
    assert load_job_id(table, name, first) != load_job_id(table, "stories/b.avro", first)
    again = bigquery.Table.from_api_repr({
        "tableReference": {"projectId": PROJECT, "datasetId": "wire", "tableId": "stories"},
        "creationTime": "1700000000000",
    })  # fmt: skip
    assert load_job_id(again, name, first) != load_job_id(table, name, first)


@pytest.mark.parametrize(
    "spec", ["bigquery:nodataset", "bigquery:project.bad-name", "bigquery:.wire", "bigquery:"]
)
def test_bad_specs_are_one_line_exit_2(spec: str, rounds: dict[str, Any]) -> None:
    loaded = wire_ingest("load", str(rounds["output"]), "--to", spec, command=PYTHON_M)
    assert loaded.returncode == 2, loaded.stderr
    (line,) = loaded.stderr.strip().splitlines()
    assert "PROJECT.DATASET" in line


def test_an_emulator_that_is_not_there_is_one_clear_error(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv(EMULATOR_HOST, f"127.0.0.1:{free_port()}")
    monkeypatch.setattr(bigquery_target, "REACH_TIMEOUT", 1.0)
    started = time.monotonic()
    with pytest.raises(ConfigError, match="cannot reach the emulator at 127.0.0.1"):
        BigQueryTarget(f"{PROJECT}.wire").load(str(tmp_path))
    assert time.monotonic() - started < 30  # not the client's ten minutes of retries


def test_run_load_to_bigquery_loads_as_it_commits(
    emulator: bigquery.Client, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    ran = wire_ingest("run", "--input", str(SAMPLES), "--output", str(output),
                      "--load-to", f"bigquery:{PROJECT}.runs", command=PYTHON_M)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    summary = json.loads((output / "summary.json").read_text(encoding="utf-8"))
    assert summary["load"]["target"] == f"bigquery:{PROJECT}.runs"
    assert summary["load"]["rows"]["stories"] == summary["written"] > 0
    assert rows(emulator, "SELECT count(*) AS n FROM `runs.stories`")[0]["n"] == summary["written"]
