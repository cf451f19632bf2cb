"""wire-ingest: news wire stories in, clean annotated Avro out, on Apache Beam.

Stages, each a package with pure functions and one composite transform in ``transforms.py``:
``read`` -> ``parse`` -> ``clean`` -> ``identify`` -> ``enrich`` -> ``sink``; items a stage
cannot handle become dead letters (``pipeline.stage``). ``pipeline.graph.IngestStories`` is the
whole ingest as one transform, fed by the sources in ``pipeline.inputs`` (folders, buckets,
Pub/Sub) and committed to the output by ``pipeline.sink.ledger``; ``pipeline.launch`` runs it
once, ``pipeline.watch`` batch after batch, and ``pipeline.cli`` is the command line.
"""

from pipeline.emulators import skip_credentials_for_storage_emulator

# Here, because Beam's workers import this package before they run any of its transforms.
skip_credentials_for_storage_emulator()
