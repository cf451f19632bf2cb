"""Apache Kafka: ``kafka://HOST:PORT[,HOST:PORT...]/TOPIC[?group=GROUP]``.

A message's value is one story's bytes; optional headers ``uri`` (the name it goes by in
``source.uri``) and ``format`` (a parser name), as Pub/Sub's attributes. The watcher reads
the topic as a member of a consumer group (``group``, default ``wire-ingest``), so it starts
where the group's committed offsets are and Kafka spreads the partitions over the watchers of
the group.

Offsets are committed only after the messages' items are committed to the output, and only
up to the first message of a partition that is not: a Kafka offset says "everything before
this is done", so the commit waits for the lowest outstanding offset. After a crash the group
resumes from its last commit; the messages delivered again are known to the ledger by their
topic's id, partition and offset and are acknowledged without being read again. So a kill -9
loses nothing and duplicates nothing. The topic's id (not its name or the servers) goes into
the ledger's keys: a topic deleted and made again starts at offset 0 once more, and its
messages are new.

Why not Beam's ``ReadFromKafka``: it commits offsets when a bundle finalizes, not when our
ledger commits a batch (so a crash in between loses stories), and it needs a Java expansion
service of the SDK's own version, which Maven Central does not serve for Beam 2.77.0
(BENCHMARKS.md). Confluent's client (librdkafka, in its wheel; the kafka extra) is the
well-kept Python one.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Sequence
from typing import Any

from pipeline.errors import ConfigError, SourceError
from pipeline.records import Delivery

SCHEME = "kafka"
DEFAULT_GROUP = "wire-ingest"
MAX_MESSAGES = 500
# How long a poll waits for messages when there are none: short, since the watcher polls
# again during a batch's linger and between batches.
POLL_TIMEOUT_SECONDS = 0.5
_SPEC = re.compile(r"kafka://(?P<servers>[^/?#]+)/(?P<topic>[\w.-]+)(?:\?group=(?P<group>[^&#]+))?")
_LOG = logging.getLogger(__name__)
_CLIENT_LOG = logging.getLogger("librdkafka")


def parse_spec(spec: str, role: str) -> re.Match[str]:
    """The parts of a ``kafka://`` spec (servers, topic, group).

    Args:
        role: the option the spec came with, for the message (``--input``).

    Raises:
        ConfigError: not that shape.
    """
    match = _SPEC.fullmatch(spec)
    if match is None:
        raise ConfigError(f"{role} {spec}: expected kafka://HOST:PORT/TOPIC[?group=GROUP]")
    return match


def client_config(servers: str, **settings: Any) -> dict[str, Any]:
    """A Kafka client's settings: ``servers``, librdkafka's log through Python's logging (at
    ERROR and above: its warnings are retries it recovers from, such as a coordinator still
    loading), and ``settings``."""
    return {"bootstrap.servers": servers, "logger": _CLIENT_LOG, "log_level": 3, **settings}


def client_module(spec: str, role: str) -> Any:
    """``confluent_kafka``, or a one-line ConfigError naming the extra that installs it."""
    try:
        import confluent_kafka
        import confluent_kafka.admin  # noqa: F401  (kafka.admin.AdminClient)
    except ImportError as error:
        raise ConfigError(
            f"{role} {spec}: Kafka needs the kafka extra: pip install 'wire-ingest[kafka]'"
        ) from error
    return confluent_kafka


class KafkaInput:
    """Reads one topic as a member of a consumer group."""

    def __init__(self, spec: str, *, output: str) -> None:
        self.spec = spec
        match = parse_spec(spec, "--input")
        self._servers, self._topic = match["servers"], match["topic"]
        kafka = client_module(spec, "--input")
        self._kafka = kafka
        # A static member, named by the output (which one watcher holds at a time): after a
        # kill -9 the next watcher takes its partitions at once, without the group waiting
        # for the dead member's session to time out. Other members of the group wait for that
        # (a static member does not leave on close), hence a session of 10 s, not 45.
        member = hashlib.sha256(f"{output}\0{spec}".encode()).hexdigest()[:32]
        settings = {
            "group.id": match["group"] or DEFAULT_GROUP,
            "group.instance.id": f"wire-ingest-{member}",
            "session.timeout.ms": 10_000,
            "enable.auto.commit": False,  # committed by ack(), after the ledger's commit
            "auto.offset.reset": "earliest",  # a new group reads what the topic holds
            "isolation.level": "read_committed",
            "error_cb": self._log_error,
        }
        self._consumer = kafka.Consumer(client_config(self._servers, **settings))
        self._admin = kafka.admin.AdminClient(client_config(self._servers))
        self._topic_id: str | None = None  # asked of the broker at the first poll
        self._consumer.subscribe([self._topic], on_revoke=self._revoked)
        # Per partition, the offsets delivered and not yet acknowledged, and the highest
        # acknowledged: what the next commit may say.
        self._outstanding: dict[int, set[int]] = {}
        self._acknowledged: dict[int, int] = {}

    def poll(self) -> list[Delivery]:
        if self._topic_id is None:
            self._topic_id = self._ask_topic_id()
        try:
            messages = self._consumer.consume(MAX_MESSAGES, timeout=POLL_TIMEOUT_SECONDS)
        except self._kafka.KafkaException as error:
            raise SourceError(f"--input {self.spec}: cannot read: {error}") from error
        deliveries = []
        for message in messages:
            error = message.error()
            if error is not None:
                if error.fatal():
                    raise SourceError(f"--input {self.spec}: {error.str()}")
                _LOG.warning("--input %s: %s", self.spec, error.str())
                continue
            self._outstanding.setdefault(message.partition(), set()).add(message.offset())
            deliveries.append(self._delivery(message))
        return deliveries

    def _ask_topic_id(self) -> str:
        topics = self._kafka.TopicCollection([self._topic])
        try:
            described = self._admin.describe_topics(topics, request_timeout=10)[self._topic]
            return str(described.result().topic_id)
        except self._kafka.KafkaException as error:
            raise SourceError(f"--input {self.spec}: cannot read: {error}") from error

    def _delivery(self, message: Any) -> Delivery:
        headers = {name: value.decode("utf-8", "replace") for name, value in message.headers() or []
                   if value is not None}  # fmt: skip
        place = f"{message.partition()}:{message.offset()}"
        return Delivery(
            headers.get("uri") or f"kafka://{self._servers}/{self._topic}#{place}",
            key=f"kafka:{self._topic_id}|{place}",
            data=message.value() or b"",  # a tombstone (no value) is an empty item
            format=headers.get("format"),
        )

    def ack(self, deliveries: Sequence[Delivery]) -> None:
        touched = set()
        for delivery in deliveries:
            if not delivery.key.startswith(f"kafka:{self._topic_id}|"):
                continue  # another source's
            partition, offset = map(int, delivery.key.rsplit("|", 1)[1].split(":"))
            outstanding = self._outstanding.get(partition)
            if outstanding is None or offset not in outstanding:
                continue  # acknowledged already, or its partition went to another watcher
            outstanding.discard(offset)
            self._acknowledged[partition] = max(offset, self._acknowledged.get(partition, -1))
            touched.add(partition)
        offsets = [
            self._kafka.TopicPartition(self._topic, partition, self._committable(partition))
            for partition in sorted(touched)
        ]
        if offsets:
            try:
                self._consumer.commit(offsets=offsets, asynchronous=False)
            except self._kafka.KafkaException as error:
                # Not lost: the group reads these again and the ledger knows them.
                _LOG.warning("--input %s: cannot commit offsets: %s", self.spec, error)

    def _committable(self, partition: int) -> int:
        """The offset the group may resume from: the first message not yet acknowledged."""
        outstanding = self._outstanding[partition]
        return min(outstanding) if outstanding else self._acknowledged[partition] + 1

    def _revoked(self, consumer: Any, partitions: list[Any]) -> None:
        """Partitions handed to another member: what was outstanding there is theirs now."""
        del consumer
        for partition in partitions:
            self._outstanding.pop(partition.partition, None)
            self._acknowledged.pop(partition.partition, None)

    def _log_error(self, error: Any) -> None:
        _LOG.warning("--input %s: %s", self.spec, error.str())

    def close(self) -> None:
        """Closes the consumer. A static member stays in its group for its session, so the
        next watcher of this output gets its partitions back at once; what was not committed
        is delivered to it again."""
        self._consumer.close()
