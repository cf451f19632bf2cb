"""Launching one run: check everything, build and run the pipeline, summarise what it wrote.

Every check that can fail on a user's mistake (arguments, configuration, model, inputs,
output folder) runs before the pipeline is built and raises ``ConfigError``.
"""

from __future__ import annotations

import ctypes
import difflib
import logging
import os
import sys
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

import apache_beam as beam
from apache_beam.io.filesystem import BeamIOError
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import (
    FlinkRunnerOptions,
    PipelineOptions,
    PrismRunnerOptions,
    StandardOptions,
)
from apache_beam.portability.api import beam_provision_api_pb2
from apache_beam.runners.portability.fn_api_runner import fn_runner
from apache_beam.runners.portability.portable_runner import JobServiceHandle
from apache_beam.runners.runner import PipelineResult, PipelineRunner, create_runner
from apache_beam.version import __version__ as BEAM_VERSION

from pipeline import progress
from pipeline.clean.rules import build_rulebook
from pipeline.enrich.handler import SPACY_METRICS_NAMESPACE, check_model
from pipeline.errors import ConfigError, SourceError
from pipeline.graph import Job, build
from pipeline.inputs import FolderInput, open_input
from pipeline.inputs.folder import first_cause
from pipeline.records import Delivery
from pipeline.settings import load_settings
from pipeline.sink import summary as summaries
from pipeline.sink.ledger import STATE_DIR, Commit, Counts, KnownStories, Ledger, story_key_digest
from pipeline.sink.lock import LOCK_FILE, OutputLock
from pipeline.sink.transforms import (
    CLUSTERS_DIR,
    CLUSTERS_SUFFIX,
    DEAD_LETTER_DIR,
    DUPLICATES_DIR,
    OUTPUT_DIRS,
    PARTITION,
    STORIES_DIR,
    SUFFIX,
)
from pipeline.stage import METRICS_NAMESPACE, STAGE_MICROS
from pipeline.view.report import REPORT_FILE, report_run
from pipeline.warehouse.targets import Target

# glibc's malloc gives each thread of a process an arena of its own, up to 8 a core, and
# keeps what is freed there for reuse. A Beam worker runs gRPC and bundle threads; with an
# arena each, a worker's memory grew all run long, to a peak of 714 MB over the Reuters
# corpus while its Python objects stayed under 100 MB. With two arenas a process it peaked
# at 512 MB, no slower (BENCHMARKS.md).
MALLOC_ARENAS = "2"
_M_ARENA_MAX = -8  # mallopt's parameter, from glibc's <malloc.h>

# Where scripts/engines stages what the distributed runners need (ENGINES in scripts/_env.sh).
ENGINES = Path(os.environ.get("WIRE_INGEST_ENGINES") or Path(__file__).parents[1] / ".engines")


@dataclass(frozen=True)
class StagedPart:
    """A part a runner downloads at run time unless its option names one: the job server jar
    of the SDK's own Beam version from Maven Central, the Prism binary from GitHub."""

    options: type[PipelineOptions]
    option: str
    pattern: str  # under ENGINES; {version} is the SDK's Beam version


STAGED_PARTS = {
    "FlinkRunner": StagedPart(
        FlinkRunnerOptions,
        "flink_job_server_jar",
        "beam-{version}/beam-runners-flink-*-job-server-{version}.jar",
    ),
    "PrismRunner": StagedPart(PrismRunnerOptions, "prism_location", "prism-{version}/prism"),
}


