"""Kills and withholds, in each format that says so in its metadata, are stories (with an
empty body when they carry no text), not dead letters."""

from __future__ import annotations

import json
import re

import pytest

from pipeline.errors import ParseError, Reason
from pipeline.parse.registry import parse_item
from pipeline.records import ItemFailure, RawItem, Story
from tests.conftest import CASES

AFP = (CASES / "newsml_1" / "afp-latin1-label.xml").read_bytes()
NINJS = json.loads((CASES / "ninjs" / "ninjsExSimpleText_2.json").read_text(encoding="utf-8"))
NITF = (CASES / "nitf" / "iptc-fishing.xml").read_text(encoding="utf-8")


def newsml_1(status: str, *, text: bool, revision: str = "1", previous: str = "0") -> bytes:
    document = AFP.replace(
        b'<Status FormalName="Usable"/>', f'<Status FormalName="{status}"/>'.encode()
    )
    revised = f'PreviousRevision="{previous}" Update="N">{revision}<'.encode()
    document = document.replace(b'PreviousRevision="0" Update="N">1<', revised)
    if not text:
        document = re.sub(rb"<NewsComponent>\s*<ContentItem>.*?</NewsComponent>", b"", document,
                          flags=re.S)  # fmt: skip
    return document


def nitf_without_text(status: str) -> bytes:
    document = NITF.replace('management-status="canceled"', f'management-status="{status}"')
    return re.sub(r"<body\.content>.*?</body\.content>", "<body.content/>", document,
                  flags=re.S).encode()  # fmt: skip


def ninjs(status: str) -> bytes:
    item = {key: value for key, value in NINJS.items() if key != "bodies"}
    return json.dumps({**item, "pubstatus": status}).encode()


def parsed(raw: bytes) -> Story:
    (story,) = parse_item(RawItem.of("in/item", raw), format_name="auto")
    assert isinstance(story, Story)
    return story


@pytest.mark.parametrize(
    "raw, status",
    [
        (newsml_1("Canceled", text=False), "canceled"),
        (nitf_without_text("canceled"), "canceled"),
        (nitf_without_text("withheld"), "withheld"),
        (ninjs("canceled"), "canceled"),
        (ninjs("withheld"), "withheld"),
    ],
    ids=["newsml-1.2", "nitf", "nitf-withheld", "ninjs", "ninjs-withheld"],
)
def test_a_recall_without_text_is_a_story_with_an_empty_body(raw: bytes, status: str) -> None:
    story = parsed(raw)
    assert (story.pub_status, story.body) == (status, "")
    assert story.id and story.headline


def test_a_newsml_1_kill_with_text_keeps_it_and_says_what_it_supersedes() -> None:
    story = parsed(newsml_1("Canceled", text=True, revision="3", previous="2"))
    assert story.pub_status == "canceled" and "Musenga" in story.body
    assert (story.version, story.supersedes, story.signals) == ("3", "2", ("update",))
    assert parsed(newsml_1("Usable", text=True)).supersedes is None


@pytest.mark.parametrize(
    "raw",
    [newsml_1("Usable", text=False), nitf_without_text("usable"), ninjs("usable")],
    ids=["newsml-1.2", "nitf", "ninjs"],
)
def test_a_usable_item_without_text_is_still_no_body(raw: bytes) -> None:
    try:
        (failure,) = parse_item(RawItem.of("in/item", raw), format_name="auto")
    except ParseError as error:  # a single-item format raises, a container yields a failure
        assert error.reason is Reason.NO_BODY
    else:
        assert isinstance(failure, ItemFailure) and failure.error.reason is Reason.NO_BODY
