"""The run summary: what came in, what went out, and whether every item is accounted for.

Items read and duplicates dropped come from the pipeline's counters; stories written and dead
letters come from counting the records in the files the run left on disk, so the summary
reports what a reader will find, and ``read = written + dead-lettered + duplicates`` checks
that nothing was lost on the way.
"""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass

import fastavro
from apache_beam.io.filesystems import FileSystems

from pipeline.sink.transforms import SUFFIX

SUMMARY_FILE = "summary.json"


@dataclass(frozen=True)
class RunSummary:
    run_id: str
    started_at: str
    finished_at: str
    inputs: list[str]
    output: str
    files: int  # input files matched
    read: int  # input items (a multi-story file counts each story)
    written: int  # story records in the output files
    dead_lettered: int  # dead-letter records in the output files
    duplicates: int  # exact duplicates merged into another story's duplicate_sources
    dead_letters_by_reason: dict[str, int]  # "stage/reason" -> count
    story_files: list[str]
    dead_letter_files: list[str]

    @property
    def balanced(self) -> bool:
        return self.read == self.written + self.dead_lettered + self.duplicates

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "balanced": self.balanced}, indent=2) + "\n"


def run_files(output: str, folder: str, run_id: str) -> list[str]:
    """The Avro files one run wrote into ``output/folder``."""
    pattern = FileSystems.join(output, folder, f"{folder}-{run_id}*{SUFFIX}")
    return sorted(meta.path for meta in FileSystems.match([pattern])[0].metadata_list)


def count_records(paths: Iterable[str]) -> int:
    """Records in Avro files, from block headers, without decoding the records."""
    total = 0
    for path in paths:
        with FileSystems.open(path) as handle:
            total += sum(block.num_records for block in fastavro.block_reader(handle))
    return total


def dead_letter_reasons(paths: Iterable[str]) -> dict[str, int]:
    reasons: Counter[str] = Counter()
    for path in paths:
        with FileSystems.open(path) as handle:
            for record in fastavro.reader(handle):
                reasons[f"{record['stage']}/{record['reason']}"] += 1
    return dict(sorted(reasons.items()))


def write_summary(output: str, summary: RunSummary) -> str:
    """Writes ``summary.json`` beside the outputs, complete or not at all.

    Written under a temporary name and renamed over the old one: an atomic replace on local
    disks, and an object overwrite on cloud storage.
    """
    final = FileSystems.join(output, SUMMARY_FILE)
    temporary = FileSystems.join(output, f".{SUMMARY_FILE}.{uuid.uuid4().hex}")
    with FileSystems.create(temporary) as handle:
        handle.write(summary.to_json().encode("utf-8"))
    FileSystems.rename([temporary], [final])
    return final
