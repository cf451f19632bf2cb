"""Loading an output into each warehouse target: seconds and rows/s (BENCHMARKS.md).

The output is the Reuters-21578 collection run through the pipeline (all 22 files: 19,771
stories, 1,807 dead letters), made once with ``wire-ingest run`` into ``--output`` when that
folder does not hold it yet. Each target is then loaded from nothing into a fresh folder,
``--repeat`` times, and the median is reported, with a second load of the same output (every
file already there: the cost of a scheduled load with nothing new).

With ``--bigquery``, the ``bigquery:`` target is loaded too, into bqemulator on loopback
(scripts/bqemulator, started and stopped here): that measures our side of a load (reading
the files, sending them, the ledger) and the emulator, not BigQuery's own load jobs. With
``--kafka``, the stories are published to a new topic of a local broker (scripts/kafka,
started and stopped here) each time. Rows/s counts the rows each target takes (Kafka: the
stories only).

Usage::

    python scripts/bench_load.py [--corpora DIR] [--output DIR] [--repeat N] [--json FILE]
                                 [--bigquery] [--kafka]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from pipeline.sink.summary import count_records
from pipeline.warehouse.targets import TABLES, finalized_files, open_target

REPO = Path(__file__).resolve().parent.parent
CORPORA = REPO.parent / "shared" / "corpora"
TARGETS = ("duckdb:{root}/wire.duckdb", "iceberg:{root}/lake")
# A new dataset (topic) for each load from nothing (the emulator's, in memory).
BIGQUERY = "bigquery:local.bench_{n}"
KAFKA = "kafka://127.0.0.1:{kafka_port}/bench-{stamp}-{n}"


def ensure_output(corpora: Path, output: Path) -> float | None:
    """Runs the pipeline over Reuters-21578 into ``output`` unless it is there; its seconds."""
    if (output / "summary.json").exists():
        return None
    started = time.perf_counter()
    subprocess.run(
        [sys.executable, "-m", "pipeline", "run", "--input", str(corpora / "reuters21578" /
         "reut2-*.sgm"), "--output", str(output), "--overwrite",
         "--direct_running_mode=multi_processing", "--direct_num_workers=2"],
        check=True,
    )  # fmt: skip
    return time.perf_counter() - started


def timed_load(spec: str, output: Path) -> tuple[float, int]:
    """Seconds to load ``output`` into ``spec``, and the rows it added."""
    started = time.perf_counter()
    report = open_target(spec).load(str(output))
    return time.perf_counter() - started, sum(report.rows.values())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def bigquery_emulator() -> Iterator[None]:
    """bqemulator on a free loopback port while the block runs, the loads pointed at it."""
    port = free_port()
    emulator = subprocess.Popen(
        [str(REPO / "scripts" / "bqemulator"), "--rest-port", str(port), "--grpc-port", "0",
         "--log-level", "warning"],
        start_new_session=True,
    )  # fmt: skip
    os.environ["BIGQUERY_EMULATOR_HOST"] = f"127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # the first start installs it
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if emulator.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit("bench_load: bqemulator did not start") from None
                time.sleep(0.5)
        yield
    finally:
        os.killpg(emulator.pid, signal.SIGTERM)
        emulator.wait(timeout=30)


@contextlib.contextmanager
def kafka_broker() -> Iterator[int]:
    """A broker (scripts/kafka) in a temporary folder while the block runs; its port."""
    port, run_dir = free_port(), tempfile.mkdtemp(prefix="bench-kafka-")
    env = {**os.environ, "KAFKA_RUN_DIR": run_dir}
    script = str(REPO / "scripts" / "kafka")
    subprocess.run([script, "start", "--port", str(port), "--controller-port",
                    str(free_port())], env=env, check=True)  # fmt: skip
    try:
        yield port
    finally:
        subprocess.run([script, "stop"], env=env, check=False)
        shutil.rmtree(run_dir)


def bench(
    output: Path, repeat: int, templates: tuple[str, ...], **fields: object
) -> dict[str, Any]:
    rows = {
        table.name: count_records([str(path) for _, path in finalized_files(str(output), table)])
        for table in TABLES
    }
    results: dict[str, Any] = {"rows": rows}
    for template in templates:
        first, again, added = [], [], 0
        for n in range(repeat):
            root = Path(tempfile.mkdtemp(prefix="bench-load-"))
            try:
                spec = template.format(root=root, n=n, stamp=time.time_ns(), **fields)
                seconds, added = timed_load(spec, output)
                first.append(seconds)
                again.append(timed_load(spec, output)[0])
            finally:
                shutil.rmtree(root)
        name = template.split(":", 1)[0]
        results[name] = {
            "seconds": [round(value, 2) for value in first],
            "median_seconds": round(statistics.median(first), 2),
            "rows": added,
            "rows_per_second": round(added / statistics.median(first)),
            "nothing_new_median_seconds": round(statistics.median(again), 3),
        }
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--output", type=Path, default=Path("/tmp/wire-ingest-reuters-output"))
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    parser.add_argument("--bigquery", action="store_true", help="also into bqemulator")
    parser.add_argument("--kafka", action="store_true", help="also to a local Kafka broker")
    args = parser.parse_args(argv)
    built = ensure_output(args.corpora, args.output)
    with contextlib.ExitStack() as servers:
        templates, fields = TARGETS, {}
        if args.bigquery:
            servers.enter_context(bigquery_emulator())
            templates += (BIGQUERY,)
        if args.kafka:
            fields["kafka_port"] = servers.enter_context(kafka_broker())
            templates += (KAFKA,)
        report = {
            "output": str(args.output),
            "built_in_seconds": built,
            **bench(args.output, args.repeat, templates, **fields),
        }
    text = json.dumps(report, indent=2)
    print(text)
    if args.json:
        args.json.write_text(text + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
