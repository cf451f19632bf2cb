"""Prometheus metrics of a watcher (``wire-ingest watch --metrics-port PORT``), through the
official client library, served on loopback.

Every metric is counted from what the ledger committed (a ``Commit``), so the figures are
those of the finalized files, the same as ``summary.json``'s, and a batch that failed is not
counted. Counters start at 0 with each watcher process (Prometheus' ``rate()`` and
``increase()`` handle the restart); the output's totals since its first run are in
``summary.json``. Latency is from the moment the watcher first saw an item (a listed file, a
pulled message) to the commit that holds it.

Each watcher has a registry of its own, not the client's global one: two watchers in one
process (the tests) do not share figures, and Python's process metrics are left out.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, start_http_server

from pipeline.errors import ConfigError
from pipeline.sink.ledger import Commit

PREFIX = "wire_ingest"
# Latency of a watcher's items: linger and a batch's work are a few seconds; minutes mean a
# backlog.
LATENCY_BUCKETS = (0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 30.0, 60.0, 120.0, 300.0, 900.0)


class WatchMetrics:
    """The watcher's metrics, updated by ``record`` after each commit."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        registry = self.registry
        self.up = Gauge(f"{PREFIX}_up", "1 while the watcher runs", registry=registry)
        self.batches = Counter(f"{PREFIX}_batches", "Batches committed", registry=registry)
        self.items = Counter(
            f"{PREFIX}_items_read", "Input items committed (each as a story, a dead letter or "
            "a duplicate)", registry=registry,
        )  # fmt: skip
        self.stories = Counter(f"{PREFIX}_stories", "Stories written", registry=registry)
        self.dead_letters = Counter(
            f"{PREFIX}_dead_letters", "Dead letters written, by stage/reason", ["reason"],
            registry=registry,
        )  # fmt: skip
        self.duplicates = Counter(
            f"{PREFIX}_duplicates", "Items that repeated a story already written",
            registry=registry,
        )  # fmt: skip
        self.files = Counter(
            f"{PREFIX}_files_finalized", "Avro files finalized, by folder", ["folder"],
            registry=registry,
        )  # fmt: skip
        self.latency = Histogram(
            f"{PREFIX}_latency_seconds", "From an item first seen to its commit",
            buckets=LATENCY_BUCKETS, registry=registry,
        )  # fmt: skip
        self.last_file = Gauge(
            f"{PREFIX}_last_file_timestamp_seconds", "When the last file was finalized (Unix "
            "time; 0: none yet)", registry=registry,
        )  # fmt: skip
        self._server: Any = None

    def record(self, commit: Commit, latencies: Iterable[float], finished_at: float) -> None:
        """Counts one commit; ``latencies`` are its items' seconds from first seen."""
        counts = commit.counts
        self.batches.inc()
        self.items.inc(counts.read)
        self.stories.inc(counts.written)
        self.duplicates.inc(counts.duplicates)
        for reason, number in counts.dead_letters_by_reason.items():
            self.dead_letters.labels(reason).inc(number)
        for final in commit.files:
            self.files.labels(final.split("/", 1)[0]).inc()
        for seconds in latencies:
            self.latency.observe(max(seconds, 0.0))
        if commit.files:
            self.last_file.set(finished_at)

    def serve(self, port: int) -> None:
        """Serves ``/metrics`` on 127.0.0.1:``port`` from a thread of its own.

        Raises:
            ConfigError: the port cannot be had (in use, privileged).
        """
        try:
            served = start_http_server(port, addr="127.0.0.1", registry=self.registry)
        except OSError as error:
            raise ConfigError(f"--metrics-port {port}: cannot serve there: {error}") from error
        self._server = served[0]
        self.up.set(1)

    def close(self) -> None:
        self.up.set(0)
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
