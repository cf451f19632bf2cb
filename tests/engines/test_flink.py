"""wire-ingest on a real Flink cluster: Beam's Flink job server (built by scripts/engines at
the SDK's version, 2.62.0, in .venv-flink) submits the run to a JobManager and a TaskManager
with 2 slots on loopback, whose Python workers Beam's worker pool beside it starts (as on a
cluster of many machines). The records must be the ones the local runner writes, and the
watcher runs each batch as a Flink job."""

from __future__ import annotations

import json
import signal
import subprocess
import urllib.request
from pathlib import Path

import pytest

from tests.conftest import SEED
from tests.engines.conftest import FlinkCluster, assert_same_output
from tests.test_watch import Watch, drop, numbered_story, wait_for

pytestmark = pytest.mark.slow  # a cluster, and 1,000 stories on two runners


def test_flink_writes_the_records_the_local_runner_writes(
    flink_cluster: FlinkCluster, reuters: Path, reuters_local: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    process = subprocess.run(
        [flink_cluster.wire_ingest, "run", "--input", reuters, "--output", output,
         *flink_options(flink_cluster)],
        capture_output=True, text=True, timeout=900,
    )  # fmt: skip
    assert process.returncode == 0, process.stderr
    assert_same_output(output, reuters_local)
    assert finished_jobs(flink_cluster) == 1  # it ran there, not in this process


def test_the_watcher_runs_every_batch_on_flink(flink_cluster: FlinkCluster, tmp_path: Path) -> None:
    inputs, output = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    before = finished_jobs(flink_cluster)
    watch = Watch(inputs, output, *flink_options(flink_cluster), command=flink_cluster.wire_ingest)
    for number, data in enumerate((SEED.read_bytes(), numbered_story(1))):
        drop(inputs, f"story-{number}.txt", data)
        wait_for(lambda: watch.summary()["read"] == number + 1, 300, watch)  # noqa: B023
    assert watch.stop(signal.SIGTERM) == 0, watch.text
    assert watch.summary()["totals"]["written"] == 2 and watch.summary()["totals"]["balanced"]
    assert finished_jobs(flink_cluster) == before + 2  # the second too (Beam clears --runner)


def flink_options(cluster: FlinkCluster) -> list[str]:
    return ["--runner", "FlinkRunner", "--flink_master", cluster.master,
            "--environment_type", "EXTERNAL", "--environment_config", cluster.worker_pool,
            "--parallelism", "2", "--sdk_worker_parallelism", "2"]  # fmt: skip


def finished_jobs(cluster: FlinkCluster) -> int:
    with urllib.request.urlopen(f"http://{cluster.master}/jobs/overview") as reply:
        return sum(job["state"] == "FINISHED" for job in json.load(reply)["jobs"])
