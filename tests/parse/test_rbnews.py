"""Ritzau's RBNews XML: a real item (tests/cases/rbnews), Ritzau's feed response with two
items, and what a kill, a correction or an empty item become."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from pipeline.errors import ParseError, Reason
from pipeline.parse.profiles import build_profiles
from pipeline.parse.rbnews import detect, parse_rbnews
from pipeline.parse.registry import parse_item
from pipeline.records import ItemFailure, RawItem, Story, Subject
from pipeline.settings import Settings
from tests.conftest import CASES, corpus

FLASH = (CASES / "rbnews" / "ritzau_news_test_ednote.xml").read_bytes()


def only(raw: bytes) -> Story:
    (story,) = parse_rbnews(RawItem.of("in/rb.xml", raw))
    assert isinstance(story, Story)
    return story


def test_a_ritzau_flash(settings: Settings) -> None:
    assert detect(FLASH)
    story = only(FLASH)
    assert story.id == "9a6955fc-11da-46b6-9903-439ebb288f2d"
    assert (story.provider, story.version, story.urgency) == ("Ritzau", "1", 3)
    assert story.headline == "NU/FLASH-U"  # no headline (nil): the slug
    assert story.slugline == "NU/FLASH-U"
    assert story.byline == "Peder Top Poulsen"
    assert (story.dateline, story.located) == ("Haag", "Haag")
    assert story.subjects == (Subject("U", "Udland", "ritzau-section"),)
    assert story.paragraphs[0].startswith('Hollandske forskere har "i årevis" lavet forsøg')
    assert len(story.paragraphs) == 3
    assert story.editorial_note is not None
    assert story.editorial_note.startswith("Lasse Norman Hansen skifter til Corendon-Circus.")
    assert "<" not in story.editorial_note  # its markup read, not kept
    # PublishDate 2018-01-30T17:32:18.397, no offset: Copenhagen time with the profile
    profiles = build_profiles(settings.agencies, settings.clean.providers)
    (placed,) = parse_item(RawItem.of("in/rb.xml", FLASH), format_name="auto", profiles=profiles)
    assert placed.version_created == datetime(2018, 1, 30, 16, 32, 18, 397_000, tzinfo=UTC)


def test_ritzaus_feed_response_is_a_container() -> None:
    path = corpus("superdesk-fixtures", "superdesk-core", "tests", "io", "fixtures",
                  "ritzau_feed.xml")  # fmt: skip
    items = list(parse_item(RawItem.of(str(path), path.read_bytes()), format_name="auto"))
    assert [item.source.index for item in items] == [0, 1]
    assert [item.headline for item in items if isinstance(item, Story)] == [
        "PR / Spire Global, Inc.", "Kort om sport",
    ]  # fmt: skip
    spire = items[0]
    assert isinstance(spire, Story)
    assert "Spire's Proposal" not in spire.body  # the subtitle is not story text
    assert "including 'parallel super-computing'" in spire.body  # &amp;amp;apos; resolved


def flagged(**flags: str) -> bytes:
    fields = "".join(f"<{name}>{value}</{name}>" for name, value in flags.items())
    return FLASH.replace(b"<Annuleret>false</Annuleret>", fields.encode(), 1)


def test_kill_correction_and_update_flags() -> None:
    kill = only(flagged(Annuleret="true").replace(b"<content>", b"<content>\n<!--", 1)
                .replace(b"</content>", b"--></content>", 1))  # fmt: skip
    assert (kill.pub_status, kill.body) == ("canceled", "")
    corrected = only(flagged(Annuleret="false", Korrektion="true", NyVersion="true"))
    assert corrected.signals == ("update", "correction")


def element(document: bytes) -> bytes:
    """The RBNews element of a document, without its XML declaration."""
    return document[document.index(b"<RBNews") :]


def test_an_item_without_text_is_no_body_and_a_feed_goes_on() -> None:
    empty = FLASH.replace(FLASH[FLASH.index(b"<content>"):FLASH.index(b"</content>")],
                          b"<content>", 1)  # fmt: skip
    with pytest.raises(ParseError) as failure:
        only(empty)
    assert failure.value.reason is Reason.NO_BODY
    body = lambda raw: raw[raw.index(b"<RBNews") :]  # noqa: E731
    feed = (b"<?xml version='1.0'?><XMLNewsQueuedResponse><ListOfRBNews>" + body(empty)
            + body(FLASH) + b"</ListOfRBNews></XMLNewsQueuedResponse>")  # fmt: skip
    first, second = parse_rbnews(RawItem.of("in/feed.xml", feed))
    assert isinstance(first, ItemFailure) and first.error.reason is Reason.NO_BODY
    assert isinstance(second, Story) and second.source.index == 1
