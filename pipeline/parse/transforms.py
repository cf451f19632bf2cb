"""Parse stage as a Beam transform: ``RawItem``s in, ``Story``s and dead letters out."""

from __future__ import annotations

import functools
from collections.abc import Mapping

import apache_beam as beam

from pipeline.parse.profiles import build_profiles
from pipeline.parse.registry import FORMAT_CHOICES, parse_item
from pipeline.settings import AgencySettings
from pipeline.stage import RunStep, StageOutputs


class ParseStories(beam.PTransform):
    """Parses each item with the parser for ``format_name`` (``auto`` sniffs the content),
    reading each story as its agency's profile says (``names``: the other names agencies go
    by, [clean.providers])."""

    def __init__(
        self,
        format_name: str,
        agencies: Mapping[str, AgencySettings],
        names: Mapping[str, str],
    ) -> None:
        super().__init__()
        if format_name not in FORMAT_CHOICES:
            raise ValueError(f"unknown format {format_name!r}; choose from {FORMAT_CHOICES}")
        self._format_name = format_name
        self._profiles = build_profiles(agencies, names)

    def expand(self, items: beam.PCollection) -> StageOutputs:
        return items | "ParseItems" >> RunStep(
            "parse",
            functools.partial(parse_item, format_name=self._format_name, profiles=self._profiles),
        )
