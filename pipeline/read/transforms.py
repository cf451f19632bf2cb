"""Read stage as a Beam transform: patterns in, ``RawItem``s and dead letters out."""

from __future__ import annotations

import functools
from collections.abc import Sequence

import apache_beam as beam
from apache_beam.io import fileio

from pipeline.read.unpack import load_file, trace_file, unpack
from pipeline.stage import CountAs, RunStep, StageOutputs


class ReadItems(beam.PTransform):
    """Matches ``patterns`` and reads every file they match into a ``RawItem``.

    Args:
        patterns: paths or globs (``**`` recurses) on any Beam filesystem.
        max_item_bytes: larger items (after decompression) are dead-lettered as too_large.
    """

    def __init__(self, patterns: Sequence[str], *, max_item_bytes: int) -> None:
        super().__init__()
        self._patterns = list(patterns)
        self._max_item_bytes = max_item_bytes

    def expand(self, pbegin: beam.pvalue.PBegin) -> StageOutputs:
        files = (
            pbegin
            | "Patterns" >> beam.Create(self._patterns)
            | "Match" >> fileio.MatchAll()
            | "CountFiles" >> CountAs("files")
            # Matching runs on one worker; spread the reading over all of them.
            | "Spread" >> beam.Reshuffle()
        )
        loaded = files | "Load" >> RunStep("read", load_file, trace=trace_file)
        unpacked = loaded.items | "Unpack" >> RunStep(
            "read", functools.partial(unpack, max_bytes=self._max_item_bytes)
        )
        dead_letters = (loaded.dead_letters, unpacked.dead_letters) | "Failures" >> beam.Flatten()
        return StageOutputs(unpacked.items, dead_letters)
