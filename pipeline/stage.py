"""How a stage's pure step runs in Beam, with bad items turned into dead letters.

Each stage package has pure functions (``step(item) -> iterable of results``) that tests call
without Beam. ``RunStep`` runs one of them over a PCollection: a ``DataError`` raised for an
item becomes a ``DeadLetter`` on a second output, counted per stage, and so does each
``ItemFailure`` a step yields for one bad item of a multi-item file; any other exception is a
bug in our code and fails the run.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, NamedTuple

import apache_beam as beam
from apache_beam import pvalue
from apache_beam.metrics import Metrics

from pipeline import progress
from pipeline.errors import DataError
from pipeline.records import DeadLetter, ItemFailure, Source

METRICS_NAMESPACE = "wire_ingest"
# Distributions of the microseconds each stage's step took per item: the run report's
# "slowest stages" (pipeline.launch sums them into Counts.stage_seconds).
STAGE_MICROS = "micros."

Step = Callable[..., Iterable[Any]]  # item, then any side inputs -> results
Trace = Callable[[Any], tuple[Source, bytes]]


class StageOutputs(NamedTuple):
    """What every stage returns: the items that went through, and the ones that did not."""

    items: beam.PCollection
    dead_letters: beam.PCollection


def trace_item(element: Any) -> tuple[Source, bytes]:
    """Where an in-flight item came from and its raw bytes (RawItem and Story both carry them)."""
    return element.source, element.raw


def dead_letter(source: Source, raw: bytes, stage: str, error: DataError) -> DeadLetter:
    return DeadLetter(
        source=source,
        stage=stage,
        error_type=type(error).__name__,
        reason=str(error.reason),
        error_message=error.message,
        raw=raw,
        failed_at=datetime.now(UTC),
    )


class _StepFn(beam.DoFn):
    DEAD_LETTER = "dead_letter"

    def __init__(self, stage: str, step: Step, trace: Trace) -> None:
        self._stage = stage
        self._step = step
        self._trace = trace
        self._failures = Metrics.counter(METRICS_NAMESPACE, f"dead_letters.{stage}")
        self._micros = Metrics.distribution(METRICS_NAMESPACE, f"{STAGE_MICROS}{stage}")

    # No hint on *side: Beam type-checks it and refuses the side inputs as Tuple[Any, ...].
    def process(self, element: Any, *side) -> Iterable[Any]:
        started = time.perf_counter()
        try:
            # All or nothing: an item that fails half-way yields no partial results.
            results = list(self._step(element, *side))
        except DataError as error:
            self._micros.update(int((time.perf_counter() - started) * 1e6))
            self._failures.inc()
            source, raw = self._trace(element)
            yield pvalue.TaggedOutput(
                self.DEAD_LETTER, dead_letter(source, raw, self._stage, error)
            )
            return
        self._micros.update(int((time.perf_counter() - started) * 1e6))
        for result in results:
            if isinstance(result, ItemFailure):  # one bad item of a multi-item file
                self._failures.inc()
                letter = dead_letter(result.source, result.raw, self._stage, result.error)
                yield pvalue.TaggedOutput(self.DEAD_LETTER, letter)
            else:
                yield result


class RunStep(beam.PTransform):
    """Applies ``step`` to each item; items it rejects with a ``DataError`` are dead-lettered.

    Args:
        stage: the stage name recorded in dead letters (read, parse, clean, enrich, ...).
        step: a pure function from one item to zero or more results.
        trace: gives the source and raw bytes of an item, for its dead letter.
        side_inputs: Beam side inputs (``beam.pvalue.AsDict(...)``), passed to ``step`` after
            the item.
    """

    def __init__(
        self, stage: str, step: Step, trace: Trace = trace_item, side_inputs: tuple[Any, ...] = ()
    ) -> None:
        super().__init__()
        self._fn = _StepFn(stage, step, trace)
        self._side_inputs = side_inputs

    def expand(self, pcoll: beam.PCollection) -> StageOutputs:
        results = pcoll | beam.ParDo(self._fn, *self._side_inputs).with_outputs(
            _StepFn.DEAD_LETTER, main="items"
        )
        return StageOutputs(results.items, results[_StepFn.DEAD_LETTER])


class CountAs(beam.PTransform):
    """Passes items through unchanged, counting them under ``name``: in Beam's metrics (for
    the run summary) and for the run's progress (``pipeline.progress``)."""

    def __init__(self, name: str) -> None:
        super().__init__()
        self._name = name

    def expand(self, pcoll: beam.PCollection) -> beam.PCollection:
        return pcoll | beam.ParDo(_CountFn(self._name))


class _CountFn(beam.DoFn):
    def __init__(self, name: str) -> None:
        self._name = name
        self._counter = Metrics.counter(METRICS_NAMESPACE, name)

    def process(self, element: Any) -> Iterable[Any]:
        self._counter.inc()
        progress.count(self._name)
        yield element
