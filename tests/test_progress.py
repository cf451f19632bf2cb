"""A run's progress: the tally the workers write and the launcher sums, the log line, and a
real run showing log lines without a terminal and rich's bar on one (a pseudo-terminal)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import threading
import time
from pathlib import Path

import pytest

from pipeline import progress
from pipeline.progress import Snapshot, read_folder
from tests.conftest import SAMPLES
from tests.test_cli import WIRE_INGEST, wire_ingest


def test_counts_reach_the_launcher_through_the_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(progress.ENV, str(tmp_path))
    progress.count("files", 2)
    progress.count("written")
    progress.count("written")
    progress._TALLY.flush()
    (tmp_path / "99999.json").write_text('{"written": 5}')  # another worker process
    assert read_folder(tmp_path) == {"files": 2, "written": 7}
    monkeypatch.setenv(progress.ENV, str(tmp_path / "next-run"))
    (tmp_path / "next-run").mkdir()
    progress.count("files")  # a new run in this process starts from nothing
    progress._TALLY.flush()
    assert read_folder(tmp_path / "next-run") == {"files": 1}


def test_flushes_that_meet_leave_the_latest_counts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The flush thread and the launcher's last flush may run at once: the file is whole
    after each, and the last one written holds every count."""
    monkeypatch.setenv(progress.ENV, str(tmp_path))

    def count_and_flush() -> None:
        for _ in range(200):
            progress.count("written")
            progress._TALLY.flush()
            assert sum(read_folder(tmp_path).values()) > 0  # never torn, never missing

    workers = [threading.Thread(target=count_and_flush) for _ in range(6)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    progress._TALLY.flush()
    assert read_folder(tmp_path) == {"written": 1200}


def test_nothing_is_counted_when_no_run_watches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(progress.ENV, raising=False)
    monkeypatch.chdir(tmp_path)
    progress.count("files")  # no folder: no file, no error
    progress._TALLY.flush()
    assert list(tmp_path.iterdir()) == []


def test_the_log_line_says_what_is_done_and_what_is_left() -> None:
    reading = Snapshot(files=1, total_files=4, items_read=10, done=2, dead_lettered=1, seconds=4)
    assert reading.line() == (
        "wire-ingest: progress: 1/4 files read, 10 items, 2 done (1 dead-lettered), "
        "0.5 items/s, 4 s so far"  # the total is not known while files are unread
    )
    read = Snapshot(files=4, total_files=4, items_read=1000, done=250, dead_lettered=0,
                    seconds=50)  # fmt: skip
    assert read.line().endswith("5.0 items/s, 50 s so far, about 2 min 30 s left")


def test_a_run_without_a_terminal_logs_progress_lines(tmp_path: Path) -> None:
    ran = wire_ingest("run", "--input", str(SAMPLES), "--output", str(tmp_path / "out"),
                      "--progress-every", "0.3")  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    lines = [line for line in ran.stderr.splitlines() if line.startswith("wire-ingest: progress:")]
    assert lines and any(" 4/4 files read, 4 items" in line for line in lines), ran.stderr
    assert "progress" not in ran.stdout  # stdout is the summary alone
    quiet = wire_ingest("run", "--input", str(SAMPLES), "--output", str(tmp_path / "quiet"),
                        "--progress", "off", "--progress-every", "0.3")  # fmt: skip
    assert quiet.returncode == 0 and "progress" not in quiet.stderr


def test_a_run_on_a_terminal_draws_rich_bar(tmp_path: Path) -> None:
    leader, follower = pty.openpty()
    env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "160"}
    process = subprocess.Popen(
        [WIRE_INGEST, "run", "--input", str(SAMPLES), "--output", str(tmp_path / "out")],
        stdout=subprocess.PIPE, stderr=follower, env=env,
    )  # fmt: skip
    os.close(follower)
    drawn = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.5)
        if ready:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the run ended and closed its end
                break
            if not chunk:
                break
            drawn += chunk
        elif process.poll() is not None:
            break
    os.close(leader)
    assert process.wait(timeout=60) == 0
    text = drawn.decode("utf-8", "replace")
    assert "\x1b[" in text  # drawn with terminal control sequences, redrawn in place
    assert "files 4/4, 1 dead-lettered" in text and "4/4" in text and "items/s" in text
    assert b"wire-ingest: read 4 items" in process.stdout.read()
