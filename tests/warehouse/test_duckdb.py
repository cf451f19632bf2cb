"""``wire-ingest load OUTPUT --to duckdb:PATH`` on real outputs: three scheduled rounds over a
growing folder with version series and kills, then the queries a user writes; each file once;
a damaged file, a kill -9 mid-load and a database held by another process."""

from __future__ import annotations

import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import fastavro
import pytest

from pipeline.sink.avro import STORY_SCHEMA, load_schema
from tests.conftest import SAMPLES, records
from tests.test_cli import PYTHON_M, wire_ingest
from tests.test_watch import numbered_story
from tests.warehouse.conftest import query

COLUMNS = "SELECT column_name, data_type FROM information_schema.columns WHERE table_name = ?"


def series_ids(database: Path) -> dict[str, str]:
    """The id of each version series, by the format it came in."""
    rows = query(database, "SELECT DISTINCT source.format, id FROM stories WHERE source.uri "
                 "SIMILAR TO '.*(g2|ninjs|nitf)-v[0-9].*'")  # fmt: skip
    return {fmt: story_id for fmt, story_id in rows}


def test_types_and_nesting_are_the_records_own(rounds: dict[str, Any]) -> None:
    columns = dict(query(rounds["database"], COLUMNS, "stories"))
    assert columns["ingested_at"] == "TIMESTAMP WITH TIME ZONE"
    assert columns["version_created"] == "TIMESTAMP WITH TIME ZONE"
    assert columns["source"].startswith("STRUCT(uri VARCHAR")
    assert (
        columns["entities"]
        == 'STRUCT("text" VARCHAR, "label" VARCHAR, "start" BIGINT, "end" BIGINT)[]'
    )  # noqa: E501
    assert columns["version_rank"] == "BIGINT"
    # the nesting a user queries: a story's first entity, as body[start:end]
    for body, text, start, end in query(rounds["database"], 'SELECT body, entities[1].text, '
                                        'entities[1].start, entities[1]."end" FROM stories '
                                        "WHERE len(entities) > 0"):  # fmt: skip
        assert body[start:end] == text
    letters = dict(query(rounds["database"], COLUMNS, "dead_letters"))
    assert letters["raw"] == "BLOB" and letters["failed_at"] == "TIMESTAMP WITH TIME ZONE"


def test_each_round_adds_what_is_new_and_current_stories_follow_the_versions(
    rounds: dict[str, Any],
) -> None:
    after = rounds["after"]
    ids = series_ids(rounds["database"])
    assert set(ids) == {"newsml-g2", "ninjs", "nitf"}
    current = {fmt: [row for row in after["v2"]["current"] if row[0] == ids[fmt]] for fmt in ids}
    assert [row[1] for row in current["ninjs"]] == ["2"]  # the correction is the current one
    assert [row[1] for row in current["nitf"]] == ["2"]
    assert [row[1] for row in current["newsml-g2"]] == ["978556838"]
    # after the kills, every series is gone from current_stories; the samples stay
    assert not {row[0] for row in after["v3"]["current"]} & set(ids.values())
    assert len(after["v3"]["current"]) == len(after["v1"]["current"]) - 3
    assert after["v1"]["stories"] < after["v2"]["stories"] < after["v3"]["stories"]


def test_story_versions_in_order(rounds: dict[str, Any]) -> None:
    ids = series_ids(rounds["database"])
    in_order = "FROM story_versions WHERE id = ? ORDER BY version_number"
    versions = query(rounds["database"], f"SELECT version_number, version, pub_status {in_order}",
                     ids["ninjs"])  # fmt: skip
    assert versions == [(1, "1", "usable"), (2, "2", "usable"), (3, "3", "canceled")]
    g2 = query(rounds["database"], f"SELECT version {in_order}", ids["newsml-g2"])
    assert [row[0] for row in g2] == ["400000000", "978556838", "1542761538"]


def test_story_clusters_hold_their_members(rounds: dict[str, Any]) -> None:
    database = rounds["database"]
    clusters = query(database, "SELECT cluster_id, stories, members FROM story_clusters")
    of = dict(query(database, "SELECT id, cluster_id FROM current_stories"))
    assert sum(size for _, size, _ in clusters) == len(of)  # every current story once
    for cluster_id, size, members in clusters:
        assert len(members) == size
        assert {of[member["id"]] for member in members} == {cluster_id}
        similarities = [member["similarity"] for member in members if member["id"] != cluster_id]
        assert all(value is not None for value in similarities)  # a joiner says how alike


