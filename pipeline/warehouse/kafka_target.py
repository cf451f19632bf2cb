"""An output's stories published to a Kafka topic, for warehouses that load from Kafka:
``kafka://HOST:PORT[,HOST:PORT...]/TOPIC`` (``wire-ingest load OUTPUT --to kafka://...``, or
``--publish kafka://...`` beside ``--output`` in ``run`` and ``watch``).

One message per story: key the story's ``id`` (so a compacted topic keeps each story's latest
version, and one story's versions stay in one partition, in order), value the ``WireStory``
record in Avro's single-object encoding (``C3 01``, the schema's CRC-64-AVRO fingerprint, the
record: ``pipeline.sink.avro.from_single_object`` reads it, as does any Avro library with
``schemas/wire_story.avsc``), headers ``wire-ingest-schema`` (``wire_story``) and
``wire-ingest-schema-version``. Dead letters and duplicates stay in the output folder.

Each Avro file is published in a Kafka transaction together with its row in the topic's load
ledger, the compacted topic ``TOPIC.wire-ingest-loads`` (key: the file's path in the output),
as the DuckDB target commits a file with its row in ``_wire_ingest_loads``: a consumer that
reads committed messages only (``isolation.level=read_committed``, librdkafka's default; the
Java client's default is ``read_uncommitted``) sees each file's stories once or not at all.
A publisher killed half-way is fenced by the next one, which aborts the open transaction and
carries on from the ledger. The transactional id is made from the topic and the output's
path, so one output publishes to a topic at a time.
"""

from __future__ import annotations

import hashlib
import json
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import fastavro

from pipeline.errors import ConfigError
from pipeline.inputs.kafka import client_config, client_module, parse_spec
from pipeline.sink.avro import STORY_SCHEMA, load_schema, schema_document, to_single_object
from pipeline.sink.lock import OutputBusy
from pipeline.warehouse.targets import TABLES, LoadError, LoadReport, finalized_files

LEDGER_SUFFIX = ".wire-ingest-loads"
SCHEMA_HEADER = "wire-ingest-schema"
SCHEMA_VERSION_HEADER = "wire-ingest-schema-version"
TIMEOUT_SECONDS = 15.0
_STORIES = next(table for table in TABLES if table.schema == STORY_SCHEMA)


@dataclass
class _LedgerRead:
    files: set[str] = field(default_factory=set)
    offset: int = 0  # of the ledger topic's one partition, read up to here


