"""One writer at a time into an output: a second run is refused with exit code 75 and a line
naming the holder, a killed holder's lock is taken over (and said so), and two scheduled runs
that overlap write everything once."""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from pipeline.cli import EXIT_TEMPFAIL, main
from pipeline.sink.lock import LOCK_FILE, OutputBusy, OutputLock
from tests.conftest import SAMPLES, records

HOLD = """
import sys, time
from pipeline.sink.lock import OutputLock
lock = OutputLock.acquire(sys.argv[1], "wire-ingest run")
print("held", flush=True)
time.sleep(600)
"""


def hold_in_another_process(state: Path) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(state)], stdout=subprocess.PIPE,
                              text=True)  # fmt: skip
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    return holder


def test_a_second_writer_is_refused_naming_the_first(tmp_path: Path) -> None:
    first = OutputLock.acquire(str(tmp_path / "_state"), "wire-ingest watch")
    assert first is not None
    with pytest.raises(
        OutputBusy, match=rf"being written by wire-ingest watch \(pid {os.getpid()}"
    ):
        OutputLock.acquire(str(tmp_path / "_state"), "wire-ingest run")
    first.release()
    assert (tmp_path / "_state" / LOCK_FILE).read_text(encoding="utf-8") == ""  # released
    again = OutputLock.acquire(str(tmp_path / "_state"), "wire-ingest run")
    assert again is not None
    again.release()


def test_a_killed_holders_lock_is_taken_over_and_said_so(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    holder = hold_in_another_process(tmp_path / "_state")
    with pytest.raises(OutputBusy):
        OutputLock.acquire(str(tmp_path / "_state"), "wire-ingest run")
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    with caplog.at_level(logging.WARNING, logger="pipeline.sink.lock"):
        lock = OutputLock.acquire(str(tmp_path / "_state"), "wire-ingest run")
    assert lock is not None
    assert f"taking over the lock of wire-ingest run (pid {holder.pid}" in caplog.text
    lock.release()


def test_run_into_a_busy_output_exits_75_and_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    output = tmp_path / "out"
    holder = hold_in_another_process(output / "_state")
    try:
        code = main(["run", "--input", str(SAMPLES), "--output", str(output), "--resume"])
    finally:
        holder.kill()
        holder.wait()
    assert code == EXIT_TEMPFAIL == 75
    (line,) = capsys.readouterr().err.strip().splitlines()
    assert line.startswith(f"wire-ingest: busy: {output} is being written by wire-ingest run")
    assert not (output / "stories").exists() and not (output / "summary.json").exists()


def test_a_scheduled_run_while_a_watcher_writes_is_retried_and_writes_nothing_twice(
    tmp_path: Path,
) -> None:
    output = tmp_path / "out"
    flags = ["--input", str(SAMPLES), "--output", str(output)]
    watch = [sys.executable, "-m", "pipeline", "watch", *flags]
    watcher = subprocess.Popen(watch, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lock = output / "_state" / LOCK_FILE
        deadline = time.monotonic() + 120
        while not (lock.exists() and lock.read_text(encoding="utf-8")):
            assert watcher.poll() is None and time.monotonic() < deadline, watcher.communicate()
            time.sleep(0.05)
        run = [sys.executable, "-m", "pipeline", "run", *flags, "--resume"]
        busy = subprocess.run(run, capture_output=True, text=True, timeout=300)
        assert busy.returncode == 75, busy.stderr
        assert "being written by wire-ingest watch" in busy.stderr
    finally:
        watcher.send_signal(signal.SIGTERM)  # the watcher finishes its batch and ends
        assert watcher.wait(timeout=300) == 0, watcher.communicate()
    retried = subprocess.run(run, capture_output=True, text=True, timeout=300)
    assert retried.returncode == 0, retried.stderr
    summary = json.loads((output / "summary.json").read_text(encoding="utf-8"))
    assert summary["read"] == 0  # the watcher took them all: nothing written twice
    ids = [record["id"] for record in records(output, "stories")]
    assert ids and len(ids) == len(set(ids)) == summary["totals"]["written"]
