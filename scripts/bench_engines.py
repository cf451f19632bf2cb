"""The same Reuters-21578 stories on every engine wire-ingest runs on: stories/s, peak memory
of each kind of process, start-up, and whether the records are the same.

Engines (each left out, saying so, where scripts/engines has not staged it):

- ``local-1``: the FnApiRunner with one worker (.venv, Beam 2.77.0), the default;
- ``local-2``: ``--direct_running_mode=multi_processing --direct_num_workers=2``;
- ``prism``: ``--runner PrismRunner`` (.venv);
- ``flink-1``, ``flink-2``: a ``scripts/flink`` cluster with 1 or 2 task slots, the run's
  ``--parallelism`` and ``--sdk_worker_parallelism`` as many (one Python worker a slot), the
  workers from Beam's worker pool (.venv-flink, Beam 2.62.0).

For each, in rounds (``--rounds R``; medians over them): ``wire-ingest run`` over ``--files``
Reuters-21578 files, wall time with start-up (stories/s); the peak resident memory (VmHWM,
sampled every 0.2 s) of the run's processes, the highest of each kind (the launching command,
Python workers, Prism, Flink's TaskManager and JobManager, Beam's job server), and how many
of each kind ran (over the rounds); start-up: a run over
one story, end to end. Each engine's stories (id, version, content hash) and dead letters
are compared with ``local-1``'s.

Usage::

    python scripts/bench_engines.py [--files N] [--rounds R] [--engines local-1,flink-2,...]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import fastavro
from apache_beam.version import __version__ as BEAM_VERSION
from bench import CORPUS, process_tree

from pipeline.launch import ENGINES

ROOT = Path(__file__).resolve().parents[1]
FLINK_VENV = Path(os.environ.get("WIRE_INGEST_FLINK_VENV") or ROOT / ".venv-flink")
LOCAL = Path(sys.executable).with_name("wire-ingest")
FLINK = FLINK_VENV / "bin" / "wire-ingest"
FLINK_PORTS = {"rest": 18481, "rpc": 16423, "worker": 50491}
# What a process is, from its command line: the first word found names it.
KINDS = (
    (b"StandaloneSessionClusterEntrypoint", "Flink JobManager"),
    (b"TaskManagerRunner", "Flink TaskManager"),
    (b"job-server", "Beam job server"),
    (b"worker_pool_main", "Beam worker pool"),
    (b"sdk_worker", "Python worker"),
    (b"SdkHarness", "Python worker"),
    (b"prism", "Prism"),
)


@dataclass(frozen=True)
class Engine:
    name: str
    command: Path
    args: tuple[str, ...] = ()
    flink_slots: int = 0  # a scripts/flink cluster with this many slots, or none


def flink_args(slots: int) -> tuple[str, ...]:
    return (
        "--runner", "FlinkRunner", "--flink_master", f"localhost:{FLINK_PORTS['rest']}",
        "--parallelism", str(slots), "--sdk_worker_parallelism", str(slots),
        "--environment_type", "EXTERNAL",
        "--environment_config", f"localhost:{FLINK_PORTS['worker']}",
    )  # fmt: skip


ALL = (
    Engine("local-1", LOCAL),
    Engine("local-2", LOCAL, ("--direct_running_mode=multi_processing", "--direct_num_workers=2")),
    Engine("prism", LOCAL, ("--runner", "PrismRunner")),
    *(
        Engine(
            f"flink-{slots}",
            FLINK,
            flink_args(slots),
            slots,
        )
        for slots in (1, 2)
    ),
)


def missing(engine: Engine) -> str | None:
    """Why ``engine`` cannot run here, or None."""
    if engine.name == "prism" and not (ENGINES / f"prism-{BEAM_VERSION}" / "prism").exists():
        return "Prism is not staged (scripts/engines needs go)"
    if engine.flink_slots and not FLINK.exists():
        return "Flink is not staged (scripts/engines needs java and mvn)"
    return None


@dataclass
class Measured:
    seconds: list[float] = field(default_factory=list)
    startup: list[float] = field(default_factory=list)
    peak_mb: dict[int, tuple[str, float]] = field(default_factory=dict)  # pid: kind, peak
    stories: int = 0
    same_records: bool = True


def sample_memory(launcher: subprocess.Popen[bytes], peaks: dict[int, tuple[str, float]]) -> None:
    """Peak RSS of every process of the run by kind, until ``launcher`` ends: all of the
    machine's, since Flink's processes are not the launcher's children."""
    while launcher.poll() is None:
        for pid in process_tree(1):
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            kind = "wire-ingest" if pid == launcher.pid else _kind(command)
            if kind is None:
                continue
            for line in status.splitlines():
                if line.startswith("VmHWM:"):
                    mb = int(line.split()[1]) / 1024
                    peaks[pid] = (kind, max(peaks.get(pid, (kind, 0.0))[1], mb))
        time.sleep(0.2)


