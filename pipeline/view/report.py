"""The run report, ``OUTPUT/report.html``: what a run (or a watcher, since it started) did.

Counts and the balance check come from the run's summary (``summary.json``), so the page and
the file agree; the rest is tallied from the records of the files the run wrote: dead letters
by stage and reason with the first few of each, stories by format, provider and language, the
cleaner's cuts by kind and rule, entities and quotes. ``Tally`` is that pure part: the run
adds its files once, the watcher adds each commit's files as it lands and writes the page
again after each commit, so a watcher's report costs one pass over what it wrote.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from statistics import median
from typing import Any

import fastavro
from apache_beam.io.filesystems import FileSystems

from pipeline.sink.avro import STORY_SCHEMA, load_schema
from pipeline.sink.ledger import write_atomically
from pipeline.sink.summary import RunSummary
from pipeline.view import charts
from pipeline.view.page import preview, render

REPORT_FILE = "report.html"
SAMPLES_PER_REASON = 3
TOP = 12  # rows of a table or bars of a chart
# The entities tallied are cut back to the most salient ones past this many names, so a
# watcher that runs for months keeps a bounded tally (the top of the list stays right).
_ENTITIES_KEPT = 20_000
_LATENCY_POINTS = 2_000  # the watcher's latest commits drawn
_CHARTS = ("dead_letters", "formats", "providers", "languages", "labels", "cuts", "stages",
           "latency")  # fmt: skip
# Only these fields of a story are read for the report (fastavro skips the rest).
_STORY_FIELDS = ("source", "provider", "language", "removed", "entities", "entity_summary",
                 "quotes", "word_count")  # fmt: skip


@dataclass(frozen=True)
class DeadLetterSample:
    source: str  # the file, and the item in it when it held several
    message: str
    preview: str  # printable characters of the raw bytes, at most PREVIEW_CHARS
    size: int  # of the raw bytes


@dataclass
class Tally:
    """What the records of some output files hold, counted."""

    stories: int = 0
    words: int = 0
    formats: Counter[str] = field(default_factory=Counter)
    providers: Counter[str] = field(default_factory=Counter)
    languages: Counter[str] = field(default_factory=Counter)
    cuts: Counter[tuple[str, str]] = field(default_factory=Counter)  # (kind, rule) -> cuts
    cut_chars: Counter[tuple[str, str]] = field(default_factory=Counter)
    labels: Counter[str] = field(default_factory=Counter)  # entity mentions by label
    salience: Counter[tuple[str, str]] = field(default_factory=Counter)  # (name, label)
    entity_stories: Counter[tuple[str, str]] = field(default_factory=Counter)
    quotes: int = 0
    speakers: Counter[str] = field(default_factory=Counter)
    quote_samples: list[tuple[str, str]] = field(default_factory=list)  # (quote, speaker)
    dead_letters: dict[tuple[str, str], list[DeadLetterSample]] = field(
        default_factory=lambda: defaultdict(list)
    )
    latency: list[tuple[float, float, float]] = field(default_factory=list)  # (at, median, max)

    def add_files(self, story_files: Iterable[str], dead_letter_files: Iterable[str]) -> None:
        for record in _records(story_files, _story_projection()):
            self.add_story(record)
        for record in _records(dead_letter_files):
            self.add_dead_letter(record)

    def add_story(self, record: dict[str, Any]) -> None:
        self.stories += 1
        self.words += record["word_count"]
        self.formats[record["source"]["format"] or "unknown"] += 1
        self.providers[record["provider"] or "not named"] += 1
        self.languages[record["language"] or "not known"] += 1
        for cut in record["removed"]:
            self.cuts[cut["kind"], cut["rule"]] += 1
            self.cut_chars[cut["kind"], cut["rule"]] += len(cut["text"])
        self.labels.update(entity["label"] for entity in record["entities"])
        for entity in record["entity_summary"]:
            key = entity["name"], entity["label"]
            self.salience[key] += entity["salience"]
            self.entity_stories[key] += 1
        if len(self.salience) > _ENTITIES_KEPT:
            kept = dict(self.salience.most_common(_ENTITIES_KEPT // 2))
            self.salience = Counter(kept)
            self.entity_stories = Counter({key: self.entity_stories[key] for key in kept})
        self.quotes += len(record["quotes"])
        for quote in record["quotes"]:
            self.speakers[quote["speaker"] or "not attributed"] += 1
            if len(self.quote_samples) < TOP:
                self.quote_samples.append((quote["text"], quote["speaker"] or ""))

    def add_dead_letter(self, record: dict[str, Any]) -> None:
        samples = self.dead_letters[record["stage"], record["reason"]]
        samples.append(
            DeadLetterSample(
                source=_item(record["source"]),
                message=record["error_message"],
                preview=preview(record["raw"]),
                size=len(record["raw"]),
            )
        )
        del samples[SAMPLES_PER_REASON:]  # the count is the summary's

    def add_latencies(self, at: float, latencies: list[float]) -> None:
        """A watcher's commit at ``at`` (epoch seconds) and its items' seconds from first
        seen to committed."""
        if latencies:
            self.latency.append((at, median(latencies), max(latencies)))
            del self.latency[:-_LATENCY_POINTS]


def report_run(summary: RunSummary) -> str:
    """Writes the report of a run: of the files it wrote, as its summary names them."""
    tally = Tally()
    tally.add_files(summary.story_files, summary.dead_letter_files)
    return write_report(summary, tally)


def write_report(summary: RunSummary, tally: Tally, *, watcher: bool = False) -> str:
    """Writes ``report.html`` beside summary.json, complete or not at all."""
    final = FileSystems.join(summary.output, REPORT_FILE)
    write_atomically(final, report_page(summary, tally, watcher=watcher))
    return final


def report_page(summary: RunSummary, tally: Tally, *, watcher: bool = False) -> str:
    """The page; a watcher's says so and draws its latency."""
    counts = summary.counts
    reasons = counts.dead_letters_by_reason
    dead_letters = [
        (key, reasons.get(f"{key[0]}/{key[1]}", len(samples)), samples)
        for key, samples in sorted(tally.dead_letters.items())
    ]
    cut_kinds: Counter[str] = Counter()
    for (kind, _), chars in tally.cut_chars.items():
        cut_kinds[kind] += chars
    stages = sorted(counts.stage_seconds.items(), key=lambda pair: -pair[1])
    salient = [
        (name, label, tally.entity_stories[name, label], score)
        for (name, label), score in tally.salience.most_common(TOP)
    ]
    return render(
        "report.html",
        summary=summary,
        counts=counts,
        totals=summary.totals,
        watcher=watcher,
        tally=tally,
        dead_letters=dead_letters,
        cuts=sorted(tally.cuts.items(), key=lambda pair: (-tally.cut_chars[pair[0]], pair[0])),
        cut_total=sum(tally.cut_chars.values()),
        salient=salient,
        stages=stages,
        charts=_charts(summary, tally, cut_kinds, stages),
        format_time=format_time,
    )


