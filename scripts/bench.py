"""Throughput of the whole pipeline against raw spaCy, on the Reuters-21578 stories.

In one run, on the same stories and with the same model and components:

1. **raw spaCy**: the clean bodies (parsed and cleaned as the pipeline does, not timed) through
   ``nlp.pipe`` with the configured pipeline and batch size, one process;
2. **extras**: what the NLP stage adds beyond spaCy, on those Docs: key phrases, entity
   summary, quotes, language detection and dateline parsing;
3. **pipeline**: ``wire-ingest run`` on the same files, read to Avro on local disk, with one
   worker (the default FnApiRunner) and with two (``--direct_running_mode=multi_processing
   --direct_num_workers=2``): wall time of the whole command, start-up included; peak RSS of
   each process (VmHWM, sampled every 0.1 s);
4. **cold start**: ``wire-ingest run`` on one story, to the first Avro file in ``stories/``.

Reports stories/s, words/s (words of the clean bodies), the ratios, memory and cold start.
The machine is shared and noisy: compare ratios from one run; ``--repeat`` takes the best
(fastest) of several runs of each measurement.

Usage::

    python scripts/bench.py [--files N] [--repeat R] [--workers 1,2]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

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
from pipeline.settings import load_settings

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "reuters21578"
WIRE_INGEST = str(Path(sys.executable).with_name("wire-ingest"))


@dataclass
class Timed:
    seconds: float
    peak_rss_mb: dict[int, float]  # pid -> peak resident memory


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


def best(repeat: int, measure: Callable[[], float]) -> float:
    return min(measure() for _ in range(repeat))


def raw_spacy(bodies: list[str], repeat: int) -> tuple[float, list]:
    settings = load_settings().enrich
    nlp = load_pipeline(settings)
    docs: list = []

    def once() -> float:
        start = time.perf_counter()
        docs[:] = list(nlp.pipe(bodies, batch_size=settings.batch_size))
        return time.perf_counter() - start

    return best(repeat, once), docs


def extras(stories: list[Story], docs: list, repeat: int) -> float:
    """Seconds for what the NLP stage adds to spaCy's Docs: key phrases, language, dateline,
    entity summary and quotes (not the Doc-to-record conversion every annotation needs)."""
    settings = load_settings().enrich
    verbs = frozenset(settings.quote_verbs)
    found = [annotations_from_doc(doc, "", ()) for doc in docs]

    def once() -> float:
        start = time.perf_counter()
        for story, doc, spacy_found in zip(stories, docs, found, strict=True):
            phrases(doc, settings.key_phrases)
            detect_language(story.body)
            if story.dateline:
                parse_dateline(story.dateline)
            with_story_extras(spacy_found, story, verbs=verbs)
        return time.perf_counter() - start

    return best(repeat, once)


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
    return Timed(seconds, peaks)


def _sample_memory(process: subprocess.Popen[bytes]) -> dict[int, float]:
    """Peak RSS (VmHWM) of the process and its descendants, sampled until it ends."""
    peaks: dict[int, float] = {}

    def sample() -> None:
        while process.poll() is None:
            for pid in _tree(process.pid):
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                except OSError:
                    continue
                for line in status.splitlines():
                    if line.startswith("VmHWM:"):
                        peaks[pid] = max(peaks.get(pid, 0.0), int(line.split()[1]) / 1024)
            time.sleep(0.1)

    thread = threading.Thread(target=sample, daemon=True)
    thread.start()
    thread.join()
    return peaks


def _tree(root: int) -> list[int]:
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
    while not any((output / "stories").glob("*.avro")):
        if process.poll() is not None and not any((output / "stories").glob("*.avro")):
            raise RuntimeError("wire-ingest ended without writing a story")
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    process.wait()
    return seconds


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Pipeline throughput against raw spaCy.")
    parser.add_argument("--files", type=int, default=22, help="reut2-*.sgm files (22: all)")
    parser.add_argument("--repeat", type=int, default=1, help="best of R runs (default 1)")
    parser.add_argument("--workers", default="1,2", help="worker counts to run (default 1,2)")
    args = parser.parse_args(argv)
    files = sorted(CORPUS.glob("reut2-*.sgm"))[: args.files]
    if not files:
        print(f"bench: error: no Reuters-21578 files in {CORPUS}", file=sys.stderr)
        return 2
    stories = clean_stories(files)
    bodies = [story.body for story in stories]
    words = sum(len(body.split()) for body in bodies)
    print(f"{len(files)} files, {len(stories):,} stories, {words:,} words after cleaning")

    raw, docs = raw_spacy(bodies, args.repeat)
    rate = len(stories) / raw
    print(f"raw nlp.pipe:   {raw:8.1f} s  {rate:7.1f} stories/s  {words / raw:7.0f} words/s")
    extra = extras(stories, docs, args.repeat)
    print(f"extras:         {extra:8.2f} s  = {extra / raw:.3f} of the spaCy time")
    del docs

    one = None
    with tempfile.TemporaryDirectory() as folder:
        for workers in (int(w) for w in args.workers.split(",")):
            timed = min(
                (run_pipeline(files, workers, Path(folder) / "out") for _ in range(args.repeat)),
                key=lambda t: t.seconds,
            )
            rate = len(stories) / timed.seconds
            line = (
                f"pipeline, {workers} worker{'s' if workers > 1 else ' '}: {timed.seconds:6.1f} s  "
                f"{rate:7.1f} stories/s  {words / timed.seconds:7.0f} words/s  "
                f"{rate / (len(stories) / raw):.2f} of raw"
            )
            if workers == 1:
                one = timed.seconds
            elif one:
                line += f"  {one / timed.seconds:.2f}x one worker"
            heaviest = sorted(timed.peak_rss_mb.values(), reverse=True)
            line += f"  peak RSS {', '.join(f'{mb:.0f}' for mb in heaviest[: workers + 1])} MB"
            print(line)
        sample = Path(folder) / "one-story.txt"
        sample.write_text(f"{stories[0].headline}\n\n{stories[0].body}\n", encoding="utf-8")
        starts = [
            cold_start(sample, Path(folder) / f"cold-{attempt}")
            for attempt in range(max(args.repeat, 3))
        ]
        each = ", ".join(f"{seconds:.2f}" for seconds in starts)
        median = statistics.median(starts)
        print(f"cold start, one story to the first Avro file: median {median:.2f} s ({each})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
