"""The watcher under a steady feed: latency, throughput, memory, idle CPU, and exactly-once
through kill -9.

In one run:

1. **feed**: a feeder drops real stories, one a file (Reuters-21578, each ``<REUTERS>``
   element in a file of its own, or BBC), write-then-rename, at ``--rate`` stories a second
   into the folder ``wire-ingest watch`` watches, with the shipped default settings. A
   monitor looks at ``stories/`` (and ``dead_letter/``, ``duplicates/``) every 50 ms and
   reads each new Avro file once: a story's latency runs from its file's rename to the first
   look that finds it in a finalized file. With ``--kill N``, the watcher is killed (kill -9)
   N times at random moments during the feed and started again with the same command; the
   latencies then include the restarts.
2. **idle**: once every story is in, the watcher's CPU time over ``--idle-seconds`` of
   nothing new, then the time SIGTERM takes to stop it.
3. **run**: ``wire-ingest run`` on the same files into a fresh folder: stories/s of a one-shot
   run, start-up included, against the watcher's over the feed (with ``--rate 0`` the files
   are dropped as fast as the feeder can, so the watcher's figure is its sustained rate).

Reported: latency p50/p95/max, stories/s of each, the watcher's RSS after 1,000 stories, at
the end and at its peak (sampled every 0.5 s from /proc), idle CPU as a share of one core,
the stop time, and (``--kill``) whether every input item is in the output exactly once.

Usage::

    python scripts/bench_watch.py [--stories N] [--rate R] [--corpus reuters|bbc]
                                  [--kill N] [--idle-seconds S] [--seed S]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any

import fastavro

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
WIRE_INGEST = str(Path(sys.executable).with_name("wire-ingest"))
_REUTERS = re.compile(rb"<REUTERS.*?</REUTERS>", re.DOTALL)
FOLDERS = ("stories", "dead_letter", "duplicates")


def corpus_stories(corpus: str, count: int) -> list[tuple[str, bytes]]:
    """``count`` (name, bytes) pairs, one story each, in corpus order."""
    found: list[tuple[str, bytes]] = []
    if corpus == "reuters":
        for path in sorted((CORPORA / "reuters21578").glob("reut2-*.sgm")):
            for number, element in enumerate(_REUTERS.findall(path.read_bytes())):
                found.append((f"{path.stem}-{number:04d}.sgm", element))
                if len(found) == count:
                    return found
    else:
        for path in sorted((CORPORA / "newswire" / "bbc-news").glob("*/*.txt")):
            found.append((f"{path.parent.name}-{path.name}", path.read_bytes()))
            if len(found) == count:
                return found
    if len(found) < count:
        raise SystemExit(f"bench_watch: the {corpus} corpus has only {len(found)} stories")
    return found


class Watcher:
    """A ``wire-ingest watch`` process, restartable with the same command."""

    def __init__(self, inputs: Path, output: Path, log: Path) -> None:
        self.command = [WIRE_INGEST, "watch", "--input", str(inputs), "--output", str(output)]
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(self.command, stdout=log, stderr=subprocess.STDOUT)
        starts = self.log.read_text().count("wire-ingest: watching")
        deadline = time.monotonic() + 120
        while self.log.read_text().count("wire-ingest: watching") == starts:
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit(f"bench_watch: the watcher did not start:\n{self.log.read_text()}")
            time.sleep(0.05)

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def rss_mb(self) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
        return 0.0


class Monitor(threading.Thread):
    """Finds each item in the output's finalized files, and when it was first seen there."""

    def __init__(self, output: Path) -> None:
        super().__init__(daemon=True)
        self.output = output
        self.seen: dict[str, float] = {}  # file name -> first seen in a finalized file
        self.items: Counter[tuple[str, int]] = Counter()
        self._read: set[Path] = set()
        self.stopping = threading.Event()

    def run(self) -> None:
        while not self.stopping.is_set():
            self.look()
            time.sleep(0.05)

    def look(self) -> None:
        now = time.monotonic()
        for folder in FOLDERS:
            for path in sorted((self.output / folder).rglob("*.avro")):
                if path in self._read:
                    continue
                self._read.add(path)
                with path.open("rb") as handle:
                    for record in fastavro.reader(handle):
                        sources = [record["source"], *record.get("duplicate_sources", [])]
                        for source in sources:
                            name = Path(source["uri"]).name
                            self.items[(name, source["index"])] += 1
                            self.seen.setdefault(name, now)


