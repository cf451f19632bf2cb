"""The engines' and the broker's own commands: a bad command line is one line and exit code 2."""

from __future__ import annotations

import subprocess

import pytest

from tests.conftest import REPO

BAD_ARGS = [[], ["bogus"], ["stop", "now"]]


@pytest.mark.parametrize(
    ("script", "args"),
    [("flink", args) for args in [*BAD_ARGS, ["start", "--slots"], ["start", "--slots", "two"]]]
    + [("kafka", args) for args in [*BAD_ARGS, ["start", "--port"], ["start", "--port", "x"]]],
)
def test_a_bad_command_line_is_one_line_exit_2(script: str, args: list[str]) -> None:
    process = subprocess.run(
        [REPO / "scripts" / script, *args], capture_output=True, text=True, timeout=60
    )
    assert process.returncode == 2
    (line,) = process.stderr.splitlines()
    assert line.startswith((f"usage: scripts/{script}", "wire-ingest: error: no "))
