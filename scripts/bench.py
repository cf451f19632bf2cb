"""Throughput of the whole pipeline against raw spaCy, on the Reuters-21578 stories.

In one run, on the same stories and with the same model and components:

1. **raw spaCy**: the clean bodies (parsed and cleaned as the pipeline does, not timed) through
   ``nlp.pipe`` with the configured pipeline and batch size, one process; and for N workers,
   N processes at once, each on its share of the texts (model loading not timed): the most
   N workers can get out of this machine. Raw batches are by count (``enrich.batch_size``),
   as one calls ``nlp.pipe``; the pipeline also bounds a batch by ``enrich.batch_chars``,
   which measured as fast and keeps a worker's memory down;
2. **extras**: what the NLP stage adds beyond spaCy, on those Docs: key phrases, entity
   summary, quotes, language detection and dateline parsing;
3. **pipeline**: ``wire-ingest run`` on the same files, read to Avro on local disk, with one
   worker (the default FnApiRunner) and with two (``--direct_running_mode=multi_processing
   --direct_num_workers=2``): wall time of the whole command, start-up included, against raw
   spaCy in as many processes; peak RSS of each process (VmHWM, sampled every 0.1 s);
4. **cold start**: ``wire-ingest run`` on one story, to the first Avro file in ``stories/``.

Reports stories/s, words/s (words of the clean bodies), the ratios, memory and cold start.
The machine is shared and noisy, so the measurements run in rounds, one after another
within a round (raw, extras, each worker count), and the ratios are taken within a round;
with ``--rounds R`` each figure and ratio is the median over the rounds.

Usage::

    python scripts/bench.py [--files N] [--rounds R] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import multiprocessing
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc

from pipeline.clean.rules import build_rulebook
from pipeline.clean.strip import strip_boilerplate
from pipeline.enrich.features import (
    annotations_from_doc,
    parse_dateline,
    phrases,
    with_story_extras,
)
from pipeline.enrich.handler import load_pipeline
from pipeline.enrich.language import detect_language
from pipeline.errors import DataError
from pipeline.parse.reuters21578 import parse_reuters21578
from pipeline.records import RawItem, Story
from pipeline.settings import EnrichSettings, load_settings

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "reuters21578"
WIRE_INGEST = str(Path(sys.executable).with_name("wire-ingest"))
_SDK_WORKER = b"apache_beam.runners.worker.sdk_worker_main"  # python -m this: a Beam worker


@dataclass
class Timed:
    seconds: float
    runner_mb: float  # peak resident memory of the wire-ingest process
    worker_mb: list[float]  # of each SDK worker process it started (none with one worker)


def clean_stories(files: Sequence[Path]) -> list[Story]:
    book = build_rulebook(load_settings().clean)
    stories = []
    for path in files:
        for result in parse_reuters21578(RawItem.of(str(path), path.read_bytes())):
            if isinstance(result, Story):
                try:
                    stories.append(strip_boilerplate(result, book))
                except DataError:
                    continue
    return stories


def raw_spacy(nlp: Language, bodies: list[str], batch_size: int) -> tuple[float, list[Doc]]:
    start = time.perf_counter()
    docs = list(nlp.pipe(bodies, batch_size=batch_size))
    return time.perf_counter() - start, docs


def _raw_part(bodies: list[str], barrier: Any, results: Any) -> None:
    """One of several raw spaCy processes: loads the model, waits for the others, times."""
    settings = load_settings().enrich
    nlp = load_pipeline(settings)
    barrier.wait()
    start = time.perf_counter()
    for _ in nlp.pipe(bodies, batch_size=settings.batch_size):
        pass
    results.put(time.perf_counter() - start)


def raw_spacy_parallel(bodies: list[str], processes: int) -> float:
    """Seconds for ``processes`` raw spaCy processes, each on its share of the texts, started
    together: what the machine gives several workers at best (its cores are shared)."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(processes), context.Queue()
    parts = [
        context.Process(target=_raw_part, args=(bodies[share::processes], barrier, results))
        for share in range(processes)
    ]
    for part in parts:
        part.start()
    for part in parts:
        part.join()  # the queue holds a float a process: joining first cannot block
    if any(part.exitcode != 0 for part in parts):
        raise RuntimeError("a raw spaCy process failed (its traceback is above)")
    return max(results.get() for _ in parts)