def feed(inputs: Path, stories: list[tuple[str, bytes]], rate: float, landed: dict) -> None:
    start = time.monotonic()
    for number, (name, data) in enumerate(stories):
        if rate > 0:
            time.sleep(max(0.0, start + number / rate - time.monotonic()))
        partial = inputs / f"{name}.part"
        partial.write_bytes(data)
        partial.rename(inputs / name)
        landed[name] = time.monotonic()


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def bench(args: argparse.Namespace) -> dict[str, Any]:
    stories = corpus_stories(args.corpus, args.stories)
    work = Path(tempfile.mkdtemp(prefix="bench-watch-"))
    inputs, output = work / "in", work / "out"
    inputs.mkdir()
    watcher = Watcher(inputs, output, work / "watch.log")
    watcher.start()
    monitor = Monitor(output)
    monitor.start()
    landed: dict[str, float] = {}
    feeder = threading.Thread(target=feed, args=(inputs, stories, args.rate, landed))
    chance = random.Random(args.seed)
    memory: list[tuple[int, float]] = []  # (items seen, RSS MB)
    kill_at = sorted(chance.uniform(0.1, 0.9) for _ in range(args.kill))
    feed_seconds = len(stories) / args.rate if args.rate > 0 else 10.0
    started = time.monotonic()
    feeder.start()
    kills = 0
    while feeder.is_alive() or len(monitor.seen) < len(stories):
        time.sleep(0.5)
        if kills < len(kill_at) and time.monotonic() - started > kill_at[kills] * feed_seconds:
            os.kill(watcher.pid, signal.SIGKILL)
            watcher.process.wait()  # type: ignore[union-attr]
            kills += 1
            watcher.start()
        if watcher.process.poll() is not None:  # type: ignore[union-attr]
            raise SystemExit(f"bench_watch: the watcher died:\n{watcher.log.read_text()}")
        memory.append((len(monitor.seen), watcher.rss_mb()))
    fed_in = max(monitor.seen.values()) - min(landed.values())

    cpu_before = watcher.cpu_seconds()
    time.sleep(args.idle_seconds)
    idle_cpu = (watcher.cpu_seconds() - cpu_before) / args.idle_seconds
    stop_started = time.monotonic()
    watcher.process.send_signal(signal.SIGTERM)  # type: ignore[union-attr]
    exit_code = watcher.process.wait(timeout=60)  # type: ignore[union-attr]
    stop_seconds = time.monotonic() - stop_started
    monitor.stopping.set()
    monitor.join()
    monitor.look()
    summary = json.loads((output / "summary.json").read_text())

    run_started = time.monotonic()
    subprocess.run(
        [WIRE_INGEST, "run", "--input", str(inputs), "--output", str(work / "run")],
        check=True,
        capture_output=True,
    )
    run_seconds = time.monotonic() - run_started

    latencies = [monitor.seen[name] - landed[name] for name in landed]
    after_1000 = next((rss for seen, rss in memory if seen >= 1000), None)
    expected = Counter({(name, 0): 1 for name, _ in stories})
    return {
        "corpus": args.corpus,
        "stories": len(stories),
        "rate": args.rate,
        "kills": kills,
        "latency_p50_s": round(statistics.median(latencies), 3),
        "latency_p95_s": round(percentile(latencies, 0.95), 3),
        "latency_max_s": round(max(latencies), 3),
        "watch_stories_per_s": round(len(stories) / fed_in, 2),
        "run_stories_per_s": round(len(stories) / run_seconds, 2),
        "rss_after_1000_mb": round(after_1000, 1) if after_1000 else None,
        "rss_end_mb": round(memory[-1][1], 1),
        "rss_peak_mb": round(max(rss for _, rss in memory), 1),
        "idle_cpu_share_of_a_core": round(idle_cpu, 4),
        "stop_seconds": round(stop_seconds, 2),
        "exit_code": exit_code,
        "exactly_once": monitor.items == expected,
        "missing": sorted(set(expected) - set(monitor.items))[:5],
        "repeated": sorted(item for item, n in monitor.items.items() if n > 1)[:5],
        "summary_balanced": summary["totals"]["balanced"],
        "summary_totals_read": summary["totals"]["read"],
        "output_files": sum(len(list((output / f).rglob("*.avro"))) for f in FOLDERS),
        "work": str(work),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--stories", type=int, default=500)
    parser.add_argument("--rate", type=float, default=5.0, help="stories a second; 0: at once")
    parser.add_argument("--corpus", choices=("reuters", "bbc"), default="reuters")
    parser.add_argument("--kill", type=int, default=0, metavar="N", help="kill -9 N times")
    parser.add_argument("--idle-seconds", type=float, default=30.0)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.stories < 1 or args.rate < 0 or args.kill < 0 or args.idle_seconds <= 0:
        parser.error("--stories and --idle-seconds must be above 0, --rate and --kill not below")
    print(json.dumps(bench(args), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
