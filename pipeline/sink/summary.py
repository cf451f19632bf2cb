"""The run summary: what came in, what went out, and whether every item is accounted for.

Items read and duplicates merged come from the pipeline's counters; stories written, dead
letters and duplicate records come from counting the records in the files a batch wrote, so
the summary reports what a reader will find, and ``read = written + dead-lettered +
duplicates`` checks that nothing was lost on the way. ``summary.json`` holds the counts of
the run (or of the watcher since it started) and the totals of everything in the output.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Any

import fastavro
from apache_beam.io.filesystems import FileSystems

from pipeline.identify.identity import identity_key
from pipeline.sink.avro import STORY_SCHEMA, load_schema
from pipeline.sink.ledger import Counts, write_atomically

SUMMARY_FILE = "summary.json"


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    started_at: str
    finished_at: str
    inputs: list[str]
    output: str
    counts: Counts  # this run's (or this watcher's, since it started)
    totals: Counts  # everything committed to the output, by every run
    story_files: list[str]  # the files this run wrote
    dead_letter_files: list[str]
    duplicate_files: list[str]
    # With --load-to: what the last load did (target, files loaded, rows added by table).
    load: dict[str, Any] | None = None

    @property
    def balanced(self) -> bool:
        return self.counts.balanced and self.totals.balanced

    def to_json(self) -> str:
        data = asdict(self)
        run_counts = data.pop("counts")
        totals = data.pop("totals")
        return (
            json.dumps(
                {
                    **data,
                    **run_counts,
                    "balanced": self.balanced,
                    "totals": {**totals, "balanced": self.totals.balanced},
                },
                indent=2,
            )
            + "\n"
        )


def count_records(paths: Iterable[str]) -> int:
    """Records in Avro files, from block headers, without decoding the records."""
    total = 0
    for path in paths:
        with FileSystems.open(path) as handle:
            total += sum(block.num_records for block in fastavro.block_reader(handle))
    return total


def story_keys(paths: Iterable[str]) -> list[str]:
    """The duplicate key of every story in ``paths``, reading only the fields it is made of."""
    schema = load_schema(STORY_SCHEMA)
    wanted = [field for field in schema["fields"] if field["name"] in _KEY_FIELDS]
    projection = {**schema, "fields": wanted}
    keys = []
    for path in paths:
        with FileSystems.open(path) as handle:
            for record in fastavro.reader(handle, reader_schema=projection):
                keys.append(identity_key(record["id"], record["version"], record["content_sha256"]))
    return keys


_KEY_FIELDS = ("id", "version", "content_sha256")


def json_lines(paths: Iterable[str]) -> list[dict[str, Any]]:
    """The JSON objects in files of one object a line."""
    found = []
    for path in paths:
        with FileSystems.open(path) as handle:
            found += [json.loads(line) for line in handle.read().decode("utf-8").splitlines()]
    return found


def dead_letter_reasons(paths: Iterable[str]) -> dict[str, int]:
    reasons: Counter[str] = Counter()
    for path in paths:
        with FileSystems.open(path) as handle:
            for record in fastavro.reader(handle):
                reasons[f"{record['stage']}/{record['reason']}"] += 1
    return dict(sorted(reasons.items()))


def write_summary(output: str, summary: RunSummary) -> str:
    """Writes ``summary.json`` beside the outputs, complete or not at all."""
    final = FileSystems.join(output, SUMMARY_FILE)
    write_atomically(final, summary.to_json())
    return final
