"""Golden: three BBC News pages of one site saved as text (tests/cases/pages/bbc-news, see
SOURCES.md there), cleaned each alone and as one batch, where the lines they share say what
the site's furniture is."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

import apache_beam as beam
import pytest
from apache_beam.testing.util import assert_that, equal_to

from pipeline.clean.rules import RuleBook, build_rulebook
from pipeline.clean.site import SiteKey, SitePage, SiteProfile, line_key, site_page
from pipeline.clean.strip import strip_boilerplate
from pipeline.clean.transforms import CleanStories
from pipeline.parse.text import parse_text
from pipeline.records import RawItem, Source, Story
from pipeline.settings import Settings
from tests.conftest import CASES

if TYPE_CHECKING:
    from apache_beam.testing.test_pipeline import TestPipeline

SITE = CASES / "pages" / "bbc-news"
LONE = CASES / "pages" / "sutter-volatile-again.txt"


def _read(path: str) -> Story:
    (story,) = parse_text(RawItem.of(path, (CASES / "pages" / path).read_bytes()))
    return story


@pytest.fixture(scope="module")
def alone(settings: Settings) -> RuleBook:
    """The rules and models with the site context off (it is on by default)."""
    return build_rulebook(settings.clean.model_copy(update={"site_context": False}))


@pytest.fixture(scope="module")
def pages() -> list[Story]:
    return [_read(f"bbc-news/{path.name}") for path in sorted(SITE.glob("*.txt"))]


def _site(story: Story) -> SitePage:
    page = site_page(story)
    assert page is not None
    return page


def _kept(story: Story) -> list[str]:
    fields = (story.headline, story.dateline, story.byline, story.caption, story.credit)
    return [*(line for line in fields if line), *story.paragraphs]


def _shared_by_all(pages: list[Story]) -> set[str]:
    """The lines every page holds (menus, share bars, the site's footer)."""
    profile = SiteProfile.of(map(_site, pages))
    site = _site(pages[0]).site
    return {
        line
        for line in pages[0].paragraphs
        if profile.counts.get(SiteKey(site, line_key(line))) == len(pages)
    }


def test_the_pages_of_one_folder_are_one_site(pages: list[Story]) -> None:
    assert {_site(page).site for page in pages} == {"bbc-news"}
    assert len(_shared_by_all(pages)) > 20


def test_with_its_sites_other_pages_a_page_loses_the_furniture_they_share(
    pages: list[Story], book: RuleBook
) -> None:
    assert book.main_text is not None and book.main_text.site_context  # the default
    profile = SiteProfile.of(site_page(page) for page in pages)
    shared = _shared_by_all(pages)
    for page in pages:
        alone = strip_boilerplate(page, book)
        together = strip_boilerplate(page, book, profile.context(site_page(page)))
        kept_alone = shared.intersection(alone.paragraphs)
        kept_together = shared.intersection(together.paragraphs)
        assert len(kept_together) < len(kept_alone) or not kept_alone, page.source.uri
        # The story stays: at most 4 % of the words kept alone are lost together, counting
        # the headline and the lines the stage moves to fields (the video box above the story
        # of pages 01 and 03, its date, title and caption, goes: their gold keeps it).
        story = [line for line in _kept(alone) if line not in shared]
        missing = [line for line in story if line not in _kept(together)]
        words = sum(len(line.split()) for line in story)
        assert sum(len(line.split()) for line in missing) <= 0.04 * words, (page.source, missing)


def test_the_site_models_cuts_say_so(pages: list[Story], book: RuleBook) -> None:
    """A reader of ``removed`` can tell a line cut with the site's other pages as evidence
    from one cut by the model alone."""
    profile = SiteProfile.of(map(_site, pages))
    together = strip_boilerplate(pages[0], book, profile.context(_site(pages[0])))
    by_itself = strip_boilerplate(pages[0], book)
    assert "main_text_site_model" in {cut.rule for cut in together.removed}
    assert "main_text_site_model" not in {cut.rule for cut in by_itself.removed}
    assert "main_text_model" in {cut.rule for cut in by_itself.removed}


def test_the_clean_stage_counts_the_batch_as_the_profile_does(
    pages: list[Story],
    book: RuleBook,
    test_pipeline: Callable[[], TestPipeline],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """In Beam the counts are a side input over the batch: a second save of a page counts
    once, a page of another folder has no context, and each page is cleaned as the pure core
    cleans it with the batch's profile."""
    copy = replace(pages[0], source=Source("bbc-news/page-01 (copy).txt", pages[0].source.sha256))
    lone = _read(LONE.name)
    batch = [*pages, copy, lone]
    profile = SiteProfile.of(site_page(page) for page in batch)
    assert profile == SiteProfile.of(site_page(page) for page in pages + [lone])
    assert profile.context(site_page(lone)) is None
    expected = [
        (story.source.uri, strip_boilerplate(story, book, profile.context(site_page(story))).body)
        for story in batch
    ]
    assert expected[0][1] != strip_boilerplate(pages[0], book).body
    with caplog.at_level(logging.WARNING), test_pipeline() as p:
        cleaned = p | beam.Create(batch) | CleanStories(book)
        bodies = cleaned.items | "Bodies" >> beam.Map(lambda story: (story.source.uri, story.body))
        assert_that(bodies, equal_to(expected))
    # Nothing for a user to wonder about on stderr (a NamedTuple key made Beam warn of its
    # fallback coder at every run).
    assert not [record.getMessage() for record in caplog.records if "coder" in record.getMessage()]


def test_with_site_context_off_a_page_cleans_as_it_does_alone(
    pages: list[Story], alone: RuleBook, test_pipeline: Callable[[], TestPipeline]
) -> None:
    """``clean.site_context = false``: the stage counts nothing, and a context given is not
    used."""
    book = alone
    with test_pipeline() as p:
        cleaned = p | beam.Create(pages) | CleanStories(book)
        bodies = cleaned.items | "Bodies" >> beam.Map(lambda story: story.body)
        assert_that(bodies, equal_to([strip_boilerplate(page, book).body for page in pages]))
    profile = SiteProfile.of(map(_site, pages))
    for page in pages:
        assert strip_boilerplate(page, book, profile.context(_site(page))) == strip_boilerplate(
            page, book
        )
