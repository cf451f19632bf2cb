"""Clean stage as a Beam transform."""

from __future__ import annotations

import functools
from collections.abc import Iterator

import apache_beam as beam

from pipeline.clean.rules import RuleBook
from pipeline.clean.strip import strip_boilerplate
from pipeline.records import Story
from pipeline.stage import RunStep, StageOutputs


def _strip(story: Story, *, book: RuleBook) -> Iterator[Story]:
    yield strip_boilerplate(story, book)


class CleanStories(beam.PTransform):
    """Strips boilerplate with the compiled ``book``; a story with no body left is dead-lettered."""

    def __init__(self, book: RuleBook) -> None:
        super().__init__()
        self._book = book

    def expand(self, stories: beam.PCollection) -> StageOutputs:
        strip = functools.partial(_strip, book=self._book)
        return stories | "StripBoilerplate" >> RunStep("clean", strip)
