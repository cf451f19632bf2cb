"""Cloud Storage on an emulator: a watched bucket prefix, and the object a Pub/Sub bucket
notification names, both read through Beam's gs:// filesystem (the gcp extra)."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from tests.conftest import SAMPLES, SEED
from tests.inputs.conftest import Subscription
from tests.test_watch import Watch, records, wait_for

pytestmark = pytest.mark.slow  # Beam looks for Google credentials for about 25 s first


def test_watch_reads_a_bucket_and_the_objects_notifications_name(
    gcs_emulator: str,
    subscription: Subscription,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", gcs_emulator)
    from google.auth.credentials import AnonymousCredentials
    from google.cloud import storage

    bucket = storage.Client(project="test", credentials=AnonymousCredentials()).bucket("feeds")
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
