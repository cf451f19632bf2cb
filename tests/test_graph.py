"""The whole ingest transform on real files, with TestPipeline."""

from __future__ import annotations

import gzip
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import apache_beam as beam
from apache_beam.testing.util import assert_that, equal_to

from pipeline.clean.rules import RuleBook
from pipeline.graph import IngestStories
from pipeline.settings import Settings
from tests.conftest import SEED

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
    with test_pipeline() as p:
        stories, dead_letters = p | IngestStories(
            [str(folder / "*")], settings=settings, book=book, format_name="auto"
        )
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