def launch(
    *,
    inputs: Sequence[str],
    output: str,
    config: str | None,
    format_name: str,
    overwrite: bool,
    resume: bool = False,
    load_to: Target | None = None,
    beam_args: Sequence[str],
    known_flags: Iterable[str] = (),
    progress_mode: str = "off",
    progress_every: float = 10.0,
) -> summaries.RunSummary:
    """Runs the pipeline once over ``inputs`` and returns its summary (also in summary.json).

    Args:
        resume: ingest only the files the output's ledger does not hold yet.
        load_to: a warehouse to load the output into once the run's files are committed
            (everything it does not hold yet: a run whose load failed is completed by the next).
        beam_args: the command-line arguments for Beam's ``PipelineOptions``.
        known_flags: our own flags, to suggest the closest one for a misspelt option.
        progress_mode: how the run shows its progress (``pipeline.progress.MODES``), a log
            line every ``progress_every`` seconds where it is ``log``.

    Raises:
        ConfigError: bad Beam options, configuration, inputs or output; nothing was run.
    """
    started_at = datetime.now(UTC)
    session = prepare(config, format_name, beam_args, known_flags)
    deliveries = list_inputs(inputs, output, allow_empty=resume)
    ledger = prepare_output(output, overwrite=overwrite, resume=resume, writer="wire-ingest run")
    try:
        new = unique_new(deliveries, ledger)
        commits = []
        if new:
            with progress.shown(len(new), progress_mode, progress_every):
                commits.append(run_batch(session, ledger, new))
        counts = commits[0].counts if commits else Counts()
        run_id = commits[0].batch_id if commits else f"{started_at:%Y%m%dT%H%M%SZ}-nothing-new"
        summary = summarise(run_id, started_at, inputs, ledger, counts, commits)
        summaries.write_summary(output, summary)
        if load_to is not None:
            summary = replace(summary, load=load_to.load(output).to_json())
            summaries.write_summary(output, summary)
        # A scheduled --resume finds nothing new on most ticks: its report would be an empty
        # page in place of the last run's charts and samples, so that one stays.
        if commits or not FileSystems.exists(FileSystems.join(output, REPORT_FILE)):
            report_run(summary)
    finally:
        ledger.close()
    return summary


@dataclass(frozen=True)
class Session:
    """What every batch of one run or watcher shares: checked once, before the first batch.

    The Beam options are kept as the arguments they came from, and every batch parses its
    own: Beam changes the options a pipeline runs with (the portable runners clear
    ``runner``), and a watcher's second batch on shared options ran on the FnApiRunner.
    """

    job: Job
    beam_args: tuple[str, ...]

    def options(self) -> tuple[PipelineOptions, PipelineRunner]:
        """Fresh options for one batch, and the runner they name."""
        return pipeline_options(self.beam_args)


def prepare(
    config: str | None,
    format_name: str,
    beam_args: Sequence[str],
    known_flags: Iterable[str] = (),
) -> Session:
    """Checks the Beam options, configuration and model.

    Raises:
        ConfigError: any of them is bad.
    """
    bound_malloc_arenas()
    pipeline_options(beam_args, known_flags)
    settings = load_settings(config)
    book = build_rulebook(settings.clean, settings.agencies)
    check_model(settings.enrich)
    return Session(Job(format_name, settings, book), tuple(beam_args))


def run_batch(session: Session, ledger: Ledger, deliveries: Sequence[Delivery]) -> Commit:
    """Runs the pipeline over one batch into its staging folder, then commits it.

    Raises:
        RuntimeError: the batch does not add up: a bug, which stops the run before anything
            is committed (its deliveries are read again next time).
    """
    now = datetime.now(UTC)
    batch_id = f"{now:%Y%m%dT%H%M%S}{now.microsecond // 1000:03d}Z-{uuid.uuid4().hex[:8]}"
    staging = ledger.staging(batch_id)
    known = KnownStories(ledger.output, ledger.state.seq)
    pipeline = batch_pipeline(session, deliveries, staging, batch_id, now, known)
    result = pipeline.run()
    result.wait_until_finish()

    counters, stage_seconds = _metrics(result)
    staged = {folder: _files(FileSystems.join(staging, folder)) for folder in OUTPUT_DIRS}
    dead_letter_files = staged[DEAD_LETTER_DIR]
    counts = Counts(
        files=counters.get("files", 0),
        read=counters.get("items_read", 0),
        written=summaries.count_records(staged[STORIES_DIR]),
        dead_lettered=summaries.count_records(dead_letter_files),
        duplicates=counters.get("duplicates", 0) + summaries.count_records(staged[DUPLICATES_DIR]),
        dead_letters_by_reason=summaries.dead_letter_reasons(dead_letter_files),
        stage_seconds=stage_seconds,
    )
    if not counts.balanced:
        raise RuntimeError(
            f"batch {batch_id}: {counts.read} items read, but {counts.written} written + "
            f"{counts.dead_lettered} dead-lettered + {counts.duplicates} duplicates; "
            "nothing was committed. This is a bug: please report it"
        )
    written = {story_key_digest(key) for key in summaries.story_keys(staged[STORIES_DIR])}
    # Index entries of the stories written (not of one the enrich stage dead-lettered).
    entries = summaries.json_lines(_files(FileSystems.join(staging, CLUSTERS_DIR), CLUSTERS_SUFFIX))
    return ledger.commit(
        batch_id,
        partition=f"{PARTITION}={now:%Y-%m-%d}",
        deliveries=[delivery.key for delivery in deliveries],
        story_keys=sorted(written),
        clusters=[entry for entry in entries if entry["key"] in written],
        staged=[
            f"{folder}/{FileSystems.split(path)[1]}"
            for folder, paths in staged.items()
            for path in paths
        ],
        counts=counts,
    )


