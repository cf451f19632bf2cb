"""The whole ingest transform on real files, with TestPipeline."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from pipeline.clean.rules import RuleBook
from pipeline.graph import IngestStories
from pipeline.clean.strip import strip_boilerplate
from pipeline.identify.identity import duplicate_key, identify
from pipeline.inputs import FolderInput
from pipeline.parse.registry import parse_item
from pipeline.records import RawItem
from pipeline.sink.ledger import Counts, KnownStories, Ledger, story_key_digest
from pipeline.settings import Settings
from tests.conftest import SAMPLES, SEED

OTHER = SAMPLES / "ap-costa-concordia-trial.txt"
NOW = datetime(2026, 12, 1, tzinfo=UTC)

if TYPE_CHECKING:
    from apache_beam.testing.test_pipeline import TestPipeline


def test_ingest_stories_routes_every_item(
    tmp_path: Path,
    settings: Settings,
    book: RuleBook,
    test_pipeline: Callable[[], TestPipeline],
    write_files: Callable[[dict[str, bytes]], Path],
) -> None:
    seed = SEED.read_bytes()
    folder = write_files(
        {
            "seed.txt": seed,
            "seed-copy.txt.gz": gzip.compress(seed),  # the same story again, compressed
            "binary.bin": bytes(range(256)) * 4,
            "headline-only.txt": b"Just a headline\n",
            "all-boilerplate.txt": b"Headline\n\nREUTERS\n\nShare this article\n",
        }
    )
    deliveries = FolderInput(str(folder), output=str(tmp_path / "out")).poll()
    with test_pipeline() as p:
        stories, dead_letters, duplicates, _ = (
            p
            | beam.Create(deliveries)
            | IngestStories(settings=settings, book=book, format_name="auto", ingested_at=NOW)
        )
        assert_that(duplicates, equal_to([]), "Duplicates")
        written = stories | beam.Map(
            lambda s: (
                Path(s.source.uri).name,
                s.provider,
                tuple(Path(d.uri).name for d in s.duplicate_sources),
                s.annotations is not None,
            )
        )
        assert_that(
            written, equal_to([("seed-copy.txt.gz", "Reuters", ("seed.txt",), True)]), "Stories"
        )
        failures = dead_letters | beam.Map(lambda d: (Path(d.source.uri).name, d.stage, d.reason))
        assert_that(
            failures,
            equal_to(
                [
                    ("binary.bin", "parse", "binary"),
                    ("headline-only.txt", "parse", "no_body"),
                    ("all-boilerplate.txt", "clean", "no_body"),
                ]
            ),
            "DeadLetters",
        )


def test_ingest_stories_turns_stories_already_in_the_output_into_duplicates(
    tmp_path: Path,
    settings: Settings,
    book: RuleBook,
    test_pipeline: Callable[[], TestPipeline],
    write_files: Callable[[dict[str, bytes]], Path],
) -> None:
    seed = SEED.read_bytes()
    (story,) = parse_item(RawItem.of("earlier/seed.txt", seed), format_name="auto")
    known_key = duplicate_key(identify(strip_boilerplate(story, book)))
    output = str(tmp_path / "out")
    ledger = Ledger.open(output)
    ledger.commit("earlier", deliveries=[], story_keys=[story_key_digest(known_key)], staged=[],
                  counts=Counts())  # fmt: skip
    folder = write_files({"seed.txt": seed, "again.txt": seed, "other.txt": OTHER.read_bytes()})
    deliveries = FolderInput(str(folder), output=output).poll()
    with test_pipeline() as p:
        stories, _, duplicates, _ = (
            p
            | beam.Create(deliveries)
            | IngestStories(
                settings=settings,
                book=book,
                format_name="auto",
                ingested_at=NOW,
                known=KnownStories(output, 1),
            )
        )
        known_id = known_key.split("\x1f")[0]
        names = duplicates | beam.Map(lambda d: (Path(d.source.uri).name, d.id == known_id))
        assert_that(names, equal_to([("again.txt", True), ("seed.txt", True)]), "Duplicates")
        assert_that(stories | beam.Map(lambda s: Path(s.source.uri).name), equal_to(["other.txt"]))
