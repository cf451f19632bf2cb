"""The output's ledger: what is done, known from files in the output folder alone.

Every run and every watcher batch writes its Avro files aside, into ``OUTPUT/.tmp/<batch>/``,
and commits them in three steps:

1. the batch's files are complete in ``.tmp/<batch>/`` (hidden from readers and loaders);
2. a commit record, ``OUTPUT/_state/ledger/<seq>-<batch>.json``, is written under a temporary
   name and renamed into place. **This is the commit point**: it lists the deliveries the
   batch consumed (files by path, size and modification time; messages by id), the keys of
   the stories it wrote, their entries in the near-duplicate index, its counts, and each
   file's staged and final name;
3. the files are renamed into ``stories/``, ``dead_letter/`` and ``duplicates/``.

A crash (kill -9) before step 2 leaves only ``.tmp/<batch>/``: opening the ledger deletes it,
and the batch's deliveries, in no commit, are read again. A crash after step 2 leaves a
commit whose files are not all in place: opening the ledger finishes the renames. So every
delivery ends in exactly one commit, and its items in exactly one finalized file, however
often the process dies. Nothing of this lives in a process's memory: a restarted watcher, a
``run --resume`` or another machine reading the same bucket learn the same from the files.

``_state`` starts with ``_`` and ``.tmp`` with ``.``: Hive-style readers (BigQuery, DuckDB,
Spark, polars) skip both. Commits are folded into one snapshot every ``SNAPSHOT_EVERY``
commits, so a day of batches does not leave tens of thousands of small files to read at start.

The near-duplicate index (``pipeline.cluster``) lives here too, so it is exactly as committed
as the stories it describes: each entry says when it expires (the cluster horizon after it was
ingested), and folding a commit drops the entries expired by then, so a snapshot holds one
horizon's worth.

One writer at a time: a writer holds the output's lock (``pipeline.sink.lock``) from before
it opens the ledger until it closes it; a second one is refused, not let in.
"""

from __future__ import annotations

import hashlib
import json
import threading
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from apache_beam.io.filesystems import FileSystems

from pipeline.errors import ConfigError
from pipeline.identify.versions import microseconds
from pipeline.sink.lock import OutputLock

STATE_DIR = "_state"
LEDGER_DIR = "ledger"
STAGING_DIR = ".tmp"
SNAPSHOT = "snapshot.json"
SNAPSHOT_EVERY = 256
_COMMIT_SUFFIX = ".json"


class LedgerError(ConfigError):
    """The ledger contradicts the files in the output (files removed or renamed by hand, or
    a bug): reported in one line, naming the file, and nothing runs."""


def story_key_digest(duplicate_key: str) -> str:
    """A short, fixed-size stand-in for a story's duplicate key (id, version, content hash)."""
    return hashlib.sha256(duplicate_key.encode("utf-8")).hexdigest()[:32]