def batch_pipeline(
    session: Session,
    deliveries: Sequence[Delivery],
    staging: str,
    batch_id: str,
    now: datetime,
    known: KnownStories,
) -> beam.Pipeline:
    """The pipeline of one batch on the session's runner, not run yet (scripts/dataflow.py
    translates it for Dataflow without running it)."""
    options, runner = session.options()
    pipeline = beam.Pipeline(runner=runner, options=options)
    build(pipeline, session.job, deliveries, staging=staging, batch_id=batch_id,
          ingested_at=now, known=known)  # fmt: skip
    return pipeline


def summarise(
    run_id: str,
    started_at: datetime,
    inputs: Sequence[str],
    ledger: Ledger,
    counts: Counts,
    commits: Sequence[Commit],
) -> summaries.RunSummary:
    """A run's (or a watcher's) ``counts``, the output's totals and the files ``commits`` wrote
    (a run's one commit; a watcher's latest)."""
    files = files_written(ledger.output, commits)
    return summaries.RunSummary(
        run_id=run_id,
        started_at=started_at.isoformat(),
        finished_at=datetime.now(UTC).isoformat(),
        inputs=list(inputs),
        output=ledger.output,
        counts=counts,
        totals=ledger.state.totals,
        story_files=files[STORIES_DIR],
        dead_letter_files=files[DEAD_LETTER_DIR],
        duplicate_files=files[DUPLICATES_DIR],
    )


def files_written(output: str, commits: Iterable[Commit]) -> dict[str, list[str]]:
    """The paths of the files ``commits`` put into ``output``, by folder (``OUTPUT_DIRS``)."""
    files: dict[str, list[str]] = {folder: [] for folder in OUTPUT_DIRS}
    for commit in commits:
        for final in commit.files:
            files[final.split("/", 1)[0]].append(FileSystems.join(output, final))
    return files


def unique_new(deliveries: Iterable[Delivery], ledger: Ledger) -> list[Delivery]:
    """The deliveries the ledger does not hold, each once (inputs may overlap)."""
    seen: set[str] = set()
    new = []
    for delivery in deliveries:
        if delivery.key not in seen and not ledger.is_done(delivery.key):
            seen.add(delivery.key)
            new.append(delivery)
    return new


def bound_malloc_arenas() -> None:
    """Two malloc arenas for this process and the worker processes it starts, unless
    MALLOC_ARENA_MAX is set already (then glibc has read it at this process's start).

    Workers read the variable when they start; this process, started before, is told by
    ``mallopt``, which holds for the threads that start afterwards, Beam's among them.
    """
    if "MALLOC_ARENA_MAX" in os.environ or not sys.platform.startswith("linux"):
        return
    os.environ["MALLOC_ARENA_MAX"] = MALLOC_ARENAS
    mallopt = getattr(ctypes.CDLL(None), "mallopt", None)  # glibc's; musl has one that does nothing
    if mallopt is not None:
        mallopt(_M_ARENA_MAX, int(MALLOC_ARENAS))


