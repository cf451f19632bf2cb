"""Kafka on a real KRaft broker (scripts/kafka): message bytes and headers, offsets committed
only up to the first message not yet in the output, a watcher killed with kill -9 at random
moments losing and repeating nothing, and the stories published to a topic once each, a
publisher killed half-way included."""

from __future__ import annotations

import shutil
import time
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import ConfigError
from pipeline.inputs import open_input
from pipeline.sink.avro import from_single_object
from pipeline.warehouse.kafka_target import LEDGER_SUFFIX, SCHEMA_HEADER, KafkaTarget
from tests.conftest import SAMPLES
from tests.inputs.conftest import Topic, free_port
from tests.inputs.test_pubsub import poll_until
from tests.test_cli import BAD, PYTHON_M, wire_ingest
from tests.test_watch import JSONL, Watch, item_counts, kill_while_feeding, numbered_story, records

NO_OFFSET = -1001  # librdkafka's OFFSET_INVALID: nothing committed


def read_topic(broker: str, name: str, isolation: str = "read_committed") -> list[Any]:
    """Every message of every partition of ``name``, as a consumer with ``isolation`` sees it."""
    import confluent_kafka

    consumer = confluent_kafka.Consumer(
        {"bootstrap.servers": broker, "group.id": "test-reader", "isolation.level": isolation}
    )
    try:
        partitions = consumer.list_topics(name, timeout=30).topics[name].partitions
        assigned = [confluent_kafka.TopicPartition(name, p, 0) for p in partitions]
        ends = {p.partition: consumer.get_watermark_offsets(p, timeout=30)[1] for p in assigned}
        consumer.assign(assigned)
        found, deadline = [], time.monotonic() + 30
        while any(consumer.position([p])[0].offset < ends[p.partition] for p in assigned):
            message = consumer.poll(0.5)
            if message is not None and message.error() is None:
                found.append(message)
            assert time.monotonic() < deadline, f"{name} not read to its end"
        return found
    finally:
        consumer.close()


def test_kafka_input_delivers_message_bytes_with_their_headers(
    topic: Topic, tmp_path: Path
) -> None:
    topic.send(b"story one", uri="feeds/one.txt", format="text")
    topic.send(b"story two", partition=1)
    topic.send(None, partition=1)  # a tombstone: an empty item, a dead letter
    source = open_input(topic.spec, output=str(tmp_path))
    try:
        deliveries = sorted(poll_until(source, 3), key=lambda d: d.key)
        assert [(d.uri, d.data, d.format) for d in deliveries] == [
            ("feeds/one.txt", b"story one", "text"),
            (f"kafka://{topic.broker}/{topic.name}#1:0", b"story two", None),
            (f"kafka://{topic.broker}/{topic.name}#1:1", b"", None),
        ]
        assert [d.key.rsplit("|", 1)[1] for d in deliveries] == ["0:0", "1:0", "1:1"]
    finally:
        source.close()


def test_offsets_are_committed_only_up_to_the_first_message_not_acknowledged(
    topic: Topic, tmp_path: Path
) -> None:
    for number in range(4):
        topic.send(b"story %d" % number)
    source = open_input(topic.spec, output=str(tmp_path))
    try:
        first, second, third, fourth = sorted(poll_until(source, 4), key=lambda d: d.key)
        source.ack([first, third])
        assert topic.committed() == [1, NO_OFFSET]  # the second is not in the output yet
        source.ack([second])
        assert topic.committed() == [3, NO_OFFSET]
    finally:
        source.close()
    again = open_input(topic.spec, output=str(tmp_path))
    try:
        (redelivered,) = poll_until(again, 1)
        assert redelivered.key == fourth.key  # its topic id, partition and offset
        again.ack([redelivered])
        assert topic.committed() == [4, NO_OFFSET]
    finally:
        again.close()


