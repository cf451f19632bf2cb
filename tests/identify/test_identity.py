"""Stable ids, content hashes, and merging exact duplicates."""

from __future__ import annotations

from dataclasses import replace

from pipeline.identify.identity import duplicate_key, identify, merge_duplicates, normalize
from pipeline.records import RawItem, Story


def story(uri: str, headline: str, body: str, **fields: object) -> Story:
    source = RawItem.of(uri, body.encode()).source
    return Story(source, body.encode(), headline, body, **fields)  # type: ignore[arg-type]


def test_normalize_ignores_case_spacing_and_compatibility_forms() -> None:
    assert normalize("  Erdogan\u00a0SAYS\n\n ﬁne ") == "erdogan says fine"


def test_identify_gives_reposts_of_the_same_story_one_id() -> None:
    a = identify(story("a.txt", "Russia says", "The Kremlin said on Friday."))
    b = identify(story("b.txt", "RUSSIA  SAYS", "The Kremlin said on  Friday."))
    c = identify(story("c.txt", "Russia says", "The Kremlin said on Saturday."))
    assert a.id == b.id != c.id
    assert len(a.id) == 64
    assert a.content_sha256 != b.content_sha256  # the bodies differ by a space


def test_identify_keeps_an_id_the_source_gave() -> None:
    assert identify(story("a.txt", "H", "B.", id="urn:newsml:x:1")).id == "urn:newsml:x:1"


def test_duplicate_key_separates_versions() -> None:
    first = identify(story("a.txt", "H", "B.", id="guid", version="1"))
    assert duplicate_key(first) != duplicate_key(replace(first, version="2"))


def test_merge_duplicates_keeps_the_first_source_and_lists_the_others() -> None:
    copies = [identify(story(uri, "H", "Same body.")) for uri in ("c.txt", "a.txt", "b.txt")]
    merged = merge_duplicates(copies)
    assert merged.source.uri == "a.txt"
    assert [source.uri for source in merged.duplicate_sources] == ["b.txt", "c.txt"]
    assert merge_duplicates(copies[:1]).duplicate_sources == ()
