"""wire-ingest on Prism, Beam's portable runner (a Go program, built by scripts/engines at
.venv's Beam version): a run writes the records the local runner writes, and the watcher
runs its batches on one Prism server."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest
from apache_beam.version import __version__ as BEAM_VERSION

from tests.conftest import SEED
from pipeline.launch import ENGINES
from tests.engines.conftest import assert_same_output
from tests.test_cli import wire_ingest
from tests.test_watch import Watch, drop, numbered_story, wait_for

pytestmark = [
    pytest.mark.slow,  # 1,000 stories on two runners
    pytest.mark.skipif(
        not (ENGINES / f"prism-{BEAM_VERSION}" / "prism").exists(),
        reason="Prism is not staged: scripts/engines needs go on PATH",
    ),
]


def test_prism_writes_the_records_the_local_runner_writes(
    reuters: Path, reuters_local: Path, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    process = wire_ingest(
        "run", "--input", str(reuters), "--output", str(output), "--runner", "PrismRunner"
    )
    assert process.returncode == 0, process.stderr
    assert "PrismRunner: pipeline done!" in process.stderr  # it ran there
    assert_same_output(output, reuters_local)


def test_the_watcher_runs_its_batches_on_one_prism_server(tmp_path: Path) -> None:
    inputs, output = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    watch = Watch(inputs, output, "--runner", "PrismRunner")
    for number, data in enumerate((SEED.read_bytes(), numbered_story(1), numbered_story(2))):
        drop(inputs, f"story-{number}.txt", data)
        wait_for(lambda: watch.summary()["read"] == number + 1, 120, watch)  # noqa: B023
    assert watch.stop(signal.SIGTERM) == 0, watch.text
    assert watch.summary()["totals"]["written"] == 3 and watch.summary()["totals"]["balanced"]
    assert watch.text.count("PrismRunner: pipeline done!") == 3  # a batch each
    assert watch.text.count("Really starting service") == 1  # Prism itself once
