"""Pub/Sub on Google's real emulator: message bytes and attributes, bucket notifications,
acknowledgement only after the commit, and a redelivered message not read twice."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from pipeline.inputs import Input, open_input
from pipeline.launch import prepare, prepare_output, run_batch
from pipeline.records import Delivery
from tests.conftest import SAMPLES, SEED
from tests.inputs.conftest import Subscription
from tests.test_watch import Watch, records, wait_for


def poll_until(source: Input, count: int, seconds: float = 30) -> list[Delivery]:
    found: list[Delivery] = []
    deadline = time.monotonic() + seconds
    while len(found) < count and time.monotonic() < deadline:
        found += source.poll()
    return found


def test_pubsub_input_delivers_message_bytes_with_their_attributes(
    subscription: Subscription, tmp_path: Path
) -> None:
    first = subscription.publish(b"story one", uri="feeds/one.txt", format="text")
    second = subscription.publish(b"story two")
    source = open_input(subscription.spec, output=str(tmp_path))
    try:
        deliveries = sorted(poll_until(source, 2), key=lambda d: d.data or b"")
        assert [(d.uri, d.data, d.format) for d in deliveries] == [
            ("feeds/one.txt", b"story one", "text"),
            (f"{subscription.spec}#{second}", b"story two", None),
        ]
        assert deliveries[0].key.endswith(f"|{first}")
        source.ack(deliveries)
        assert source.poll() == []  # acknowledged: not delivered again
    finally:
        source.close()


def test_pubsub_input_reads_the_object_a_bucket_notification_names(
    subscription: Subscription, tmp_path: Path
) -> None:
    subscription.publish(b"{}", eventType="OBJECT_DELETE", bucketId="feeds", objectId="gone.xml")
    subscription.publish(
        b"{}", eventType="OBJECT_FINALIZE", bucketId="feeds", objectId="2026/12/01/a.xml"
    )
    source = open_input(subscription.spec, output=str(tmp_path))
    try:
        (delivery,) = poll_until(source, 1)
        assert (delivery.uri, delivery.data) == ("gs://feeds/2026/12/01/a.xml", None)
        source.ack([delivery])
        assert poll_until(source, 1, seconds=3) == []  # the delete was acknowledged, unread
    finally:
        source.close()


def test_pubsub_spec_errors_are_one_line_config_errors(tmp_path: Path) -> None:
    from pipeline.errors import ConfigError

    with pytest.raises(ConfigError, match="expected pubsub://projects/PROJECT/subscriptions/"):
        open_input("pubsub://my-topic", output=str(tmp_path))


def test_watch_acknowledges_pubsub_messages_once_their_stories_are_committed(
    subscription: Subscription, tmp_path: Path
) -> None:
    subscription.publish(SEED.read_bytes(), uri="feeds/seed.txt")
    subscription.publish((SAMPLES / "ap-costa-concordia-trial.txt").read_bytes(), format="text")
    subscription.publish(bytes(range(256)) * 4)
    output = tmp_path / "out"
    watch = Watch(subscription.spec, output)
    wait_for(lambda: watch.summary()["read"] == 3, 60, watch)
    subscription.publish(SEED.read_bytes(), uri="feeds/seed-again.txt")  # the same item again
    wait_for(lambda: watch.summary()["read"] == 4, 60, watch)
    assert watch.stop() == 0, watch.text
    uris = sorted(r["source"]["uri"] for r in records(output, "stories"))
    assert uris[0] == "feeds/seed.txt" and uris[1].startswith(f"{subscription.spec}#")
    (letter,) = records(output, "dead_letter")
    assert (letter["reason"], letter["raw"]) == ("binary", bytes(range(256)) * 4)
    (duplicate,) = records(output, "duplicates")
    assert duplicate["source"]["uri"] == "feeds/seed-again.txt"
    assert watch.summary()["totals"]["balanced"]
    source = open_input(subscription.spec, output=str(output))
    try:
        assert poll_until(source, 1, seconds=3) == []  # all four were acknowledged
    finally:
        source.close()


def test_watch_does_not_read_a_message_redelivered_after_its_commit(
    subscription: Subscription, tmp_path: Path
) -> None:
    subscription.publish(SEED.read_bytes())
    output = tmp_path / "out"
    source = open_input(subscription.spec, output=str(output))
    try:
        (delivery,) = poll_until(source, 1)
        # A watcher that committed this message and died before acknowledging it:
        session = prepare(None, "auto", [])
        run_batch(
            session,
            prepare_output(str(output), overwrite=False, resume=True, writer="test"),
            [delivery],
        )
    finally:
        source.close()  # handed back unacknowledged: Pub/Sub delivers it again
    watch = Watch(subscription.spec, output, "--idle-exit", "5")
    assert watch.process.wait(timeout=90) == 0, watch.text
    summary = watch.summary()
    assert (summary["read"], summary["totals"]["read"], summary["totals"]["written"]) == (0, 1, 1)
    again = open_input(subscription.spec, output=str(output))
    try:
        # Acknowledged by the second watcher (had it not, its close would have handed it back).
        assert poll_until(again, 1, seconds=3) == []
    finally:
        again.close()
