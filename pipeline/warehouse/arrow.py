"""Our Avro records as Arrow tables, typed by the schemas in ``schemas/*.avsc``.

A warehouse gets the record's own field names and nesting, and its Avro types as the types a
reader expects: ``timestamp-micros`` as a UTC timestamp (DuckDB's TIMESTAMP WITH TIME ZONE),
records as structs, arrays of records as lists of structs, ``bytes`` as binary. The Arrow
schema is made from the current schema file, not from each Avro file, and files are read
with it as their reader schema, so an output written by an older schema version loads into
the same columns, its missing fields at their defaults.

Why not a reader that does all this: DuckDB's ``read_avro`` extension cannot be downloaded
here and, from the only wheel that carries it (DuckDB 1.5.5), reads timestamps as naive;
polars' own Avro reader refuses fields with defaults, which ours have (BENCHMARKS.md).
fastavro decodes, and this module only says which Arrow type each Avro type is.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import fastavro
import pyarrow as pa


# Records decoded into one Arrow batch: a few MB of stories at a time, whatever the file's size.
BATCH_RECORDS = 2_000

_PRIMITIVES = {
    "null": pa.null(),
    "boolean": pa.bool_(),
    "int": pa.int32(),
    "long": pa.int64(),
    "float": pa.float32(),
    "double": pa.float64(),
    "bytes": pa.binary(),
    "string": pa.string(),
}
_LOGICAL = {
    "timestamp-micros": pa.timestamp("us", tz="UTC"),
    "timestamp-millis": pa.timestamp("ms", tz="UTC"),
    "date": pa.date32(),
}


def arrow_schema(schema: dict[str, Any]) -> pa.Schema:
    """The Arrow schema of a record schema; every column nullable, as warehouse columns are."""
    named: dict[str, pa.DataType] = {}
    return pa.schema([
        pa.field(field["name"], _arrow_type(field["type"], named, schema.get("namespace")))
        for field in schema["fields"]
    ])  # fmt: skip


def _arrow_type(avro: Any, named: dict[str, pa.DataType], namespace: str | None) -> pa.DataType:
    if isinstance(avro, str):
        if avro in _PRIMITIVES:
            return _PRIMITIVES[avro]
        full = avro if "." in avro or namespace is None else f"{namespace}.{avro}"
        return named[full] if full in named else named[avro]
    if isinstance(avro, list):  # a union: null and one other type, as ours all are
        others = [branch for branch in avro if branch != "null"]
        if len(others) != 1:
            raise ValueError(f"union {avro} has no single Arrow type")
        return _arrow_type(others[0], named, namespace)
    kind = avro["type"]
    if logical := _LOGICAL.get(avro.get("logicalType", "")):
        return logical
    if kind == "array":
        return pa.list_(_arrow_type(avro["items"], named, namespace))
    if kind == "map":
        return pa.map_(pa.string(), _arrow_type(avro["values"], named, namespace))
    if kind == "enum":
        return pa.string()
    if kind == "record":
        inner = avro.get("namespace", namespace)
        struct = pa.struct([
            pa.field(field["name"], _arrow_type(field["type"], named, inner))
            for field in avro["fields"]
        ])  # fmt: skip
        named[avro["name"]] = struct
        named[f"{inner}.{avro['name']}" if inner else avro["name"]] = struct
        return struct
    return _arrow_type(kind, named, namespace)


def read_batches(path: Path, schema: dict[str, Any]) -> Iterator[pa.RecordBatch]:
    """The file's records as Arrow batches of ``BATCH_RECORDS``, read with ``schema``."""
    target = arrow_schema(schema)
    reader_schema = fastavro.parse_schema(schema)
    with path.open("rb") as handle:
        batch: list[dict[str, Any]] = []
        for record in fastavro.reader(handle, reader_schema=reader_schema):
            batch.append(record)  # type: ignore[arg-type]
            if len(batch) == BATCH_RECORDS:
                yield pa.RecordBatch.from_pylist(batch, schema=target)
                batch = []
        if batch:
            yield pa.RecordBatch.from_pylist(batch, schema=target)
