"""The engines' own commands: a bad command line is one line and exit code 2."""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import REPO


@pytest.mark.parametrize(
    "args", [[], ["bogus"], ["start", "--slots"], ["start", "--slots", "two"], ["stop", "now"]]
)
def test_a_bad_flink_command_line_is_one_line_exit_2(args: list[str]) -> None:
    process = subprocess.run(
        [REPO / "scripts" / "flink", *args], capture_output=True, text=True, timeout=60
    )
    assert process.returncode == 2
    (line,) = process.stderr.splitlines()
    assert line.startswith(("usage: scripts/flink", "wire-ingest: error: no Flink"))
