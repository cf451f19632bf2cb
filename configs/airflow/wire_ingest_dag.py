"""Airflow DAG: wire-ingest every 10 minutes, each run ingesting only what is new.

Copy this file into your DAGs folder and set the Airflow Variables ``wire_ingest_home`` (the
wire-ingest checkout, with its .venv), ``wire_ingest_input``, ``wire_ingest_output`` and
``wire_ingest_duckdb``, or leave the defaults below. They are read when the task runs (a
template), not when the scheduler parses this file. wire-ingest exits 75 when another run or
a watcher holds the output: Airflow then retries the task, and nothing is written twice. One
run at a time (``max_active_runs=1``) keeps the retries from piling up.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from airflow.providers.standard.operators.bash import BashOperator
from airflow.sdk import DAG


def variable(name: str, default: str) -> str:
    return "{{ var.value.get('" + name + "', '" + default + "') }}"


HOME = variable("wire_ingest_home", "/opt/wire-ingest")
COMMAND = (
    f"cd {HOME} && .venv/bin/wire-ingest run"
    f" --input {variable('wire_ingest_input', '/data/feeds')}"
    f" --output {variable('wire_ingest_output', '/data/wire')}"
    " --resume"
    f" --load-to duckdb:{variable('wire_ingest_duckdb', '/data/wire.duckdb')}"
)

with DAG(
    dag_id="wire_ingest",
    description="Ingest new wire stories and load them into DuckDB",
    schedule=timedelta(minutes=10),
    start_date=datetime(2026, 12, 1),
    catchup=False,
    max_active_runs=1,
    default_args={"retries": 3, "retry_delay": timedelta(minutes=2)},
    tags=["wire-ingest"],
) as dag:
    BashOperator(task_id="run", bash_command=COMMAND)
