"""One real run for the run report and the story view: the shipped samples, and inputs that
hold markup (``<script>`` in a story, in a file's name, in the bytes of a dead letter) which
the pages must show as text."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLES
from tests.test_cli import wire_ingest
from tests.test_watch import records

# Sets the page's title, if it ever runs.
SCRIPT = "<script>document.title='PWNED'</script>"
HOSTILE_STORY = (
    f"Minister resigns {SCRIPT} after budget row\n\n"
    f"LONDON (Reuters) - The finance minister resigned on Tuesday {SCRIPT} after a row over "
    "the budget with the prime minister, who said the government would name a successor "
    "within days and that the budget would be presented to parliament as planned.\n\n"
    '"We will not let this delay the budget," the prime minister told reporters in London, '
    "adding that the markets had been told of the change before it was announced.\n"
)
# Named with markup: the report lists it as a dead letter's source.
HOSTILE_NAME = "<img src=x onerror=alert(1)>.xml"
HOSTILE_BYTES = f'<?xml version="1.0"?>\n<NewsML>{SCRIPT}<NewsItem>'.encode()


@dataclass(frozen=True)
class ViewRun:
    output: Path
    summary: dict[str, Any]

    @property
    def report(self) -> Path:
        return self.output / "report.html"

    def stories(self) -> list[dict[str, Any]]:
        return records(self.output, "stories")

    def story_from(self, name: str) -> dict[str, Any]:
        (record,) = [r for r in self.stories() if Path(r["source"]["uri"]).name == name]
        return record


@pytest.fixture(scope="session")
def view_run(tmp_path_factory: pytest.TempPathFactory) -> ViewRun:
    root = tmp_path_factory.mktemp("view")
    inputs = root / "in"
    shutil.copytree(SAMPLES, inputs)
    (inputs / "minister-resigns.txt").write_text(HOSTILE_STORY, encoding="utf-8")
    (inputs / HOSTILE_NAME).write_bytes(HOSTILE_BYTES)
    output = root / "out"
    done = wire_ingest("run", "--input", str(inputs), "--output", str(output))
    assert done.returncode == 0, done.stderr
    return ViewRun(output, json.loads((output / "summary.json").read_text()))
