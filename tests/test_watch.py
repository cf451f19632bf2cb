"""``wire-ingest watch`` in a real process: files dropped over time, write-then-rename, a
changed file, SIGTERM, a restart that carries on, and kill -9 at random moments."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CASES, SAMPLES, SEED, records
from tests.test_cli import WIRE_INGEST

# Short waits, so the tests do not sit idle; the shipped defaults are in configs/default.toml.
FAST = "[watch]\npoll_seconds = 0.1\nlinger_seconds = 0.2\n"
JSONL = CASES / "jsonl" / "stories.jsonl"  # 3 good stories and 3 broken ones
STARTUP_SECONDS = 60


class Watch:
    """One ``wire-ingest watch`` process; its output goes to files beside ``output`` (which
    ``output_uri``, a bucket, replaces as the watcher's output)."""

    def __init__(
        self,
        inputs: Path | str,
        output: Path,
        *extra: str,
        command: Path | str = WIRE_INGEST,
        output_uri: str | None = None,
    ) -> None:
        config = output.parent / "fast.toml"
        config.write_text(FAST, encoding="utf-8")
        self.log = output.parent / f"watch-{time.monotonic_ns()}.log"
        self.output = output
        with self.log.open("w") as log:
            self.process = subprocess.Popen(
                [command, "watch", "--input", str(inputs), "--output", output_uri or str(output),
                 "--config", str(config), *extra],
                stdout=log, stderr=subprocess.STDOUT, text=True,
            )  # fmt: skip
        wait_for(lambda: "wire-ingest: watching" in self.text, STARTUP_SECONDS, self)

    @property
    def text(self) -> str:
        return self.log.read_text(encoding="utf-8")

    def summary(self) -> dict[str, Any]:
        path = self.output / "summary.json"
        return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {"read": 0}

    def stop(self, signum: int = signal.SIGTERM) -> int:
        self.process.send_signal(signum)
        return self.process.wait(timeout=30)


def wait_for(condition: Callable[[], bool], seconds: float, watch: Watch | None = None) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if watch is not None and watch.process.poll() is not None:
            pytest.fail(f"the watcher exited with {watch.process.returncode}:\n{watch.text}")
        if time.monotonic() > deadline:
            pytest.fail(f"not within {seconds} s" + (f":\n{watch.text}" if watch else ""))
        time.sleep(0.1)


def item_counts(output: Path) -> Counter[tuple[str, int]]:
    """How often each input item (file name, index) is in the finalized output: as a story,
    in a story's duplicate_sources, as a dead letter or as a duplicate record."""
    sources = [r["source"] for r in records(output, "stories")]
    sources += [s for r in records(output, "stories") for s in r["duplicate_sources"]]
    sources += [r["source"] for r in records(output, "dead_letter")]
    sources += [r["source"] for r in records(output, "duplicates")]
    return Counter((Path(source["uri"]).name, source["index"]) for source in sources)


def drop(folder: Path, name: str, data: bytes) -> None:
    """Write-then-rename, as FTP servers and rsync deliver."""
    partial = folder / f"{name}.part"
    partial.write_bytes(data)
    partial.rename(folder / name)


def numbered_story(number: int) -> bytes:
    """A distinct real-looking story: the seed story under its own headline and lead."""
    lines = SEED.read_bytes().split(b"\n", 1)
    return b"Report %d: " % number + lines[0] + b"\n\nThis is report %d.\n" % number + lines[1]


@pytest.fixture
def folders(tmp_path: Path) -> Iterator[tuple[Path, Path]]:
    inputs = tmp_path / "in"
    inputs.mkdir()
    yield inputs, tmp_path / "out"


def test_watch_ingests_files_as_they_land_and_stops_cleanly_on_sigterm(
    folders: tuple[Path, Path],
) -> None:
    inputs, output = folders  # empty when the watcher starts
    watch = Watch(inputs, output)
    drop(inputs, "seed.txt", SEED.read_bytes())
    wait_for(lambda: watch.summary()["read"] == 1, 60, watch)
    assert len(list((output / "stories").rglob("*.avro"))) == 1  # finalized while running
    assert watch.summary()["balanced"]

    drop(inputs, "stories.jsonl", JSONL.read_bytes())
    drop(inputs, "garbage.bin", bytes(range(256)) * 8)
    (inputs / ".hidden.txt").write_bytes(SEED.read_bytes())
    (inputs / "late.txt.part").write_bytes(numbered_story(1))
    (inputs / "sub").mkdir()
    (inputs / "sub" / "upload.tmp").write_bytes(numbered_story(2))
    wait_for(lambda: watch.summary()["read"] == 8, 60, watch)
    time.sleep(1)  # the in-progress names stay unread however long they wait
    assert watch.summary()["read"] == 8
    (inputs / "late.txt.part").rename(inputs / "late.txt")
    wait_for(lambda: watch.summary()["read"] == 9, 60, watch)
    assert watch.summary()["balanced"]  # after every batch, not only at the end
    (inputs / "seed.txt").write_bytes((SAMPLES / "ap-costa-concordia-trial.txt").read_bytes())
    wait_for(lambda: watch.summary()["read"] == 10, 60, watch)

    assert watch.stop() == 0, watch.text
    summary = watch.summary()
    assert summary["balanced"] and summary["totals"]["balanced"]
    assert (summary["written"], summary["dead_lettered"], summary["duplicates"]) == (6, 4, 0)
    assert summary["dead_letters_by_reason"] == {
        "parse/binary": 1, "parse/malformed": 2, "parse/no_body": 1,
    }  # fmt: skip
    assert item_counts(output) == Counter(
        {("seed.txt", 0): 2, ("late.txt", 0): 1, ("garbage.bin", 0): 1}
        | {("stories.jsonl", index): 1 for index in range(6)}
    )  # seed.txt twice: the first version and the changed one
    assert {r["source"]["uri"] for r in records(output, "stories")} >= {
        str(inputs / "seed.txt"),
        str(inputs / "late.txt"),
    }
    assert not (output / ".tmp").exists()
    lines = [line for line in watch.text.splitlines() if ".avro: from" in line]
    written = sorted(p.relative_to(output).as_posix() for p in output.glob("*/*/*.avro"))
    assert sorted(line.split()[1].rstrip(":") for line in lines) == written

    again = Watch(inputs, output, "--idle-exit", "1")  # the same command carries on
    assert again.process.wait(timeout=60) == 0, again.text
    assert "(10 items there already)" in again.text
    assert sorted(p.relative_to(output).as_posix() for p in output.glob("*/*/*.avro")) == written
    assert again.summary()["read"] == 0 and again.summary()["totals"]["read"] == 10


def test_watch_writes_a_repeat_of_an_earlier_story_as_a_duplicate(
    folders: tuple[Path, Path],
) -> None:
    inputs, output = folders
    watch = Watch(inputs, output)
    drop(inputs, "first.txt", SEED.read_bytes())
    wait_for(lambda: watch.summary()["read"] == 1, 60, watch)
    drop(inputs, "again.txt", SEED.read_bytes())
    wait_for(lambda: watch.summary()["read"] == 2, 60, watch)
    assert watch.stop(signal.SIGINT) == 0, watch.text
    (story,) = records(output, "stories")
    (duplicate,) = records(output, "duplicates")
    assert Path(duplicate["source"]["uri"]).name == "again.txt"
    assert (duplicate["id"], duplicate["version"]) == (story["id"], story["version"])
    assert watch.summary()["duplicates"] == 1


def test_watch_joins_earlier_clusters_batch_after_batch_and_after_a_restart(
    folders: tuple[Path, Path],
) -> None:
    inputs, output = folders
    watch = Watch(inputs, output)
    drop(inputs, "seed.txt", SEED.read_bytes())
    wait_for(lambda: watch.summary()["read"] == 1, 60, watch)
    drop(inputs, "report.txt", numbered_story(1))  # the seed with a new headline and lead
    wait_for(lambda: watch.summary()["read"] == 2, 60, watch)
    assert watch.stop() == 0, watch.text
    restarted = Watch(inputs, output)
    drop(inputs, "repost.html", (CASES / "pages" / "seed-repost-other-site.html").read_bytes())
    wait_for(lambda: restarted.summary()["read"] == 1, 60, restarted)
    assert restarted.stop() == 0, restarted.text
    by_name = {Path(r["source"]["uri"]).name: r for r in records(output, "stories")}
    seed = by_name["seed.txt"]
    assert len({r["id"] for r in by_name.values()}) == 3
    assert {r["cluster_id"] for r in by_name.values()} == {seed["id"]}
    assert by_name["report.txt"]["cluster_similarity"] >= 0.6


def kill_while_feeding(
    feed: Callable[[], None],
    start: Callable[[], Watch],
    items: int,
    *,
    seed: int,
    pause: tuple[float, float],
) -> Watch:
    """Runs ``feed`` while a watcher (``start()``) is killed with SIGKILL after a random
    ``pause`` (parsing, annotating, writing, committing: any moment) and started again, at
    least three times; returns once the last watcher's output holds ``items`` input items,
    after stopping it."""
    feeder = threading.Thread(target=feed)
    chance = random.Random(seed)
    watch = start()
    feeder.start()
    kills = 0
    while feeder.is_alive() or kills < 3:
        time.sleep(chance.uniform(*pause))
        os.kill(watch.process.pid, signal.SIGKILL)
        watch.process.wait(timeout=30)
        kills += 1
        watch = start()
    feeder.join()
    wait_for(lambda: watch.summary().get("totals", {}).get("read") == items, 120, watch)
    assert watch.stop() == 0, watch.text
    return watch


def test_watch_loses_and_repeats_nothing_across_kill_9_at_random_moments(
    folders: tuple[Path, Path],
) -> None:
    inputs, output = folders
    names = [f"story-{number:02d}.txt" for number in range(30)]
    expected = Counter({(name, 0): 1 for name in names})
    expected.update({("stories.jsonl", index): 1 for index in range(6)})
    expected.update({("repeat.txt", 0): 1, ("empty.txt", 0): 1})

    def feed() -> None:
        for number, name in enumerate(names):
            drop(inputs, name, numbered_story(number))
            if number == 10:
                drop(inputs, "stories.jsonl", JSONL.read_bytes())
                drop(inputs, "repeat.txt", numbered_story(3))
                drop(inputs, "empty.txt", b"")
            time.sleep(0.15)

    watch = kill_while_feeding(feed, lambda: Watch(inputs, output), sum(expected.values()),
                               seed=12, pause=(0.2, 2.5))  # fmt: skip
    assert item_counts(output) == expected
    totals = watch.summary()["totals"]
    assert totals["balanced"] and totals["duplicates"] == 1
    assert not list(output.glob("*/.*")) and not (output / ".tmp").exists()
