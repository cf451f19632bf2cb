"""Google's Pub/Sub emulator, a Cloud Storage emulator and a Kafka broker on loopback, started
once for the tests that need them."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from pipeline.launch import ENGINES
from tests.conftest import REPO

STARTUP_SECONDS = 60


def emulator_binary() -> Path | None:
    """The emulator under the Cloud SDK root (Debian package google-cloud-cli-pubsub-emulator)."""
    gcloud = shutil.which("gcloud")
    if gcloud is None:
        return None
    root = subprocess.run(
        [gcloud, "info", "--format=value(installation.sdk_root)"],
        capture_output=True, text=True, timeout=60,
    ).stdout.strip()  # fmt: skip
    binary = Path(root) / "platform" / "pubsub-emulator" / "bin" / "cloud-pubsub-emulator"
    return binary if root and binary.exists() else None


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture(scope="session")
def pubsub_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``host:port`` of a running emulator; skips where the SDK has none."""
    binary = emulator_binary()
    if binary is None:
        pytest.skip(
            "needs Google's Pub/Sub emulator (gcloud with google-cloud-cli-pubsub-emulator)"
        )
    port = free_port()
    data = tmp_path_factory.mktemp("pubsub-emulator")
    command = [str(binary), "--host=127.0.0.1", f"--port={port}", f"--data-dir={data}"]
    with serve(command, port, data / "emulator.log"):
        yield f"127.0.0.1:{port}"


@pytest.fixture(scope="session")
def gcs_emulator(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``http://host:port`` of a Cloud Storage emulator (gcp-storage-emulator, a dev
    dependency) holding the bucket ``feeds``."""
    binary = Path(sys.executable).with_name("gcp-storage-emulator")
    if not binary.exists():
        pytest.skip("needs gcp-storage-emulator (installed with the dev extra)")
    port = free_port()
    command = [str(binary), "start", "--host=127.0.0.1", f"--port={port}", "--in-memory",
               "--default-bucket=feeds"]  # fmt: skip
    with serve(command, port, tmp_path_factory.mktemp("gcs-emulator") / "emulator.log"):
        yield f"http://127.0.0.1:{port}"


@contextlib.contextmanager
def serve(
    command: list[str], port: int, log_path: Path, env: dict[str, str] | None = None
) -> Iterator[None]:
    """Runs a server on loopback ``port`` while the block runs, its output in ``log_path``."""
    with log_path.open("w") as log:
        process = subprocess.Popen(
            command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True, env=env
        )
    try:
        wait_for_port(process, port, log_path)
        yield
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def wait_for_port(process: subprocess.Popen[bytes], port: int, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            pytest.fail(f"the emulator exited: {log.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            if time.monotonic() > deadline:
                pytest.fail(f"the emulator did not start on port {port}: {log.read_text()}")
            time.sleep(0.2)


@pytest.fixture
def bucket(gcs_emulator: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The emulator's bucket ``feeds``; the commands run here find the emulator."""
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_emulator)
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    yield storage.Client(project="test", credentials=AnonymousCredentials()).bucket("feeds")


PROJECT = "wire-ingest-test"


@dataclass
class Subscription:
    publisher: object
    topic: str
    spec: str

    def publish(self, data: bytes, **attributes: str) -> str:
        return self.publisher.publish(self.topic, data, **attributes).result(timeout=30)


@pytest.fixture
def subscription(pubsub_emulator: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Subscription]:
    monkeypatch.setenv("PUBSUB_EMULATOR_HOST", pubsub_emulator)
    from google.cloud import pubsub_v1

    publisher = pubsub_v1.PublisherClient()
    subscriber = pubsub_v1.SubscriberClient()
    name = uuid.uuid4().hex[:12]
    topic = publisher.create_topic(name=f"projects/{PROJECT}/topics/t-{name}").name
    path = f"projects/{PROJECT}/subscriptions/s-{name}"
    subscriber.create_subscription(name=path, topic=topic, ack_deadline_seconds=10)
    yield Subscription(publisher, topic, f"pubsub://{path}")
    subscriber.close()


KAFKA_LIBS = ENGINES / "kafka-4.4.0" / "libs"


@pytest.fixture(scope="session")
def kafka_broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``host:port`` of a KRaft Kafka broker on loopback, started by ``scripts/kafka``."""
    if not (KAFKA_LIBS / ".complete").exists():
        pytest.skip("Kafka is not staged: scripts/engines needs java and mvn on PATH")
    env = {**os.environ, "KAFKA_RUN_DIR": str(tmp_path_factory.mktemp("kafka"))}
    port = free_port()
    start = [REPO / "scripts" / "kafka", "start", "--port", str(port),
             "--controller-port", str(free_port())]  # fmt: skip
    started = subprocess.run(start, env=env, capture_output=True, text=True, timeout=180)
    try:
        assert started.returncode == 0, started.stderr
        yield f"127.0.0.1:{port}"
    finally:
        subprocess.run([REPO / "scripts" / "kafka", "stop"], env=env, timeout=60, check=False)


@dataclass
class Topic:
    """A new topic of two partitions on the test broker, and a producer for it."""

    broker: str
    name: str
    producer: Any

    @property
    def group(self) -> str:
        """The topic's own consumer group: the tests' watchers never share one."""
        return f"group-{self.name}"

    @property
    def spec(self) -> str:
        return f"kafka://{self.broker}/{self.name}?group={self.group}"

    def send(self, data: bytes | None, *, partition: int = 0, **headers: str) -> None:
        self.producer.produce(self.name, value=data, partition=partition, headers=headers)
        self.producer.flush(30)

    def committed(self) -> list[int]:
        """The group's committed offset of each partition (-1001: none)."""
        import confluent_kafka

        settings = {"bootstrap.servers": self.broker, "group.id": self.group}
        consumer = confluent_kafka.Consumer(settings)
        try:
            partitions = [confluent_kafka.TopicPartition(self.name, p) for p in (0, 1)]
            return [p.offset for p in consumer.committed(partitions, timeout=30)]
        finally:
            consumer.close()


@pytest.fixture
def topic(kafka_broker: str) -> Iterator[Topic]:
    import confluent_kafka
    from confluent_kafka.admin import AdminClient, NewTopic

    name = f"wires-{uuid.uuid4().hex[:12]}"
    admin = AdminClient({"bootstrap.servers": kafka_broker})
    admin.create_topics([NewTopic(name, 2)])[name].result(timeout=30)
    producer = confluent_kafka.Producer({"bootstrap.servers": kafka_broker})
    yield Topic(kafka_broker, name, producer)
    producer.flush(30)
