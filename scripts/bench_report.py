"""What the run report costs: reading a run's records for it and drawing the page
(BENCHMARKS.md).

The output is the one ``scripts/bench_load.py`` makes (Reuters-21578 through the pipeline:
19,771 stories, 1,807 dead letters), made here too when ``--output`` does not hold it yet.
The report of that run is written ``--repeat`` times; the medians of tallying the records and
of drawing the page are reported beside the run's own time from its summary.

Usage::

    python scripts/bench_report.py [--corpora DIR] [--output DIR] [--repeat N]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import datetime
from pathlib import Path

from pipeline.sink.ledger import Counts
from pipeline.sink.summary import RunSummary
from pipeline.view.report import Tally, write_report

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_load import CORPORA, ensure_output  # noqa: E402  (a sibling script)

_COUNT_FIELDS = ("files", "read", "written", "dead_lettered", "duplicates",
                 "dead_letters_by_reason", "stage_seconds")  # fmt: skip


def load_summary(output: Path) -> RunSummary:
    data = json.loads((output / "summary.json").read_text(encoding="utf-8"))
    return RunSummary(
        **{
            name: data[name]
            for name in (
                "run_id",
                "started_at",
                "finished_at",
                "inputs",
                "output",
                "story_files",
                "dead_letter_files",
                "duplicate_files",
            )
        },  # fmt: skip
        counts=Counts(**{name: data.get(name, {}) for name in _COUNT_FIELDS}),
        totals=Counts(**{name: data["totals"].get(name, {}) for name in _COUNT_FIELDS}),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--output", type=Path, default=Path("/tmp/wire-ingest-reuters-output"))
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    ensure_output(args.corpora, args.output)
    summary = load_summary(args.output)
    tallying, drawing = [], []
    for _ in range(args.repeat):
        started = time.perf_counter()
        tally = Tally()
        tally.add_files(summary.story_files, summary.dead_letter_files)
        tallied = time.perf_counter()
        write_report(summary, tally)
        tallying.append(tallied - started)
        drawing.append(time.perf_counter() - tallied)
    run_seconds = (
        datetime.fromisoformat(summary.finished_at) - datetime.fromisoformat(summary.started_at)
    ).total_seconds()
    report = {
        "stories": summary.counts.written,
        "dead_letters": summary.counts.dead_lettered,
        "run_seconds": round(run_seconds, 1),
        "tally_seconds_median": round(statistics.median(tallying), 3),
        "draw_seconds_median": round(statistics.median(drawing), 3),
        "report_share_of_run": round(
            (statistics.median(tallying) + statistics.median(drawing)) / run_seconds, 4
        ),
        "report_bytes": (args.output / "report.html").stat().st_size,
        "stage_seconds": summary.counts.stage_seconds,
    }
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
