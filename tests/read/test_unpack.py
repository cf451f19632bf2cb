"""Read stage: gzip by content, size limits (gzip bombs too), empty and unreadable files."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest
from pipeline.errors import Reason, ReadError
from pipeline.read.unpack import load, trace_delivery, unpack
from pipeline.records import Delivery, RawItem

STORY = b"Headline\n\nBody paragraph.\n"


def unpack_one(raw: bytes, max_bytes: int = 1_000) -> RawItem:
    (item,) = unpack(RawItem.of("in/story.txt", raw), max_bytes=max_bytes)
    return item


def test_unpack_passes_plain_bytes_through() -> None:
    item = unpack_one(STORY)
    assert item.raw == STORY
    assert item.source.compression is None


def test_unpack_recognises_gzip_by_content_not_name() -> None:
    item = unpack_one(gzip.compress(STORY))
    assert item.raw == STORY
    assert item.source.compression == "gzip"
    assert item.source.uri == "in/story.txt"


def test_unpack_hashes_the_decompressed_item() -> None:
    assert unpack_one(gzip.compress(STORY)).source.sha256 == RawItem.of("x", STORY).source.sha256


def test_unpack_reads_concatenated_gzip_members() -> None:
    assert unpack_one(gzip.compress(b"Head\n\n") + gzip.compress(b"Body.")).raw == b"Head\n\nBody."


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (b"", Reason.EMPTY),
        (b" \n\t\r\n", Reason.EMPTY),
        (gzip.compress(STORY)[:-12], Reason.BAD_COMPRESSION),
        (b"\x1f\x8b" + b"not really gzip", Reason.BAD_COMPRESSION),
        (b"x" * 1_001, Reason.TOO_LARGE),
    ],
    ids=["empty", "white-space", "truncated-gzip", "corrupt-gzip", "oversized"],
)
def test_unpack_rejects_bad_items(raw: bytes, reason: Reason) -> None:
    with pytest.raises(ReadError) as failure:
        unpack_one(raw)
    assert failure.value.reason is reason


def test_unpack_stops_a_gzip_bomb_at_the_limit() -> None:
    bomb = gzip.compress(b"\0" * 50_000_000)  # 50 MB of zeros in about 50 KB
    with pytest.raises(ReadError) as failure:
        unpack_one(bomb, max_bytes=1_000_000)
    assert failure.value.reason is Reason.TOO_LARGE
    assert "1,000,000" in failure.value.message


def test_load_keeps_a_files_bytes_as_stored(tmp_path: Path) -> None:
    path = tmp_path / "story.txt.gz"
    path.write_bytes(gzip.compress(STORY))
    (item,) = load(Delivery(str(path), key="k"))
    assert item.raw == path.read_bytes()
    assert item.source.uri == str(path)
    assert item.source.format is None


def test_load_takes_a_messages_bytes_and_named_format_through_gzip() -> None:
    delivery = Delivery("pubsub://sub#1", key="k", data=gzip.compress(STORY), format="text")
    (item,) = unpack(next(load(delivery)), max_bytes=1_000)
    assert (item.raw, item.source.uri, item.source.format) == (STORY, "pubsub://sub#1", "text")
    assert item.source.compression == "gzip"


def test_load_turns_an_unreadable_path_into_a_read_error(tmp_path: Path) -> None:
    delivery = Delivery(str(tmp_path), key="k")  # a folder
    with pytest.raises(ReadError) as failure:
        list(load(delivery))
    assert failure.value.reason is Reason.UNREADABLE
    assert str(tmp_path) in failure.value.message
    source, raw = trace_delivery(delivery)
    assert (source.uri, raw) == (str(tmp_path), b"")
