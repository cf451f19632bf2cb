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
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import apache_beam as beam
from apache_beam.io.filesystem import BeamIOError
from apache_beam.io.filesystems import FileSystems
from apache_beam.metrics.metric import MetricsFilter
from apache_beam.options.pipeline_options import PipelineOptions, StandardOptions
from apache_beam.portability.api import beam_provision_api_pb2
from apache_beam.runners.portability.fn_api_runner import fn_runner
from apache_beam.runners.portability.portable_runner import JobServiceHandle
from apache_beam.runners.runner import PipelineResult, PipelineRunner, create_runner

from pipeline.clean.rules import build_rulebook
from pipeline.enrich.handler import check_model
from pipeline.errors import ConfigError
from pipeline.graph import Job, build
from pipeline.settings import load_settings
from pipeline.sink import summary as summaries
from pipeline.sink.transforms import DEAD_LETTER_DIR, STORIES_DIR, TEMP_DIR
from pipeline.stage import METRICS_NAMESPACE

# glibc's malloc gives each thread of a process an arena of its own, up to 8 a core, and
# keeps what is freed there for reuse. A Beam worker runs gRPC and bundle threads; with an
# arena each, a worker's memory grew all run long, to a peak of 714 MB over the Reuters
# corpus while its Python objects stayed under 100 MB. With two arenas a process it peaked
# at 512 MB, no slower (BENCHMARKS.md).
MALLOC_ARENAS = "2"
_M_ARENA_MAX = -8  # mallopt's parameter, from glibc's <malloc.h>


def launch(
    *,
    inputs: Sequence[str],
    output: str,
    config: str | None,
    format_name: str,
    overwrite: bool,
    beam_args: Sequence[str],
    known_flags: Iterable[str] = (),
) -> summaries.RunSummary:
    """Runs the pipeline to completion and returns its summary (also written to summary.json).

    Args:
        beam_args: the command-line arguments for Beam's ``PipelineOptions``.
        known_flags: our own flags, to suggest the closest one for a misspelt option.

    Raises:
        ConfigError: bad Beam options, configuration, inputs or output; nothing was run.
    """
    bound_malloc_arenas()
    options, runner = pipeline_options(beam_args, known_flags)
    settings = load_settings(config)
    book = build_rulebook(settings.clean)
    check_model(settings.enrich)
    started_at = datetime.now(UTC)
    job = Job(
        patterns=tuple(resolve_inputs(inputs)),
        output=output,
        format_name=format_name,
        settings=settings,
        book=book,
        run_id=f"{started_at:%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}",
        started_at=started_at,
    )
    prepare_output(output, overwrite=overwrite)

    pipeline = beam.Pipeline(runner=runner, options=options)
    build(pipeline, job)
    result = pipeline.run()
    result.wait_until_finish()

    counters = _counters(result)
    story_files = summaries.run_files(output, STORIES_DIR, job.run_id)
    dead_letter_files = summaries.run_files(output, DEAD_LETTER_DIR, job.run_id)
    summary = summaries.RunSummary(
        run_id=job.run_id,
        started_at=started_at.isoformat(),
        finished_at=datetime.now(UTC).isoformat(),
        inputs=list(inputs),
        output=output,
        files=counters.get("files", 0),
        read=counters.get("items_read", 0),
        written=summaries.count_records(story_files),
        dead_lettered=summaries.count_records(dead_letter_files),
        duplicates=counters.get("duplicates", 0),
        dead_letters_by_reason=summaries.dead_letter_reasons(dead_letter_files),
        story_files=story_files,
        dead_letter_files=dead_letter_files,
    )
    summaries.write_summary(output, summary)
    _delete_if_exists(FileSystems.join(output, TEMP_DIR))
    return summary


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
            return create_runner(name)  # what beam.Pipeline does with a runner name
        except (ValueError, ImportError, AttributeError) as error:
            raise ConfigError(f"--runner {name}: {error}") from error
    encoded = JobServiceHandle.encode_pipeline_options(options.get_all_options())
    info = beam_provision_api_pb2.ProvisionInfo(pipeline_options=encoded)
    return fn_runner.FnApiRunner(provision_info=fn_runner.ExtendedProvisionInfo(info))


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


def resolve_inputs(inputs: Sequence[str]) -> list[str]:
    """A pattern per input (a folder stands for everything under it), each checked to match
    at least one file."""
    patterns = []
    for given in inputs:
        pattern = given
        if os.path.isdir(given) or given.endswith("/"):
            pattern = FileSystems.join(given.rstrip("/"), "**")
        try:
            matched = FileSystems.match([pattern], limits=[1])[0].metadata_list
        except ValueError as error:  # no filesystem for this scheme
            raise ConfigError(f"--input {given}: {error}") from error
        except BeamIOError as error:
            raise ConfigError(f"--input {given}: cannot list it: {_first_cause(error)}") from error
        if not matched:
            raise ConfigError(f"--input {given}: no file matches")
        patterns.append(pattern)
    return patterns


def prepare_output(output: str, *, overwrite: bool) -> None:
    """Checks that ``output`` can be written to, and deals with an earlier run's files there:
    refused, or deleted with ``overwrite``."""
    try:
        previous = [
            meta.path
            for folder in (STORIES_DIR, DEAD_LETTER_DIR)
            for meta in FileSystems.match([FileSystems.join(output, folder, "*")])[0].metadata_list
        ]
        if previous and not overwrite:
            raise ConfigError(
                f"--output {output} already holds {len(previous)} files of an earlier run; "
                "pass --overwrite to replace them, or choose another folder"
            )
        if previous:
            FileSystems.delete(previous)
        probe = FileSystems.join(output, f".write-probe-{uuid.uuid4().hex}")
        FileSystems.create(probe).close()
        FileSystems.delete([probe])
    except ValueError as error:  # no filesystem for this scheme
        raise ConfigError(f"--output {output}: {error}") from error
    except (BeamIOError, OSError) as error:
        raise ConfigError(
            f"--output {output}: cannot write there: {_first_cause(error)}"
        ) from error


def _delete_if_exists(path: str) -> None:
    if FileSystems.exists(path):
        FileSystems.delete([path])


def _first_cause(error: Exception) -> str:
    """Beam wraps file-system errors in a dict of path -> exception; the first one says why."""
    causes = getattr(error, "exception_details", None)
    return str(next(iter(causes.values()))) if causes else str(error)


def _counters(result: PipelineResult) -> dict[str, int]:
    """Our counters summed over the steps that use them."""
    totals: dict[str, int] = {}
    query = result.metrics().query(MetricsFilter().with_namespace(METRICS_NAMESPACE))
    for counter in query["counters"]:
        value = counter.committed if counter.committed is not None else counter.attempted
        name = counter.key.metric.name
        totals[name] = totals.get(name, 0) + (value or 0)
    return totals
