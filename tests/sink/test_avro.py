"""The Avro contract: schemas pinned per version, evolution rules, and records round-tripped."""

from __future__ import annotations

import io
import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fastavro
import pytest

from pipeline.records import (
    Annotations,
    Dateline,
    DeadLetter,
    Entity,
    EntitySummary,
    PageMetadata,
    Quote,
    RawItem,
    Removed,
    Span,
    Story,
    Subject,
)
from pipeline.sink.avro import (
    DEAD_LETTER_SCHEMA,
    DUPLICATE_SCHEMA,
    STORY_SCHEMA,
    AvroFileSink,
    dead_letter_record,
    load_schema,
    story_record,
)
from tests.conftest import CASES, REPO

GOLDEN = CASES / "schemas"
SCHEMAS = (STORY_SCHEMA, DEAD_LETTER_SCHEMA, DUPLICATE_SCHEMA)
NOW = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)


def raw_schema(name: str) -> dict[str, Any]:
    return json.loads((REPO / "schemas" / f"{name}.avsc").read_text(encoding="utf-8"))


def golden_versions(name: str) -> list[Path]:
    return sorted(GOLDEN.glob(f"{name}.v*.avsc"), key=lambda p: int(p.stem.rsplit("v", 1)[1]))


def walk_fields(schema: Any) -> list[dict[str, Any]]:
    """Every field of every record in a schema, nested ones included; each with the name of
    its record under "record" (two records may each have a "name" field)."""
    found = []
    if isinstance(schema, dict):
        for field in schema.get("fields", []):
            found.append({**field, "record": schema["name"]})
            found += walk_fields(field["type"])
        found += walk_fields(schema.get("items"))
    elif isinstance(schema, list):
        for branch in schema:
            found += walk_fields(branch)
    return found


def shape(avro_type: Any) -> Any:
    """A type without its docs and without nested records' fields (``walk_fields`` checks
    those one by one), so that adding a field to a nested record is not a type change."""
    if isinstance(avro_type, list):
        return [shape(branch) for branch in avro_type]
    if isinstance(avro_type, dict):
        if avro_type["type"] == "record":
            return ("record", avro_type["name"])
        if avro_type["type"] == "array":
            return ("array", shape(avro_type["items"]))
        return {key: value for key, value in avro_type.items() if key != "doc"}
    return avro_type


def sample_story() -> Story:
    body = "Kremlin spokesman Dmitry Peskov spoke.\n\nHe agreed."
    return Story(
        source=RawItem.of("in/a.txt", b"raw").source,
        raw=b"raw",
        headline="Headline",
        body=body,
        removed=(Removed("signoff", "signoff", "REUTERS", at=len(body)),),
        provider="Reuters",
        caption="A caption",
        id="abc",
        version="2",
        version_rank=2,
        supersedes="1",
        cluster_id="abc",
        first_created=NOW,
        embargoed=NOW,
        urgency=3,
        signals=("update",),
        slugline="RUSSIA-TURKEY/",
        located="Moscow",
        subjects=(Subject("11000000", "politics", "medtop"),),
        keywords=("Syria",),
        copyright="© 2019 Reuters",
        editorial_note="Corrects paragraph 2",
        page=PageMetadata(title="T", site_name="Example", published=NOW),
        dateline_parts=Dateline("MOSCOW", "Reuters", None),
        content_sha256="def",
        duplicate_sources=(RawItem.of("in/b.txt", b"raw").source,),
        annotations=Annotations(
            model="m-1",
            components=("ner",),
            entities=(Entity("Dmitry Peskov", "PERSON", 18, 31),),
            sentences=(Span(0, 38), Span(40, 50)),
            entity_summary=(
                EntitySummary("Dmitry Peskov", "PERSON", 2, 18, 0.75, aliases=("Peskov",)),
            ),
            quotes=(Quote("We agree", "Dmitry Peskov", "said", 40, 50),),
            key_phrases=("Kremlin spokesman",),
            word_count=7,
        ),
    )


