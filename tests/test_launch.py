"""Set-up done by ``launch`` before the pipeline runs: the process's malloc arenas, and the
parts a distributed runner would download, taken from what scripts/engines staged."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from apache_beam.options.pipeline_options import FlinkRunnerOptions, PrismRunnerOptions
from apache_beam.version import __version__ as BEAM_VERSION

from pipeline import launch
from pipeline.errors import ConfigError
from pipeline.launch import MALLOC_ARENAS, bound_malloc_arenas

glibc = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")


@glibc
def test_malloc_arenas_are_bounded_for_the_workers_to_come(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    bound_malloc_arenas()
    assert os.environ["MALLOC_ARENA_MAX"] == MALLOC_ARENAS == "2"


@glibc
def test_a_malloc_arena_max_set_by_the_user_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "8")
    bound_malloc_arenas()
    assert os.environ["MALLOC_ARENA_MAX"] == "8"


@pytest.fixture
def engines(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(launch, "ENGINES", tmp_path)
    return tmp_path


def test_the_flink_runner_takes_the_job_server_jar_staged_for_this_beam(engines: Path) -> None:
    jar = (
        engines / f"beam-{BEAM_VERSION}" / f"beam-runners-flink-1.19-job-server-{BEAM_VERSION}.jar"
    )
    jar.parent.mkdir()
    jar.touch()
    (engines / "beam-2.0.0").mkdir()  # another version's is no use
    (engines / "beam-2.0.0" / "beam-runners-flink-1.19-job-server-2.0.0.jar").touch()
    options, _ = launch.pipeline_options(["--runner", "FlinkRunner"])
    assert options.view_as(FlinkRunnerOptions).flink_job_server_jar == str(jar)


def test_a_runner_part_the_user_names_is_kept(engines: Path) -> None:
    options, _ = launch.pipeline_options(["--runner", "PrismRunner", "--prism_location", "/p"])
    assert options.view_as(PrismRunnerOptions).prism_location == "/p"


def test_a_runner_with_nothing_staged_is_a_config_error_not_a_download(engines: Path) -> None:
    with pytest.raises(ConfigError, match=r"--runner flink: nothing staged .* scripts/engines"):
        launch.pipeline_options(["--runner", "flink"])
