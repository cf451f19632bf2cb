"""``wire-ingest watch``: ingest stories as they land, exactly once, through crashes.

The watcher runs the same graph as ``wire-ingest run`` (``pipeline.graph``), batch after
batch: it polls its sources (folders, buckets, Pub/Sub), gathers what is new for
``watch.linger_seconds`` (at most ``watch.max_batch_deliveries``), runs the batch on Beam's
local runner and commits it to the output's ledger (``pipeline.sink.ledger``); only then are
messages acknowledged. What is done is known from the output folder alone, so the same
command, run again after a crash or a stop, carries on where the last commit left off.

Why batches and not one unbounded Beam pipeline: on the runners that run here, none does
both parts of the job. The FnApiRunner runs an unbounded source live, but holds every
GroupByKey and Flatten result (duplicate merging, the dead-letter union, the file writes)
until the source ends; the BundleBasedDirectRunner fires windows but cannot run ``Watch`` or
``MatchContinuously``; and Pub/Sub's Beam reader acknowledges on pull, before the write.
A batch is a bounded pipeline, which every runner runs completely, and its commit is a point
where acknowledging is safe. BENCHMARKS.md has the figures (latency, files/s, memory).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime

from pipeline.errors import ConfigError, SourceError
from pipeline.inputs import Input, open_input
from pipeline.launch import (
    Session,
    files_written,
    prepare,
    prepare_output,
    run_batch,
    summarise,
    unique_new,
)
from pipeline.metrics import WatchMetrics
from pipeline.records import Delivery
from pipeline.sink import summary as summaries
from pipeline.sink.ledger import Commit, Counts, Ledger
from pipeline.sink.transforms import DEAD_LETTER_DIR, STORIES_DIR
from pipeline.view.report import Tally, write_report

_LOG = logging.getLogger(__name__)
# The report (OUTPUT/report.html) is drawn again at most this often, and when the watcher stops:
# drawing its charts takes about 0.3 s, which a commit every second should not pay each time.
REPORT_EVERY_SECONDS = 5.0


def open_watcher(
    *,
    inputs: Sequence[str],
    output: str,
    config: str | None,
    format_name: str,
    idle_exit: float | None,
    beam_args: Sequence[str],
    known_flags: Iterable[str] = (),
    on_commit: Callable[[Commit], None] = lambda commit: None,
    metrics_port: int | None = None,
) -> Watcher:
    """A watcher of ``inputs`` into ``output``, carrying on from what the output holds.

    Args:
        metrics_port: serve Prometheus metrics on this loopback port (None: none).

    Raises:
        ConfigError: bad Beam options, configuration, inputs, output or metrics port;
            nothing was run.
    """
    session = prepare(config, format_name, beam_args, known_flags)
    sources = [open_input(spec, output=output) for spec in inputs]
    # The output's lock is taken here and held until run() ends.
    ledger = prepare_output(output, overwrite=False, resume=True, writer="wire-ingest watch")
    metrics = None
    if metrics_port is not None:
        metrics = WatchMetrics()
        try:
            metrics.serve(metrics_port)
        except ConfigError:
            ledger.close()
            raise
    return Watcher(
        session, sources, ledger, idle_exit=idle_exit, on_commit=on_commit, metrics=metrics
    )


class Watcher:
    """Polls ``sources`` and commits what they deliver to ``ledger``'s output, batch by batch.

    Args:
        idle_exit: stop after this many seconds without anything new (None: never).
        on_commit: called after each commit (the command prints a line per file).
        metrics: counted after each commit, and closed when ``run`` ends.
    """

    def __init__(
        self,
        session: Session,
        sources: Sequence[Input],
        ledger: Ledger,
        *,
        idle_exit: float | None = None,
        on_commit: Callable[[Commit], None] = lambda commit: None,
        metrics: WatchMetrics | None = None,
    ) -> None:
        self._session = session
        self._sources = list(sources)
        self._ledger = ledger
        self._settings = session.job.settings.watch
        self._idle_exit = idle_exit
        self._on_commit = on_commit
        self._stopping = threading.Event()
        self._counts = Counts()  # since this watcher started
        self._latest: list[Commit] = []
        self._started_at = datetime.now(UTC)
        self._run_id = f"watch-{self._started_at:%Y%m%dT%H%M%SZ}"
        self._pending: list[Delivery] = []  # found, but over the last batch's limit
        self._metrics = metrics
        self._first_seen: dict[str, float] = {}  # Delivery.key -> time.time(), until committed
        self._tally = Tally()  # the records this watcher wrote, for its report
        self._unreported: summaries.RunSummary | None = None  # newer than the report
        self._reported_at = -REPORT_EVERY_SECONDS  # time.monotonic()

    @property
    def totals(self) -> Counts:
        """What the output holds, from every run and batch so far."""
        return self._ledger.state.totals

    def stop(self) -> None:
        """Finish the batch in flight, commit it, and return from ``run`` (signal-safe)."""
        self._stopping.set()

    def run(self) -> summaries.RunSummary:
        """Watches until stopped or idle for ``idle_exit``; closes the sources when done."""
        last_new = time.monotonic()
        try:
            while not self._stopping.is_set():
                self._report(at_most_every=REPORT_EVERY_SECONDS)
                batch = self._gather()
                if batch:
                    self._commit(batch)
                    last_new = time.monotonic()
                elif self._idle_exit is not None and time.monotonic() - last_new >= self._idle_exit:
                    break
                else:
                    self._stopping.wait(self._settings.poll_seconds)
            summary = self._write_summary()
            self._report()
            return summary
        finally:
            for source in self._sources:
                source.close()
            self._ledger.close()
            if self._metrics is not None:
                self._metrics.close()

    def _gather(self) -> list[Delivery]:
        """What is new now and, once something is, what comes in the next linger_seconds."""
        most = self._settings.max_batch_deliveries
        batch = self._poll(self._pending)
        deadline = time.monotonic() + self._settings.linger_seconds
        while batch and len(batch) < most and not self._stopping.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            self._stopping.wait(min(left, self._settings.poll_seconds))
            batch = self._poll(batch)
        self._pending = batch[most:]
        return batch[:most]

    def _poll(self, pending: list[Delivery]) -> list[Delivery]:
        """``pending`` and the new deliveries of every source, each once."""
        found = list(pending)
        for source in self._sources:
            try:
                polled = source.poll()
            except SourceError as error:
                _LOG.warning("%s; trying again", error)
                continue
            done = [delivery for delivery in polled if self._ledger.is_done(delivery.key)]
            source.ack(done)  # a message redelivered after its commit
            found.extend(polled)
        new = unique_new(found, self._ledger)
        now = time.time()
        for delivery in new:
            self._first_seen.setdefault(delivery.key, now)
        return new

    def _commit(self, batch: list[Delivery]) -> None:
        commit = run_batch(self._session, self._ledger, batch)
        for source in self._sources:
            source.ack(batch)  # each source acknowledges its own
        now = time.time()
        latencies = [now - self._first_seen.pop(delivery.key, now) for delivery in batch]
        if self._metrics is not None:
            self._metrics.record(commit, latencies, now)
        written = files_written(self._ledger.output, [commit])
        self._tally.add_files(written[STORIES_DIR], written[DEAD_LETTER_DIR])
        self._tally.add_latencies(now, latencies)
        self._counts.add(commit.counts)
        self._latest = [commit]
        self._write_summary()
        self._report(at_most_every=REPORT_EVERY_SECONDS)
        self._on_commit(commit)

    def _write_summary(self) -> summaries.RunSummary:
        inputs = [source.spec for source in self._sources]
        summary = summarise(
            self._run_id, self._started_at, inputs, self._ledger, self._counts, self._latest
        )
        summaries.write_summary(self._ledger.output, summary)
        self._unreported = summary
        return summary

    def _report(self, at_most_every: float = 0.0) -> None:
        """Writes the report of the latest summary, unless it was written less than
        ``at_most_every`` seconds ago."""
        if self._unreported is None or time.monotonic() - self._reported_at < at_most_every:
            return
        write_report(self._unreported, self._tally, watcher=True)
        self._unreported = None
        self._reported_at = time.monotonic()
