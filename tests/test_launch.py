"""Process set-up done by ``launch`` before the pipeline runs."""

from __future__ import annotations

import os
import sys

import pytest

from pipeline.launch import MALLOC_ARENAS, bound_malloc_arenas

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's malloc")


def test_malloc_arenas_are_bounded_for_the_workers_to_come(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MALLOC_ARENA_MAX", raising=False)
    bound_malloc_arenas()
    assert os.environ["MALLOC_ARENA_MAX"] == MALLOC_ARENAS == "2"


def test_a_malloc_arena_max_set_by_the_user_is_kept(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MALLOC_ARENA_MAX", "8")
    bound_malloc_arenas()
    assert os.environ["MALLOC_ARENA_MAX"] == "8"
