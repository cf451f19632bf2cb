"""Version ranks and kill advisories."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from pipeline.identify.versions import is_kill_advisory, microseconds, version_rank, versioned
from pipeline.records import RawItem, Story
from pipeline.settings import load_settings

ARRIVED = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)
KILLS = tuple(re.compile(pattern) for pattern in load_settings().identify.kill_patterns)


def story(**fields: object) -> Story:
    body = "Police said three people died."
    source = RawItem.of("in/a.txt", body.encode()).source
    return Story(**{"source": source, "raw": body.encode(), "headline": "Headline", "body": body,
                    **fields})  # type: ignore[arg-type]  # fmt: skip


def test_a_numeric_version_is_its_own_rank() -> None:
    assert version_rank(story(version="1542761538"), arrived=ARRIVED) == 1542761538
    assert version_rank(story(version=" 3 "), arrived=ARRIVED) == 3


def test_without_a_numeric_version_the_rank_is_version_created_then_arrival() -> None:
    created = datetime(2016, 1, 4, 15, 43, 34, 123456, tzinfo=UTC)
    ranked = version_rank(
        story(version="2nd Ld-Writethru", version_created=created), arrived=ARRIVED
    )
    assert ranked == microseconds(created) == 1451922214123456
    assert version_rank(story(), arrived=ARRIVED) == microseconds(ARRIVED)
    later = version_rank(story(), arrived=ARRIVED + timedelta(microseconds=1))
    assert later == version_rank(story(), arrived=ARRIVED) + 1


def test_a_rank_a_parser_set_wins_and_oversized_numbers_fall_back() -> None:
    assert version_rank(story(version="7", version_rank=99), arrived=ARRIVED) == 99
    assert version_rank(story(version="9" * 30), arrived=ARRIVED) == microseconds(ARRIVED)
    assert version_rank(story(version="٣"), arrived=ARRIVED) == microseconds(ARRIVED)


def test_microseconds_reads_naive_times_as_utc() -> None:
    assert microseconds(datetime(1970, 1, 1, 0, 0, 1)) == 1_000_000


@pytest.mark.parametrize(
    "fields",
    [
        {"version": "Kill"},  # ANPA: "^BC-Obit-Smith, Kill<"
        {"version": "Mandatory Kill"},
        {"version": "ELIMINATION"},
        {"headline": "KILL: Obit-Smith"},
        {"headline": "URGENT KILL - Story slugged BC-Obit-Smith"},
        {"headline": "WITHDRAWN - Fed raises rates"},
        {"slugline": "ELIMINATE"},
    ],
)
def test_kill_advisories_in_the_agencies_own_words(fields: dict[str, str]) -> None:
    assert is_kill_advisory(story(**fields), KILLS)
    assert versioned(story(**fields), kill_patterns=KILLS, arrived=ARRIVED).pub_status == "canceled"


@pytest.mark.parametrize(
    "fields",
    [
        # Reuters-21578 headlines and slugs, in capitals, that are stories
        {"headline": "SOUTH CHINA STORMS KILL TWO, DAMAGE CROPS"},
        {"headline": "EEP DAIRY CATTLE INITIATIVE TO EGYPT WITHDRAWN"},
        {"headline": "SDC SYDNEY COST REVIEW MAY ELIMINATE PRODUCTS"},
        {"slugline": "BC-JAPAN-EARTHQUAKE-KILL"},
        {"headline": "Killer storm hits coast", "version": "2nd Ld-Writethru"},
        {"headline": "Kill switch for AI, says minister"},
    ],
)
def test_stories_that_mention_killing_are_not_kills(fields: dict[str, str]) -> None:
    assert not is_kill_advisory(story(**fields), KILLS)


def test_a_story_already_withheld_keeps_its_status() -> None:
    withheld = story(headline="KILL: x", pub_status="withheld")
    assert versioned(withheld, kill_patterns=KILLS, arrived=ARRIVED).pub_status == "withheld"
    assert (
        versioned(
            replace(withheld, pub_status="usable"), kill_patterns=(), arrived=ARRIVED
        ).pub_status
        == "usable"
    )
