"""Where each cut stood (``Removed.at``, ``removed_at`` in schema v6): putting every cut back
at its offset into the clean body gives the story's paragraphs in the order of the input."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest

from pipeline.clean.rules import RuleBook
from pipeline.clean.strip import strip_boilerplate
from pipeline.parse.registry import parse_item
from pipeline.records import PARAGRAPH_BREAK, RawItem, Story
from pipeline.view.story import Cut, blocks
from tests.clean.test_strip import BODY, MORE, story_of
from tests.conftest import CASES, SEED


def in_place(story: Story) -> list[str]:
    """The kept paragraphs and the cuts, in the order the story view shows them."""
    record = {
        "body": story.body,
        "removed": [dataclasses.asdict(cut) for cut in story.removed],
        "removed_at": [cut.at for cut in story.removed],
        "entities": [],
        "quotes": [],
    }
    shown, placed = blocks(record)
    assert placed
    return [
        block.text if isinstance(block, Cut) else "".join(run.text for run in block.runs)
        for block in shown
    ]


def test_cuts_stand_before_between_and_after_the_kept_paragraphs(book: RuleBook) -> None:
    share = "Share this article on Facebook"
    story = strip_boilerplate(
        story_of(
            "Photo: Reuters/Jane Doe", "By John Smith", f"MOSCOW (Reuters) - {BODY}", share,
            MORE, "Leave a Reply", "Great story!", "Thanks for sharing.",
        ),
        book,
    )  # fmt: skip
    assert story.paragraphs == [BODY, MORE]
    assert in_place(story) == [
        "Photo: Reuters/Jane Doe", "By John Smith", "MOSCOW (Reuters) -", BODY, share, MORE,
        "Leave a Reply", "Great story!", "Thanks for sharing.",
    ]  # fmt: skip
    second = len(BODY) + len(PARAGRAPH_BREAK)
    assert [cut.at for cut in story.removed] == [0, 0, 0, second, *[len(story.body)] * 3]


@pytest.mark.parametrize(
    "path",
    [SEED, *(CASES / "pages" / name for name in ("bbc-obama-gun-laws.txt",
             "sutter-volatile-again.txt", "seed-repost-other-site.html"))],
    ids=lambda path: path.name,
)  # fmt: skip
def test_on_real_pages_every_cut_goes_back_where_it_stood(book: RuleBook, path: Path) -> None:
    (parsed,) = parse_item(RawItem.of(str(path), path.read_bytes()), format_name="auto")
    story = strip_boilerplate(parsed, book)
    assert len(story.removed) >= 3
    original = PARAGRAPH_BREAK.join([parsed.headline or "", parsed.body])
    position = 0
    for piece in in_place(story):  # each piece is found after the one before it
        found = original.find(piece, position)
        assert found >= 0, f"{piece!r} is out of order"
        position = found + len(piece)
