"""Metadata the formats carry, read from the agencies' own files (the audit of #14): what an
earlier version of the parsers left empty or filled wrongly."""

from __future__ import annotations

from datetime import UTC, datetime

from pipeline.parse.registry import parse_item
from pipeline.records import RawItem, Story
from tests.conftest import corpus

SUPERDESK = ("superdesk-fixtures", "superdesk-core", "tests", "io", "fixtures")


def only(*parts: str) -> Story:
    path = corpus(*parts)
    (story,) = parse_item(RawItem.of(str(path), path.read_bytes()), format_name="auto")
    assert isinstance(story, Story), story
    return story


def test_newsml_g2_content_created_when_first_created_is_absent() -> None:
    story = only("newsml-g2", "examples", "LISTING_2_NewsML-G2_Text_Document.xml")
    assert story.first_created == datetime(2016, 11, 21, 20, 21, 6, tzinfo=UTC)


def test_newsml_g2_creditline_is_the_credit() -> None:
    story = only(*SUPERDESK, "tag_reuters.com_2014_newsml_KBN0FL0NN_version_5")
    assert story.credit == "Reuters"
    assert story.byline == "Marwan Makdisi"  # <by>By Marwan Makdisi</by>


def test_newsml_g2_alternative_ids_are_offered_to_profiles() -> None:
    story = only(*SUPERDESK, "stt_newsml_test.xml")
    assert story.identifiers == (
        ("guid", story.id),
        ("altId:sttidtype:textid", "114791381"),
        ("altId:sttidtype:runningnumber", "stt 107"),
    )


def test_nitf_provider_from_the_copyright_holder() -> None:
    assert only(*SUPERDESK, "aap-sports.xml").provider == "Australian Associated Press"
    assert only(*SUPERDESK, "pa4.xml").provider == "Press Association"


def test_newsml_1_afp_writers_from_the_creator_party() -> None:
    story = only("ninjs", "tools", "xslt", "afp.com_newsml1.2_sample.xml")
    assert story.byline == "Adel Zaanoun with Guillaume Lavallee in Jerusalem"
    assert ("NewsItemId", "TX-PAR-WGF71") in story.identifiers