def round_trip(schema_name: str, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    buffer = io.BytesIO()
    sink = AvroFileSink(schema_name)
    sink.open(buffer)
    for record in records:
        sink.write(record)
    sink.flush()
    buffer.seek(0)
    reader = fastavro.reader(buffer)
    assert reader.codec == "deflate"
    return list(reader)


def without_docs(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: without_docs(item) for key, item in value.items() if key != "doc"}
    if isinstance(value, list):
        return [without_docs(item) for item in value]
    return value


@pytest.mark.parametrize("name", SCHEMAS)
def test_schema_matches_its_pinned_version(name: str) -> None:
    """A changed schema (docs aside) needs a new version number and a pinned copy in
    tests/cases/schemas."""
    current = raw_schema(name)
    latest = golden_versions(name)[-1]
    assert latest.name == f"{name}.v{current['version']}.avsc"
    assert without_docs(json.loads(latest.read_text(encoding="utf-8"))) == without_docs(current)


@pytest.mark.parametrize("name", SCHEMAS)
def test_schema_only_adds_fields_with_defaults(name: str) -> None:
    current = {(f["record"], f["name"]): f for f in walk_fields(raw_schema(name))}
    for pinned in golden_versions(name):
        old = {(f["record"], f["name"]): f for f in walk_fields(json.loads(pinned.read_text()))}
        for field_name, field in old.items():
            assert field_name in current, f"{field_name} of {pinned.name} was removed or renamed"
            assert shape(current[field_name]["type"]) == shape(field["type"]), field_name
        for field_name in current.keys() - old.keys():
            assert "default" in current[field_name], f"new field {field_name} has no default"


@pytest.mark.parametrize("name", SCHEMAS)
def test_schema_is_warehouse_friendly(name: str) -> None:
    for field in walk_fields(raw_schema(name)):
        assert re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", field["name"]), field["name"]
        if isinstance(field["type"], list):  # optional: null first, defaulting to null
            assert field["type"][0] == "null" and field["default"] is None, field["name"]


def test_old_and_new_readers_read_each_others_files() -> None:
    oldest = json.loads(golden_versions(STORY_SCHEMA)[0].read_text(encoding="utf-8"))
    record = story_record(sample_story(), ingested_at=NOW)
    for writer, reader in (
        (oldest, load_schema(STORY_SCHEMA)),
        (load_schema(STORY_SCHEMA), oldest),
    ):
        buffer = io.BytesIO()
        fastavro.writer(buffer, fastavro.parse_schema(writer), [record])
        buffer.seek(0)
        (read,) = fastavro.reader(buffer, reader_schema=fastavro.parse_schema(reader))
        assert read["headline"] == "Headline"


def test_story_record_round_trips() -> None:
    (record,) = round_trip(STORY_SCHEMA, [story_record(sample_story(), ingested_at=NOW)])
    assert record["ingested_at"] == NOW
    assert record["ingested_at"].tzinfo is not None
    assert record["source"]["uri"] == "in/a.txt"
    assert record["removed"] == [
        {"kind": "signoff", "rule": "signoff", "text": "REUTERS", "score": None}
    ]
    assert record["entities"] == [
        {"text": "Dmitry Peskov", "label": "PERSON", "start": 18, "end": 31}
    ]
    assert record["sentences"] == [{"start": 0, "end": 38}, {"start": 40, "end": 50}]
    assert record["duplicate_sources"][0]["uri"] == "in/b.txt"
    assert (record["nlp_model"], record["nlp_components"]) == ("m-1", ["ner"])
    assert (record["version"], record["pub_status"], record["urgency"]) == ("2", "usable", 3)
    assert record["first_created"] == record["embargoed"] == NOW
    assert record["signals"] == ["update"] and record["keywords"] == ["Syria"]
    assert record["subjects"] == [{"code": "11000000", "name": "politics", "scheme": "medtop"}]
    assert (record["slugline"], record["located"]) == ("RUSSIA-TURKEY/", "Moscow")
    assert record["editorial_note"] == "Corrects paragraph 2"
    assert record["quotes"] == [
        {"text": "We agree", "speaker": "Dmitry Peskov", "verb": "said", "start": 40, "end": 50}
    ]
    (summary,) = record["entity_summary"]
    assert (summary["name"], summary["aliases"], summary["salience"]) == (
        "Dmitry Peskov",
        ["Peskov"],
        0.75,
    )
    assert (record["word_count"], record["sentence_count"]) == (7, 2)
    assert record["key_phrases"] == ["Kremlin spokesman"]
    assert record["dateline_parts"] == {"place": "MOSCOW", "agency": "Reuters", "date": None}
    assert record["nlp_skipped"] is None
    assert (record["version_rank"], record["supersedes"]) == (2, "1")
    assert (record["cluster_id"], record["cluster_similarity"]) == ("abc", None)
    assert record["page"] == {"title": "T", "author": None, "published": NOW,
                              "site_name": "Example", "url": None}  # fmt: skip


def test_story_record_refuses_an_unannotated_story() -> None:
    from dataclasses import replace

    with pytest.raises(ValueError, match="unannotated"):
        story_record(replace(sample_story(), annotations=None), ingested_at=NOW)


def test_dead_letter_record_round_trips_raw_bytes() -> None:
    raw = bytes(range(256))
    letter = DeadLetter(
        source=RawItem.of("in/x.bin", raw).source,
        stage="parse",
        error_type="ParseError",
        reason="binary",
        error_message="NUL byte at offset 0",
        raw=raw,
        failed_at=NOW,
    )
    (record,) = round_trip(DEAD_LETTER_SCHEMA, [dead_letter_record(letter)])
    assert record["raw"] == raw
    assert (record["stage"], record["reason"]) == ("parse", "binary")
    assert record["failed_at"] == NOW
