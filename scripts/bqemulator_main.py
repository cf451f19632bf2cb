"""bqemulator's command line (scripts/bqemulator runs it in the emulator's own environment,
.venv-bqemulator), with one bug of the emulator mended, so that it can hold our schema.

bqemulator 1.4.0 writes the DuckDB table for a BigQuery schema without quoting the names of
fields inside a RECORD, and ``end``, a field of our entities and sentences, is a reserved word
in DuckDB: creating the stories table fails with a syntax error. We keep our schema and quote
the names here instead; nothing else of the emulator is changed.
"""

import sys

from bqemulator.api.routes import tables
from bqemulator.storage import type_map

unquoted = type_map.bq_schema_to_duckdb_columns


def quoted(fields):
    """bq_schema_to_duckdb_columns, with the names of a RECORD's fields quoted."""
    columns = []
    for field in fields:
        if field["type"].upper() not in ("RECORD", "STRUCT"):
            columns.extend(unquoted([field]))
            continue
        inner = ", ".join(f'"{name}" {kind}' for name, kind in quoted(field.get("fields", [])))
        repeated = "[]" if field.get("mode", "NULLABLE").upper() == "REPEATED" else ""
        columns.append((field["name"], f"STRUCT({inner}){repeated}"))
    return columns


type_map.bq_schema_to_duckdb_columns = quoted
tables.bq_schema_to_duckdb_columns = quoted  # imported by name before the patch

from bqemulator.cli import main  # noqa: E402  (after the patch, which it must see)

sys.exit(main())
