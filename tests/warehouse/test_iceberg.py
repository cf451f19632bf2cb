"""``wire-ingest load OUTPUT --to iceberg:PATH``: the lake table holds each story once, at its
latest version, kills deleted; an older version arriving after its kill changes nothing; each
file once; read back with pyiceberg, as Spark or Trino would read the same tables."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from pyiceberg.catalog.sql import SqlCatalog

from pipeline.sink.avro import schema_document
from pipeline.warehouse.arrow import arrow_schema
from tests.test_cli import PYTHON_M, wire_ingest
from tests.test_history import SERIES
from tests.warehouse.conftest import query


def tables(path: Path) -> dict[str, list[dict[str, Any]]]:
    catalog = SqlCatalog("wire", uri=f"sqlite:///{path / 'catalog.db'}", warehouse=path.as_uri())
    return {name: catalog.load_table(f"wire.{name}").scan().to_arrow().to_pylist()
            for name in ("stories", "story_recalls", "dead_letters", "duplicates")}  # fmt: skip


@pytest.fixture(scope="module")
def lake(rounds: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("lake") / "wire"
    loaded = wire_ingest("load", str(rounds["output"]), "--to", f"iceberg:{path}",
                         command=PYTHON_M)  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr
    return path


def test_the_lake_holds_the_current_stories_once(rounds: dict[str, Any], lake: Path) -> None:
    stories = tables(lake)["stories"]
    ids = [story["id"] for story in stories]
    assert len(ids) == len(set(ids))
    current = query(rounds["database"], "SELECT id, version FROM current_stories")
    assert sorted((story["id"], story["version"]) for story in stories) == sorted(current)
    story = stories[0]
    assert story["ingested_at"].tzinfo is not None  # timestamptz, not naive
    assert isinstance(story["source"], dict) and isinstance(story["entities"], list)


def test_kills_are_deletes_and_remembered(rounds: dict[str, Any], lake: Path) -> None:
    found = tables(lake)
    killed = {row["id"] for row in found["story_recalls"]}
    assert len(killed) == len(SERIES)  # one kill a series
    assert not killed & {story["id"] for story in found["stories"]}
    letters = query(rounds["database"], "SELECT count(*) FROM dead_letters")[0][0]
    assert len(found["dead_letters"]) == letters


def test_an_older_version_after_its_kill_changes_nothing(
    rounds: dict[str, Any], tmp_path: Path
) -> None:
    lake = tmp_path / "wire"
    first = wire_ingest("load", str(rounds["output"]), "--to", f"iceberg:{lake}", command=PYTHON_M)
    assert first.returncode == 0, first.stderr
    before = tables(lake)
    inputs = tmp_path / "in"
    inputs.mkdir()
    for files in SERIES.values():
        name, text = files[0]  # the first versions, again, from another feed
        (inputs / name).write_text(text, encoding="utf-8")
    late = tmp_path / "late"
    ran = wire_ingest("run", "--input", str(inputs), "--output", str(late), command=PYTHON_M)
    assert ran.returncode == 0, ran.stderr
    loaded = wire_ingest("load", str(late), "--to", f"iceberg:{lake}", command=PYTHON_M)
    assert loaded.returncode == 0, loaded.stderr
    assert "stories +0" in loaded.stdout
    after = tables(lake)
    assert sorted(s["id"] for s in after["stories"]) == sorted(s["id"] for s in before["stories"])


def test_loading_again_changes_nothing(rounds: dict[str, Any], lake: Path) -> None:
    before = {name: len(rows) for name, rows in tables(lake).items()}
    again = wire_ingest("load", str(rounds["output"]), "--to", f"iceberg:{lake}",
                        command=PYTHON_M)  # fmt: skip
    assert again.returncode == 0 and "loaded 0 files" in again.stdout, again.stderr
    assert {name: len(rows) for name, rows in tables(lake).items()} == before


def test_a_damaged_file_is_one_line_naming_it(rounds: dict[str, Any], tmp_path: Path) -> None:
    output = tmp_path / "out"
    shutil.copytree(rounds["output"], output)
    damaged = output / "dead_letter" / "dead_letter-99991231T000000000Z-damaged.avro"
    damaged.write_bytes(b"Obj\x01 not really avro")
    failed = wire_ingest("load", str(output), "--to", f"iceberg:{tmp_path}/lake", command=PYTHON_M)
    assert failed.returncode == 2
    (line,) = failed.stderr.strip().splitlines()
    assert line.startswith(f"wire-ingest: error: {damaged}: cannot load it into dead_letters")


def test_columns_a_newer_schema_adds_are_added(rounds: dict[str, Any], tmp_path: Path) -> None:
    lake = tmp_path / "wire"
    lake.mkdir()
    catalog = SqlCatalog("wire", uri=f"sqlite:///{lake / 'catalog.db'}", warehouse=lake.as_uri())
    catalog.create_namespace("wire")
    older = arrow_schema(schema_document("duplicate"))
    catalog.create_table("wire.duplicates", schema=older.remove(older.get_field_index("version")))
    loaded = wire_ingest("load", str(rounds["output"]), "--to", f"iceberg:{lake}", command=PYTHON_M)
    assert loaded.returncode == 0, loaded.stderr
    names = [field.name for field in catalog.load_table("wire.duplicates").schema().fields]
    assert "version" in names
