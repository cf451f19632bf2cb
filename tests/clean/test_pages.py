"""Golden keep/drop tests on real pages saved as text (excerpts in tests/cases/pages, see
SOURCES.md there; whole pages from the shared corpora where present)."""

from __future__ import annotations

import pytest

from pipeline.clean.rules import RuleBook
from pipeline.clean.strip import strip_boilerplate
from pipeline.parse.text import parse_text
from pipeline.records import RawItem, Story
from tests.conftest import CASES

PAGES = CASES / "pages"


def clean_page(name: str, book: RuleBook) -> Story:
    path = PAGES / name
    (story,) = parse_text(RawItem.of(str(path), path.read_bytes()))
    return strip_boilerplate(story, book)


def removed_as(story: Story, kind: str) -> list[str]:
    return [cut.text for cut in story.removed if cut.kind == kind]


@pytest.fixture(scope="module")
def bbc(book: RuleBook) -> Story:
    return clean_page("bbc-obama-gun-laws.txt", book)


def test_bbc_page_keeps_the_story_whole(bbc: Story) -> None:
    assert bbc.headline == "Obama admits US gun laws are his 'biggest frustration'"
    assert bbc.body.startswith("President Barack Obama has admitted that his failure")
    kept = bbc.paragraphs
    # A one-sentence paragraph, a list and its lead-in, a link line, quotes.
    assert "However, Mr Obama said race relations had improved during his presidency." in kept
    assert "In a wide-ranging interview, President Obama also said:" in kept
    assert "He is confident the Iran nuclear deal will be passed by Congress" in kept
    assert "Despite racial tensions, the US is becoming more diverse and more tolerant" in kept
    assert "Read the full transcript of his interview" in kept
    assert any(paragraph.startswith("In an interview with the BBC") for paragraph in kept)


@pytest.mark.xfail(
    strict=True,
    reason="known gap: the story's last paragraph, just before the share bar, scores 0.25 "
    "(under the 0.3 the training pages chose): nothing of the story's prose follows it, as "
    "nothing follows a page's last teaser. BENCHMARKS.md, 'Left alone'.",
)
def test_bbc_page_keeps_its_last_paragraph(bbc: Story) -> None:
    assert bbc.body.endswith("when he travels on to Ethiopia on Sunday.")


def test_bbc_page_drops_its_furniture(bbc: Story) -> None:
    assert removed_as(bbc, "date")[0] == "24 July 2015"
    assert removed_as(bbc, "navigation") == ["From the section US & Canada"]
    assert removed_as(bbc, "advertisement") == ["Advertisement"]
    assert "941 comments" in removed_as(bbc, "comments")
    assert removed_as(bbc, "caption") == [
        "Media caption Mr Obama told the BBC that gun control was his biggest frustration"
    ]
    assert bbc.caption == "Mr Obama told the BBC that gun control was his biggest frustration"
    assert {"Facebook", "Twitter", "WhatsApp", "Share this story About sharing"} <= set(
        removed_as(bbc, "share")
    )
    assert "More on this story" in removed_as(bbc, "related_posts")
    for furniture in ("Advertisement", "Facebook", "More on this story", "4 hours ago", "941"):
        assert furniture not in bbc.body


@pytest.fixture(scope="module")
def sutter(book: RuleBook) -> Story:
    return clean_page("sutter-volatile-again.txt", book)


def test_blog_post_keeps_the_post(sutter: Story) -> None:
    assert "Sarmad Asgher asked a variant of a perennial question:" in sutter.paragraphs
    assert sutter.paragraphs[-1].startswith("There is! See my article")
    assert "Also is there any article by you on this topic. Please do reply." in sutter.paragraphs


def test_blog_post_drops_tags_and_comment_thread(sutter: Story) -> None:
    assert removed_as(sutter, "tags") == [
        "Posted in C++, Effective Concurrency, Reader Q&A | 7 Comments"
    ]
    thread = removed_as(sutter, "comments")
    assert thread[0] == "7 Responses"
    assert "Leave a Reply Cancel reply" in thread
    assert not any(
        "Ivan" in paragraph or "volatile:iso" in paragraph for paragraph in sutter.paragraphs
    )


@pytest.mark.xfail(
    strict=True,
    reason="known gap: a short menu at the very top of a saved page ('Feeds:', 'Posts', "
    "'Comments') is kept when the story follows it closely, and the blog's name stays the "
    "headline",
)
def test_blog_post_drops_the_menu_above_it(sutter: Story) -> None:
    assert sutter.headline == "Reader Q&A: volatile (again)"
    assert "Posts" not in sutter.paragraphs
