"""Read stage as a Beam transform: ``Delivery``s in, ``RawItem``s and dead letters out."""

from __future__ import annotations

import functools

import apache_beam as beam

from pipeline.read.unpack import load, trace_delivery, unpack
from pipeline.stage import CountAs, RunStep, StageOutputs


class ReadItems(beam.PTransform):
    """Reads each delivery (a file on any Beam filesystem, or a message's bytes) into a
    ``RawItem``.

    Args:
        max_item_bytes: larger items (after decompression) are dead-lettered as too_large.
    """

    def __init__(self, *, max_item_bytes: int) -> None:
        super().__init__()
        self._max_item_bytes = max_item_bytes

    def expand(self, deliveries: beam.PCollection) -> StageOutputs:
        files = (
            deliveries
            | "CountFiles" >> CountAs("files")
            # A source lists on one worker; spread the reading over all of them.
            | "Spread" >> beam.Reshuffle()
        )
        loaded = files | "Load" >> RunStep("read", load, trace=trace_delivery)
        unpacked = loaded.items | "Unpack" >> RunStep(
            "read", functools.partial(unpack, max_bytes=self._max_item_bytes)
        )
        dead_letters = (loaded.dead_letters, unpacked.dead_letters) | "Failures" >> beam.Flatten()
        return StageOutputs(unpacked.items, dead_letters)