@pytest.mark.parametrize(
    "spec", ["kafka://broker:9092", "kafka://broker:9092/", "kafka:///topic", "kafka://b/t?x=1"]
)
def test_kafka_spec_errors_are_one_line_config_errors(spec: str, tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="expected kafka://HOST:PORT/TOPIC"):
        open_input(spec, output=str(tmp_path))
    bad = wire_ingest("watch", "--input", spec, "--output", str(tmp_path / "out"))
    assert bad.returncode == 2
    assert bad.stderr.strip().startswith(f"wire-ingest: error: --input {spec}: expected kafka://")


def test_watch_loses_and_repeats_no_message_across_kill_9_at_random_moments(
    topic: Topic, tmp_path: Path
) -> None:
    names = [f"story-{number:02d}.txt" for number in range(24)]
    expected = Counter({(name, 0): 1 for name in names})
    expected.update({("stories.jsonl", index): 1 for index in range(6)})
    expected.update({("repeat.txt", 0): 1, ("garbage.bin", 0): 1})

    def feed() -> None:
        for number, name in enumerate(names):
            topic.send(numbered_story(number), partition=number % 2, uri=f"feeds/{name}")
            if number == 10:
                topic.send(JSONL.read_bytes(), uri="feeds/stories.jsonl", format="jsonl")
                topic.send(numbered_story(3), partition=1, uri="feeds/repeat.txt")
                topic.send(BAD["garbage.bin"][0], uri="feeds/garbage.bin")
            time.sleep(0.15)

    output = tmp_path / "out"
    watch = kill_while_feeding(feed, lambda: Watch(topic.spec, output), sum(expected.values()),
                               seed=16, pause=(0.5, 3.0))  # fmt: skip
    assert item_counts(output) == expected
    totals = watch.summary()["totals"]
    assert totals["balanced"] and totals["duplicates"] == 1
    # Every message is committed: 12 + 2 on partition 0, 12 + 1 on partition 1.
    assert topic.committed() == [14, 13]


def published_stories(broker: str, name: str) -> dict[str, dict[str, Any]]:
    """The records on the stories topic by key, each key once."""
    messages = read_topic(broker, name)
    keys = [message.key().decode() for message in messages]
    assert len(keys) == len(set(keys)), "a story was published twice"
    for message in messages:
        assert dict(message.headers())[SCHEMA_HEADER] == b"wire_story"
    return {
        message.key().decode(): from_single_object("wire_story", message.value())
        for message in messages
    }


def test_watch_publishes_each_story_once_as_its_files_are_committed(
    topic: Topic, tmp_path: Path
) -> None:
    for path in sorted(SAMPLES.iterdir()):
        topic.send(path.read_bytes(), uri=f"feeds/{path.name}")
    output, stories = tmp_path / "out", f"stories-{topic.name}"
    publish = f"kafka://{topic.broker}/{stories}"
    watch = Watch(topic.spec, output, "--publish", publish, "--idle-exit", "5")
    assert watch.process.wait(timeout=120) == 0, watch.text
    written = {record["id"]: record for record in records(output, "stories")}
    published = published_stories(topic.broker, stories)
    assert len(written) == 3 and published.keys() == written.keys()
    for story_id, record in written.items():
        assert published[story_id]["content_sha256"] == record["content_sha256"]
        assert published[story_id]["body"] == record["body"]
    assert f"into {publish}" in watch.text
    again = wire_ingest("load", str(output), "--to", publish, command=PYTHON_M)
    assert again.returncode == 0, again.stderr
    assert "loaded 0 files" in again.stdout  # the ledger topic knows them
    rows = read_topic(topic.broker, stories + LEDGER_SUFFIX)
    assert sorted(row.key().decode() for row in rows) == sorted(
        path.relative_to(output).as_posix() for path in (output / "stories").rglob("*.avro")
    )


