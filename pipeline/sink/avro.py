"""Records to Avro, with the schemas in ``schemas/*.avsc`` as the only definition.

The ``.avsc`` files ship inside the package (``pipeline.schemas``) and are loaded here; the
code never redefines a schema, it only maps our records onto it.
"""

from __future__ import annotations

import dataclasses
import functools
import io
import json
from datetime import datetime
from importlib.resources import files
from typing import IO, Any

import fastavro
from apache_beam.io import fileio

from pipeline.records import DeadLetter, Duplicate, Removed, Source, Story

STORY_SCHEMA = "wire_story"
DEAD_LETTER_SCHEMA = "dead_letter"
DUPLICATE_SCHEMA = "duplicate"
CODEC = "deflate"


@functools.cache
def schema_document(name: str) -> dict[str, Any]:
    """The schema ``schemas/<name>.avsc`` as written (what the warehouse maps onto its types)."""
    text = files("pipeline.schemas").joinpath(f"{name}.avsc").read_text(encoding="utf-8")
    document: dict[str, Any] = json.loads(text)
    return document


@functools.cache
def load_schema(name: str) -> dict[str, Any]:
    """The parsed schema ``schemas/<name>.avsc``."""
    return fastavro.parse_schema(schema_document(name))


# Avro's single-object encoding (the specification's form for one record in a message): this
# marker, the 8-byte CRC-64-AVRO fingerprint of the writer's schema, then the record's binary.
SINGLE_OBJECT_MARKER = b"\xc3\x01"


@functools.cache
def schema_fingerprint(name: str) -> bytes:
    """The CRC-64-AVRO fingerprint of ``schemas/<name>.avsc``, as single objects carry it."""
    canonical = fastavro.schema.to_parsing_canonical_form(load_schema(name))
    return bytes.fromhex(fastavro.schema.fingerprint(canonical, "CRC-64-AVRO"))


def to_single_object(name: str, record: dict[str, Any]) -> bytes:
    """``record`` in Avro's single-object encoding with the schema ``name``."""
    buffer = io.BytesIO()
    buffer.write(SINGLE_OBJECT_MARKER + schema_fingerprint(name))
    fastavro.schemaless_writer(buffer, load_schema(name), record)
    return buffer.getvalue()


def from_single_object(name: str, data: bytes) -> dict[str, Any]:
    """The record a single object of the schema ``name`` holds.

    Raises:
        ValueError: not a single object, or written with another schema (another version).
    """
    header = SINGLE_OBJECT_MARKER + schema_fingerprint(name)
    if not data.startswith(SINGLE_OBJECT_MARKER):
        raise ValueError("not an Avro single object (no C3 01 marker)")
    if not data.startswith(header):
        raise ValueError(f"written with another schema than this {name} (fingerprint differs)")
    record: dict[str, Any] = fastavro.schemaless_reader(
        io.BytesIO(data[len(header) :]), load_schema(name), None
    )
    return record


def source_record(source: Source) -> dict[str, Any]:
    return dataclasses.asdict(source)


def _removed_record(cut: Removed) -> dict[str, Any]:
    """A cut without its position, which the record holds apart (``removed_at``, v6: a field
    added to a record inside an array is one every warehouse would have to migrate)."""
    record = dataclasses.asdict(cut)
    del record["at"]
    return record


def story_record(story: Story, *, ingested_at: datetime) -> dict[str, Any]:
    """The ``WireStory`` record of an enriched story."""
    annotations = story.annotations
    if annotations is None or story.version_rank is None or not story.cluster_id:
        raise ValueError(
            f"story {story.id} from {story.source.uri} reached the sink unannotated, unranked "
            "or unclustered"
        )
    return {
        "id": story.id,
        "version": story.version,
        "source": source_record(story.source),
        "provider": story.provider,
        "headline": story.headline,
        "body": story.body,
        "removed": [_removed_record(cut) for cut in story.removed],
        "removed_at": [cut.at for cut in story.removed],
        "pub_status": story.pub_status,
        "language": story.language,
        "version_created": story.version_created,
        "ingested_at": ingested_at,
        "entities": [dataclasses.asdict(entity) for entity in annotations.entities],
        "nlp_model": annotations.model,
        "nlp_components": list(annotations.components),
        "sentences": [dataclasses.asdict(span) for span in annotations.sentences],
        "byline": story.byline,
        "dateline": story.dateline,
        "caption": story.caption,
        "credit": story.credit,
        "content_sha256": story.content_sha256,
        "duplicate_sources": [source_record(source) for source in story.duplicate_sources],
        "page": dataclasses.asdict(story.page) if story.page else None,
        "first_created": story.first_created,
        "embargoed": story.embargoed,
        "urgency": story.urgency,
        "signals": list(story.signals),
        "slugline": story.slugline,
        "located": story.located,
        "subjects": [dataclasses.asdict(subject) for subject in story.subjects],
        "keywords": list(story.keywords),
        "copyright": story.copyright,
        "editorial_note": story.editorial_note,
        "quotes": [dataclasses.asdict(quote) for quote in annotations.quotes],
        "entity_summary": [dataclasses.asdict(entity) for entity in annotations.entity_summary],
        "key_phrases": list(annotations.key_phrases),
        "word_count": annotations.word_count,
        "sentence_count": len(annotations.sentences),
        "dateline_parts": dataclasses.asdict(story.dateline_parts)
        if story.dateline_parts
        else None,
        "nlp_skipped": annotations.skipped,
        "version_rank": story.version_rank,
        "supersedes": story.supersedes,
        "cluster_id": story.cluster_id,
        "cluster_similarity": story.cluster_similarity,
    }


def dead_letter_record(letter: DeadLetter) -> dict[str, Any]:
    """The ``DeadLetter`` record."""
    return dataclasses.asdict(letter)


def duplicate_record(duplicate: Duplicate) -> dict[str, Any]:
    """The ``Duplicate`` record."""
    return dataclasses.asdict(duplicate)


class AvroFileSink(fileio.FileSink):
    """A ``fileio`` sink writing one Avro container file with fastavro."""

    def __init__(self, schema_name: str) -> None:
        self._schema = load_schema(schema_name)
        self._writer: fastavro.write.Writer | None = None

    def open(self, fh: IO[bytes]) -> None:
        self._writer = fastavro.write.Writer(fh, self._schema, codec=CODEC)

    def write(self, record: dict[str, Any]) -> None:
        assert self._writer is not None, "write before open"
        self._writer.write(record)

    def flush(self) -> None:
        assert self._writer is not None, "flush before open"
        self._writer.flush()
