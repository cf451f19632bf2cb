"""The boilerplate targets, checked on the development pages (slow: about a minute).

Targets from the boilerplate issue, on pages whose gold text holds no reader comments (the
issue counts comment threads as boilerplate; Dragnet's gold often keeps them) and is on the
page: the text path's F1 at least trafilatura's, the HTML path's above it, and recall of real
body text at least 0.98 on both.
"""

from __future__ import annotations

import sys
from typing import Any

import pytest

from tests.conftest import REPO, corpus

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def rows() -> Any:
    corpus("boilerplate")
    sys.path.insert(0, str(REPO / "scripts"))
    import eval_boilerplate

    results, _ = eval_boilerplate.evaluate(
        list(eval_boilerplate.load_pages(eval_boilerplate.DEFAULT_CORPORA))
    )
    return eval_boilerplate.table(results)[eval_boilerplate.WITHOUT_COMMENTS].means


def test_text_path_f1_at_least_trafilatura(rows: Any) -> None:
    assert rows["text"].f1 >= rows["trafilatura"].f1


def test_html_path_f1_above_trafilatura(rows: Any) -> None:
    assert rows["html"].f1 > rows["trafilatura"].f1


def test_recall_target(rows: Any) -> None:
    assert rows["text"].recall >= 0.98
    assert rows["html"].recall >= 0.98
