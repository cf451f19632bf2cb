"""Site context: which pages are one site's, what they share, and the features it gives."""

from __future__ import annotations

import math
from dataclasses import replace

import pytest

from pipeline.clean.site import (
    PAGES,
    SiteContext,
    SiteKey,
    SitePage,
    SiteProfile,
    line_key,
    site_host,
    site_page,
)
from pipeline.records import PageMetadata, RawItem, Story

MENU = ["Home", "World", "Business"]


@pytest.mark.parametrize(
    ("url", "site"),
    [
        ("https://www.bbc.co.uk/news/business-21436418", "bbc.co.uk"),
        ("http://news.bbc.co.uk/2/hi/europe/1.stm", "bbc.co.uk"),
        ("https://m.example.com/a", "example.com"),
        ("http://blogs.wsj.com:80/brussels/", "wsj.com"),
        ("https://www2.theguardian.com/x", "theguardian.com"),
        ("not a url", ""),
    ],
)
def test_a_site_is_the_registrable_domain_of_the_url(url: str, site: str) -> None:
    assert site_host(url) == site


def test_lines_are_compared_without_case_spacing_or_numbers() -> None:
    assert line_key("12 Comments") == line_key("45  comments") == line_key(" 45 COMMENTS")
    assert line_key("Comments") != line_key("3 comments")


def _page(uri: str, body: list[str], url: str | None = None, *, page_text: bool = True) -> Story:
    return Story(
        source=RawItem.of(uri, b"").source,
        raw=b"",
        headline="",
        body="\n\n".join(body),
        page_text=page_text,
        page=PageMetadata(url=url) if url else None,
    )


def test_a_page_is_of_its_urls_site_else_of_its_folder() -> None:
    by_url = site_page(_page("in/a.html", ["Story"], "https://www.example.com/2024/a"))
    by_folder = site_page(_page("saved/example/b.txt", ["Story"]))
    assert by_url is not None and by_url.site == "example.com"
    assert by_url.page == "https://www.example.com/2024/a"
    assert by_folder is not None and by_folder.site == "saved/example"
    assert by_folder.lines == {line_key("Story")}


def test_a_wire_story_has_no_site_context() -> None:
    assert site_page(_page("wire/a.xml", ["Story"], page_text=False)) is None


def test_two_saves_of_one_page_are_one_page() -> None:
    first = _page("saved/a.txt", [*MENU, "The story."])
    again = replace(first, source=RawItem.of("saved/a copy.txt", b"").source)
    assert site_page(first) == site_page(again)


def test_the_profile_counts_distinct_pages_and_the_lines_they_share() -> None:
    pages = [
        SitePage("a.com", "1", frozenset(map(line_key, [*MENU, "Story one."]))),
        SitePage("a.com", "1", frozenset(map(line_key, [*MENU, "Story one.", "New line."]))),
        SitePage("a.com", "2", frozenset(map(line_key, [*MENU, "Story two."]))),
        SitePage("b.com", "3", frozenset(map(line_key, ["Home", "Story three."]))),
    ]
    profile = SiteProfile.of(pages)
    assert profile.counts[SiteKey("a.com", PAGES)] == 2
    assert profile.counts[SiteKey("a.com", line_key("Home"))] == 2
    assert profile.counts[SiteKey("b.com", PAGES)] == 1
    # Lines on one page only say nothing and are left out; so is "Home" on b.com, alone there.
    assert SiteKey("a.com", line_key("Story one.")) not in profile.counts
    assert SiteKey("b.com", line_key("Home")) not in profile.counts

    context = profile.context(pages[0])
    assert context is not None and context.others == 1
    home, story = context.rows(["Home", "Story one."])
    assert home == [math.log1p(1), math.log1p(1)]
    assert story == [0.0, math.log1p(1)]
    # A page with no other page of its site in the batch has no context: the model without
    # site features cleans it.
    assert profile.context(pages[3]) is None
    assert profile.context(None) is None


def test_a_context_counts_the_page_itself_out() -> None:
    context = SiteContext(others=3, holding={line_key("Home"): 4})
    assert context.rows(["Home", "Unseen line"]) == [
        [math.log1p(3), math.log1p(3)],
        [0.0, math.log1p(3)],
    ]