def test_loading_again_changes_nothing(rounds: dict[str, Any]) -> None:
    database = rounds["database"]
    before = query(database, "SELECT count(*) FROM stories")[0][0]
    loads = query(database, "SELECT count(*) FROM _wire_ingest_loads")[0][0]
    again = wire_ingest("load", str(rounds["output"]), "--to", f"duckdb:{database}",
                        command=PYTHON_M)  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert "loaded 0 files" in again.stdout and f"{loads} files were there already" in again.stdout
    assert query(database, "SELECT count(*) FROM stories")[0][0] == before
    assert query(database, "SELECT count(*), count(DISTINCT (id, version, content_sha256)) "
                 "FROM stories")[0] == (before, before)  # fmt: skip


def test_a_damaged_file_names_itself_and_the_files_before_it_stay_loaded(
    rounds: dict[str, Any], tmp_path: Path
) -> None:
    output = tmp_path / "out"
    shutil.copytree(rounds["output"], output)
    good = sorted((output / "stories").rglob("*.avro"))
    damaged = output / "stories" / "stories-99991231T000000000Z-damaged-00000-of-00001.avro"
    damaged.write_bytes(good[0].read_bytes()[:-200])  # truncated: its last block is cut
    database = tmp_path / "wire.duckdb"
    failed = wire_ingest("load", str(output), "--to", f"duckdb:{database}", command=PYTHON_M)
    assert failed.returncode == 2
    (line,) = failed.stderr.strip().splitlines()
    assert line.startswith(f"wire-ingest: error: {damaged}: cannot load it into stories")
    loaded = [row[0] for row in query(database, "SELECT file FROM _wire_ingest_loads")]
    assert loaded == [path.relative_to(output).as_posix() for path in good]
    rows = sum(row[0] for row in query(database, "SELECT rows FROM _wire_ingest_loads"))
    assert query(database, "SELECT count(*) FROM stories")[0][0] == rows  # none of the damaged
    damaged.unlink()
    fixed = wire_ingest("load", str(output), "--to", f"duckdb:{database}", command=PYTHON_M)
    assert fixed.returncode == 0, fixed.stderr
    assert query(database, "SELECT count(*) FROM stories")[0][0] == rows


def kill_9_at_random(
    command: list[str],
    chance: random.Random,
    seconds: tuple[float, float],
    then: Callable[[], None] = lambda: None,
) -> int:
    """Starts ``command`` three times, killing it (-9) after a random time in ``seconds``
    unless it has ended, and calls ``then`` after each; how many were killed."""
    kills = 0
    for _ in range(3):
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(chance.uniform(*seconds))
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            kills += 1
        process.wait()
        then()
    return kills


def test_kill_9_during_a_load_loses_and_repeats_nothing(
    rounds: dict[str, Any], tmp_path: Path
) -> None:
    output = tmp_path / "out"
    shutil.copytree(rounds["output"], output)
    template = records(output, "stories")[0]
    schema = load_schema(STORY_SCHEMA)
    files, per_file = 24, 1_500
    for number in range(files):
        path = output / "stories" / f"stories-29991231T{number:06d}000Z-copy-00000-of-00001.avro"
        with path.open("wb") as handle:
            rows = [{**template, "id": f"copy-{number}-{n}"} for n in range(per_file)]
            fastavro.writer(handle, schema, rows, codec="deflate")
    database = tmp_path / "wire.duckdb"
    command = [*PYTHON_M, "load", str(output), "--to", f"duckdb:{database}"]
    kills = kill_9_at_random(command, random.Random(7), (1.5, 4.0))
    assert kills, "the loads were too quick to be killed: make the output bigger"
    finished = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr
    total = query(database, "SELECT sum(rows) FROM _wire_ingest_loads WHERE \"table\" = 'stories'")
    copies = query(
        database, "SELECT count(*), count(DISTINCT id) FROM stories WHERE id LIKE 'copy-%'"
    )
    assert copies[0] == (files * per_file, files * per_file)
    assert query(database, "SELECT count(*) FROM stories")[0][0] == total[0][0]


