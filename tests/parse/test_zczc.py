"""ZCZC telex framing with AAP's header marks, on AAP's own copy."""

from __future__ import annotations

import pytest

from pipeline.errors import ParseError, Reason
from pipeline.parse import zczc
from pipeline.parse.registry import detect_format, parse_item
from pipeline.records import RawItem, Story, Subject
from tests.conftest import CASES

FIXTURES = CASES / "zczc"


def parse(name: str) -> Story:
    (story,) = parse_item(RawItem.of(name, (FIXTURES / name).read_bytes()), format_name="auto")
    assert isinstance(story, Story) and story.source.format == zczc.FORMAT
    return story


def test_zczc_news_story_maps_every_mark() -> None:
    story = parse("aap-legionella.tst")
    assert story.headline == "Legionella found in Qld hospital"
    assert (story.slugline, story.dateline, story.located) == ("Legionella_BC1", "BRISBANE", "QLD")
    assert story.provider == "AAP"
    assert story.subjects == (
        Subject(code="A", scheme=zczc.CATEGORY_SCHEME),
        Subject(code="07000000", scheme=zczc.SUBJECT_SCHEME),
    )
    assert story.paragraphs[0] == (
        "Legionella bacteria has been found in a regional southwest Queensland hospital."
    )
    assert len(story.paragraphs) == 4 and story.paragraphs[-1] == "AAP RTV"  # for the cleaner
    assert "Huttonc" not in story.body and "NNNN" not in story.body


def test_zczc_media_release_a_paragraph_a_line_and_its_issuer_as_byline() -> None:
    story = parse("aap-media-release-excerpt.tst")
    assert story.headline.startswith("ABS data released today shows building")  # not "K"
    assert story.byline == "Master Builders Australia"
    assert story.paragraphs[0].startswith("Total building work done rose by 1.2%")
    assert len(story.paragraphs) == 3
    assert Subject(code="X", scheme=zczc.SERVICE_SCHEME) in story.subjects


def test_zczc_racing_service_skips_its_routing_line_and_titles_with_the_first_line() -> None:
    story = parse("aap-racing-weights-excerpt.tst")
    assert story.headline == "Eagle Farm WEIGHTS EAGLE FARM<!"
    assert "YY TDA" not in story.body and story.provider is None
    assert story.paragraphs[2:4] == ["Black Heart Bart (AUS) 58.0", "Delectation (AUS) 57.0"]


def test_zczc_cr_line_ends_and_no_routing_word() -> None:
    story = parse("aap-betting-cr-excerpt.tst")
    assert story.headline == "Caulfield Betting" == story.slugline
    assert story.paragraphs[0].startswith("MELBOURNE, Feb 09 AAP - Latest betting")
    assert story.byline is None  # ":11/2/2017" in results copy is a date


def test_zczc_several_messages_make_a_container() -> None:
    one, two = (
        (FIXTURES / "aap-legionella.tst").read_bytes(),
        (FIXTURES / "aap-racing-weights-excerpt.tst").read_bytes(),
    )
    stories = list(parse_item(RawItem.of("in/two.tst", one + b"\r\n" + two), format_name="auto"))
    assert [s.source.index for s in stories] == [0, 1]
    assert [s.headline for s in stories] == [
        "Legionella found in Qld hospital",
        "Eagle Farm WEIGHTS EAGLE FARM<!",
    ]


@pytest.mark.parametrize(
    "raw",
    [b"ZCZC AAP\r\n%A\r\n$Headline only\r\nNNNN\r\n", b"ZCZC AAP\r\nNNNN"],
)
def test_zczc_without_text_is_no_body(raw: bytes) -> None:
    with pytest.raises(ParseError) as failure:
        list(parse_item(RawItem.of("in/x.tst", raw), format_name="auto"))
    assert failure.value.reason is Reason.NO_BODY


def test_zczc_is_not_claimed_for_text_that_mentions_it() -> None:
    assert detect_format(b"Headline\n\nThe telex began ZCZC and ended NNNN.\n").name == "text"
    assert detect_format(b"  ZCZC AAP\r\n%A\r\n").name == zczc.FORMAT