def extras(stories: list[Story], docs: list[Doc], settings: EnrichSettings) -> float:
    """Seconds for what the NLP stage adds to spaCy's Docs: key phrases, language, dateline,
    entity summary and quotes (not the Doc-to-record conversion every annotation needs)."""
    verbs = frozenset(settings.quote_verbs)
    found = [annotations_from_doc(doc, "", ()) for doc in docs]
    start = time.perf_counter()
    for story, doc, spacy_found in zip(stories, docs, found, strict=True):
        phrases(doc, settings.key_phrases)
        detect_language(story.body)
        if story.dateline:
            parse_dateline(story.dateline)
        with_story_extras(spacy_found, story, verbs=verbs)
    return time.perf_counter() - start


def run_pipeline(files: Sequence[Path], workers: int, output: Path) -> Timed:
    args = [WIRE_INGEST, "run", "--output", str(output), "--overwrite"]
    for path in files:
        args += ["--input", str(path)]
    if workers > 1:
        args += ["--direct_running_mode=multi_processing", f"--direct_num_workers={workers}"]
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    peaks = _sample_memory(process)
    _, stderr = process.communicate()
    seconds = time.perf_counter() - start
    if process.returncode != 0:
        raise RuntimeError(f"wire-ingest failed: {stderr.decode(errors='replace')[-2000:]}")
    workers = [mb for pid, mb in peaks.items() if pid != process.pid]
    return Timed(seconds, peaks.get(process.pid, 0.0), workers)


def _sample_memory(process: subprocess.Popen[bytes]) -> dict[int, float]:
    """Peak RSS (VmHWM) of the process and of the SDK workers it starts, sampled until it
    ends (the shells that start the workers are left out)."""
    peaks: dict[int, float] = {}

    def sample() -> None:
        while process.poll() is None:
            for pid in process_tree(process.pid):
                try:
                    command = Path(f"/proc/{pid}/cmdline").read_bytes()
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                if pid != process.pid and _SDK_WORKER not in command.split(b"\0"):
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        peaks[pid] = max(peaks.get(pid, 0.0), int(line.split()[1]) / 1024)
            time.sleep(0.1)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    thread.join()
    return peaks


