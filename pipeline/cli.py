"""The ``wire-ingest`` command.

Run the pipeline on the stories shipped in the repository (local folders, no cloud account)::

    wire-ingest run --input samples/stories --output out/demo

On your own files: any number of ``--input`` paths, folders (read recursively) or globs
(``**`` recurses), plain or gzip-compressed::

    wire-ingest run --input 'feeds/2026-11-*/*.txt.gz' --input extra/ --output out/today

Options this command does not know are Beam pipeline options. Without ``--runner`` it runs on
Beam's local FnApiRunner; on two cores::

    wire-ingest run --input ... --output ... \\
        --direct_running_mode=multi_processing --direct_num_workers=2

Into an output that earlier runs wrote, ``--resume`` adds only what it does not hold yet::

    wire-ingest run --input feeds/ --output out/feeds --resume

Load an output into a warehouse (DuckDB, BigQuery, an Iceberg lake table, a Kafka topic), each
file once::

    wire-ingest load out/feeds --to duckdb:out/feeds.duckdb

Watch folders, buckets, Pub/Sub or Kafka and ingest what lands, until SIGINT or SIGTERM; the
same command again carries on where it stopped::

    wire-ingest watch --input feeds/ --input pubsub://projects/P/subscriptions/S \
        --output out/feeds

Publish the stories to a Kafka topic as they are committed (dead letters stay in --output)::

    wire-ingest watch --input kafka://broker:9092/wires --output out/feeds \
        --publish kafka://broker:9092/stories

See what a run did: ``OUTPUT/report.html``, written by every run and watcher, and one story
with what the cleaner cut shown in place (in the terminal, or as a page with ``--html``)::

    wire-ingest show out/feeds --source reuters-idlib-repost.txt

``python -m pipeline ...`` is the same command. Exit codes: 0 when every item read is
accounted for (written, dead-lettered or a counted duplicate), 2 for a bad command line or
configuration (one line on stderr, nothing run), 75 when another run or watcher is writing
into the output (one line; nothing run: try again later), 1 for anything else, which is a bug.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

from pipeline.errors import ConfigError
from pipeline.sink.lock import OutputBusy
from pipeline.parse.registry import AUTO, FORMAT_CHOICES
from pipeline.progress import MODES

if TYPE_CHECKING:
    from pipeline.sink.ledger import Commit
    from pipeline.sink.summary import RunSummary
    from pipeline.warehouse.targets import LoadReport, Target

PROG = "wire-ingest"
_WORKER_LOG_LEVEL = "default_sdk_harness_log_level"
EXIT_BUG = 1
EXIT_USAGE = 2
EXIT_TEMPFAIL = 75  # EX_TEMPFAIL: another run holds the output; schedulers retry


class _Parser(argparse.ArgumentParser):
    """argparse whose errors are one line (``wire-ingest: error: ...``) and exit code 2."""

    def error(self, message: str) -> NoReturn:
        raise ConfigError(message)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=PROG, description="Ingest news wire stories into clean, annotated Avro.")
    commands = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    run_parser = commands.add_parser(
        "run",
        help="run the pipeline over input files",
        description="Read stories, strip boilerplate, annotate with spaCy, write Avro. "
        "Options not listed here are Beam pipeline options (--runner, --direct_num_workers, "
        "--direct_running_mode, ...). Without --runner, Beam's local FnApiRunner runs it.",
    )
    _add_common_arguments(run_parser, "input file, folder (read recursively) or glob")
    run_parser.add_argument(
        "--progress",
        choices=MODES,
        default="auto",
        help="progress on stderr: a bar (on a terminal, the default), a log line every "
        "--progress-every seconds (elsewhere, the default), or off",
    )
    run_parser.add_argument(
        "--progress-every",
        type=_positive_seconds,
        default=10.0,
        metavar="SECONDS",
        help="how often a progress log line is written (default 10)",
    )
    replace = run_parser.add_mutually_exclusive_group()
    replace.add_argument(
        "--overwrite",
        action="store_true",
        help="replace the output of an earlier run in --output (refused otherwise)",
    )
    replace.add_argument(
        "--resume",
        action="store_true",
        help="add to the output of earlier runs only the files it does not hold yet",
    )
    watch_parser = commands.add_parser(
        "watch",
        help="ingest new files or messages as they arrive, until stopped",
        description="Watch folders, buckets, Pub/Sub subscriptions or Kafka topics and ingest "
        "what arrives, exactly once, into --output; run the same command again to carry on "
        "after a stop or a crash. SIGINT or SIGTERM: finish the batch in flight, write it, "
        "exit 0. Options not listed here are Beam pipeline options.",
    )
    _add_common_arguments(
        watch_parser,
        "folder (watched recursively), glob, pubsub://projects/P/subscriptions/S or "
        "kafka://HOST:PORT/TOPIC[?group=GROUP] (with the kafka extra)",
    )
    watch_parser.add_argument(
        "--idle-exit",
        type=_positive_seconds,
        metavar="SECONDS",
        help="stop once this many seconds pass with nothing new (default: run until stopped)",
    )
    watch_parser.add_argument(
        "--metrics-port",
        type=_port,
        metavar="PORT",
        help="serve Prometheus metrics at http://127.0.0.1:PORT/metrics (stories, dead "
        "letters by reason, duplicates, files finalized, latency, last file time, up)",
    )
    load_parser = commands.add_parser(
        "load",
        help="load an output's Avro files into a warehouse",
        description="Load the stories, dead letters and duplicates of an output into a "
        "warehouse, each file once (run it again, or on a schedule, to add what is new), and "
        "refresh its views current_stories, story_versions and story_clusters.",
    )
    load_parser.add_argument("output", metavar="OUTPUT", help="an output folder of run or watch")
    load_parser.add_argument(
        "--to",
        required=True,
        metavar="TARGET",
        help="duckdb:PATH (a DuckDB file, created), bigquery:PROJECT.DATASET (with the gcp "
        "extra), iceberg:PATH (Iceberg tables in a folder, with the lake extra) or "
        "kafka://HOST:PORT/TOPIC (the stories as Avro messages, with the kafka extra)",
    )
    show_parser = commands.add_parser(
        "show",
        help="show one story as it was cleaned, with the cuts in place",
        description="Show one story of an output as a person reads it: the kept text with "
        "what the cleaner cut shown where it stood, marked by its kind and rule; entities and "
        "quotes marked; the metadata beside it. Without --id or --source, list the stories.",
    )
    show_parser.add_argument("output", metavar="OUTPUT", help="an output folder of run or watch")
    which = show_parser.add_mutually_exclusive_group()
    which.add_argument("--id", dest="story_id", metavar="ID", help="the story's id (its latest "
                       "version)")  # fmt: skip
    which.add_argument(
        "--source",
        metavar="NAME",
        help="the file the story was read from: its name, or the end of its path",
    )
    show_parser.add_argument(
        "--html", metavar="FILE", help="write the story as a self-contained HTML page to FILE"
    )
    for command in (run_parser, watch_parser):
        # To suggest the closest flag for a misspelt one, which argparse leaves to Beam.
        own_flags = [flag for action in command._actions for flag in action.option_strings]
        command.set_defaults(own_flags=own_flags)
    return parser


def _add_common_arguments(parser: argparse.ArgumentParser, input_help: str) -> None:
    parser.add_argument(
        "--input",
        action="append",
        required=True,
        metavar="PATH_OR_GLOB",
        help=f"{input_help}; repeat for more. gzip files are recognised by their content. "
        "gs:// and pubsub:// need the gcp extra.",
    )
    parser.add_argument(
        "--output",
        required=True,
        metavar="DIR",
        help="output folder: stories/, dead_letter/, duplicates/ (*.avro) and summary.json",
    )
    parser.add_argument(
        "--config",
        metavar="FILE",
        help="TOML file overriding the shipped configs/default.toml key by key",
    )
    parser.add_argument(
        "--format",
        default=AUTO,
        choices=FORMAT_CHOICES,
        help=f"input format (default {AUTO}: recognised from each item's content)",
    )
    parser.add_argument(
        "--load-to",
        "--publish",
        dest="load_to",
        metavar="TARGET",
        help="also load the output into this warehouse, or publish its stories to this topic, "
        "as its files are committed: duckdb:PATH, bigquery:PROJECT.DATASET, iceberg:PATH or "
        "kafka://HOST:PORT/TOPIC (as wire-ingest load)",
    )
    parser.add_argument(
        "--log-level",
        default="WARNING",
        choices=("DEBUG", "INFO", "WARNING", "ERROR"),
        help="how much Beam and wire-ingest log on stderr (default WARNING)",
    )


def _positive_seconds(text: str) -> float:
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise argparse.ArgumentTypeError(f"expected a number of seconds above 0, got {text!r}")
    return seconds


def _port(text: str) -> int:
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise argparse.ArgumentTypeError(f"expected a port number from 1 to 65535, got {text!r}")
    return int(text)


def run(argv: Sequence[str] | None = None) -> RunSummary | LoadReport | None:
    """Parses ``argv`` (without the program name), runs the command, returns its summary
    (None for ``show``, which prints what it shows).

    Raises:
        ConfigError: a bad command line, configuration, input or output; nothing was run.
    """
    parser = build_parser()
    args, beam_args = parser.parse_known_args(argv)
    if args.command == "load":
        if beam_args:
            raise ConfigError(f"unrecognized arguments: {' '.join(beam_args)}")
        _import_beam_quietly()  # the loaders read the output's layout from the write stage
        return _load(args.output, args.to)
    if args.command == "show":
        _import_beam_quietly()  # the view reads the output through Beam's file systems
        _show(args.output, args.story_id, args.source, args.html)
        return None
    logging.getLogger().setLevel(args.log_level)
    if not any(arg.startswith(f"--{_WORKER_LOG_LEVEL}") for arg in beam_args):
        # Worker processes (--direct_running_mode=multi_processing, remote runners) log on
        # their own; at WARNING each repeats Beam's harmless import and model-load warnings.
        worker_level = "ERROR" if args.log_level == "WARNING" else args.log_level
        beam_args.append(f"--{_WORKER_LOG_LEVEL}={worker_level}")
    _import_beam_quietly()
    from pipeline.warehouse.targets import open_target

    load_to = open_target(args.load_to) if args.load_to else None
    if args.command == "watch":
        return _watch(args, beam_args, load_to)
    from pipeline.launch import launch

    return launch(
        inputs=args.input,
        output=args.output,
        config=args.config,
        format_name=args.format,
        overwrite=args.overwrite,
        resume=args.resume,
        load_to=load_to,
        beam_args=beam_args,
        known_flags=args.own_flags,
        progress_mode=args.progress,
        progress_every=args.progress_every,
    )


def _load(output: str, spec: str) -> LoadReport:
    from pipeline.warehouse.targets import open_target

    _check_output(output)
    return open_target(spec).load(output)


def _show(output: str, story_id: str | None, source: str | None, html: str | None) -> None:
    from rich.console import Console

    from pipeline.view import story

    _check_output(output)
    if story_id is None and source is None:
        for record in story.stories(output):
            print(story.line(record))
        return
    view = story.find(output, story_id=story_id, source=source)
    if html is None:
        story.print_story(view, Console(highlight=False))
        return
    try:
        Path(html).write_text(story.story_page(view), encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"{html}: cannot write the page: {error.strerror}") from error
    print(f"{PROG}: wrote {html}")


def _check_output(output: str) -> None:
    if not Path(output, "_state").is_dir():
        raise ConfigError(f"{output}: not an output of wire-ingest run or watch (no _state/)")


def _watch(args: argparse.Namespace, beam_args: list[str], load_to: Target | None) -> RunSummary:
    """Runs the watcher; SIGINT and SIGTERM stop it after the batch in flight. With a load
    target, what the output holds is loaded first, then each commit's files as they land."""
    from pipeline.watch import open_watcher

    def on_commit(commit: Commit) -> None:
        _print_commit(commit)
        if load_to is not None:
            _load_while_watching(load_to, args.output)

    watcher = open_watcher(
        inputs=args.input,
        output=args.output,
        config=args.config,
        format_name=args.format,
        idle_exit=args.idle_exit,
        beam_args=beam_args,
        known_flags=args.own_flags,
        on_commit=on_commit,
        metrics_port=args.metrics_port,
    )
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, lambda _signum, _frame: watcher.stop())
    print(
        f"{PROG}: watching {', '.join(args.input)} -> {args.output} "
        f"({watcher.totals.read} items there already)",
        flush=True,
    )
    if load_to is not None:
        _load_while_watching(load_to, args.output)
    return watcher.run()


