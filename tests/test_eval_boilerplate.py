"""Boilerplate removal on pages it was not tuned on (slow: about 45 minutes on 2 cores, with two
trainings a fold since the site models).

``scripts/eval_boilerplate.py`` trains the main-text models without one corpus and scores
that corpus, for each corpus in turn. The floors below sit 0.01 under the held-out figures
published in BENCHMARKS.md, so a change that makes the cleaner worse on unseen pages fails
here, and the HTML path is held to trafilatura's F1 where BENCHMARKS.md shows it level or
above.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest

from tests.conftest import REPO, corpus

pytestmark = pytest.mark.slow

# Held-out corpus -> (text-path F1, text-path recall, HTML-path F1), mean per page, with the
# site context on. Published (2026-12-03): cleaneval 0.927 / 0.968 / 0.919, cleanportaleval
# 0.952 / 0.968 / 0.968, dragnet 0.909 / 0.967 / 0.898, readability 0.937 / 0.987 / 0.946,
# newspaper4k 0.888 / 0.995 / 0.884.
FLOORS = {
    "cleaneval": (0.917, 0.958, 0.909),
    "cleanportaleval": (0.942, 0.958, 0.958),
    "dragnet": (0.899, 0.957, 0.888),
    "readability": (0.927, 0.977, 0.936),
    "newspaper4k": (0.878, 0.985, 0.874),
}
# Share of furniture blocks removed, text and HTML paths (published 0.65 and 0.91).
OVERALL_REMOVED = (0.64, 0.89)


@pytest.fixture(scope="module")
def rows() -> Any:
    corpus("boilerplate", "dragnet-2013")
    sys.path.insert(0, str(REPO / "scripts"))
    import eval_boilerplate

    pages = eval_boilerplate.prepare_all(eval_boilerplate.DEFAULT_CORPORA)
    return eval_boilerplate.table(eval_boilerplate.leave_one_corpus_out(pages))


@pytest.mark.parametrize("held_out", FLOORS)
def test_held_out_figures_stay_above_their_floors(rows: Any, held_out: str) -> None:
    text_f1, text_recall, html_f1 = FLOORS[held_out]
    row = rows[held_out]
    assert row["text"].f1 >= text_f1
    assert row["text"].recall >= text_recall
    assert row["html"].f1 >= html_f1


def test_html_path_beats_trafilatura_overall(rows: Any) -> None:
    """Published: 0.910 against 0.884; the issue's target is +0.02 (0.904 before the trust in
    the model's additions was chosen per training set)."""
    overall = rows["all corpora (pages pooled)"]
    assert overall["html"].f1 >= overall["trafilatura"].f1 + 0.02


@pytest.mark.parametrize("held_out", ["cleaneval", "cleanportaleval", "dragnet", "readability"])
def test_html_path_at_least_trafilatura_where_it_is_today(rows: Any, held_out: str) -> None:
    """Not yet on newspaper4k (0.884 against 0.911); Dragnet is 0.898 against 0.895."""
    assert rows[held_out]["html"].f1 >= rows[held_out]["trafilatura"].f1


def test_furniture_removed_overall(rows: Any) -> None:
    overall = rows["all corpora (pages pooled)"]
    assert overall["text"].removed["all"] >= OVERALL_REMOVED[0]
    assert overall["html"].removed["all"] >= OVERALL_REMOVED[1]