@dataclass
class Counts:
    """What some batches did; ``read = written + dead_lettered + duplicates`` when all is well."""

    files: int = 0  # deliveries: input files matched, or messages
    read: int = 0  # input items (a multi-story file counts each story)
    written: int = 0  # story records
    dead_lettered: int = 0  # dead-letter records
    duplicates: int = 0  # merged into another story's duplicate_sources, or duplicate records
    dead_letters_by_reason: dict[str, int] = field(default_factory=dict)
    # The seconds each stage's step took (read, parse, clean, enrich, spacy), summed over its
    # items and workers: where the time goes, not how long the run took.
    stage_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        return self.read == self.written + self.dead_lettered + self.duplicates

    def add(self, other: Counts) -> None:
        for name in ("files", "read", "written", "dead_lettered", "duplicates"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        reasons = Counter(self.dead_letters_by_reason) + Counter(other.dead_letters_by_reason)
        self.dead_letters_by_reason = dict(sorted(reasons.items()))
        seconds = Counter(self.stage_seconds) + Counter(other.stage_seconds)
        self.stage_seconds = {stage: round(value, 3) for stage, value in sorted(seconds.items())}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Counts:
        return cls(**data)


@dataclass(frozen=True)
class Commit:
    """One batch, committed: the record written at step 2."""

    seq: int
    batch_id: str
    committed_at: str
    deliveries: tuple[str, ...]  # Delivery.key of each delivery consumed
    story_keys: tuple[str, ...]  # story_key_digest of each story written
    files: dict[str, str]  # final path -> staged path, both relative to the output
    counts: Counts
    # The written stories' entries in the near-duplicate index (JSON objects with "key" and
    # "expires_at", microseconds since the epoch; pipeline.cluster.clusters.Entry).
    clusters: tuple[dict[str, Any], ...] = ()

    def to_json(self) -> str:
        data = asdict(self)
        return json.dumps(data, separators=(",", ":")) + "\n"

    @classmethod
    def from_json(cls, text: str) -> Commit:
        data = json.loads(text)
        return cls(
            seq=data["seq"],
            batch_id=data["batch_id"],
            committed_at=data["committed_at"],
            deliveries=tuple(data["deliveries"]),
            story_keys=tuple(data["story_keys"]),
            files=dict(data["files"]),
            counts=Counts.from_json(data["counts"]),
            clusters=tuple(data.get("clusters", ())),  # none in commits before the index
        )


@dataclass
class LedgerState:
    """Everything the commits say, folded together (what a snapshot holds)."""

    seq: int = 0
    deliveries: set[str] = field(default_factory=set)
    story_keys: set[str] = field(default_factory=set)
    totals: Counts = field(default_factory=Counts)
    clusters: dict[str, dict[str, Any]] = field(default_factory=dict)  # key -> index entry

    def fold(self, commit: Commit) -> None:
        self.seq = commit.seq
        self.deliveries.update(commit.deliveries)
        self.story_keys.update(commit.story_keys)
        self.totals.add(commit.counts)
        self.clusters.update((entry["key"], entry) for entry in commit.clusters)
        now = microseconds(datetime.fromisoformat(commit.committed_at))
        for key in [key for key, entry in self.clusters.items() if entry["expires_at"] <= now]:
            del self.clusters[key]

    def to_json(self) -> str:
        return json.dumps(
            {
                "seq": self.seq,
                "deliveries": sorted(self.deliveries),
                "story_keys": sorted(self.story_keys),
                "totals": asdict(self.totals),
                "clusters": list(self.clusters.values()),
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> LedgerState:
        data = json.loads(text)
        return cls(
            seq=data["seq"],
            deliveries=set(data["deliveries"]),
            story_keys=set(data["story_keys"]),
            totals=Counts.from_json(data["totals"]),
            clusters={entry["key"]: entry for entry in data.get("clusters", ())},
        )


class Ledger:
    """The ledger of one output folder (local or a bucket, any Beam filesystem)."""

    def __init__(self, output: str, lock: OutputLock | None = None) -> None:
        self.output = output
        self._ledger_dir = FileSystems.join(output, STATE_DIR, LEDGER_DIR)
        self.state = LedgerState()
        self._since_snapshot = 0
        self._lock = lock

    @classmethod
    def open(cls, output: str, lock: OutputLock | None = None) -> Ledger:
        """Reads the ledger, finishes the renames of committed batches a crash interrupted, and
        deletes what uncommitted batches left in ``.tmp/``; ``lock``, the output's writer
        lock, is held until ``close``."""
        ledger = cls(output, lock)
        with _KNOWN_LOCK:
            _KNOWN.pop(output, None)  # an earlier ledger here may have been overwritten
        ledger.state, pending = read_state(output)
        for commit in pending:
            ledger._finish(commit)
        ledger._since_snapshot = len(pending)
        delete_folder(FileSystems.join(output, STAGING_DIR))
        return ledger

    def close(self) -> None:
        """Gives back the writer lock: another run may write here now."""
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    @property
    def exists(self) -> bool:
        """Whether anything was ever committed here."""
        return self.state.seq > 0

    def is_done(self, delivery_key: str) -> bool:
        return delivery_key in self.state.deliveries

    def staging(self, batch_id: str) -> str:
        """Where a batch writes its files before they are committed."""
        return FileSystems.join(self.output, STAGING_DIR, batch_id)

    def commit(
        self,
        batch_id: str,
        *,
        deliveries: Iterable[str],
        story_keys: Iterable[str],
        staged: Iterable[str],
        counts: Counts,
        clusters: Iterable[dict[str, Any]] = (),
        partition: str = "",
    ) -> Commit:
        """Commits a batch whose files are complete under ``staging(batch_id)``.

        Args:
            staged: the batch's files, paths relative to its staging folder
                (``stories/x.avro``); each goes to the same path relative to the output,
                inside its folder's ``partition`` when one is given
                (``stories/ingest_date=2026-12-01/x.avro``).
        """
        prefix = f"{STAGING_DIR}/{batch_id}/"
        commit = Commit(
            seq=self.state.seq + 1,
            batch_id=batch_id,
            committed_at=datetime.now(UTC).isoformat(),
            deliveries=tuple(deliveries),
            story_keys=tuple(story_keys),
            files={_partitioned(path, partition): prefix + path for path in sorted(staged)},
            counts=counts,
            clusters=tuple(clusters),
        )
        name = f"{commit.seq:012d}-{batch_id}{_COMMIT_SUFFIX}"
        write_atomically(FileSystems.join(self._ledger_dir, name), commit.to_json())
        self._finish(commit)
        self._since_snapshot += 1
        if self._since_snapshot >= SNAPSHOT_EVERY:
            self.snapshot()
        return commit

    def snapshot(self) -> None:
        """Folds every commit so far into ``snapshot.json`` and deletes their records."""
        write_atomically(FileSystems.join(self._ledger_dir, SNAPSHOT), self.state.to_json())
        folded = [path for seq, path in _commit_paths(self._ledger_dir) if seq <= self.state.seq]
        if folded:
            FileSystems.delete(folded)
        self._since_snapshot = 0

    def _finish(self, commit: Commit) -> None:
        """Step 3: moves a committed batch's files into place (again, after a crash)."""
        sources, targets = [], []
        for final, staged in commit.files.items():
            target = FileSystems.join(self.output, final)
            if FileSystems.exists(target):
                continue
            source = FileSystems.join(self.output, staged)
            if not FileSystems.exists(source):
                raise LedgerError(
                    f"commit {commit.seq} of batch {commit.batch_id} lists {final}, which is "
                    f"neither in {self.output} nor staged at {staged}"
                )
            sources.append(source)
            targets.append(target)
        for folder in sorted({FileSystems.split(target)[0] for target in targets}):
            if not FileSystems.exists(folder):
                FileSystems.mkdirs(folder)  # os.rename does not create the target's folder
        if sources:
            FileSystems.rename(sources, targets)
        delete_folder(self.staging(commit.batch_id))
        parent = FileSystems.join(self.output, STAGING_DIR)
        if FileSystems.exists(parent) and not _entries(parent):
            FileSystems.delete([parent])
        if commit.seq > self.state.seq:
            self.state.fold(commit)


@dataclass(frozen=True)
class KnownStories:
    """The stories committed to ``output`` up to commit ``seq``, as their key digests.

    Only the output's name travels with the pipeline; the keys are read where they are used
    (a Beam worker), and kept per process, so a watcher's worker reads each commit once.
    """

    output: str
    seq: int

    def load(self) -> set[str]:
        return self.state().story_keys

    def clusters(self) -> dict[str, dict[str, Any]]:
        """The near-duplicate index's entries as committed (``Commit.clusters``), by key."""
        return self.state().clusters

    def state(self) -> LedgerState:
        with _KNOWN_LOCK:
            state = _KNOWN.get(self.output)
            if state is None or state.seq != self.seq:
                state = _KNOWN[self.output] = _catch_up(state, self.output, self.seq)
            return state


_KNOWN: dict[str, LedgerState] = {}
_KNOWN_LOCK = threading.Lock()


def _partitioned(path: str, partition: str) -> str:
    """``stories/x.avro`` as ``stories/<partition>/x.avro``."""
    if not partition:
        return path
    folder, _, name = path.rpartition("/")
    return f"{folder}/{partition}/{name}" if folder else f"{partition}/{name}"


def _catch_up(state: LedgerState | None, output: str, seq: int) -> LedgerState:
    """``state`` with the commits after it folded in, or the whole ledger read afresh."""
    if state is not None and state.seq < seq:
        ledger_dir = FileSystems.join(output, STATE_DIR, LEDGER_DIR)
        later = [(s, path) for s, path in _commit_paths(ledger_dir) if state.seq < s <= seq]
        if [s for s, _ in later] == list(range(state.seq + 1, seq + 1)):
            for _, path in later:
                state.fold(Commit.from_json(_read(path)))
            return state
    fresh, pending = read_state(output)
    for commit in pending:
        fresh.fold(commit)
    return fresh


def read_state(output: str) -> tuple[LedgerState, list[Commit]]:
    """The snapshot, and the commits after it (whose files may still need moving into
    place), in order."""
    ledger_dir = FileSystems.join(output, STATE_DIR, LEDGER_DIR)
    snapshot = FileSystems.join(ledger_dir, SNAPSHOT)
    state = (
        LedgerState.from_json(_read(snapshot)) if FileSystems.exists(snapshot) else LedgerState()
    )
    pending = []
    for seq, path in _commit_paths(ledger_dir):
        if seq <= state.seq:
            continue  # folded into the snapshot; a crash came before its record was deleted
        if seq != state.seq + len(pending) + 1:
            raise LedgerError(f"{ledger_dir}: commit {seq} follows commit {state.seq}")
        pending.append(Commit.from_json(_read(path)))
    return state, pending


def _commit_paths(ledger_dir: str) -> list[tuple[int, str]]:
    pattern = FileSystems.join(ledger_dir, f"*{_COMMIT_SUFFIX}")
    found = []
    for meta in FileSystems.match([pattern])[0].metadata_list:
        name = FileSystems.split(meta.path)[1]
        head = name.split("-", 1)[0]
        if head.isdigit():
            found.append((int(head), meta.path))
    return sorted(found)


def delete_folder(folder: str) -> None:
    """Deletes ``folder`` and everything in it. In a bucket a folder is only a prefix of the
    objects' names, which no object has: it does not "exist", and its objects are deleted by
    name (what a crashed or committed batch staged would otherwise stay for good)."""
    if FileSystems.exists(folder):
        FileSystems.delete([folder])
        return
    inside = FileSystems.match([FileSystems.join(folder, "**")])[0].metadata_list
    if inside:
        FileSystems.delete([meta.path for meta in inside])


def _entries(folder: str) -> list[str]:
    return [
        meta.path for meta in FileSystems.match([FileSystems.join(folder, "*")])[0].metadata_list
    ]


def _read(path: str) -> str:
    with FileSystems.open(path) as handle:
        return handle.read().decode("utf-8")


def write_atomically(path: str, text: str) -> None:
    """Written aside, then renamed over ``path``: a reader sees the old file or the new one."""
    folder, name = FileSystems.split(path)
    temporary = FileSystems.join(folder, f".{name}.{uuid.uuid4().hex}")
    with FileSystems.create(temporary) as handle:  # creates the folder when missing
        handle.write(text.encode("utf-8"))
    FileSystems.rename([temporary], [path])  # os.rename replaces; a bucket overwrites
