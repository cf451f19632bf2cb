"""RunStep: data errors become dead letters with the raw bytes; bugs fail the run."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from pipeline.errors import ParseError, Reason
from pipeline.records import RawItem
from pipeline.stage import RunStep

if TYPE_CHECKING:
    from apache_beam.testing.test_pipeline import TestPipeline

ITEMS = [RawItem.of("good.txt", b"good"), RawItem.of("bad.txt", b"bad"), RawItem.of("two", b"two")]


def step(item: RawItem) -> Iterator[str]:
    if item.raw == b"bad":
        raise ParseError(Reason.BINARY, "not text")
    yield item.source.uri
    if item.raw == b"two":
        yield "two again"


def test_run_step_splits_good_items_from_dead_letters(
    test_pipeline: Callable[[], TestPipeline],
) -> None:
    with test_pipeline() as p:
        items, dead_letters = p | beam.Create(ITEMS) | RunStep("parse", step)
        assert_that(items, equal_to(["good.txt", "two", "two again"]), label="Items")
        described = dead_letters | beam.Map(
            lambda d: (d.source.uri, d.stage, d.error_type, d.reason, d.error_message, d.raw)
        )
        expected = [("bad.txt", "parse", "ParseError", "binary", "not text", b"bad")]
        assert_that(described, equal_to(expected), label="DeadLetters")


def test_run_step_lets_bugs_fail_the_run(test_pipeline: Callable[[], TestPipeline]) -> None:
    def buggy(item: RawItem) -> Iterator[str]:
        raise KeyError("our bug")

    with pytest.raises(Exception, match="our bug"):
        with test_pipeline() as p:
            _ = p | beam.Create(ITEMS) | RunStep("parse", buggy)
