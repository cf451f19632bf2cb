"""A run's progress while it runs: a bar on a terminal, a log line now and then elsewhere.

Beam's own counters reach the launching process only when the pipeline has ended, so the
stages count twice: into Beam's metrics (the summary's figures, exact) and, through
``count``, into this process's tally, which every process running the pipeline's workers
writes every half second, while it changes, to a file of its own (``<pid>.json``) in the
folder the launcher names in ``WIRE_INGEST_PROGRESS_DIR``. The launcher sums those files.
That reaches the workers of the local runner, in process or
``--direct_running_mode=multi_processing`` (they inherit the variable); workers elsewhere (a
cluster, Dataflow) write nothing the launcher sees, and it shows the time only. The figures
shown are a view: the summary's are those of the committed files.

Items are done once written, dead-lettered or counted as duplicates, as in the summary's
balance; their total is known once every file has been read, and the time left is the rest at
the rate so far. rich draws the bar (on stderr, so stdout keeps the summary); without a
terminal, a plain line goes to stderr every ``every`` seconds (cron, CI, Airflow logs).
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

ENV = "WIRE_INGEST_PROGRESS_DIR"
FLUSH_SECONDS = 0.5
MODES = ("auto", "bar", "log", "off")
# What the stages count (pipeline.stage.CountAs names and the merged duplicates).
DONE = ("written", "dead_lettered", "duplicates", "duplicate_records")


class _Tally:
    """This process's counts for the run whose folder ``ENV`` names, written every
    ``FLUSH_SECONDS`` by a thread of its own while they change."""

    def __init__(self) -> None:
        self._lock = threading.Lock()  # the counts; held only to change or copy them
        self._writing = threading.Lock()  # the file
        self._folder: str | None = None
        self._counts: Counter[str] = Counter()
        self._dirty = False

    def count(self, name: str, number: int = 1) -> None:
        folder = os.environ.get(ENV)
        if not folder or not number:
            return
        with self._lock:
            if folder != self._folder:  # a new run in this process
                self._folder, self._counts = folder, Counter()
                threading.Thread(target=self._flush_every, args=(folder,), daemon=True).start()
            self._counts[name] += number
            self._dirty = True

    def _flush_every(self, folder: str) -> None:
        while self._folder == folder and Path(folder).is_dir():
            time.sleep(FLUSH_SECONDS)
            self.flush()

    def flush(self) -> None:
        """Writes this process's counts if they changed (the launcher's own, at the end).

        One flush at a time (the thread's and the launcher's last one may meet): two writers
        of the one ``.part`` file could tear it, or the older counts land last."""
        with self._writing:
            with self._lock:
                folder = self._folder
                if folder is None or not self._dirty:
                    return
                self._dirty = False
                text = json.dumps(self._counts)
            path = Path(folder, f"{os.getpid()}.json")
            partial = path.with_suffix(".part")
            with contextlib.suppress(OSError):  # the run ended and took its folder away
                partial.write_text(text, encoding="utf-8")
                partial.replace(path)


_TALLY = _Tally()


def count(name: str, number: int = 1) -> None:
    """Counts ``number`` items under ``name`` for the progress of the run, if one watches."""
    _TALLY.count(name, number)


@dataclass(frozen=True)
class Snapshot:
    files: int  # read so far
    total_files: int
    items_read: int
    done: int  # written + dead-lettered + duplicates
    dead_lettered: int
    seconds: float

    @property
    def total_items(self) -> int | None:
        """Known once every file is read."""
        return self.items_read if self.files >= self.total_files else None

    @property
    def rate(self) -> float:
        return self.done / self.seconds if self.seconds > 0 else 0.0

    def line(self) -> str:
        """The plain log line."""
        total, rate = self.total_items, self.rate
        left = ""
        if total is not None and rate > 0:
            left = f", about {_duration((total - self.done) / rate)} left"
        return (
            f"wire-ingest: progress: {self.files}/{self.total_files} files read, "
            f"{self.items_read} items, {self.done} done ({self.dead_lettered} dead-lettered), "
            f"{rate:.1f} items/s, {_duration(self.seconds)} so far{left}"
        )


def _duration(seconds: float) -> str:
    seconds = max(int(round(seconds)), 0)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def read_folder(folder: Path) -> Counter[str]:
    """The counts every process wrote into ``folder``, summed."""
    total: Counter[str] = Counter()
    for path in folder.glob("*.json"):
        with contextlib.suppress(OSError, ValueError):
            total.update(json.loads(path.read_text(encoding="utf-8")))
    return total


@contextlib.contextmanager
def shown(total_files: int, mode: str = "auto", every: float = 10.0) -> Iterator[None]:
    """Shows the progress of the run inside the block (``mode``: one of ``MODES``)."""
    if mode == "auto":
        mode = "bar" if sys.stderr.isatty() else "log"
    if mode == "off":
        yield
        return
    folder = Path(tempfile.mkdtemp(prefix="wire-ingest-progress-"))
    previous = os.environ.get(ENV)
    os.environ[ENV] = str(folder)
    started = time.monotonic()
    stop = threading.Event()

    def snapshot() -> Snapshot:
        counts = read_folder(folder)
        return Snapshot(
            files=counts["files"],
            total_files=total_files,
            items_read=counts["items_read"],
            done=sum(counts[name] for name in DONE),
            dead_lettered=counts["dead_lettered"],
            seconds=time.monotonic() - started,
        )

    show = _bar if mode == "bar" else _log
    thread = threading.Thread(target=show, args=(snapshot, stop, every), daemon=True)
    thread.start()
    try:
        yield
    finally:
        _TALLY.flush()  # the in-process workers' last counts, for the last redraw
        stop.set()
        thread.join()
        if previous is None:
            del os.environ[ENV]
        else:
            os.environ[ENV] = previous
        shutil.rmtree(folder, ignore_errors=True)


def _log(snapshot: Callable[[], Snapshot], stop: threading.Event, every: float) -> None:
    while not stop.wait(every):
        print(snapshot().line(), file=sys.stderr, flush=True)


def _bar(snapshot: Callable[[], Snapshot], stop: threading.Event, every: float) -> None:
    """rich's bar over the items done, redrawn twice a second (its default, ten times, costs
    the launcher more than the figures change)."""
    del every
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (
        TextColumn("items"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.fields[files]}"),
        TextColumn("{task.fields[rate]}"), TimeElapsedColumn(), TimeRemainingColumn(),
    )  # fmt: skip
    console = Console(stderr=True)
    with Progress(*columns, console=console, transient=False, refresh_per_second=2) as bar:
        task = bar.add_task("items", total=None, files="", rate="")
        while True:
            done = stop.wait(0.5)
            now = snapshot()
            bar.update(
                task,
                completed=now.done,
                total=now.total_items,
                files=f"files {now.files}/{now.total_files}, {now.dead_lettered} dead-lettered",
                rate=f"{now.rate:.1f} items/s",
            )
            if done:
                return
