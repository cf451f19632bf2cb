"""One writer at a time into an output: ``OUTPUT/_state/lock``, held by a run or a watcher
from before it opens the ledger until it ends.

The lock is an advisory ``flock`` on that file: the kernel releases it when its holder's
process ends, however it ends (kill -9 included), so a lock is never left held by no one.
The file also says who holds it (command, host, pid, since when), and is emptied on a clean
release: a writer that gets the lock and finds the file still naming a holder knows that
holder was killed, takes the lock over and says so (the ledger then cleans up or finishes the
batch it left). A second writer while the first runs gets ``OutputBusy``, which the command
turns into exit code 75 (EX_TEMPFAIL: cron, systemd and Airflow retry later).

Outputs in a bucket (``gs://``) have no file to lock: one writer at a time is then the
scheduler's to ensure (README, "Scheduled runs").
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from pipeline.errors import WireIngestError

LOCK_FILE = "lock"
_LOG = logging.getLogger(__name__)


class OutputBusy(WireIngestError):
    """Another run or watcher is writing into the output now: try again later (exit 75)."""


class OutputLock:
    """The output's writer lock, taken by ``acquire`` and given back by ``release``."""

    def __init__(self, state_dir: str) -> None:
        self._path = Path(state_dir) / LOCK_FILE
        self._handle: IO[str] | None = None

    @classmethod
    def acquire(cls, state_dir: str, command: str) -> OutputLock | None:
        """The lock of the output whose state folder is ``state_dir``, for ``command`` (what
        a second writer is told holds it); None for an output that is not a local folder.

        Raises:
            OutputBusy: another process holds it.
        """
        if "://" in state_dir:
            return None
        lock = cls(state_dir)
        lock._take(command)
        return lock

    def _take(self, command: str) -> None:
        self._path.parent.mkdir(parents=True, exist_ok=True)
        handle = open(self._path, "a+", encoding="utf-8")  # noqa: SIM115 (held until release)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = _holder(handle)
            handle.close()
            raise OutputBusy(
                f"{self._path.parent.parent} is being written by {holder}; "
                "one writer at a time: try again when it ends"
            ) from None
        left = _holder(handle) if _read(handle) else None
        if left:
            _LOG.warning(
                "taking over the lock of %s, which ended without releasing it (killed?); "
                "the output's ledger completes or discards what it left",
                left,
            )
        handle.seek(0)
        handle.truncate()
        handle.write(json.dumps({
            "command": command,
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }))  # fmt: skip
        handle.flush()
        self._handle = handle

    def release(self) -> None:
        """Says the output is free (the file emptied), then unlocks it."""
        if self._handle is None:
            return
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.flush()
        fcntl.flock(self._handle, fcntl.LOCK_UN)
        self._handle.close()
        self._handle = None


def _read(handle: IO[str]) -> str:
    handle.seek(0)
    return handle.read()


def _holder(handle: IO[str]) -> str:
    """Who the lock file names, in words."""
    try:
        who = json.loads(_read(handle))
        return f"{who['command']} (pid {who['pid']} on {who['host']}, since {who['since']})"
    except (ValueError, KeyError, TypeError):
        return "another process"
