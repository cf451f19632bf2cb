"""The scheduling recipes in configs/ as their own tools read them: the systemd service and
timer with ``systemd-analyze verify``, the Airflow DAG with Airflow's DagBag (Airflow in an
environment of its own, .venv-airflow, which scripts/test installs)."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path

import pytest

from pipeline.cli import build_parser
from tests.conftest import REPO

RECIPES = REPO / "configs"
AIRFLOW_PYTHON = REPO / ".venv-airflow" / "bin" / "python"
DAG_CHECK = """
import json, sys
from airflow.dag_processing.dagbag import DagBag
bag = DagBag(dag_folder=sys.argv[1])
dag = bag.dags.get("wire_ingest")
task = dag.get_task("run") if dag else None
print(json.dumps({
    "errors": {path: error.splitlines()[-1] for path, error in bag.import_errors.items()},
    "dags": sorted(bag.dag_ids),
    "retries": task.retries if task else None,
    "max_active_runs": dag.max_active_runs if dag else None,
    "command": task.bash_command if task else None,
}))
"""


def accepted(command: str) -> None:
    """``command`` is a wire-ingest command line our own parser takes."""
    words = shlex.split(command)
    program = next(i for i, word in enumerate(words) if word.endswith("wire-ingest"))
    args, beam_args = build_parser().parse_known_args(words[program + 1 :])
    assert not beam_args, beam_args
    assert args.command == "run" and args.resume and args.load_to.startswith("duckdb:")


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="no systemd-analyze here")
def test_systemd_units_verify(tmp_path: Path) -> None:
    service = (RECIPES / "systemd" / "wire-ingest.service").read_text(encoding="utf-8")
    # The install paths, as a user replaces them (systemd checks that ExecStart exists).
    (tmp_path / "wire-ingest.service").write_text(
        service.replace("/opt/wire-ingest", str(REPO)).replace("User=wire-ingest", "User=root"),
        encoding="utf-8",
    )
    shutil.copy(RECIPES / "systemd" / "wire-ingest.timer", tmp_path)
    verified = subprocess.run(
        ["systemd-analyze", "verify", "wire-ingest.service", "wire-ingest.timer"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert verified.returncode == 0 and not verified.stderr.strip(), verified.stderr
    (exec_start,) = re.findall(r"^ExecStart=(.+)$", service, re.M)
    accepted(exec_start)
    assert re.search(r"^SuccessExitStatus=75$", service, re.M)  # busy is not a failure


@pytest.mark.slow
def test_airflow_dag_parses_in_airflows_own_dagbag(tmp_path: Path) -> None:
    if not AIRFLOW_PYTHON.exists():
        pytest.skip("no .venv-airflow: scripts/test installs it")
    parsed = subprocess.run(
        [str(AIRFLOW_PYTHON), "-c", DAG_CHECK, str(RECIPES / "airflow")],
        capture_output=True, text=True, timeout=300,
        env={"AIRFLOW_HOME": str(tmp_path), "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
             "PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    assert parsed.returncode == 0, parsed.stderr
    found = json.loads(parsed.stdout.strip().splitlines()[-1])
    assert found["errors"] == {} and found["dags"] == ["wire_ingest"]
    assert found["retries"] == 3 and found["max_active_runs"] == 1
    # With the variables' defaults, the task's command is one wire-ingest takes.
    rendered = re.sub(r"\{\{ var\.value\.get\('\w+', '([^']*)'\) \}\}", r"\1", found["command"])
    accepted(rendered.split("&&", 1)[1])
