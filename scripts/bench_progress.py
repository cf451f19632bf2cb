"""What showing progress costs a run (issue #17: under 2 %), measured (BENCHMARKS.md).

``wire-ingest run`` over the same Reuters-21578 files with ``--progress off``, ``log`` (a
line every second, more often than the default 10 s) and ``bar`` (rich's bar, drawn on a
pseudo-terminal that this script reads and throws away), one after another within a round,
``--rounds`` times; reports each mode's wall time (median) and its ratio to ``off`` within
each round (median of the ratios), since the machine is shared and noisy; the CPU time (user
+ system) of the run's processes; and, because the runs' own spread is wider than what is
measured, what the stages pay per item: the seconds of ``progress.count`` (five calls an
item: files, items_read, and written, dead-lettered or duplicate, counted twice over) against
the seconds an item takes in the ``off`` runs.

Usage::

    python scripts/bench_progress.py [--files N] [--rounds R] [--workers 1|2]
"""

from __future__ import annotations

import argparse
import json
import os
import pty
import resource
import select
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
CORPUS = REPO.parent / "shared" / "corpora" / "reuters21578"
WIRE_INGEST = str(Path(sys.executable).with_name("wire-ingest"))
MODES = ("off", "log", "bar")


def timed_run(files: list[Path], mode: str, workers: int, output: Path) -> tuple[float, float]:
    """Wall seconds and CPU seconds of one run."""
    args = [WIRE_INGEST, "run", "--output", str(output), "--overwrite", "--progress", mode,
            "--progress-every", "1"]  # fmt: skip
    for path in files:
        args += ["--input", str(path)]
    if workers > 1:
        args += ["--direct_running_mode=multi_processing", f"--direct_num_workers={workers}"]
    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "160"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=follower, env=env)
    os.close(follower)
    while True:  # drain the terminal, or the run would block writing to it
        ready, _, _ = select.select([leader], [], [], 0.5)
        try:
            if ready and not os.read(leader, 65536):
                break
        except OSError:
            break
        if not ready and process.poll() is not None:
            break
    os.close(leader)
    if process.wait() != 0:
        raise RuntimeError(f"wire-ingest run --progress {mode} failed")
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def count_call_seconds(calls: int = 200_000) -> float:
    """Seconds of one ``progress.count`` while a run watches (its folder set), median of 5."""
    from pipeline import progress

    with tempfile.TemporaryDirectory(prefix="bench-count-") as folder:
        os.environ[progress.ENV] = folder
        try:
            timings = []
            for _ in range(5):
                started = time.perf_counter()
                for _ in range(calls):
                    progress.count("items_read")
                timings.append((time.perf_counter() - started) / calls)
        finally:
            del os.environ[progress.ENV]
    return statistics.median(timings)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--files", type=int, default=2, help="reut2-*.sgm files")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args(argv)
    files = sorted(CORPUS.glob("reut2-*.sgm"))[: args.files]
    timings: dict[str, list[tuple[float, float]]] = {mode: [] for mode in MODES}
    with tempfile.TemporaryDirectory(prefix="bench-progress-") as root:
        for _ in range(args.rounds):
            for mode in MODES:
                timings[mode].append(timed_run(files, mode, args.workers, Path(root, mode)))
        summary = json.loads(Path(root, "off", "summary.json").read_text(encoding="utf-8"))
    report: dict[str, object] = {"files": [path.name for path in files], "workers": args.workers}
    for index, measure in enumerate(("wall", "cpu")):
        values = {mode: [pair[index] for pair in pairs] for mode, pairs in timings.items()}
        report[measure] = {
            "seconds": {mode: [round(value, 2) for value in got] for mode, got in values.items()},
            "median_seconds": {mode: round(statistics.median(got), 2)
                               for mode, got in values.items()},
            "median_ratio_to_off": {
                mode: round(statistics.median(
                    [value / off for value, off in zip(values[mode], values["off"], strict=True)]
                ), 4)
                for mode in MODES[1:]
            },
        }  # fmt: skip
    per_item = statistics.median(wall for wall, _ in timings["off"]) / summary["read"]
    call = count_call_seconds()
    report["count_call_microseconds"] = round(call * 1e6, 3)
    report["count_cost_share_of_an_item"] = round(5 * call / per_item, 6)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
