"""The plain-text parser: headline line, paragraphs, and what has no body."""

from __future__ import annotations

import hashlib

import pytest

from pipeline.errors import ParseError, Reason
from pipeline.parse.text import MAX_HEADLINE_CHARS, parse_text, split_paragraphs
from pipeline.records import RawItem, Story
from tests.conftest import SEED, corpus


def parse(raw: bytes) -> Story:
    (story,) = parse_text(RawItem.of("in/story.txt", raw))
    return story


def test_parse_text_takes_the_first_line_as_headline() -> None:
    story = parse(b"\n\n  A headline  \n\nFirst paragraph.\n\nSecond\nparagraph.\n")
    assert story.headline == "A headline"
    assert story.paragraphs == ["First paragraph.", "Second\nparagraph."]
    assert story.source.format == "text"


def test_parse_text_keeps_raw_bytes_and_source() -> None:
    raw = b"Head\n\nBody."
    story = parse(raw)
    assert story.raw == raw
    assert story.source.uri == "in/story.txt"
    assert story.source.sha256 == hashlib.sha256(raw).hexdigest()


def test_split_paragraphs_uses_lines_when_there_are_no_blank_lines() -> None:
    assert split_paragraphs("One.\nTwo.\n  Three.  ") == ["One.", "Two.", "Three."]


def test_parse_text_without_a_headline_line() -> None:
    long_first = "word " * (MAX_HEADLINE_CHARS // 4)
    story = parse(f"{long_first}\n\nNext.".encode())
    assert story.headline == "word " * 11 + "word ..."
    assert story.paragraphs == [long_first.strip(), "Next."]


def test_parse_text_rejects_a_headline_without_body() -> None:
    with pytest.raises(ParseError) as failure:
        parse(b"Only a headline\n\n   \n")
    assert failure.value.reason is Reason.NO_BODY


def test_parse_text_splits_the_seed_story() -> None:
    story = parse(SEED.read_bytes())
    assert story.headline == "Russia says it’s Turkey’s duty to halt fighting in Syria’s Idlib"
    assert story.paragraphs[0] == "People walk past a damaged building in the city of Idlib, Syria"
    assert story.paragraphs[-1] == "Israel Strengthens Military Presence Along Lebanon Border"
    assert len(story.paragraphs) == 20


@pytest.mark.slow
def test_parse_text_reads_every_bbc_story() -> None:
    """All 2,225 BBC stories (some Latin-1) parse to a headline and a body."""
    files = sorted(corpus("newswire", "bbc-news").glob("*/*.txt"))  # the five topic folders
    stories = [parse(path.read_bytes()) for path in files]
    assert len(stories) == 2225
    assert all(story.headline and story.body for story in stories)
    assert all("\ufffd" not in story.body for story in stories)
    assert sum("£" in story.body for story in stories) > 100
