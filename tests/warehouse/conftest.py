"""A real output grown over three scheduled rounds, loaded into DuckDB after each: what the
warehouse tests query."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import duckdb
import pytest

from tests.conftest import SAMPLES
from tests.test_cli import PYTHON_M, wire_ingest
from tests.test_history import SERIES

LOAD_ROUNDS = ("v1", "v2", "v3")


def query(database: Path, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
    with duckdb.connect(str(database), read_only=True) as connection:
        return connection.execute(sql, list(parameters)).fetchall()


@pytest.fixture(scope="package")
def rounds(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Three scheduled rounds: each adds one version of every series to the input folder (the
    first also the samples), runs ``run --resume`` and loads; the database after each."""
    root = tmp_path_factory.mktemp("rounds")
    inputs, output, database = root / "in", root / "out", root / "wire.duckdb"
    shutil.copytree(SAMPLES, inputs)
    after: dict[str, Any] = {}
    for number, name in enumerate(LOAD_ROUNDS):
        for files in SERIES.values():
            file_name, text = files[number]
            (inputs / file_name).write_text(text, encoding="utf-8")
        ran = wire_ingest("run", "--input", str(inputs), "--output", str(output), "--resume",
                          command=PYTHON_M)  # fmt: skip
        assert ran.returncode == 0, ran.stderr
        loaded = wire_ingest("load", str(output), "--to", f"duckdb:{database}", command=PYTHON_M)
        assert loaded.returncode == 0, loaded.stderr
        after[name] = {
            "load": loaded.stdout,
            "current": query(database, "SELECT id, version, pub_status FROM current_stories"),
            "stories": query(database, "SELECT count(*) FROM stories")[0][0],
        }
    return {"output": output, "database": database, "after": after}
