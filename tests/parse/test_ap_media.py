"""AP Media API responses: recognising them, the item's metadata, feeds, and bodies that are
only linked."""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import DataError, ParseError, Reason
from pipeline.parse import jsonl, ninjs
from pipeline.parse.ap_media import detect, parse_ap_media
from pipeline.records import ItemFailure, RawItem, Story, Subject
from tests.conftest import CASES, corpus

CASE = CASES / "ap_media"
ITEM_ID = "5ee9b4b40ea5fe9c9ca60f890fb2e1d9"
BODY = "<p>NEW YORK (AP) — The first paragraph.</p><p>The second paragraph.</p>"


def response(name: str) -> dict[str, Any]:
    return json.loads((CASE / name).read_text(encoding="utf-8"))


def encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def parse_all(raw: bytes) -> list[Story | ItemFailure]:
    return list(parse_ap_media(RawItem.of("in/ap.json", raw)))


def failure(raw: bytes) -> ParseError:
    with pytest.raises(ParseError) as raised:
        parse_all(raw)
    return raised.value


def text_item_with_body(**properties: Any) -> dict[str, Any]:
    """The text item as a reseller might pass it on: with its body inline."""
    document = response("ap_media_text_item.json")
    document["data"]["item"].update(body_xhtml=BODY, **properties)
    return document


def parse_inline(**properties: Any) -> Story:
    (story,) = parse_all(encode(text_item_with_body(**properties)))
    assert isinstance(story, Story)
    return story


@pytest.mark.parametrize("path", sorted(CASE.glob("*.json")), ids=lambda path: path.name)
def test_ap_media_detect_recognises_every_case(path: Path) -> None:
    raw = path.read_bytes()
    assert detect(raw)
    assert not ninjs.detect(raw) and not jsonl.detect(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b"Headline\n\nBody.",
        b"<html><body><p>AP</p></body></html>",
        b'<?xml version="1.0"?><nitf><body/></nitf>',
        (CASES / "ninjs" / "ap_image.json").read_bytes(),  # AP's item in ninjs 3: ninjs
        (CASES / "jsonl" / "stories.jsonl").read_bytes(),
        b'{"data": [1, 2]}',
    ],
)
def test_ap_media_detect_leaves_other_content_alone(raw: bytes) -> None:
    assert not detect(raw)


def test_ap_media_text_item_body_is_only_linked() -> None:
    error = failure((CASE / "ap_media_text_item.json").read_bytes())
    assert error.reason is Reason.NO_BODY
    assert error.message == (
        "text item whose body is only linked (renditions nitf, anpa: an href to download), "
        "not in the item"
    )


def test_ap_media_picture_is_not_text() -> None:
    error = failure((CASE / "ap_media_picture.json").read_bytes())
    assert (error.reason, error.message) == (Reason.NOT_TEXT, "picture item, not a text story")


@pytest.mark.parametrize(
    ("name", "reason"),
    [("ap_media_feed.json", Reason.NOT_TEXT), ("ap_media_text_feed.json", Reason.NO_BODY)],
)
def test_ap_media_feed_is_a_container(name: str, reason: Reason) -> None:
    document = response(name)
    (result,) = parse_all((CASE / name).read_bytes())
    assert isinstance(result, ItemFailure)
    assert result.error.reason is reason
    assert result.raw == encode(document["data"]["items"][0])
    assert result.source.index == 0
    assert result.source.format == "ap-media"
    assert result.source.uri == "in/ap.json"
    assert result.source.sha256 == hashlib.sha256(result.raw).hexdigest()


def test_ap_media_item_metadata() -> None:
    story = parse_inline(ednote="Eds: Updates with quote.")
    assert story.source.format == "ap-media"
    assert story.id == ITEM_ID  # altids.itemid, not the per-request uri
    assert story.version == "0"
    assert story.version_created == datetime(2019, 7, 3, 4, 5, 12, tzinfo=UTC)
    assert story.first_created == datetime(2019, 7, 3, 4, 5, 12, tzinfo=UTC)
    assert story.pub_status == "usable"
    assert story.urgency == 4
    assert story.language == "en"
    assert story.provider == "AP"
    assert story.signals == ("newscontent",)
    assert story.headline == "BC-BBN--Top Ten"
    assert story.slugline == "BC-BBN--Top Ten"
    assert story.keywords == ("BBN--Top Ten",)
    assert story.copyright.startswith("Copyright 2019 The Associated Press.")
    assert story.editorial_note == "Eds: Updates with quote."
    assert story.subjects[:2] == (
        Subject("s", "s"),
        Subject("94aaa8f88c0c100489d7b9433d2f4c0e", "MLB baseball", "http://cv.ap.org/id/"),
    )
    assert story.paragraphs == ["NEW YORK (AP) — The first paragraph.", "The second paragraph."]


def test_ap_media_bylines_and_dateline_location() -> None:
    story = parse_inline(
        bylines=[{"by": "By JANE DOE", "title": "AP Business Writer"}, {"by": "JOHN ROE"}],
        datelinelocation={"city": "New York", "countryareaname": "New York",
                          "countryname": "United States"},
    )  # fmt: skip
    assert story.byline == "By JANE DOE; JOHN ROE"
    assert story.located == "New York, United States"


def test_ap_media_headline_extended_when_there_is_no_headline() -> None:
    document = text_item_with_body(headline_extended="Top ten, in full")
    del document["data"]["item"]["headline"]
    (story,) = parse_all(encode(document))
    assert story.headline == "Top ten, in full"


def test_ap_media_bare_item() -> None:
    (story,) = parse_all(encode(text_item_with_body()["data"]["item"]))
    assert story.id == ITEM_ID


def test_ap_media_feed_entries_go_on_past_a_broken_one() -> None:
    item = text_item_with_body()["data"]["item"]
    document = {"api_version": "2", "data": {"items": ["junk", {"meta": {}}, {"item": item}]}}
    junk, no_item, story = parse_all(encode(document))
    assert isinstance(junk, ItemFailure) and junk.error.reason is Reason.MALFORMED
    assert isinstance(no_item, ItemFailure)
    assert no_item.error.message == "a feed entry without an item"
    assert isinstance(story, Story) and story.source.index == 2


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'{"api_version": "2", "error": {"code": 401, "message": "Unauthorized"}}',
         "an AP Media API error response: Unauthorized"),
        (b'{"api_version": "2", "data": {}}',
         "no AP Media API item: neither data.item nor data.items"),
        (b'{"api_version": "2", "data": {"item": "x"}}', "an item is a string, not an object"),
        (b"[]", "the document is an array, not an AP response"),
    ],
)  # fmt: skip
def test_ap_media_not_an_item(raw: bytes, message: str) -> None:
    error = failure(raw)
    assert (error.reason, error.message) == (Reason.MALFORMED, message)


def test_ap_media_truncated_response() -> None:
    assert failure((CASE / "ap_media_text_item.json").read_bytes()[:300]).reason is Reason.MALFORMED


@pytest.mark.slow
def test_ap_media_superdesk_fixtures() -> None:
    folder = corpus("superdesk-fixtures", "superdesk-core", "tests", "io", "fixtures")
    counts: Counter[str] = Counter()
    for path in sorted(folder.glob("ap_media_*.json")):
        assert detect(path.read_bytes())
        try:
            results = parse_all(path.read_bytes())
        except DataError as error:
            counts[error.reason.value] += 1
            continue
        counts.update("story" if isinstance(r, Story) else r.error.reason.value for r in results)
    assert counts == {"not_text": 3, "no_body": 2}