class KafkaTarget:
    def __init__(self, argument: str) -> None:
        self.spec = f"kafka:{argument}"
        match = parse_spec(self.spec, "--publish")
        if match["group"] is not None:
            raise ConfigError(f"--publish {self.spec}: a group is for --input, not a target")
        self._servers, self.topic = match["servers"], match["topic"]
        self.ledger_topic = self.topic + LEDGER_SUFFIX
        self._kafka = client_module(self.spec, "--publish")
        self._producers: dict[str, Any] = {}  # by output: a watcher publishes batch by batch
        # The ledger topic as read so far: the files it names and the offset read up to. A
        # watcher's next load reads only the rows added since (one per file, for months).
        self._ledger = _LedgerRead()
        self.ledger_rows_read = 0  # over this target's loads: what reading on from there saves

    def load(self, output: str) -> LoadReport:
        """Publishes every finalized stories file of ``output`` not published yet.

        Raises:
            OutputBusy: the broker cannot be reached, or refuses (exit 75: try again later;
                what it lacks is published by the next load).
            LoadError: a damaged output file; the files before it stay published.
        """
        report = LoadReport(self.spec, rows={_STORIES.name: 0})
        files = finalized_files(output, _STORIES)
        try:
            self._ensure_topics()
            producer = self._producer(output)
            published = self._published()
            for relative, path in files:
                if relative in published:
                    report.files_already += 1
                    continue
                report.rows[_STORIES.name] += self._publish(producer, relative, path)
                report.files_loaded += 1
        except self._kafka.KafkaException as error:
            # The next load starts a new producer, which aborts what this one left open, and
            # reads the ledger topic anew.
            self._producers.pop(output, None)
            self._ledger = _LedgerRead()
            detail = error.args[0] if error.args else error
            reason = detail.str() if hasattr(detail, "str") else str(detail)
            raise OutputBusy(
                f"{self.spec}: {reason}; the output is committed, and the next load publishes "
                "what the topic lacks"
            ) from error
        return report

    def _ensure_topics(self) -> None:
        """Creates the ledger topic (compacted, one partition: one row per file, kept for
        ever) and the stories topic (the broker's defaults) where they are missing."""
        admin = self._kafka.admin.AdminClient(client_config(self._servers))
        existing = admin.list_topics(timeout=TIMEOUT_SECONDS).topics
        NewTopic = self._kafka.admin.NewTopic  # noqa: N806
        missing = [
            NewTopic(self.ledger_topic, 1, config={"cleanup.policy": "compact"})
            if name == self.ledger_topic
            else NewTopic(name)
            for name in (self.topic, self.ledger_topic)
            if name not in existing
        ]
        for future in admin.create_topics(missing).values() if missing else ():
            try:
                future.result()
            except self._kafka.KafkaException as error:
                if error.args[0].code() != self._kafka.KafkaError.TOPIC_ALREADY_EXISTS:
                    raise

    def _producer(self, output: str) -> Any:
        """The output's transactional producer; starting it fences an earlier one of this
        output and topic and aborts what that one left open."""
        if output in self._producers:
            return self._producers[output]
        identity = hashlib.sha256(f"{Path(output).resolve()}\0{self.topic}".encode()).hexdigest()
        producer = self._kafka.Producer(
            client_config(
                self._servers,
                **{"transactional.id": f"wire-ingest-{identity[:32]}", "compression.type": "zstd"},
            )
        )
        producer.init_transactions(TIMEOUT_SECONDS)
        self._producers[output] = producer
        return producer

    def _published(self) -> set[str]:
        """The files the ledger topic names: committed rows, read to its end (from where the
        last load of this target stopped reading)."""
        settings = {
            "group.id": "wire-ingest-publisher",  # never committed: assign() reads it all
            "enable.auto.commit": False,
            "isolation.level": "read_committed",
        }
        consumer = self._kafka.Consumer(client_config(self._servers, **settings))
        try:
            partition = self._kafka.TopicPartition(self.ledger_topic, 0)
            low, high = consumer.get_watermark_offsets(partition, timeout=TIMEOUT_SECONDS)
            if self._ledger.offset < low or self._ledger.offset > high:  # a topic made anew
                self._ledger = _LedgerRead(offset=low)
            published = self._ledger.files
            if high <= self._ledger.offset:
                return published
            partition.offset = self._ledger.offset
            consumer.assign([partition])
            deadline = time.monotonic() + TIMEOUT_SECONDS
            # To the end: past the last row come the transactions' control records, which
            # the consumer skips (its position moves past them).
            while consumer.position([partition])[0].offset < high:
                message = consumer.poll(1.0)
                if message is not None:
                    if message.error() is not None:
                        raise self._kafka.KafkaException(message.error())
                    published.add(message.key().decode("utf-8"))
                    self.ledger_rows_read += 1
                elif time.monotonic() > deadline:
                    raise OutputBusy(f"{self.spec}: cannot read {self.ledger_topic} to its end")
            self._ledger.offset = high
            return published
        finally:
            consumer.close()

    def _publish(self, producer: Any, relative: str, path: Path) -> int:
        """One file's stories and its ledger row, in one transaction."""
        headers = {
            SCHEMA_HEADER: STORY_SCHEMA,
            SCHEMA_VERSION_HEADER: str(schema_document(STORY_SCHEMA)["version"]),
        }
        producer.begin_transaction()
        rows = 0
        try:
            with path.open("rb") as handle:
                for record in fastavro.reader(handle, load_schema(STORY_SCHEMA)):
                    value = to_single_object(STORY_SCHEMA, record)
                    self._produce(producer, self.topic, record["id"], value, headers)
                    rows += 1
        except (ValueError, EOFError, OSError) as error:  # what fastavro raises on a bad file
            producer.abort_transaction(TIMEOUT_SECONDS)
            raise LoadError(f"{path}: cannot publish it to {self.spec}: {error}") from error
        row = {"rows": rows, "published_at": datetime.now(UTC).isoformat()}
        self._produce(producer, self.ledger_topic, relative, json.dumps(row).encode(), {})
        producer.commit_transaction(TIMEOUT_SECONDS)
        return rows

    @staticmethod
    def _produce(
        producer: Any, topic: str, key: str, value: bytes, headers: dict[str, str]
    ) -> None:
        while True:
            try:
                producer.produce(topic, value=value, key=key, headers=headers)
                return
            except BufferError:  # the local queue is full: let it drain
                producer.poll(1.0)