def test_a_target_reads_on_in_its_ledger_topic_from_where_it_stopped(
    kafka_broker: str, tmp_path: Path
) -> None:
    """A watcher's loads read only the ledger rows added since the last one; a row another
    publisher added in between is seen all the same."""
    output, name = tmp_path / "out", f"stories-{time.monotonic_ns()}"
    ran = wire_ingest("run", "--input", str(SAMPLES), "--output", str(output), command=PYTHON_M)
    assert ran.returncode == 0, ran.stderr
    (stories,) = (output / "stories").rglob("*.avro")
    elsewhere = tmp_path / "elsewhere"  # another output publishing to the same topic
    shutil.copytree(output, elsewhere)
    (elsewhere / stories.relative_to(output)).unlink()  # the ledger's rows are by file path
    another = KafkaTarget(f"//{kafka_broker}/{name}")

    def publish_elsewhere(*names: str) -> None:
        for file_name in names:
            shutil.copy(stories, elsewhere / stories.relative_to(output).with_name(file_name))
        assert another.load(str(elsewhere)).files_loaded == len(names)

    publish_elsewhere("a.avro", "b.avro", "c.avro")
    target = KafkaTarget(f"//{kafka_broker}/{name}")
    assert target.load(str(output)).files_loaded == 1
    assert target.ledger_rows_read == 3  # the other output's three rows
    publish_elsewhere("d.avro")
    report = target.load(str(output))
    assert (report.files_loaded, report.files_already) == (0, 1)
    assert target.ledger_rows_read == 3 + 2  # on from there: its own row and d's, not all five
    published = {Path(row).name for row in target._published()}
    assert published == {"a.avro", "b.avro", "c.avro", "d.avro", stories.name}


def test_a_publisher_killed_half_way_is_fenced_and_its_stories_are_published_once(
    kafka_broker: str, tmp_path: Path
) -> None:
    output, name = tmp_path / "out", f"stories-{time.monotonic_ns()}"
    ran = wire_ingest("run", "--input", str(SAMPLES), "--output", str(output), command=PYTHON_M)
    assert ran.returncode == 0, ran.stderr
    spec = f"kafka://{kafka_broker}/{name}"
    # A publisher that died inside its transaction: some stories sent, nothing committed.
    dying = KafkaTarget(spec.removeprefix("kafka:"))
    dying._ensure_topics()
    producer = dying._producer(str(output))
    producer.begin_transaction()
    producer.produce(name, key="half-published", value=b"...")
    producer.flush(30)
    loaded = wire_ingest("load", str(output), "--to", spec, command=PYTHON_M)
    assert loaded.returncode == 0, loaded.stderr
    written = {record["id"] for record in records(output, "stories")}
    assert published_stories(kafka_broker, name).keys() == written
    uncommitted = {m.key().decode() for m in read_topic(kafka_broker, name, "read_uncommitted")}
    assert "half-published" in uncommitted  # it was sent, and its transaction aborted


def test_a_broker_that_cannot_be_reached_is_exit_75_and_the_next_load_publishes(
    kafka_broker: str, tmp_path: Path
) -> None:
    output, name = tmp_path / "out", f"stories-{time.monotonic_ns()}"
    nowhere = f"kafka://127.0.0.1:{free_port()}/{name}"
    ran = wire_ingest("run", "--input", str(SAMPLES), "--output", str(output),
                      "--publish", nowhere, command=PYTHON_M)  # fmt: skip
    assert ran.returncode == 75, ran.stderr
    (line,) = ran.stderr.strip().splitlines()
    assert line.startswith(f"wire-ingest: busy: {nowhere}: ") and "next load publishes" in line
    assert len(records(output, "stories")) == 3  # committed all the same
    later = wire_ingest("load", str(output), "--to", f"kafka://{kafka_broker}/{name}",
                        command=PYTHON_M)  # fmt: skip
    assert later.returncode == 0, later.stderr
    assert len(published_stories(kafka_broker, name)) == 3


def test_bad_publish_targets_are_one_line_exit_2(kafka_broker: str, tmp_path: Path) -> None:
    bad = wire_ingest("run", "--input", str(SAMPLES), "--output", str(tmp_path / "out"),
                      "--publish", "kafka://broker:9092")  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr.strip() == (
        "wire-ingest: error: --publish kafka://broker:9092: expected "
        "kafka://HOST:PORT/TOPIC[?group=GROUP]"
    )
