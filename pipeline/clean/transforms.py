"""Clean stage as a Beam transform."""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping

import apache_beam as beam
from apache_beam import pvalue

from pipeline.clean.rules import RuleBook
from pipeline.clean.site import SiteKey, SitePage, SiteProfile, shared, site_counts, site_page
from pipeline.clean.strip import strip_boilerplate
from pipeline.records import Story
from pipeline.stage import RunStep, StageOutputs


def _strip(
    story: Story, counts: Mapping[SiteKey, int] | None = None, *, book: RuleBook
) -> Iterator[Story]:
    site = SiteProfile(counts).context(site_page(story)) if counts is not None else None
    yield strip_boilerplate(story, book, site)


def _merge_saves(keyed: tuple[tuple[str, str], list[frozenset[str]]]) -> SitePage:
    (site, page), lines = keyed
    return SitePage(site, page, frozenset().union(*lines))


class CountSiteLines(beam.PTransform):
    """The batch's ``SiteProfile`` counts: ``(SiteKey, pages)`` pairs, each distinct page
    counted once, lines on one page only left out (as ``SiteProfile.of`` does)."""

    def expand(self, stories: beam.PCollection) -> beam.PCollection:
        return (
            stories
            | "Pages" >> beam.FlatMap(lambda story: [page] if (page := site_page(story)) else [])
            | "ByPage" >> beam.Map(lambda page: ((page.site, page.page), page.lines))
            | "Distinct" >> beam.GroupByKey()
            | "MergeSaves" >> beam.Map(_merge_saves)
            | "Keys" >> beam.FlatMap(site_counts)
            # Counted as plain tuples (equal to, and hashed as, the SiteKey the pure core looks
            # up): Beam encodes a NamedTuple key with a fallback coder and warns at every run.
            | "AsTuples" >> beam.Map(tuple)
            | "Count" >> beam.combiners.Count.PerElement()
            | "Shared" >> beam.Filter(lambda counted: shared(SiteKey(*counted[0]), counted[1]))
        )


class CleanStories(beam.PTransform):
    """Strips boilerplate with the compiled ``book`` and what the batch's other pages of each
    page's site hold; a story with no body left is dead-lettered."""

    def __init__(self, book: RuleBook) -> None:
        super().__init__()
        self._book = book

    def expand(self, stories: beam.PCollection) -> StageOutputs:
        strip = functools.partial(_strip, book=self._book)
        main_text = self._book.main_text
        if main_text is None or not main_text.site_context:  # each page alone: nothing to count
            return stories | "StripBoilerplate" >> RunStep("clean", strip)
        counts = stories | "CountSiteLines" >> CountSiteLines()
        return stories | "StripBoilerplate" >> RunStep(
            "clean", strip, side_inputs=(pvalue.AsDict(counts),)
        )
