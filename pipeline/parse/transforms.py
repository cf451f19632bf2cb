"""Parse stage as a Beam transform: ``RawItem``s in, ``Story``s and dead letters out."""

from __future__ import annotations

import functools

import apache_beam as beam

from pipeline.parse.registry import FORMAT_CHOICES, parse_item
from pipeline.stage import RunStep, StageOutputs


class ParseStories(beam.PTransform):
    """Parses each item with the parser for ``format_name`` (``auto`` sniffs the content)."""

    def __init__(self, format_name: str) -> None:
        super().__init__()
        if format_name not in FORMAT_CHOICES:
            raise ValueError(f"unknown format {format_name!r}; choose from {FORMAT_CHOICES}")
        self._format_name = format_name

    def expand(self, items: beam.PCollection) -> StageOutputs:
        return items | "ParseItems" >> RunStep(
            "parse", functools.partial(parse_item, format_name=self._format_name)
        )
