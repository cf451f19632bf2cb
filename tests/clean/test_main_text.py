"""The main-text model: features, the shipped weights, and the main run."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.clean.features import FEATURE_NAMES, page_features
from pipeline.clean.main_text import MODEL_FILE, MainText, MainTextModel, main_run
from pipeline.clean.rules import RuleBook
from pipeline.records import ExtractedText
from tests.conftest import REPO

PROSE = (
    "The minister said on Monday that the talks would resume in Geneva next week, officials said."
)


def test_page_features_give_one_row_of_every_feature_per_paragraph() -> None:
    rows = page_features(["Home", PROSE, "Share"], [False, False, True])
    assert len(rows) == 3
    assert all(len(row) == len(FEATURE_NAMES) for row in rows)
    named = dict(zip(FEATURE_NAMES, rows[1], strict=True))
    assert named["sentence_end"] == 1.0
    assert named["previous_log_words"] == rows[0][0]
    assert dict(zip(FEATURE_NAMES, rows[2], strict=True))["rule"] == 1.0


def test_shipped_model_matches_the_features_and_says_how_it_was_trained() -> None:
    data = json.loads((REPO / "pipeline" / "clean" / MODEL_FILE).read_text(encoding="utf-8"))
    assert tuple(data["features"]) == FEATURE_NAMES
    assert set(data["leave_one_set_out"]) == {"cleaneval", "dragnet", "newspaper4k", "readability"}
    model = MainTextModel.load()
    page = ["Home", "World", PROSE, PROSE, PROSE, "Share", "Contact us"]
    scores = [model.probability(row) for row in page_features(page, [False] * len(page))]
    assert min(scores[2:5]) > 0.5 > max(scores[0], scores[1], scores[6])


def test_model_from_another_feature_set_is_refused(tmp_path: Path) -> None:
    data = json.loads((REPO / "pipeline" / "clean" / MODEL_FILE).read_text(encoding="utf-8"))
    data["features"] = data["features"][:-1]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="retrain"):
        MainTextModel.load(path)


@pytest.mark.parametrize(
    ("probabilities", "sizes", "expected"),
    [
        # Menu, story with a short subheading in it, footer.
        ([0.1, 0.1, 0.9, 0.2, 0.9, 0.1], [1, 2, 40, 3, 50, 2], range(2, 5)),
        # Nothing looks like a story: keep everything rather than guess.
        ([0.1, 0.2], [3, 3], range(0, 2)),
        # Two stories apart: the bigger one.
        ([0.9, 0.0, 0.0, 0.0, 0.9], [10, 30, 30, 30, 60], range(4, 5)),
    ],
)
def test_main_run(probabilities: list[float], sizes: list[int], expected: range) -> None:
    assert main_run(probabilities, sizes, threshold=0.3) == expected


STANDFIRST = "Police closed the coast road on Sunday as the storm brought down power lines."
TEASER = (
    "In other news, the city council voted on Tuesday to close the old bridge to cars, "
    "after engineers found cracks in two of its piers during a routine inspection."
)


def _main_text(book: RuleBook) -> MainText:
    assert book.main_text is not None
    return book.main_text


def _locate(book: RuleBook, page: list[str], extracted: ExtractedText | None) -> range:
    return _main_text(book).locate(page, book.marks(page), extracted)[1]


def test_an_extractors_finding_is_main_text_and_the_model_adds_around_it(book: RuleBook) -> None:
    """Trafilatura dropped the standfirst; the model adds it back from the area around the
    finding, and leaves the teaser outside the area alone although it reads like prose."""
    page = ["Home | World | Sport", STANDFIRST, PROSE, PROSE, PROSE, "Share", TEASER, TEASER]
    found = ExtractedText(area=range(1, 6), paragraphs=frozenset({2, 3, 4}))
    assert _locate(book, page, found) == range(1, 5)
    assert _locate(book, page, None) == range(0, 8)  # the model alone runs into the teasers
    # Switched off (clean.main_text_around_extracted), trafilatura's paragraphs are the run.
    alone = replace(_main_text(book), around_extracted=False)
    assert alone.locate(page, book.marks(page), found)[1] == range(2, 5)


def test_a_finding_without_the_pages_main_text_is_set_aside(book: RuleBook) -> None:
    """Trafilatura took a sidebar's list of names for the main text (Dragnet R163): the
    model's own run, which holds far more main-text evidence, is the main text."""
    names = [
        f"{first} {last}"
        for first, last in zip(
            "Anna Ben Cleo Dan Eva".split(), "Berg Cole Dahl Eck Falk".split(), strict=True
        )
    ]
    story = [PROSE] * 6
    page = [*names, "Archive", *story]
    found = ExtractedText(area=range(0, 6), paragraphs=frozenset(range(5)))
    assert _locate(book, page, found) == range(6, 12)
    # Where the model sees little main text anywhere, the finding stands.
    short = [*names, "Archive", "Contact"]
    assert _locate(book, short, found) == range(0, 5)
