"""Google's Pub/Sub emulator on loopback, started once for the tests that need it."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

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
    log = (data / "emulator.log").open("w")
    process = subprocess.Popen(
        [str(binary), "--host=127.0.0.1", f"--port={port}", f"--data-dir={data}"],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + STARTUP_SECONDS
    try:
        while True:
            if process.poll() is not None:
                pytest.fail(f"the emulator exited: {(data / 'emulator.log').read_text()}")
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    pytest.fail("the Pub/Sub emulator did not start")
                time.sleep(0.2)
        yield f"127.0.0.1:{port}"
    finally:
        os.killpg(process.pid, 15)
        process.wait(timeout=30)
        log.close()
