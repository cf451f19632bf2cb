"""Packaging wire-ingest for Google Cloud Dataflow (README, "Dataflow"): the wheel, the Flex
Template's metadata and spec, and a check that the job translates for Dataflow.

    python scripts/dataflow.py wheel [--dist dist]
    python scripts/dataflow.py metadata            # rewrites configs/dataflow/metadata.json
    python scripts/dataflow.py spec --image IMAGE --to gs://BUCKET/templates/wire-ingest.json
    python scripts/dataflow.py translate --template-location gs://BUCKET/t/job.json -- \\
        --input gs://BUCKET/in/ --output gs://BUCKET/out --runner DataflowRunner \\
        --project PROJECT --region REGION --temp_location gs://BUCKET/tmp \\
        --sdk_location container --extra_package dist/wire_ingest-0.1.0-py3-none-any.whl

``spec`` writes what ``gcloud dataflow flex-template build --image IMAGE`` writes, from the
same metadata, to a local path or a bucket. ``translate`` builds the job of ``wire-ingest
run`` with those arguments for the DataflowRunner and stages it as a classic template
(``--template_location``: the job's JSON, its pipeline and the wheel are written to Cloud
Storage, and no job is submitted), which checks before a launch that the graph translates,
that the options are Dataflow's and that staging works; against an emulator, set
``STORAGE_EMULATOR_HOST``. Errors are one line and exit code 2.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
METADATA = REPO / "configs" / "dataflow" / "metadata.json"


def wheel(dist: Path) -> Path:
    """Builds wire-ingest's wheel (schemas, configs and models inside, the spaCy model a
    dependency) into ``dist``."""
    dist.mkdir(parents=True, exist_ok=True)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", str(REPO), "-w", str(dist)],
        capture_output=True, text=True,
    )  # fmt: skip
    if built.returncode != 0:
        raise SystemExit(f"dataflow: error: pip wheel failed: {built.stderr.strip()}")
    return max(dist.glob("wire_ingest-*.whl"), key=lambda path: path.stat().st_mtime)


def write(path: str, document: dict[str, object]) -> None:
    from apache_beam.io.filesystems import FileSystems

    import pipeline  # noqa: F401  (the emulator's credentials, pipeline/emulators.py)

    with FileSystems.create(path, mime_type="application/json") as handle:
        handle.write((json.dumps(document, indent=2) + "\n").encode("utf-8"))


def translate(run_args: list[str], template_location: str) -> None:
    """Builds ``wire-ingest run RUN_ARGS`` for the DataflowRunner into a template file."""
    from apache_beam.io.filesystems import FileSystems
    from apache_beam.runners.dataflow.dataflow_runner import DataflowRunner

    from pipeline.cli import build_parser
    from pipeline.errors import ConfigError
    from pipeline.launch import batch_pipeline, list_inputs, prepare
    from pipeline.sink.ledger import KnownStories

    args, beam_args = build_parser().parse_known_args(["run", *run_args])
    beam_args += ["--template_location", template_location]
    session = prepare(args.config, args.format, beam_args, args.own_flags)
    if not isinstance(session.options()[1], DataflowRunner):
        raise ConfigError("translate needs --runner DataflowRunner")
    deliveries = list_inputs(args.input, args.output, allow_empty=True)
    staging = FileSystems.join(args.output, ".tmp", "translate")
    known = KnownStories(args.output, 0)
    now = datetime.now(UTC)
    batch_pipeline(session, deliveries, staging, "translate", now, known).run()
    print(f"translated {len(deliveries)} deliveries into a Dataflow job: {template_location}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    wheel_parser = commands.add_parser("wheel", help="build the wheel")
    wheel_parser.add_argument("--dist", type=Path, default=REPO / "dist")
    commands.add_parser("metadata", help=f"write {METADATA.relative_to(REPO)}")
    spec_parser = commands.add_parser("spec", help="write the Flex Template's spec file")
    spec_parser.add_argument("--image", required=True, help="the template image's name")
    spec_parser.add_argument("--to", required=True, help="a local path or gs://...")
    translate_parser = commands.add_parser("translate", help="translate the job, not run it")
    translate_parser.add_argument("--template-location", required=True)
    translate_parser.add_argument("run_args", nargs=argparse.REMAINDER)
    args = parser.parse_args(argv)

    from pipeline.errors import ConfigError
    from pipeline.flex_template import metadata, spec

    try:
        if args.command == "wheel":
            print(wheel(args.dist))
        elif args.command == "metadata":
            METADATA.write_text(json.dumps(metadata(), indent=2) + "\n", encoding="utf-8")
            print(METADATA)
        elif args.command == "spec":
            write(args.to, spec(args.image))
            print(args.to)
        else:
            translate([arg for arg in args.run_args if arg != "--"], args.template_location)
    except ConfigError as error:
        print(f"dataflow: error: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
