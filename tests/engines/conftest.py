"""The distributed engines that scripts/engines stages, started for the tests that need them
(a local Flink cluster on loopback) and the runs compared across them."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipeline.launch import ENGINES
from tests.conftest import REPO, corpus
from tests.inputs.conftest import bucket, free_port, gcs_emulator  # noqa: F401  (fixtures)
from tests.test_cli import BAD, wire_ingest
from tests.conftest import records

FLINK_VENV = Path(os.environ.get("WIRE_INGEST_FLINK_VENV") or REPO / ".venv-flink")
# Written by the run, not by what it read.
RUN_FIELDS = {"stories": ("ingested_at",), "dead_letter": ("failed_at",)}


@dataclass(frozen=True)
class FlinkCluster:
    master: str  # for --flink_master
    worker_pool: str  # Beam's worker pool beside the TaskManager, for --environment_config
    wire_ingest: Path  # the command in .venv-flink, on the job server's Beam version


@pytest.fixture(scope="session")
def flink_cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlinkCluster]:
    """A JobManager, a TaskManager with 2 slots and Beam's worker pool, started by
    ``scripts/flink``."""
    command = FLINK_VENV / "bin" / "wire-ingest"
    if not command.exists() or not list(ENGINES.glob("beam-*/beam-runners-flink-*.jar")):
        pytest.skip("Flink is not staged: scripts/engines needs java and mvn on PATH")
    env = {**os.environ, "FLINK_RUN_DIR": str(tmp_path_factory.mktemp("flink"))}
    rest_port, worker_port = free_port(), free_port()
    start = [REPO / "scripts" / "flink", "start", "--slots", "2",
             "--rest-port", str(rest_port), "--rpc-port", str(free_port()),
             "--worker-port", str(worker_port)]  # fmt: skip
    started = subprocess.run(start, env=env, capture_output=True, text=True, timeout=180)
    try:
        assert started.returncode == 0, started.stderr
        yield FlinkCluster(f"localhost:{rest_port}", f"localhost:{worker_port}", command)
    finally:
        subprocess.run([REPO / "scripts" / "flink", "stop"], env=env, timeout=60, check=False)


@pytest.fixture(scope="session")
def reuters(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """1,000 Reuters-21578 stories and three inputs that must end as dead letters."""
    folder = tmp_path_factory.mktemp("reuters")
    shutil.copy(corpus("reuters21578", "reut2-000.sgm"), folder)
    for name in ("empty.txt", "garbage.bin", "truncated.txt.gz"):
        (folder / name).write_bytes(BAD[name][0])
    return folder


@pytest.fixture(scope="session")
def reuters_local(reuters: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The output of ``reuters`` on the local runner, which the engines' must equal."""
    output = tmp_path_factory.mktemp("local") / "out"
    process = wire_ingest("run", "--input", str(reuters), "--output", str(output))
    assert process.returncode == 0, process.stderr
    return output


def assert_same_output(output: Path, local: Path) -> None:
    """``output`` holds the stories and dead letters ``local`` holds, and the same counts."""
    found, expected = output_records(output), output_records(local)
    assert len(found["stories"]) > 900
    ours = {"read/empty", "parse/binary", "read/bad_compression"}
    assert ours <= set(counts(output)["dead_letters_by_reason"])
    assert [(r["id"], r["content_sha256"]) for r in found["stories"]] == [
        (r["id"], r["content_sha256"]) for r in expected["stories"]
    ]
    assert found == expected
    assert counts(output) == counts(local)
    assert counts(output)["balanced"]


def output_records(output: Path) -> dict[str, list[dict[str, Any]]]:
    """The stories and dead letters an output holds, without the fields its run wrote, in an
    order that does not depend on the runner."""
    found = {}
    for folder, run_fields in RUN_FIELDS.items():
        kept = [
            {k: v for k, v in r.items() if k not in run_fields} for r in records(output, folder)
        ]
        found[folder] = sorted(kept, key=repr)
    return found


def counts(output: Path) -> dict[str, Any]:
    """The run's counts from its summary.json."""
    summary = json.loads((output / "summary.json").read_text(encoding="utf-8"))
    names = ("files", "read", "written", "dead_lettered", "duplicates", "dead_letters_by_reason")
    return {name: summary[name] for name in (*names, "balanced")}
