"""The evaluation data helpers (``scripts/boilerplate_data.py``): how a page becomes the text
a person saving its article area gets, which pages' gold keeps the reader comments or is not
on the page at all, and what counts as kept."""

from __future__ import annotations

import math
import sys
from dataclasses import replace

import pytest

from tests.conftest import REPO

sys.path.insert(0, str(REPO / "scripts"))
from boilerplate_data import (  # noqa: E402
    Page,
    block_labels,
    kept_text,
    page_as_text,
    prepare,
    with_site_context,
)

from pipeline.clean.features import FEATURE_NAMES  # noqa: E402
from pipeline.records import RawItem, Story  # noqa: E402

STORY = [
    "The city council voted on Tuesday to close the old bridge to cars from next spring, "
    "after engineers found cracks in two of its piers during a routine inspection.",
    "Cyclists and walkers will still be able to cross it while the repairs are carried out, "
    "the council said, and a ferry will run every twenty minutes at rush hour.",
    "The repairs are expected to cost about four million euros and to take two years.",
]
COMMENTS = [
    "Comments (2)",
    "written by Anna Berg, October 18, 2012",
    "About time too. I cross that bridge every morning on my way to work and the cracks "
    "have been visible from the footpath for months, so nobody can say they were surprised "
    "by what the engineers found when they finally went to look at the piers properly.",
    "written by Tom Kale, October 19, 2012",
    "Two years seems very long for a bridge of that size. The council should publish the "
    "engineers' report in full so that residents can judge the plan for themselves, and "
    "it should explain why the ferry will only run at rush hour and not all day long.",
]


def _page(gold: list[str]) -> Page:
    blocks = "".join(f"<div><p>{text}</p></div>" for text in STORY + COMMENTS)
    html = f"<html><body><div id='main'><h1>Old bridge to close</h1>{blocks}</div></body></html>"
    return Page("test", "bridge", html.encode(), "\n\n".join(gold), "bridge.example")


def test_page_text_reads_past_a_stray_closing_body_tag() -> None:
    # CleanEval page 49: a </body> near the top left the article outside <body>.
    html = b"<html><body><p>Menu</p></body><div><p>" + STORY[0].encode() + b"</p></div></html>"
    assert STORY[0] in page_as_text(html, STORY[0])[0]


def test_the_text_version_says_what_the_markup_calls_each_block() -> None:
    html = (
        f"<html><body><div id='main'><p>{STORY[0]}</p><p>{STORY[1]}</p>"
        "<div id='comments'><p>Comments (2)</p></div></div></body></html>"
    ).encode()
    text, kinds = page_as_text(html, STORY[0])
    assert "Comments (2)" in text
    assert kinds["Comments (2)"] == "comments" and kinds[STORY[0]] == ""


def test_gold_keeping_a_comment_thread_trafilatura_misses_is_found() -> None:
    assert prepare(_page(["Old bridge to close", *STORY, *COMMENTS])).gold_has_comments


def test_gold_without_the_comment_thread_is_not_flagged() -> None:
    assert not prepare(_page(["Old bridge to close", *STORY])).gold_has_comments


def test_a_gold_text_that_is_not_on_its_page_is_told_apart() -> None:
    """CleanEval page 47's gold is another text than its page's: it is not scored."""
    assert prepare(_page(["Old bridge to close", *STORY])).gold_on_page
    assert not prepare(_page(["Harbour ferries sail twice daily, tides permitting."])).gold_on_page


def test_a_block_is_story_text_when_half_its_words_are_in_the_gold_once() -> None:
    gold = f"{STORY[0]} Cyclists and walkers"
    # The second copy of STORY[0] finds its words used up by the first.
    assert block_labels([STORY[0], STORY[1], STORY[0]], gold) == [True, False, False]


def test_both_paths_are_prepared_with_labels_and_features() -> None:
    prepared = prepare(_page(["Old bridge to close", *STORY]))
    assert prepared.text is not None and prepared.html is not None
    for data in (prepared.text, prepared.html):
        assert len(data.labels) == len(data.story.paragraphs) == len(data.features)
        assert sum(data.labels) >= len(STORY)
    assert prepared.html.features.shape[1] > prepared.text.features.shape[1]
    assert "Old bridge to close" in prepared.trafilatura


def test_kept_text_counts_the_fields_the_clean_stage_found() -> None:
    """Bylines, datelines and captions the clean stage moves out of the body are kept."""
    story = Story(
        RawItem.of("t", b"x").source, b"x", "Headline", "Body text.", byline="Anna Berg",
        dateline="OSLO (Reuters)", caption="The old bridge at dawn",
    )  # fmt: skip
    assert kept_text(story).split("\n\n") == [
        "Headline", "OSLO (Reuters)", "Anna Berg", "The old bridge at dawn", "Body text."
    ]  # fmt: skip


def test_pages_of_one_site_see_what_their_other_pages_hold() -> None:
    """As the pipeline counts a batch: the bridge page's two siblings hold its comment
    header; the page of another site has no context, and its columns are zeros."""
    pages = [
        prepare(replace(_page([*STORY]), name=name, site=site))
        for name, site in (("one", "a"), ("two", "a"), ("three", "a"), ("four", "b"))
    ]
    one, *_, four = with_site_context(pages)
    assert one.text is not None and one.text.site is not None
    assert one.text.site.others == 2
    assert four.text is not None and four.text.site is None
    rows = one.text.rows(site=True)
    columns = len(FEATURE_NAMES), len(FEATURE_NAMES) + 1
    header = one.text.story.paragraphs.index("Comments (2)")
    assert rows.shape[1] == one.text.features.shape[1] + 2
    assert rows[header, columns[0]] == pytest.approx(math.log1p(2))
    assert rows[header, columns[1]] == pytest.approx(math.log1p(2))
    assert not four.text.rows(site=True)[:, columns[0] : columns[1] + 1].any()