def process_tree(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo += children.get(pid, [])
    return found


def cold_start(story_file: Path, output: Path) -> float:
    """Seconds from launching the command to the first Avro file in ``stories/``."""
    start = time.perf_counter()
    process = subprocess.Popen(
        [WIRE_INGEST, "run", "--input", str(story_file), "--output", str(output), "--overwrite"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    while not any((output / "stories").rglob("*.avro")):
        if process.poll() is not None and not any((output / "stories").rglob("*.avro")):
            raise RuntimeError("wire-ingest ended without writing a story")
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    process.wait()
    return seconds


@dataclass
class Round:
    raw: dict[int, float]  # processes -> seconds of raw nlp.pipe
    extras: float
    pipeline: dict[int, Timed]  # workers -> run


def one_round(
    files: Sequence[Path], stories: list[Story], workers: list[int], folder: Path
) -> Round:
    settings = load_settings().enrich
    nlp = load_pipeline(settings)
    bodies = [story.body for story in stories]
    raw, docs = raw_spacy(nlp, bodies, settings.batch_size)
    extra = extras(stories, docs, settings)
    del docs, nlp
    raws = {1: raw} | {count: raw_spacy_parallel(bodies, count) for count in workers if count > 1}
    runs = {count: run_pipeline(files, count, folder / "out") for count in workers}
    return Round(raws, extra, runs)


def report(rounds: list[Round], stories: int, words: int, workers: list[int]) -> None:
    """Each round's figures, then the median of each figure and ratio over the rounds."""

    def line(label: str, seconds: list[float], extra: str = "") -> None:
        median = statistics.median(seconds)
        each = ", ".join(f"{s:.1f}" for s in seconds)
        print(
            f"{label:<20} {median:8.1f} s ({each})  {stories / median:7.1f} stories/s  "
            f"{words / median:7.0f} words/s{extra}"
        )

    def ratio(values: list[float]) -> str:
        return f"{statistics.median(values):.2f} ({', '.join(f'{v:.2f}' for v in values)})"

    print(f"{'extras':<20} {ratio([r.extras / r.raw[1] for r in rounds])} of the spaCy time")
    for count in workers:
        plural = "es" if count > 1 else ""
        line(f"raw, {count} process{plural}", [r.raw[count] for r in rounds])
        seconds = [r.pipeline[count].seconds for r in rounds]
        of_raw = ratio([r.raw[count] / r.pipeline[count].seconds for r in rounds])
        line(f"pipeline, {count} worker{'s' if count > 1 else ''}", seconds, f"  {of_raw} of raw")
        if count > 1 and 1 in workers:
            speedup = [r.pipeline[1].seconds / r.pipeline[count].seconds for r in rounds]
            ceiling = [r.raw[1] / r.raw[count] for r in rounds]
            print(f"{'':<20} {ratio(speedup)} times 1 worker; raw spaCy: {ratio(ceiling)}")
        runner = max(r.pipeline[count].runner_mb for r in rounds)
        largest = max(max(r.pipeline[count].worker_mb, default=0.0) for r in rounds)
        where = (
            f"runner {runner:.0f} MB, largest worker {largest:.0f} MB"
            if largest
            else f"{runner:.0f} MB (runner and worker in one process)"
        )
        print(f"{'':<20} peak RSS, highest of the rounds: {where}")


def _counts(text: str) -> list[int]:
    """ "1,2" -> [1, 2]; argparse turns the error into a usage message and exit code 2."""
    try:
        counts = [int(count) for count in text.split(",")]
    except ValueError:
        counts = []
    if not counts or min(counts) < 1:
        raise argparse.ArgumentTypeError(f"{text!r} is not a list of worker counts like 1,2")
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Pipeline throughput against raw spaCy.")
    parser.add_argument("--files", type=int, default=22, help="reut2-*.sgm files (22: all)")
    parser.add_argument("--rounds", type=int, default=1, help="rounds; medians over them")
    parser.add_argument(
        "--workers", type=_counts, default="1,2", help="worker counts to run (default 1,2)"
    )
    args = parser.parse_args(argv)
    if args.files < 1 or args.rounds < 1:
        parser.error("--files and --rounds take a number from 1 up")
    files = sorted(CORPUS.glob("reut2-*.sgm"))[: args.files]
    if not files:
        print(f"bench: error: no Reuters-21578 files in {CORPUS}", file=sys.stderr)
        return 2
    stories = clean_stories(files)
    words = sum(len(story.body.split()) for story in stories)
    print(f"{len(files)} files, {len(stories):,} stories, {words:,} words after cleaning")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rounds = []
        for number in range(1, args.rounds + 1):
            rounds.append(one_round(files, stories, args.workers, folder))
            print(f"round {number} of {args.rounds} done", file=sys.stderr)
        report(rounds, len(stories), words, args.workers)
        sample = folder / "one-story.txt"
        sample.write_text(f"{stories[0].headline}\n\n{stories[0].body}\n", encoding="utf-8")
        starts = [cold_start(sample, folder / f"cold-{attempt}") for attempt in range(5)]
        each = ", ".join(f"{seconds:.2f}" for seconds in starts)
        median = statistics.median(starts)
        print(f"cold start, one story to the first Avro file: median {median:.2f} s ({each})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
