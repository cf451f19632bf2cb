"""The format registry and sniffing."""

from __future__ import annotations

from pipeline.parse.registry import AUTO, FORMAT_CHOICES, FORMATS, detect_format, parse_item
from pipeline.records import RawItem


def test_registry_offers_auto_and_every_format() -> None:
    assert FORMAT_CHOICES == (AUTO, *FORMATS)
    assert "text" in FORMATS


def test_auto_falls_back_to_plain_text() -> None:
    assert detect_format(b"Headline\n\nBody.").name == "text"


def test_parse_item_uses_the_named_or_sniffed_parser() -> None:
    item = RawItem.of("in/a.txt", b"Headline\n\nBody.")
    for name in (AUTO, "text"):
        (story,) = parse_item(item, format_name=name)
        assert (story.headline, story.body, story.source.format) == ("Headline", "Body.", "text")