def test_kill_9_during_a_scheduled_run_then_the_next_run_loads_each_story_once(
    tmp_path: Path,
) -> None:
    inputs, output, database = tmp_path / "in", tmp_path / "out", tmp_path / "wire.duckdb"
    inputs.mkdir()
    stories = 40
    for number in range(stories):
        (inputs / f"story-{number:02d}.txt").write_bytes(numbered_story(number))
    command = [*PYTHON_M, "run", "--input", str(inputs), "--output", str(output), "--resume",
               "--load-to", f"duckdb:{database}"]  # fmt: skip

    def load_what_it_left() -> None:  # whole: files the run committed, each once
        if (output / "_state").exists():
            between = wire_ingest("load", str(output), "--to", f"duckdb:{database}",
                                  command=PYTHON_M)  # fmt: skip
            assert between.returncode == 0, between.stderr

    # Starting, parsing, annotating, writing or loading: any moment.
    kills = kill_9_at_random(command, random.Random(3), (2.0, 9.0), then=load_what_it_left)
    assert kills, "the runs were too quick to be killed: give them more stories"
    finished = subprocess.run(command, capture_output=True, text=True, timeout=600)
    assert finished.returncode == 0, finished.stderr
    uris = query(database, "SELECT count(*), count(DISTINCT source.uri) FROM stories")
    assert uris == [(stories, stories)]
    loaded = query(database, "SELECT sum(rows) FROM _wire_ingest_loads WHERE \"table\" = 'stories'")
    assert loaded == [(stories,)]


HOLD = """
import sys, time, duckdb
connection = duckdb.connect(sys.argv[1])
print("open", flush=True)
time.sleep(600)
"""


def test_a_database_another_process_holds_is_busy_exit_75(
    rounds: dict[str, Any], tmp_path: Path
) -> None:
    database = tmp_path / "held.duckdb"
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(database)],
                              stdout=subprocess.PIPE, text=True)  # fmt: skip
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "open\n"
        busy = wire_ingest("load", str(rounds["output"]), "--to", f"duckdb:{database}",
                           command=PYTHON_M)  # fmt: skip
    finally:
        holder.kill()
        holder.wait()
    assert busy.returncode == 75, busy.stderr
    assert busy.stderr.startswith(f"wire-ingest: busy: duckdb:{database} is open in another")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (
            ["--to", "postgres:db"],
            "load target 'postgres:db': expected "
            "duckdb:PATH, bigquery:PROJECT.DATASET, iceberg:PATH, kafka://HOST:PORT/TOPIC",
        ),
        (["--to", "duckdb:"], "load target 'duckdb:': no PATH after duckdb:"),
    ],
)
def test_bad_targets_are_one_line_exit_2(
    rounds: dict[str, Any], arguments: list[str], message: str
) -> None:
    bad = wire_ingest("load", str(rounds["output"]), *arguments, command=PYTHON_M)
    assert bad.returncode == 2
    assert bad.stderr.strip() == f"wire-ingest: error: {message}"


def test_a_folder_that_is_no_output_is_refused(tmp_path: Path) -> None:
    bad = wire_ingest("load", str(tmp_path), "--to", f"duckdb:{tmp_path}/x.duckdb",
                      command=PYTHON_M)  # fmt: skip
    assert bad.returncode == 2 and "not an output of wire-ingest run or watch" in bad.stderr


@pytest.mark.parametrize("command", ["run", "watch"])
def test_load_to_loads_as_files_are_committed(command: str, tmp_path: Path) -> None:
    output, database = tmp_path / "out", tmp_path / "wire.duckdb"
    extra = ["--idle-exit", "3"] if command == "watch" else []
    ran = wire_ingest(command, "--input", str(SAMPLES), "--output", str(output),
                      "--load-to", f"duckdb:{database}", *extra, command=PYTHON_M)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    written = sum(1 for _ in records(output, "stories"))
    assert written and query(database, "SELECT count(*) FROM stories")[0][0] == written
    assert query(database, "SELECT count(*) FROM dead_letters")[0][0] == 1  # the empty sample
    assert "into duckdb:" in ran.stdout


def test_the_readers_the_readme_names_read_a_real_output(
    rounds: dict[str, Any], tmp_path: Path
) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    quick_start = readme[readme.index("## Quick start") : readme.index("## Running on your own")]
    demo = tmp_path / "out" / "demo"
    shutil.copytree(rounds["output"], demo)
    python_blocks = re.findall(r"```python\n(.*?)```", quick_start, re.S)
    bash_blocks = re.findall(r"```bash\n(.*?)```", quick_start, re.S)
    (fastavro_block,) = [block for block in python_blocks if "fastavro" in block]
    (duckdb_block,) = [block for block in bash_blocks if "duckdb" in block]
    venv = str(Path(sys.executable).parent.parent)
    printed = subprocess.run([sys.executable, "-c", fastavro_block], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120)  # fmt: skip
    assert printed.returncode == 0 and printed.stdout.count("\n") >= 3, printed.stderr
    script = duckdb_block.replace(".venv", venv)
    shown = subprocess.run(["bash", "-e", "-c", script], cwd=tmp_path, capture_output=True,
                           text=True, timeout=300)  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    assert "headline" in shown.stdout and "provider" in shown.stdout