def _load_while_watching(target: Target, output: str) -> None:
    """Loads what the output holds and the target does not; a target another process holds
    is tried again after the next commit (the watcher goes on)."""
    try:
        print(f"{PROG}: {target.load(output).line()}", flush=True)
    except OutputBusy as error:
        print(f"{PROG}: busy: {error}; trying again after the next batch", flush=True)


def _print_commit(commit: Commit) -> None:
    """One line per file a batch put into the output."""
    counts = commit.counts
    stamp = commit.committed_at[:23]
    if not commit.files:  # files whose items were all skipped (a JSON Lines file of blank lines)
        print(f"{stamp} {counts.files} files, {counts.read} items: nothing to write", flush=True)
    for final in commit.files:
        print(
            f"{stamp} {final}: from {counts.files} files, {counts.read} items: "
            f"{counts.written} stories, {counts.dead_lettered} dead letters, "
            f"{counts.duplicates} duplicates",
            flush=True,
        )


class _KnownNoise(logging.Filter):
    """Drops a warning Beam logs on every model load when PyTorch is absent: RunInference
    imports ``resource`` together with a torch-only module, and then reports ``resource`` as
    unavailable. Nothing is wrong with the run."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Resource module is not available")


def main(argv: Sequence[str] | None = None) -> int:
    logging.basicConfig(format="%(levelname)s %(name)s: %(message)s", level=logging.WARNING)
    for handler in logging.getLogger().handlers:
        handler.addFilter(_KnownNoise())
    try:
        summary = run(argv)
    except ConfigError as error:
        print(f"{PROG}: error: {error}", file=sys.stderr)
        return EXIT_USAGE
    except OutputBusy as error:
        print(f"{PROG}: busy: {error}", file=sys.stderr)
        return EXIT_TEMPFAIL
    from pipeline.warehouse.targets import LoadReport  # the command has imported it by now

    if summary is None:
        return 0
    if isinstance(summary, LoadReport):
        print(f"{PROG}: {summary.line()}")
        return 0
    print(format_summary(summary))
    if not summary.balanced:
        print(
            f"{PROG}: BUG: {summary.counts.read} items read, but {summary.counts.written} "
            f"written + {summary.counts.dead_lettered} dead-lettered + "
            f"{summary.counts.duplicates} duplicates (or the output's totals do not add up); "
            "please report it with the summary.json",
            file=sys.stderr,
        )
        return EXIT_BUG
    return 0


def format_summary(summary: RunSummary) -> str:
    counts = summary.counts
    reasons = ", ".join(f"{key}: {count}" for key, count in counts.dead_letters_by_reason.items())
    lines = [
        f"{PROG}: read {counts.read} items from {counts.files} files: "
        f"{counts.written} written, {counts.dead_lettered} dead-lettered"
        + (f" ({reasons})" if reasons else "")
        + f", {counts.duplicates} duplicates",
        f"  stories:      {', '.join(summary.story_files) or '(none)'}",
        f"  dead letters: {', '.join(summary.dead_letter_files) or '(none)'}",
    ]
    if summary.duplicate_files:
        lines.append(f"  duplicates:   {', '.join(summary.duplicate_files)}")
    if summary.totals != counts:
        totals = summary.totals
        lines.append(
            f"  in the output: {totals.read} items: {totals.written} stories, "
            f"{totals.dead_lettered} dead letters, {totals.duplicates} duplicates"
        )
    if summary.load is not None:
        from pipeline.warehouse.targets import rows_added  # imported by the run's load

        lines.append(
            f"  loaded:       {summary.load['files_loaded']} files into "
            f"{summary.load['target']} ({rows_added(summary.load['rows'])})"
        )
    lines.append(f"  summary:      {summary.output.rstrip('/')}/summary.json")
    lines.append(f"  report:       {summary.output.rstrip('/')}/report.html")
    return "\n".join(lines)


def _import_beam_quietly() -> None:
    """Imports Beam with its import-time warnings muted: it warns about optional Google Cloud
    clients (apitools) that a local run does not use."""
    logging.disable(logging.WARNING)
    try:
        import apache_beam  # noqa: F401
    finally:
        logging.disable(logging.NOTSET)