def _charts(
    summary: RunSummary,
    tally: Tally,
    cut_kinds: Counter[str],
    stages: list[tuple[str, float]],
) -> dict[str, Any]:
    drawn: dict[str, Any] = dict.fromkeys(_CHARTS, "")  # "": nothing to draw
    reasons = summary.counts.dead_letters_by_reason
    if reasons:
        drawn["dead_letters"] = charts.bars(Counter(reasons).most_common(TOP))
    for name, counter in (("formats", tally.formats), ("providers", tally.providers),
                          ("languages", tally.languages), ("labels", tally.labels)):  # fmt: skip
        if counter:
            drawn[name] = charts.bars(counter.most_common(TOP))
    if cut_kinds:
        drawn["cuts"] = charts.bars(cut_kinds.most_common(TOP), unit="chars")
    if stages:
        drawn["stages"] = charts.bars(stages[:TOP], unit="s")
    if tally.latency:
        first = tally.latency[0][0]
        times = [at - first for at, _, _ in tally.latency]
        drawn["latency"] = charts.line(times, [slowest for *_, slowest in tally.latency],
                                       ylabel="slowest item (s)")  # fmt: skip
    return drawn


def _item(source: dict[str, Any]) -> str:
    return source["uri"] + (f" (item {source['index']})" if source["index"] else "")


def _story_projection() -> dict[str, Any]:
    schema = load_schema(STORY_SCHEMA)
    return {**schema, "fields": [f for f in schema["fields"] if f["name"] in _STORY_FIELDS]}


def _records(paths: Iterable[str], projection: dict[str, Any] | None = None) -> Iterator[dict]:
    for path in paths:
        with FileSystems.open(path) as handle:
            yield from fastavro.reader(handle, reader_schema=projection)


def format_time(value: str) -> str:
    """An ISO timestamp as people read it (to the second, UTC)."""
    return f"{datetime.fromisoformat(value):%Y-%m-%d %H:%M:%S} UTC"