def _kind(command: bytes) -> str | None:
    return next((kind for word, kind in KINDS if word in command), None)


def run(
    engine: Engine, inputs: list[Path], output: Path, peaks: dict[int, tuple[str, float]]
) -> float:
    args = [engine.command, "run", "--output", output, "--overwrite", *engine.args]
    for path in inputs:
        args += ["--input", path]
    start = time.perf_counter()
    process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = threading.Thread(target=sample_memory, args=(process, peaks), daemon=True)
    sampler.start()
    _, stderr = process.communicate()
    seconds = time.perf_counter() - start
    sampler.join()
    if process.returncode != 0:
        raise RuntimeError(f"{engine.name}: {stderr.decode(errors='replace')[-2000:]}")
    return seconds


def records(output: Path) -> tuple[list[tuple[str, str, str]], list[tuple[str, str]]]:
    def read(folder: str) -> list[dict]:
        found = []
        for path in sorted((output / folder).rglob("*.avro")):
            with path.open("rb") as handle:
                found += list(fastavro.reader(handle))
        return found

    stories = sorted((r["id"], r["version"], r["content_sha256"]) for r in read("stories"))
    dead = sorted((r["source"]["uri"], r["reason"]) for r in read("dead_letter"))
    return stories, dead


@contextmanager
def flink_cluster(slots: int, run_dir: Path) -> Iterator[None]:
    env = {**os.environ, "FLINK_RUN_DIR": str(run_dir)}
    script = ROOT / "scripts" / "flink"
    subprocess.run(
        [script, "start", "--slots", str(slots), "--rest-port", str(FLINK_PORTS["rest"]),
         "--rpc-port", str(FLINK_PORTS["rpc"]), "--worker-port", str(FLINK_PORTS["worker"])],
        env=env, check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        yield
    finally:
        subprocess.run([script, "stop"], env=env, check=False)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="The same stories on every engine.")
    parser.add_argument("--files", type=int, default=1, help="reut2-*.sgm files (1: 1,000 stories)")
    parser.add_argument("--rounds", type=int, default=1)
    parser.add_argument("--engines", default=",".join(engine.name for engine in ALL))
    args = parser.parse_args(argv)
    chosen = [engine for engine in ALL if engine.name in args.engines.split(",")]
    files = sorted(CORPUS.glob("reut2-*.sgm"))[: args.files]
    work = Path(tempfile.mkdtemp(prefix="bench-engines-"))
    one_story = work / "one.txt"
    one_story.write_bytes((ROOT / "samples" / "stories" / "reuters-idlib-repost.txt").read_bytes())
    measured: dict[str, Measured] = {}
    expected = None
    try:
        for engine in chosen:
            reason = missing(engine)
            if reason:
                print(f"{engine.name}: left out: {reason}")
                continue
            found = measured[engine.name] = Measured()
            cluster = flink_cluster(engine.flink_slots, work / "flink")
            with cluster if engine.flink_slots else nullcontext():
                for _ in range(args.rounds):
                    output = work / engine.name
                    found.seconds.append(run(engine, files, output, found.peak_mb))
                    found.startup.append(run(engine, [one_story], work / "one", {}))
                    got = records(output)
                    expected = expected or got
                    found.stories = len(got[0])
                    found.same_records &= got == expected
            print(f"{engine.name}: done", flush=True)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    print(json.dumps({name: _report(m) for name, m in measured.items()}, indent=2))
    return 0


def _report(found: Measured) -> dict[str, object]:
    seconds = statistics.median(found.seconds)
    kinds: dict[str, list[float]] = {}  # of the long runs' processes (a round's are new ones)
    for kind, mb in found.peak_mb.values():
        kinds.setdefault(kind, []).append(mb)
    return {
        "stories": found.stories,
        "seconds": round(seconds, 1),
        "stories_per_second": round(found.stories / seconds, 1),
        "startup_seconds": round(statistics.median(found.startup), 1),
        "peak_mb": {kind: round(max(mbs)) for kind, mbs in sorted(kinds.items())},
        "processes": {kind: len(mbs) for kind, mbs in sorted(kinds.items())},
        "same_records_as_first": found.same_records,
    }


if __name__ == "__main__":
    sys.exit(main())
