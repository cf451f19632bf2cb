"""The main-text models: features, the shipped trees, the run and the decision."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from pipeline.clean.features import FEATURE_NAMES, PAGE_FEATURES, page_features
from pipeline.clean.main_text import (
    MODEL_FILE,
    BoostedTrees,
    MainText,
    MainTextModel,
    MainTextModels,
    main_run,
)
from pipeline.clean.rules import RuleBook
from pipeline.parse.html import parse_html
from pipeline.records import ExtractedText, RawItem
from tests.conftest import REPO

PROSE = (
    "The minister said on Monday that the talks would resume in Geneva next week, officials said."
)
SHIPPED = REPO / "pipeline" / "clean" / MODEL_FILE


def test_page_features_give_one_row_of_every_feature_per_paragraph() -> None:
    rows = page_features(["Home", PROSE, "Share"], [False, False, True])
    assert len(rows) == 3
    assert all(len(row) == len(FEATURE_NAMES) for row in rows)
    named = dict(zip(FEATURE_NAMES, rows[1], strict=True))
    assert named["sentence_end"] == 1.0
    assert named["previous_log_words"] == rows[0][0]
    assert dict(zip(FEATURE_NAMES, rows[2], strict=True))["rule"] == 1.0


def test_shape_features_see_repeated_header_lines_and_the_prose_before() -> None:
    page = [PROSE, PROSE, "BY ANNA AT 01/08/08 05:30 PM", "I agree.", "BY BEN AT 01/08/08 06:01 PM"]
    rows = [dict(zip(FEATURE_NAMES, row, strict=True)) for row in page_features(page, [False] * 5)]
    assert rows[2]["repeated_shape"] > 0 and rows[2]["date_or_time"] == 1.0
    assert rows[0]["repeated_shape"] == 0.0
    assert rows[3]["personal"] > 0
    # Prose words: 16, 16, then "I agree." (2); header lines are not prose.
    assert rows[0]["prose_before"] == 0.0 and rows[2]["prose_before"] == 32 / 34
    assert rows[0]["prose_after"] == 18 / 34 and rows[4]["prose_after"] == 0.0


def test_html_pages_give_the_markup_features_too() -> None:
    html = (
        "<html><body><nav><a href='/'>Home</a></nav><article><h1>Talks resume</h1>"
        f"<p>{PROSE}</p><p>{PROSE}</p></article>"
        "<div class='related-posts'><ul><li><a href='/a'>Another story</a></li></ul></div>"
        "</body></html>"
    )
    (story,) = parse_html(RawItem.of("page.html", html.encode()))
    places = dict(zip(story.paragraphs, story.markup, strict=True))
    assert places["Home"].links == 1.0 and "nav" in places["Home"].tags
    assert "related-posts" in places["Another story"].names
    assert places[PROSE].links == 0.0 and "article" in places[PROSE].tags


def test_shipped_models_match_the_features_and_tell_story_from_furniture() -> None:
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    assert tuple(data["models"]["text"]["features"]) == FEATURE_NAMES
    assert tuple(data["models"]["html"]["features"]) == PAGE_FEATURES
    assert SHIPPED.stat().st_size < 1_500_000  # small enough to commit and to load fast
    model = MainTextModels.load().text
    page = ["Home", "World", PROSE, PROSE, PROSE, "Share", "Contact us"]
    scores = model.trees.probabilities(np.array(page_features(page, [False] * len(page))))
    assert min(scores[2:5]) > 0.5 > max(scores[0], scores[1], scores[6])


def test_models_from_another_feature_set_are_refused(tmp_path: Path) -> None:
    data = json.loads(SHIPPED.read_text(encoding="utf-8"))
    data["models"]["text"]["features"] = data["models"]["text"]["features"][:-1]
    path = tmp_path / "old.json"
    path.write_text(json.dumps(data))
    with pytest.raises(ValueError, match="retrain"):
        MainTextModels.load(path)


def test_trees_walk_every_row_to_its_leaf() -> None:
    """Two stumps on feature 0 and 1: node 0 splits at 0.5 into leaves 1 and 2, node 3 at
    2.0 into leaves 4 and 5; the logit is the baseline plus one leaf of each tree."""
    trees = BoostedTrees(
        feature=np.array([0, 0, 0, 1, 0, 0]),
        threshold=np.array([0.5, np.inf, np.inf, 2.0, np.inf, np.inf]),
        left=np.array([1, 1, 2, 4, 4, 5]),
        right=np.array([2, 1, 2, 5, 4, 5]),
        value=np.array([0.0, -1.0, 1.0, 0.0, -2.0, 2.0]),
        roots=np.array([0, 3]),
        depth=1,
        baseline=0.5,
    )
    found = trees.probabilities(np.array([[0.0, 3.0], [1.0, 1.0]]))
    expected = 1 / (1 + np.exp(-np.array([0.5 - 1 + 2, 0.5 + 1 - 2])))
    assert np.allclose(found, expected)


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


def _model(**decision: float | None) -> MainTextModel:
    return replace(MainTextModels.load().html, **decision)


def test_a_sure_piece_of_furniture_inside_the_run_is_dropped() -> None:
    probabilities = [0.1, 0.9, 0.05, 0.9, 0.1]
    sizes = [2, 40, 4, 40, 2]
    run, dropped = _model(threshold=0.3, drop=0.1).decide(probabilities, sizes, None)
    assert run == range(1, 4) and dropped == {2}
    # A run the model would drop whole is kept: a story it cannot place stays.
    run, dropped = _model(threshold=0.3, drop=0.5).decide([0.4], [10], None)
    assert run == range(0, 1) and not dropped


def test_on_html_trafilaturas_paragraphs_stand_unless_the_model_is_sure() -> None:
    probabilities = [0.5, 0.07, 0.6, 0.95, 0.1]
    found = frozenset({1, 2})
    html = _model(threshold=0.3, drop=0.1, keep_extracted=0.05)
    # Paragraph 1 is below the run's threshold and its drop, but trafilatura kept it and
    # the model is not sure enough to overrule it.
    assert html.decide(probabilities, [10] * 5, found) == (range(1, 4), frozenset())
    assert replace(html, keep_extracted=0.2).decide(probabilities, [10] * 5, found) == (
        range(2, 4),
        frozenset(),
    )
    # A kept paragraph far from the run: what lies between is cut.
    assert html.decide([0.9, 0.0, 0.0, 0.9], [40, 40, 40, 40], frozenset({3})) == (
        range(0, 4),
        {1, 2},
    )


def test_on_html_additions_the_model_is_unsure_of_leave_trafilaturas_paragraphs_alone() -> None:
    # The model's run takes in paragraphs 0 and 3 besides trafilatura's 1 and 2.
    probabilities, sizes, found = (
        [0.55, 0.9, 0.9, 0.55, 0.05],
        [30, 40, 40, 30, 5],
        frozenset({1, 2}),
    )
    html = _model(threshold=0.3, drop=0.1, keep_extracted=0.05)
    assert html.decide(probabilities, sizes, found) == (range(0, 4), frozenset())
    # Unsure of them (0.55 by their words, below 0.6): trafilatura's paragraphs stand.
    unsure = replace(html, sure_of_additions=0.6)
    assert unsure.decide(probabilities, sizes, found) == (range(1, 3), frozenset())
    # Sure enough, or nothing added: the model's decision stands.
    assert replace(html, sure_of_additions=0.5).decide(probabilities, sizes, found)[0] == range(4)
    alone = [0.05, 0.9, 0.9, 0.05, 0.05]
    assert unsure.decide(alone, sizes, found) == (range(1, 3), frozenset())
    # The mean is by words: a long sure addition outweighs a short unsure one (0.78 by
    # words, where the plain mean of the two would be 0.555).
    weighted = [0.31, 0.9, 0.9, 0.8, 0.05]
    assert unsure.decide(weighted, [2, 40, 40, 60, 5], found)[0] == range(0, 4)


def test_switched_off_trafilaturas_paragraphs_are_the_run(book: RuleBook) -> None:
    """``clean.main_text_around_extracted = false``: trafilatura's paragraphs, first to last."""
    assert book.main_text is not None
    page = ["Home | World | Sport", PROSE, PROSE, PROSE, "Share"]
    found = ExtractedText(area=range(0, 5), paragraphs=frozenset({1, 3}))
    alone: MainText = replace(book.main_text, around_extracted=False)
    assert alone.locate(page, book.marks(page), found).run == range(1, 4)
