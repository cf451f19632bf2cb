"""The Avro schemas (*.avsc) of wire-ingest output: the versioned contract, package data."""