def pipeline_options(
    beam_args: Sequence[str], known_flags: Iterable[str] = ()
) -> tuple[PipelineOptions, PipelineRunner]:
    """Beam's options from ``beam_args``, and the runner they name (or the offline default).

    Arguments Beam does not know either are an error here, where Beam itself would only log
    a warning and drop them. The runner is created first because a runner's module defines
    its own options (the DaskRunner's --dask_client_address, for one).
    """
    # Beam warns about the arguments it discards; they are reported below as an error instead.
    beam_log = logging.getLogger(PipelineOptions.__module__)
    beam_log.disabled = True
    try:
        options = PipelineOptions(list(beam_args))
        runner = offline_runner(options)
        beam_names = set(options.get_all_options())
        unknown = set(options.get_all_options(retain_unknown_options=True)) - beam_names
    finally:
        beam_log.disabled = False
    if unknown:
        flag = "--" + sorted(unknown)[0]
        candidates = [*known_flags, *("--" + name for name in beam_names)]
        close = difflib.get_close_matches(flag, candidates, n=1)
        raise ConfigError(
            f"unknown option {flag}" + (f"; did you mean {close[0]}?" if close else "")
        )
    stray = _first_stray(beam_args)
    if stray is not None:
        raise ConfigError(f"unexpected argument {stray!r}")
    return options, runner


def offline_runner(options: PipelineOptions) -> PipelineRunner:
    """The runner --runner names, else Beam's FnApiRunner.

    Beam's DirectRunner tries to download and start the Prism runner on every run before it
    falls back to the FnApiRunner; choosing the FnApiRunner ourselves never touches the
    network. It is set up as the DirectRunner sets it up, so --direct_num_workers and
    --direct_running_mode work as documented.
    """
    name = options.view_as(StandardOptions).runner
    if name:
        try:
            runner = create_runner(name)  # what beam.Pipeline does with a runner name
        except (ValueError, ImportError, AttributeError) as error:
            raise ConfigError(f"--runner {name}: {error}") from error
        part = STAGED_PARTS.get(type(runner).__name__)
        if part is not None:
            _use_staged(options, name, part)
        return runner
    encoded = JobServiceHandle.encode_pipeline_options(options.get_all_options())
    info = beam_provision_api_pb2.ProvisionInfo(pipeline_options=encoded)
    return fn_runner.FnApiRunner(provision_info=fn_runner.ExtendedProvisionInfo(info))


def _use_staged(options: PipelineOptions, runner: str, part: StagedPart) -> None:
    """Points ``part``'s option at the staged copy, unless the user named one.

    Raises:
        ConfigError: nothing is staged for this Beam version.
    """
    view = options.view_as(part.options)
    if getattr(view, part.option):
        return
    pattern = part.pattern.format(version=BEAM_VERSION)
    staged = sorted(ENGINES.glob(pattern))
    if not staged:
        raise ConfigError(
            f"--runner {runner}: nothing staged for Beam {BEAM_VERSION} at {ENGINES / pattern}; "
            f"scripts/engines stages it (Flink's for .venv-flink), or pass --{part.option}"
        )
    setattr(view, part.option, str(staged[-1]))


def _first_stray(args: Sequence[str]) -> str | None:
    """The first argument that is neither an option nor the value of one."""
    expects_value = False
    for arg in args:
        if arg.startswith("-"):
            expects_value = "=" not in arg
        elif expects_value:
            expects_value = False
        else:
            return arg
    return None


def list_inputs(inputs: Sequence[str], output: str, *, allow_empty: bool = False) -> list[Delivery]:
    """Every file the inputs name now; each must name at least one, unless ``allow_empty``
    (a scheduled ``--resume`` run over a drop folder that may be empty).

    Raises:
        ConfigError: an input matches nothing, cannot be listed or is not a file input.
    """
    deliveries = []
    for given in inputs:
        source = open_input(given, output=output)
        if not isinstance(source, FolderInput):
            raise ConfigError(f"--input {given}: wire-ingest run reads files; watch reads this")
        try:
            found = source.poll()
        except SourceError as error:
            raise ConfigError(str(error)) from error
        if not found and not allow_empty:
            raise ConfigError(f"--input {given}: no file matches")
        deliveries.extend(found)
    return deliveries


