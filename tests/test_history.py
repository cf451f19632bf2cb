"""One story, many deliveries, through the real command: version series in three formats with
their kills as records, and near-duplicate clusters across runs into one output."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import CASES, SEED
from tests.test_cli import Run, wire_ingest

G2_CORRECTION = (CASES / "newsml_g2" / "reuters-update-excerpt.xml").read_text(encoding="utf-8")
G2_KILL = (CASES / "newsml_g2" / "reuters-kill-excerpt.xml").read_text(encoding="utf-8")
NINJS = json.loads((CASES / "ninjs" / "ninjsExSimpleText_2.json").read_text(encoding="utf-8"))
NITF_KILL = (CASES / "nitf" / "iptc-fishing.xml").read_text(encoding="utf-8")


def g2_first_version() -> str:
    """Reuters' correction as the version it corrects: earlier, without the correction note,
    and under embargo until the evening."""
    first = re.sub(r"<html:p>\(In Jan\. 3 story, corrects.*?</html:p>", "", G2_CORRECTION,
                   flags=re.S)  # fmt: skip
    first = first.replace('version="978556838"', 'version="400000000"')
    first = first.replace("CORRECTED-S. Illinois", "S. Illinois")
    first = first.replace("2016-01-04T15:43:34.000Z", "2016-01-03T20:10:00.000Z")
    embargo = "<ns0:embargoed>2016-01-03T22:00:00.000Z</ns0:embargoed>"
    return first.replace("<ns0:pubStatus", f"{embargo}\n        <ns0:pubStatus", 1)


def ninjs_version(version: str, **changes: Any) -> str:
    item = {**NINJS, "version": version, **changes}
    return json.dumps({key: value for key, value in item.items() if value is not None})


def nitf_version(version: str, status: str, text: str = "") -> str:
    document = NITF_KILL.replace('management-status="canceled"', f'management-status="{status}"')
    document = re.sub(r'(<du-key[^>]*?version=")1(")', rf"\g<1>{version}\2", document, flags=re.S)
    return document.replace(
        "Superb weather in Norfolk today.", text or "Superb weather in Norfolk today."
    )


SERIES = {
    # format -> (file name, contents) in version order
    "newsml_g2": [
        ("g2-v1.xml", g2_first_version()),
        ("g2-v2-correction.xml", G2_CORRECTION),
        ("g2-v3-kill.xml", G2_KILL),  # pubStatus canceled, no text
    ],
    "ninjs": [
        ("ninjs-v1.json", ninjs_version("1", pubstatus="usable")),
        (
            "ninjs-v2-correction.json",
            ninjs_version("2", pubstatus="usable", ednote="Corrects the number of victims"),
        ),
        ("ninjs-v3-kill.json", ninjs_version("3", pubstatus="canceled", bodies=None)),
    ],  # fmt: skip
    "nitf": [
        ("nitf-v1.xml", nitf_version("1", "usable")),
        ("nitf-v2-correction.xml", nitf_version("2", "usable", "Fine weather in Norfolk today.")),
        ("nitf-v3-kill.xml", nitf_version("3", "canceled")),  # the IPTC sample: a kill with text
    ],
}


@pytest.fixture(scope="module")
def series(tmp_path_factory: pytest.TempPathFactory) -> Run:
    root = tmp_path_factory.mktemp("series")
    inputs = root / "in"
    inputs.mkdir()
    for files in SERIES.values():
        for name, text in files:
            (inputs / name).write_text(text, encoding="utf-8")
    process = wire_ingest("run", "--input", str(inputs), "--output", str(root / "out"))
    assert process.returncode == 0, process.stderr
    return Run(process, root / "out")


@pytest.mark.parametrize("format_name", SERIES)
def test_a_version_series_is_one_id_with_ranks_in_order_and_the_kill_as_a_record(
    series: Run, format_name: str
) -> None:
    names = [name for name, _ in SERIES[format_name]]
    by_name = {Path(r["source"]["uri"]).name: r for r in series.records("stories")}
    first, correction, kill = (by_name[name] for name in names)
    assert first["id"] == correction["id"] == kill["id"] != ""
    assert first["version_rank"] < correction["version_rank"] < kill["version_rank"]
    assert [r["pub_status"] for r in (first, correction, kill)] == ["usable", "usable", "canceled"]
    assert kill["entities"] == [] and kill["nlp_skipped"].startswith("pub_status canceled")
    assert first["entities"] and first["nlp_skipped"] is None
    assert first["cluster_id"] == correction["cluster_id"] == kill["cluster_id"] == first["id"]
    assert first["cluster_similarity"] is None
    assert series.summary["dead_lettered"] == 0


def test_a_story_under_embargo_is_written_and_says_until_when(series: Run) -> None:
    by_name = {Path(r["source"]["uri"]).name: r for r in series.records("stories")}
    embargoed = by_name["g2-v1.xml"]
    assert embargoed["embargoed"] == datetime(2016, 1, 3, 22, 0, tzinfo=UTC)
    assert embargoed["pub_status"] == "usable" and embargoed["entities"]
    assert by_name["g2-v2-correction.xml"]["embargoed"] is None


def test_a_kill_without_text_has_an_empty_body_and_one_with_text_keeps_it(series: Run) -> None:
    by_name = {Path(r["source"]["uri"]).name: r for r in series.records("stories")}
    assert by_name["g2-v3-kill.xml"]["body"] == by_name["ninjs-v3-kill.json"]["body"] == ""
    assert "Norfolk" in by_name["nitf-v3-kill.xml"]["body"]
    assert by_name["ninjs-v3-kill.json"]["version"] == "3"


def test_a_repost_in_other_furniture_joins_the_seed_cluster_in_a_later_run(tmp_path: Path) -> None:
    inputs, output = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / "seed.txt").write_bytes(SEED.read_bytes())
    assert wire_ingest("run", "--input", str(inputs), "--output", str(output)).returncode == 0
    page = CASES / "pages" / "seed-repost-other-site.html"
    (inputs / "repost.html").write_bytes(page.read_bytes())
    later = wire_ingest("run", "--input", str(inputs), "--output", str(output), "--resume")
    assert later.returncode == 0, later.stderr
    records = {Path(r["source"]["uri"]).name: r for r in Run(later, output).records("stories")}
    seed, repost = records["seed.txt"], records["repost.html"]
    assert repost["id"] != seed["id"]  # another site's copy: its own id
    assert repost["cluster_id"] == seed["cluster_id"] == seed["id"]
    assert repost["cluster_similarity"] >= 0.9 and seed["cluster_similarity"] is None


def test_stories_written_to_one_template_stay_apart(tmp_path: Path) -> None:
    """Reuters' payout notices, results tables and dividend notices: one wording, other
    companies and figures (the closest pair of reut2-000.sgm among them)."""
    templates = CASES / "reuters21578" / "reut2-000-templates.sgm"
    process = wire_ingest("run", "--input", str(templates), "--output", str(tmp_path / "out"))
    assert process.returncode == 0, process.stderr
    records = Run(process, tmp_path / "out").records("stories")
    assert len(records) == 7
    assert sorted(r["cluster_id"] for r in records) == sorted(r["id"] for r in records)
    assert all(r["cluster_similarity"] is None for r in records)
