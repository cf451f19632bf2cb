"""Cloud Storage on an emulator, through Beam's gs:// filesystem (the gcp extra): a watched
bucket prefix, the object a Pub/Sub bucket notification names, and outputs in a bucket, for a
run and for a watcher, whose objects a reader only ever sees whole."""

from __future__ import annotations

import io
import json
import signal
import threading
import uuid
from pathlib import Path
from typing import Any

import fastavro

from tests.conftest import SAMPLES, SEED
from tests.inputs.conftest import Subscription
from tests.test_cli import wire_ingest
from tests.test_watch import Watch, drop, numbered_story, records, wait_for

# Beam's warning after some 30 s of asking for credentials, which against the emulator it
# must not do (pipeline/emulators.py).
CREDENTIALS_WAIT = "Unable to find default credentials"


def bucket_records(bucket: Any, prefix: str) -> list[dict[str, Any]]:
    found = []
    for blob in bucket.list_blobs(prefix=prefix):
        if blob.name.endswith(".avro"):
            found += list(fastavro.reader(io.BytesIO(blob.download_as_bytes())))
    return found


def bucket_summary(bucket: Any, output: str) -> dict[str, Any]:
    blob = bucket.blob(f"{output}/summary.json")
    return json.loads(blob.download_as_bytes()) if blob.exists() else {"read": 0}


def test_a_run_writes_to_a_bucket_and_resumes_there(bucket: Any, tmp_path: Path) -> None:
    output = f"runs/{uuid.uuid4().hex[:8]}"
    run = wire_ingest("run", "--input", str(SAMPLES), "--output", f"gs://feeds/{output}")
    assert run.returncode == 0, run.stderr
    assert CREDENTIALS_WAIT not in run.stderr
    summary = bucket_summary(bucket, output)
    assert (summary["read"], summary["written"], summary["dead_lettered"]) == (4, 3, 1)
    assert summary["balanced"]
    assert len(bucket_records(bucket, f"{output}/stories/")) == 3
    assert len(bucket_records(bucket, f"{output}/dead_letter/")) == 1
    objects = sorted(blob.name for blob in bucket.list_blobs(prefix=f"{output}/"))
    assert not [name for name in objects if "/.tmp/" in name or ".writing" in name]

    again = wire_ingest("run", "--input", str(SAMPLES), "--output", f"gs://feeds/{output}",
                        "--resume")  # fmt: skip
    assert again.returncode == 0, again.stderr
    assert bucket_summary(bucket, output)["read"] == 0
    assert sorted(blob.name for blob in bucket.list_blobs(prefix=f"{output}/stories/")) == [
        name for name in objects if name.startswith(f"{output}/stories/")
    ]


def test_a_run_reads_a_bucket_prefix(bucket: Any, tmp_path: Path) -> None:
    prefix = f"incoming-{uuid.uuid4().hex[:8]}"
    for sample in sorted(SAMPLES.iterdir()):
        bucket.blob(f"{prefix}/{sample.name}").upload_from_string(sample.read_bytes())
    bucket.blob(f"{prefix}/upload.txt.part").upload_from_string(b"half a story")
    run = wire_ingest("run", "--input", f"gs://feeds/{prefix}/", "--output", str(tmp_path / "out"))
    assert run.returncode == 0, run.stderr
    assert CREDENTIALS_WAIT not in run.stderr
    uris = sorted(record["source"]["uri"] for record in records(tmp_path / "out", "stories"))
    assert len(uris) == 3 and all(uri.startswith(f"gs://feeds/{prefix}/") for uri in uris)
    assert len(records(tmp_path / "out", "dead_letter")) == 1  # the empty sample


def test_a_watcher_writes_to_a_bucket_whose_readers_never_see_a_partial_object(
    bucket: Any, tmp_path: Path
) -> None:
    inputs, output = tmp_path / "in", f"watched/{uuid.uuid4().hex[:8]}"
    inputs.mkdir()
    seen: dict[str, int] = {}  # object -> its records, read whole the moment it was listed
    broken: list[str] = []
    stop = threading.Event()

    def read_as_it_lands() -> None:
        while not stop.is_set():
            for blob in bucket.list_blobs(prefix=f"{output}/stories/"):
                if blob.name not in seen:
                    try:
                        data = blob.download_as_bytes()
                        seen[blob.name] = len(list(fastavro.reader(io.BytesIO(data))))
                    except Exception as error:  # a partial or vanished object
                        broken.append(f"{blob.name}: {error!r}")

    reader = threading.Thread(target=read_as_it_lands, daemon=True)
    reader.start()
    watch = Watch(inputs, tmp_path / "out", output_uri=f"gs://feeds/{output}")
    try:
        for number in range(3):
            drop(inputs, f"story-{number}.txt", numbered_story(number))
            wait_for(lambda: bucket_summary(bucket, output)["read"] == number + 1, 120, watch)  # noqa: B023
    finally:
        assert watch.stop() == 0, watch.text
        stop.set()
        reader.join(timeout=30)
    assert CREDENTIALS_WAIT not in watch.text
    assert not broken
    assert sorted(seen.values()) == [1, 1, 1]  # each story in one object, seen whole
    assert bucket_summary(bucket, output)["totals"]["balanced"]


def test_watch_reads_a_bucket_and_the_objects_notifications_name(
    bucket: Any, subscription: Subscription, tmp_path: Path
) -> None:
    output = tmp_path / "out"
    watch = Watch("gs://feeds/incoming/", output, "--input", subscription.spec)
    bucket.blob("incoming/seed.txt").upload_from_string(SEED.read_bytes())
    bucket.blob("incoming/upload.txt.part").upload_from_string(b"half a story")
    bucket.blob("elsewhere/ap.txt").upload_from_string(
        (SAMPLES / "ap-costa-concordia-trial.txt").read_bytes()
    )
    subscription.publish(
        b"{}", eventType="OBJECT_FINALIZE", bucketId="feeds", objectId="elsewhere/ap.txt"
    )
    wait_for(lambda: watch.summary()["read"] == 2, 120, watch)
    assert watch.stop(signal.SIGTERM) == 0, watch.text
    uris = sorted(record["source"]["uri"] for record in records(output, "stories"))
    assert uris == ["gs://feeds/elsewhere/ap.txt", "gs://feeds/incoming/seed.txt"]
    assert watch.summary()["totals"]["balanced"]
