"""The watcher's Prometheus metrics: counted from commits, scraped from a real watcher over
HTTP during its run and checked against its summary.json; bad ports are one line, exit 2."""

from __future__ import annotations

import shutil
import socket
import urllib.request
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from pipeline.metrics import WatchMetrics
from pipeline.sink.ledger import Commit, Counts
from tests.conftest import SAMPLES
from tests.inputs.conftest import free_port
from tests.test_cli import wire_ingest
from tests.test_watch import Watch, drop, wait_for


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample at http://127.0.0.1:PORT/metrics, by name and labels."""
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as reply:
        text = reply.read().decode("utf-8")
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def test_a_commit_is_counted_by_kind_reason_and_folder() -> None:
    metrics = WatchMetrics()
    counts = Counts(files=3, read=5, written=3, dead_lettered=1, duplicates=1,
                    dead_letters_by_reason={"parse/binary": 1})  # fmt: skip
    files = {"stories/ingest_date=2026-12-02/s.avro": ".tmp/b/s",
             "dead_letter/ingest_date=2026-12-02/d.avro": ".tmp/b/d"}  # fmt: skip
    commit = Commit(1, "b", "2026-12-02T04:00:00Z", ("a", "b", "c"), (), files, counts)
    metrics.record(commit, [0.4, 2.5, 2.5], finished_at=1_800_000_000.0)
    value = metrics.registry.get_sample_value
    assert value("wire_ingest_stories_total") == 3
    assert value("wire_ingest_items_read_total") == 5
    assert value("wire_ingest_duplicates_total") == 1
    assert value("wire_ingest_dead_letters_total", {"reason": "parse/binary"}) == 1
    assert value("wire_ingest_files_finalized_total", {"folder": "stories"}) == 1
    assert value("wire_ingest_files_finalized_total", {"folder": "dead_letter"}) == 1
    assert value("wire_ingest_latency_seconds_count") == 3
    assert value("wire_ingest_latency_seconds_bucket", {"le": "0.5"}) == 1
    assert value("wire_ingest_latency_seconds_bucket", {"le": "3.0"}) == 3
    assert value("wire_ingest_last_file_timestamp_seconds") == 1_800_000_000.0


def test_a_watcher_serves_its_metrics_while_it_runs(tmp_path: Path) -> None:
    inputs, output, port = tmp_path / "in", tmp_path / "out", free_port()
    inputs.mkdir()
    watch = Watch(inputs, output, "--metrics-port", str(port))
    before = scrape(port)
    assert before[("wire_ingest_up", ())] == 1
    assert before[("wire_ingest_stories_total", ())] == 0
    assert before[("wire_ingest_last_file_timestamp_seconds", ())] == 0
    for path in sorted(SAMPLES.iterdir()):
        drop(inputs, path.name, path.read_bytes())
    wait_for(lambda: watch.summary()["read"] == 4, 120, watch)
    summary = watch.summary()
    samples = scrape(port)
    assert samples[("wire_ingest_stories_total", ())] == summary["written"] == 3
    assert samples[("wire_ingest_items_read_total", ())] == 4
    assert samples[("wire_ingest_dead_letters_total", (("reason", "read/empty"),))] == 1
    assert samples[("wire_ingest_duplicates_total", ())] == summary["duplicates"]
    finalized = len(summary["story_files"]) + len(summary["dead_letter_files"])
    assert sum(value for (name, _), value in samples.items()
               if name == "wire_ingest_files_finalized_total") >= finalized  # fmt: skip
    assert samples[("wire_ingest_latency_seconds_count", ())] == 4  # one per delivery
    assert samples[("wire_ingest_last_file_timestamp_seconds", ())] > 0
    assert watch.stop() == 0, watch.text
    with pytest.raises(OSError):
        scrape(port)  # stopped with the watcher


@pytest.mark.parametrize("port", ["0", "http", "70000"])
def test_a_bad_metrics_port_is_one_line_exit_2(port: str, tmp_path: Path) -> None:
    bad = wire_ingest("watch", "--input", str(tmp_path), "--output", str(tmp_path / "out"),
                      "--metrics-port", port)  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        f"wire-ingest: error: argument --metrics-port: expected a port number from 1 to "
        f"65535, got {port!r}"
    )


def test_a_metrics_port_in_use_is_one_line_exit_2_and_frees_the_output(tmp_path: Path) -> None:
    inputs, output = tmp_path / "in", tmp_path / "out"
    shutil.copytree(SAMPLES, inputs)
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        bad = wire_ingest("watch", "--input", str(inputs), "--output", str(output),
                          "--metrics-port", str(port), "--idle-exit", "1")  # fmt: skip
    assert bad.returncode == 2
    (line,) = bad.stderr.strip().splitlines()
    assert line.startswith(f"wire-ingest: error: --metrics-port {port}: cannot serve there")
    again = wire_ingest("watch", "--input", str(inputs), "--output", str(output),
                        "--idle-exit", "1")  # fmt: skip
    assert again.returncode == 0, again.stderr  # the lock was given back