def prepare_output(output: str, *, overwrite: bool, resume: bool, writer: str) -> Ledger:
    """Takes the output's writer lock for ``writer`` (the command, as a second writer is told),
    checks that ``output`` can be written to, deals with what earlier runs left there
    (refused; deleted with ``overwrite``; carried on from with ``resume``), and opens its
    ledger, which holds the lock until it is closed.

    Raises:
        OutputBusy: another run or watcher is writing there.
        ConfigError: the output cannot be written, or holds what it may not.
    """
    with _output_errors(output):
        previous = _earlier_files(output)
        if previous and not (overwrite or resume):
            raise ConfigError(
                f"--output {output} already holds {len(previous)} files of an earlier run; "
                "pass --resume to add only what is new, --overwrite to replace them, "
                "or choose another folder"
            )
        lock = OutputLock.acquire(FileSystems.join(output, STATE_DIR), writer)
    try:
        with _output_errors(output):
            if previous and overwrite:
                FileSystems.delete(previous)
            probe = FileSystems.join(output, f".write-probe-{uuid.uuid4().hex}")
            FileSystems.create(probe).close()
            FileSystems.delete([probe])
            ledger = Ledger.open(output, lock)
    except BaseException:
        if lock is not None:
            lock.release()
        raise
    if previous and resume and not ledger.exists:
        ledger.close()
        raise ConfigError(
            f"--output {output} holds files but no ledger ({STATE_DIR}/): they were written "
            "by a wire-ingest without one; pass --overwrite to replace them"
        )
    return ledger


def _earlier_files(output: str) -> list[str]:
    """What earlier runs wrote into ``output`` (not the lock file, which stays)."""
    lock_file = FileSystems.join(output, STATE_DIR, LOCK_FILE)
    return [
        meta.path
        for folder in (*OUTPUT_DIRS, STATE_DIR)
        for meta in FileSystems.match([FileSystems.join(output, folder, "**")])[0].metadata_list
        if meta.path != lock_file
    ]


@contextmanager
def _output_errors(output: str) -> Iterator[None]:
    """Filesystem errors about ``output`` as the one-line ConfigError they are for a user."""
    try:
        yield
    except ValueError as error:  # no filesystem for this scheme
        raise ConfigError(f"--output {output}: {error}") from error
    except (BeamIOError, OSError) as error:
        raise ConfigError(f"--output {output}: cannot write there: {first_cause(error)}") from error


def _files(folder: str, suffix: str = SUFFIX) -> list[str]:
    pattern = FileSystems.join(folder, f"*{suffix}")
    return sorted(meta.path for meta in FileSystems.match([pattern])[0].metadata_list)


def _metrics(result: PipelineResult) -> tuple[dict[str, int], dict[str, float]]:
    """Our counters summed over the steps that use them, and the seconds each stage's step
    took over all its items (spaCy's: RunInference's latency of its batches). Runners that
    report no metrics (Flink's portable runner) give none."""
    totals: dict[str, int] = {}
    seconds: dict[str, float] = {}
    namespaces = [METRICS_NAMESPACE, SPACY_METRICS_NAMESPACE]
    query = result.metrics().query(MetricsFilter().with_namespaces(namespaces))
    for counter in query["counters"]:
        value = counter.committed if counter.committed is not None else counter.attempted
        name = counter.key.metric.name
        totals[name] = totals.get(name, 0) + (value or 0)
    for distribution in query["distributions"]:
        value = distribution.committed or distribution.attempted
        name = distribution.key.metric.name
        if name.startswith(STAGE_MICROS):
            stage = name.removeprefix(STAGE_MICROS)
        elif name == "inference_batch_latency_micro_secs":
            stage = "spacy"
        else:
            continue
        seconds[stage] = seconds.get(stage, 0.0) + (value.sum if value else 0) / 1e6
    return totals, {stage: round(value, 3) for stage, value in sorted(seconds.items())}
