"""JSON Lines of stories: recognising them, one item a line, metadata, and lines that fail on
their own."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

import pytest

from pipeline.errors import ParseError, Reason
from pipeline.parse import ap_media, ninjs
from pipeline.parse.jsonl import detect, parse_jsonl
from pipeline.parse.text import parse_text
from pipeline.records import ItemFailure, RawItem, Story, Subject
from tests.conftest import CASES, SEED

STORIES = CASES / "jsonl" / "stories.jsonl"
NO_HEADLINE = "no headline: every line needs a headline and a body"


def parse_all(raw: bytes) -> list[Story | ItemFailure]:
    return list(parse_jsonl(RawItem.of("in/stories.jsonl", raw)))


def line(**fields: object) -> bytes:
    return json.dumps(fields, ensure_ascii=False).encode()


@pytest.mark.parametrize(
    "raw",
    [
        STORIES.read_bytes(),
        line(headline="One", body="Story one.") + b"\r\n" + line(headline="Two", body="Story two."),
        b'\xef\xbb\xbf{"headline": "Only one line", "body": "A story."}\n',
        b'{"headline": "A", "body": "B"}\n{"broken',  # later lines are the parser's business
    ],
)
def test_jsonl_detect_recognises_json_lines(raw: bytes) -> None:
    assert detect(raw)
    assert not ninjs.detect(raw) and not ap_media.detect(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b"Headline\n\nBody.",
        b"<html><body><p>x</p></body></html>",
        b'<?xml version="1.0"?><nitf><body/></nitf>',
        (CASES / "ninjs" / "dpa_text.json").read_bytes(),
        json.dumps(json.loads((CASES / "ninjs" / "dpa_text.json").read_bytes())).encode(),
        (CASES / "ap_media" / "ap_media_text_item.json").read_bytes(),
        b'{\n  "headline": "Pretty-printed",\n  "body": "Not JSON Lines."\n}\n',
        b'{"headline": "A single line without a body"}',
        b'[{"headline": "A", "body": "B"},\n{"headline": "C", "body": "D"}]',
    ],
)
def test_jsonl_detect_leaves_other_content_alone(raw: bytes) -> None:
    assert not detect(raw)


def test_jsonl_each_line_is_an_item() -> None:
    results = parse_all(STORIES.read_bytes())
    lines = [raw.strip() for raw in STORIES.read_bytes().split(b"\n") if raw.strip()]
    assert [result.source.index for result in results] == list(range(6))
    for result, raw in zip(results, lines, strict=True):
        assert result.raw == raw
        assert result.source.sha256 == hashlib.sha256(raw).hexdigest()
        assert result.source.format == "jsonl"
        assert result.source.uri == "in/stories.jsonl"
    outcomes = [r.headline if isinstance(r, Story) else r.error.reason for r in results]
    assert outcomes == [
        "Russia says it’s Turkey’s duty to halt fighting in Syria’s Idlib",
        "Village bakery rises to national award",
        Reason.MALFORMED,
        Reason.NO_BODY,
        Reason.MALFORMED,
        "Markets close higher",
    ]


def test_jsonl_failures_name_their_line() -> None:
    failures = [r for r in parse_all(STORIES.read_bytes()) if isinstance(r, ItemFailure)]
    assert [failure.error.message.split(":")[0] for failure in failures] == [
        "line 4", "line 5", "line 6"
    ]  # fmt: skip
    assert failures[2].error.message == f"line 6: {NO_HEADLINE}"


def test_jsonl_metadata() -> None:
    story, *_ = parse_all(STORIES.read_bytes())
    assert story.id == "urn:example:idlib-repost"
    assert story.version == "2"
    assert story.version_created == datetime(2019, 2, 15, 11, 32, tzinfo=UTC)
    assert story.provider == "Reuters"
    assert story.language == "en"
    assert story.byline == "Tom Balmforth"
    assert story.pub_status == "usable"
    assert story.urgency == 3
    assert story.keywords == ("Syria", "Idlib", "Russia", "Turkey")
    assert story.subjects == (Subject("16000000", "conflict, war and peace", "medtop"),)
    assert not story.page_text


def test_jsonl_seed_story_reads_as_the_text_parser_reads_it() -> None:
    story, *_ = parse_all(STORIES.read_bytes())
    (text_story,) = parse_text(RawItem.of("seed.txt", SEED.read_bytes()))
    assert story.paragraphs == text_story.paragraphs


def test_jsonl_bodies_plain_by_line_or_html() -> None:
    results = parse_all(STORIES.read_bytes())
    bakery, markets = results[1], results[5]
    assert len(bakery.paragraphs) == 3  # no blank lines: one paragraph a line
    assert markets.paragraphs == ["Shares rose on Tuesday.", "Oil prices fell for a third day."]
    assert markets.pub_status == "withheld"


@pytest.mark.parametrize(
    ("fields", "field", "expected"),
    [
        ({"first_created": "2024-01-02T03:04:05+01:00"}, "first_created",
         datetime(2024, 1, 2, 2, 4, 5, tzinfo=UTC)),
        ({"embargoed": "2024-01-03"}, "embargoed", datetime(2024, 1, 3, tzinfo=UTC)),
        ({"pub_status": "cancelled"}, "pub_status", "canceled"),
        ({"urgency": "x"}, "urgency", None),
        ({"version": 7}, "version", "7"),
        ({"signals": ["sig:update", "Correction"]}, "signals", ("update", "correction")),
        ({"subjects": ["Politics", {"uri": "http://cv.iptc.org/newscodes/mediatopic/11000000"}]},
         "subjects", (Subject(name="Politics"),
                      Subject("11000000", None, "http://cv.iptc.org/newscodes/mediatopic/"))),
        ({"dateline": "LONDON, Jan 2", "located": "London"}, "dateline", "LONDON, Jan 2"),
        ({"copyright": "(c) Example", "editorial_note": "Embargoed"}, "copyright", "(c) Example"),
        ({"unknown_key": 1}, "id", ""),
    ],
)  # fmt: skip
def test_jsonl_optional_fields(fields: dict[str, object], field: str, expected: object) -> None:
    (story,) = parse_all(line(headline="H", body="B.", **fields))
    assert getattr(story, field) == expected


def test_jsonl_lines_are_decoded_one_by_one() -> None:
    latin = '{"headline": "Latin", "body": "Café."}'.encode("cp1252")
    raw = line(headline="UTF-8", body="Café.") + b"\n" + latin
    first, second = parse_all(raw)
    assert first.body == second.body == "Café."


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (b'["an", "array"]', "line 1: an array, not a JSON object"),
        (line(headline="", body="B."), f"line 1: {NO_HEADLINE}"),
        (line(headline="H", body=["B."]), "line 1: no body text"),
        (line(headline="H", body="  \n "), "line 1: no body text"),
    ],
)
def test_jsonl_lines_that_are_not_stories(raw: bytes, message: str) -> None:
    (result,) = parse_all(raw)
    assert isinstance(result, ItemFailure)
    assert result.error.message == message


def test_jsonl_blank_file_has_no_lines() -> None:
    with pytest.raises(ParseError) as failure:
        parse_all(b"\n \n\t\n")
    assert failure.value.reason is Reason.NO_BODY
