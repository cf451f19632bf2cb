"""The ledger: commits, and what opening it again does after a crash at each step."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline.sink import ledger as ledgers
from pipeline.sink.ledger import Counts, KnownStories, Ledger, LedgerError


def stage(ledger: Ledger, batch: str, files: dict[str, bytes]) -> list[str]:
    """Writes a batch's files into its staging folder, as the pipeline does."""
    for relative, data in files.items():
        path = Path(ledger.staging(batch)) / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return list(files)


def commit(ledger: Ledger, batch: str, *, key: str, story: str = "") -> None:
    staged = stage(ledger, batch, {f"stories/{batch}.avro": batch.encode()})
    ledger.commit(
        batch,
        deliveries=[key],
        story_keys=[story or f"story-{key}"],
        staged=staged,
        counts=Counts(files=1, read=1, written=1),
    )


def test_ledger_commit_moves_the_files_into_place_and_remembers_the_batch(tmp_path: Path) -> None:
    ledger = Ledger.open(str(tmp_path))
    commit(ledger, "b1", key="file:a|1|1.0")
    assert (tmp_path / "stories" / "b1.avro").read_bytes() == b"b1"
    assert not (tmp_path / ".tmp").exists()
    assert ledger.is_done("file:a|1|1.0") and not ledger.is_done("file:a|2|2.0")
    again = Ledger.open(str(tmp_path))
    assert again.is_done("file:a|1|1.0")
    assert (again.state.seq, again.state.totals) == (1, Counts(files=1, read=1, written=1))


def test_ledger_open_discards_a_batch_that_was_not_committed(tmp_path: Path) -> None:
    ledger = Ledger.open(str(tmp_path))
    stage(ledger, "crashed", {"stories/crashed.avro": b"half"})
    again = Ledger.open(str(tmp_path))
    assert not (tmp_path / ".tmp").exists()
    assert not (tmp_path / "stories").exists()
    assert not again.exists


@pytest.mark.parametrize("renamed_first", [False, True])
def test_ledger_open_finishes_a_commit_a_crash_interrupted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, renamed_first: bool
) -> None:
    ledger = Ledger.open(str(tmp_path))
    staged = stage(ledger, "b1", {"stories/b1.avro": b"s", "dead_letter/b1.avro": b"d"})

    def crash(self: Ledger, commit: ledgers.Commit) -> None:
        if renamed_first:  # the crash came between two renames
            Path(self.staging("b1"), "dead_letter/b1.avro").rename(tmp_path / "b1.avro")
            (tmp_path / "dead_letter").mkdir()
            (tmp_path / "b1.avro").rename(tmp_path / "dead_letter" / "b1.avro")
        raise KeyboardInterrupt  # stands in for kill -9

    monkeypatch.setattr(Ledger, "_finish", crash)
    with pytest.raises(KeyboardInterrupt):
        ledger.commit("b1", deliveries=["k"], story_keys=[], staged=staged, counts=Counts())
    monkeypatch.undo()
    again = Ledger.open(str(tmp_path))
    assert (tmp_path / "stories" / "b1.avro").read_bytes() == b"s"
    assert (tmp_path / "dead_letter" / "b1.avro").read_bytes() == b"d"
    assert not (tmp_path / ".tmp").exists()
    assert again.is_done("k")


def test_ledger_open_fails_loudly_when_a_committed_file_is_gone(tmp_path: Path) -> None:
    ledger = Ledger.open(str(tmp_path))
    commit(ledger, "b1", key="k")
    record = next((tmp_path / "_state" / "ledger").glob("*-b1.json"))
    data = json.loads(record.read_text())
    data["files"]["stories/gone.avro"] = ".tmp/b1/stories/gone.avro"
    record.write_text(json.dumps(data))
    with pytest.raises(LedgerError, match="stories/gone.avro"):
        Ledger.open(str(tmp_path))


def test_ledger_snapshot_folds_the_commits_and_reads_back_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledgers, "SNAPSHOT_EVERY", 3)
    ledger = Ledger.open(str(tmp_path))
    for number in range(1, 6):
        commit(ledger, f"b{number}", key=f"k{number}")
    records = sorted(path.name for path in (tmp_path / "_state" / "ledger").iterdir())
    assert records == ["000000000004-b4.json", "000000000005-b5.json", "snapshot.json"]
    again = Ledger.open(str(tmp_path))
    assert again.state.seq == 5
    assert again.state.deliveries == {f"k{n}" for n in range(1, 6)}
    assert again.state.totals.read == 5
    commit(again, "b6", key="k6")
    assert Ledger.open(str(tmp_path)).state.seq == 6


def test_known_stories_follow_the_ledger_commit_by_commit(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ledgers, "SNAPSHOT_EVERY", 2)
    output = str(tmp_path)
    ledger = Ledger.open(output)
    assert KnownStories(output, 0).load() == set()
    commit(ledger, "b1", key="k1", story="s1")
    assert KnownStories(output, 1).load() == {"s1"}
    commit(ledger, "b2", key="k2", story="s2")  # folded into a snapshot
    commit(ledger, "b3", key="k3", story="s3")
    assert KnownStories(output, 3).load() == {"s1", "s2", "s3"}


def test_ledger_refuses_a_gap_between_commits(tmp_path: Path) -> None:
    ledger = Ledger.open(str(tmp_path))
    commit(ledger, "b1", key="k1")
    commit(ledger, "b2", key="k2")
    next((tmp_path / "_state" / "ledger").glob("000000000001-*")).unlink()
    with pytest.raises(LedgerError, match="commit 2 follows commit 0"):
        Ledger.open(str(tmp_path))


def test_cluster_entries_are_committed_kept_through_snapshots_and_expire(tmp_path: Path) -> None:
    from datetime import UTC, datetime, timedelta

    from pipeline.identify.versions import microseconds

    now = microseconds(datetime.now(UTC))
    week = microseconds(datetime.now(UTC) + timedelta(days=7)) - now
    ledger = Ledger.open(str(tmp_path))
    old = {"key": "k-old", "expires_at": now - 1}  # a horizon ago: dropped on the next fold
    fresh = {"key": "k-new", "expires_at": now + week}
    ledger.commit("b1", deliveries=["d1"], story_keys=["k-old", "k-new"], staged=[],
                  counts=Counts(), clusters=[old, fresh])  # fmt: skip
    assert list(ledger.state.clusters) == ["k-new"]
    ledger.snapshot()
    again = Ledger.open(str(tmp_path))
    assert again.state.clusters == {"k-new": fresh}
    assert KnownStories(str(tmp_path), again.state.seq).clusters() == {"k-new": fresh}
    assert again.state.story_keys == {"k-old", "k-new"}  # exact duplicates: no horizon
