"""Shared fixtures: paths to the shipped samples and the shared corpora, settings, the real
spaCy pipeline (loaded once), and Beam test pipelines on the offline FnApiRunner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import fastavro
import pytest
import spacy.language
from apache_beam.options.pipeline_options import PipelineOptions
from apache_beam.testing.test_pipeline import TestPipeline

from pipeline.clean.rules import RuleBook, build_rulebook
from pipeline.enrich.handler import load_pipeline
from pipeline.launch import offline_runner
from pipeline.settings import Settings, load_settings

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples" / "stories"
SEED = SAMPLES / "reuters-idlib-repost.txt"
CASES = Path(__file__).resolve().parent / "cases"
# The team's shared data sets (DESIGN.md section 6): beside the repository in CI, absent in a
# user's clone, where the tests that need them skip and say so.
CORPORA = REPO.parent / "shared" / "corpora"


def records(output: Path, folder: str) -> list[dict[str, Any]]:
    """Every record of one output folder's Avro files ("stories", "dead_letter"...), files in
    name order: the real files read back, as a user's reader would."""
    found = []
    for path in sorted((output / folder).rglob("*.avro")):
        with path.open("rb") as handle:
            found += list(fastavro.reader(handle))
    return found


def corpus(*parts: str) -> Path:
    path = CORPORA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs the shared corpora at {path} (present in CI, not in a plain clone)")
    return path


@pytest.fixture(scope="session")
def settings() -> Settings:
    return load_settings()


@pytest.fixture(scope="session")
def book(settings: Settings) -> RuleBook:
    return build_rulebook(settings.clean)


@pytest.fixture(scope="session")
def nlp(settings: Settings) -> spacy.language.Language:
    return load_pipeline(settings.enrich)


@pytest.fixture
def test_pipeline() -> Callable[[], TestPipeline]:
    """``with test_pipeline() as p:`` a TestPipeline on the offline runner (no Prism download)."""

    def make() -> TestPipeline:
        return TestPipeline(runner=offline_runner(PipelineOptions([])))

    return make


@pytest.fixture
def write_files(tmp_path: Path) -> Callable[[dict[str, bytes]], Path]:
    """Writes {name: bytes} into a fresh input folder and returns it."""

    def write(files: dict[str, bytes]) -> Path:
        folder = tmp_path / "in"
        folder.mkdir(exist_ok=True)
        for name, data in files.items():
            (folder / name).write_bytes(data)
        return folder

    return write


@pytest.fixture(autouse=True)
def _no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Tests never need the network; Beam must not reach for it either."""
    import socket

    real_connect = socket.socket.connect

    def guarded(self: socket.socket, address: object) -> None:
        host = address[0] if isinstance(address, tuple) else address
        if isinstance(host, str) and not (
            host.startswith("127.") or host in ("localhost", "::1") or host.startswith("/")
        ):
            raise AssertionError(f"a test tried to reach {address}")
        return real_connect(self, address)

    monkeypatch.setattr(socket.socket, "connect", guarded)
    yield
