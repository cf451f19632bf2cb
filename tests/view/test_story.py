"""``wire-ingest show``: one story with its cuts in place, in the terminal and as a page."""

from __future__ import annotations

import dataclasses
import io
from pathlib import Path

import fastavro
import lxml.html
import pytest

from pipeline.sink.avro import STORY_SCHEMA, load_schema, story_record
from pipeline.view.story import Cut, Paragraph, Run, blocks, find
from tests.conftest import SEED
from tests.sink.test_avro import NOW, sample_story
from tests.test_cli import wire_ingest
from tests.view.conftest import SCRIPT, ViewRun

RECORD = {
    "body": "Alpha met Beta.\n\n“Fine,” said Beta.",
    "removed": [
        {"kind": "caption", "rule": "caption", "text": "A photo", "score": None},
        {"kind": "comments", "rule": "comments", "text": "3 comments", "score": None},
        {"kind": "share", "rule": "share", "text": "Share this", "score": None},
    ],
    "removed_at": [0, 34, 17],
    "entities": [{"text": "Alpha", "label": "PERSON", "start": 0, "end": 5},
                 {"text": "Beta", "label": "PERSON", "start": 10, "end": 14}],
    "quotes": [{"text": "“Fine,”", "speaker": "Beta", "verb": "said", "start": 17, "end": 24}],
}  # fmt: skip


def test_blocks_put_each_cut_where_it_stood_and_mark_entities_and_quotes() -> None:
    shown, placed = blocks(RECORD)
    assert placed
    assert shown == (
        Cut("caption", "caption", "A photo", None),
        Paragraph((Run("Alpha", "PERSON"), Run(" met "), Run("Beta", "PERSON"), Run("."))),
        Cut("share", "share", "Share this", None),
        Paragraph((Run("“Fine,”", quote=True), Run(" said Beta."))),
        Cut("comments", "comments", "3 comments", None),
    )


def test_a_file_from_before_v6_shows_its_cuts_after_the_text() -> None:
    shown, placed = blocks({**RECORD, "removed_at": []})
    assert not placed
    assert [type(block) for block in shown] == [Paragraph, Paragraph, Cut, Cut, Cut]


def test_show_prints_the_story_with_its_cuts_in_place(view_run: ViewRun) -> None:
    shown = wire_ingest("show", str(view_run.output), "--source", SEED.name)
    assert shown.returncode == 0, shown.stderr
    text = shown.stdout
    caption = text.index("✂ caption (caption): People walk past a damaged building")
    story = text.index("The Kremlin said on Friday")
    signoff = text.index("✂ signoff (signoff): REUTERS")
    related = text.index("✂ related_posts (related): Related posts")
    assert caption < story < signoff < related
    assert "Reuters" in text.split("\n\n")[0]  # the metadata, above the headline
    record = view_run.story_from(SEED.name)
    assert f"{len(record['removed'])} cuts" in text


def test_show_by_id_and_the_listing(view_run: ViewRun) -> None:
    listing = wire_ingest("show", str(view_run.output))
    assert listing.returncode == 0
    assert len(listing.stdout.splitlines()) == len(view_run.stories())
    record = view_run.story_from(SEED.name)
    assert f"{record['id']}  {SEED.name}  {record['headline']}" in listing.stdout
    by_id = wire_ingest("show", str(view_run.output), "--id", record["id"])
    assert by_id.returncode == 0 and record["headline"] in by_id.stdout


def test_an_id_shows_its_latest_version(tmp_path: Path) -> None:
    folder = tmp_path / "stories" / "ingest_date=2026-12-01"
    folder.mkdir(parents=True)
    story = sample_story()
    versions = [dataclasses.replace(story, version=str(rank), version_rank=rank,
                                    headline=f"Version {rank}") for rank in (1, 3, 2)]  # fmt: skip
    buffer = io.BytesIO()
    fastavro.writer(buffer, fastavro.parse_schema(load_schema(STORY_SCHEMA)),
                    [story_record(version, ingested_at=NOW) for version in versions])  # fmt: skip
    (folder / "stories-1.avro").write_bytes(buffer.getvalue())
    assert find(str(tmp_path), story_id=story.id).record["headline"] == "Version 3"


@pytest.mark.parametrize(
    ("args", "message"),
    [(["--id", "nope"], "no story with id nope"),
     (["--source", "nope.txt"], "no story with source nope.txt"),
     (["--id", "a", "--source", "b"], "not allowed with argument"),
     (["--source", SEED.name, "--html", "/nonexistent/dir/page.html"], "cannot write the page")],
)  # fmt: skip
def test_show_refuses_in_one_line(view_run: ViewRun, args: list[str], message: str) -> None:
    shown = wire_ingest("show", str(view_run.output), *args)
    assert shown.returncode == 2
    assert message in shown.stderr and len(shown.stderr.strip().splitlines()) == 1


def test_show_refuses_a_folder_that_is_no_output(tmp_path: Path) -> None:
    shown = wire_ingest("show", str(tmp_path), "--id", "x")
    assert shown.returncode == 2 and "not an output of wire-ingest" in shown.stderr


def test_the_page_shows_markup_from_the_story_as_text(view_run: ViewRun, tmp_path: Path) -> None:
    page = tmp_path / "story.html"
    shown = wire_ingest("show", str(view_run.output), "--source", "minister-resigns.txt",
                        "--html", str(page))  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    html = page.read_text(encoding="utf-8")
    assert "<script" not in html.lower()
    document = lxml.html.fromstring(html)
    assert SCRIPT in document.xpath("string(//article)")
    record = view_run.story_from("minister-resigns.txt")
    assert [cut.get("data-kind") for cut in document.xpath("//div[@class='cut']")] == [
        cut["kind"] for cut, _ in sorted(zip(record["removed"], record["removed_at"],
                                             strict=True), key=lambda pair: pair[1])
    ]  # fmt: skip
