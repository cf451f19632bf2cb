"""The format registry and sniffing."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.parse.registry import AUTO, FORMAT_CHOICES, FORMATS, detect_format, parse_item
from pipeline.records import RawItem
from tests.conftest import CASES, REPO, corpus


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


FIXTURE_FORMATS = {
    "anpa": "anpa",
    "ap_media": "ap-media",
    "html": "html",
    "iptc7901": "iptc7901",
    "jsonl": "jsonl",
    "newsml_1": "newsml-1",
    "newsml_g2": "newsml-g2",
    "ninjs": "ninjs",
    "nitf": "nitf",
    "reuters21578": "reuters21578",
}
FIXTURES = sorted(
    (path, name)
    for folder, name in FIXTURE_FORMATS.items()
    for path in (CASES / folder).iterdir()
    if path.suffix != ".md"
)


@pytest.mark.parametrize(("path", "expected"), FIXTURES, ids=lambda v: getattr(v, "name", v))
def test_auto_recognises_every_fixture_and_no_other_format_claims_it(
    path: Path, expected: str
) -> None:
    raw = path.read_bytes()
    assert detect_format(raw).name == expected
    claimed = [
        fmt.name
        for fmt in FORMATS.values()
        if fmt.name not in (expected, "text") and fmt.detect(raw)
    ]
    assert claimed == []


@pytest.mark.slow
def test_conformance_over_the_shared_wire_corpora() -> None:
    """Every item of every wire corpus file: a story with headline and body, or a counted,
    specific reason; any other exception fails this test (scripts/conformance.py)."""
    import sys

    corpus("reuters21578")
    sys.path.insert(0, str(REPO / "scripts"))
    import conformance

    tallies, failures, _ = conformance.conform(conformance.DEFAULT_CORPORA)
    assert tallies["reuters21578"].stories == 19_771
    assert tallies["reuters21578"].dead == {"no_body": 1_807}  # BRIEF items: headline only
    assert {"anpa", "iptc7901", "newsml-1", "newsml-g2", "ninjs", "nitf", "ap-media"} <= set(
        tallies
    )
    assert all(": " in failure for failure in failures)
