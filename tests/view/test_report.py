"""The run report, ``OUTPUT/report.html``: written by every run and refreshed by the watcher,
its figures those of summary.json and of the records, self-contained, and escaped."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import lxml.html
import pytest

from pipeline.view.page import PREVIEW_CHARS, preview
from pipeline.view.report import SAMPLES_PER_REASON, Tally
from tests.conftest import SAMPLES, SEED
from tests.test_watch import Watch, wait_for
from tests.view.conftest import HOSTILE_NAME, SCRIPT, ViewRun


def page_of(path: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(path.read_text(encoding="utf-8"))


def figure(page: lxml.html.HtmlElement, name: str) -> int:
    (shown,) = page.xpath(f'//div[@id="{name}"]/b/text()')
    return int(shown.replace(",", ""))


def test_a_run_writes_its_report_with_the_summarys_figures(view_run: ViewRun) -> None:
    page = page_of(view_run.report)
    for name in ("read", "written", "dead_lettered", "duplicates", "files"):
        assert figure(page, name) == view_run.summary[name], name
    (balance,) = page.xpath('//p[@id="balance"]')
    assert "ok" in balance.get("class") and "Every item is accounted for" in balance.text_content()
    reasons = page.xpath('//table[@id="dead-letters"]//code[@class="reason"]/text()')
    assert sorted(reasons) == sorted(view_run.summary["dead_letters_by_reason"])


def test_the_cuts_table_adds_up_to_the_records(view_run: ViewRun) -> None:
    chars: dict[tuple[str, str], int] = {}
    for record in view_run.stories():
        for cut in record["removed"]:
            chars[cut["kind"], cut["rule"]] = chars.get((cut["kind"], cut["rule"]), 0) + len(
                cut["text"]
            )
    rows = page_of(view_run.report).xpath('//table[@id="cuts"]/tr[td]')
    shown = {
        (row[0].text_content(), row[1].text_content()): int(row[3].text_content().replace(",", ""))
        for row in rows
    }
    assert shown == chars and len(shown) >= 5


def test_the_report_loads_nothing_and_runs_no_script(view_run: ViewRun) -> None:
    html = view_run.report.read_text(encoding="utf-8")
    assert "<script" not in html.lower()  # none of ours, and the input's are escaped
    assert "@import" not in html and not re.search(r"url\((?!#)", html)  # url(#clip) is SVG's
    page = page_of(view_run.report)
    for attribute in ("src", "href", "xlink:href"):
        for value in page.xpath(f"//@*[local-name()='{attribute.split(':')[-1]}']"):
            assert value.startswith("#"), value  # only links inside the page (SVG's <use>)
    assert page.xpath("//svg"), "no chart was drawn"


def test_text_from_the_input_shows_as_text(view_run: ViewRun) -> None:
    text = page_of(view_run.report).text_content()
    assert HOSTILE_NAME in text  # the dead letter's source: a file named with markup
    assert SCRIPT in text  # in the preview of its bytes


def test_dead_letter_samples_are_capped_and_the_count_is_the_summarys() -> None:
    tally = Tally()
    for index in range(SAMPLES_PER_REASON + 2):
        tally.add_dead_letter(
            {"stage": "parse", "reason": "malformed", "error_message": "bad", "raw": b"x",
             "source": {"uri": "in/a.xml", "index": index}}
        )  # fmt: skip
    (samples,) = tally.dead_letters.values()
    assert len(samples) == SAMPLES_PER_REASON
    assert [sample.source for sample in samples] == ["in/a.xml", "in/a.xml (item 1)",
                                                    "in/a.xml (item 2)"]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "shown"),
    [(b"<b>bold</b>", "<b>bold</b>"), (b"a\x00b\nc", "a\\x00b\\nc"), (b"caf\xe9", "caf\\xe9"),
     ("café".encode(), "café"), (b"", "")],
)  # fmt: skip
def test_preview_shows_printable_characters_and_escapes_the_rest(raw: bytes, shown: str) -> None:
    assert preview(raw) == shown


def test_preview_is_at_most_its_limit() -> None:
    shown = preview(b"\x01" * 500)
    assert len(shown) == PREVIEW_CHARS + 1 and shown.endswith("…")
    assert preview(b"a" * PREVIEW_CHARS) == "a" * PREVIEW_CHARS


def test_the_watcher_refreshes_its_report_as_files_are_finalized(tmp_path: Path) -> None:
    inputs, output = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    shutil.copy(SEED, inputs / SEED.name)
    watch = Watch(inputs, output)
    try:
        wait_for(lambda: watch.summary().get("written") == 1, 120, watch)
        wait_for(lambda: (output / "report.html").exists(), 10, watch)
        first = page_of(output / "report.html")
        assert first.xpath("//h1/text()") == ["Watcher report"]
        assert figure(first, "written") == 1
        shutil.copy(SAMPLES / "ap-costa-concordia-trial.txt", inputs / "second.txt")
        wait_for(lambda: watch.summary().get("written") == 2, 120, watch)
        wait_for(lambda: figure(page_of(output / "report.html"), "written") == 2, 10, watch)
    finally:
        assert watch.stop() == 0
    page = page_of(output / "report.html")
    assert figure(page, "read") == watch.summary()["read"] == 2
    assert re.search(r"Latency, from first seen to committed", page.text_content())
    assert page.xpath("//h3[starts-with(., 'Latency')]/following-sibling::*[1][local-name()='svg']")


def test_stories_entities_quotes_and_stage_times_are_in_the_report(view_run: ViewRun) -> None:
    stories = view_run.stories()
    page = page_of(view_run.report)
    charts = {h3.text_content(): h3.getnext() for h3 in page.xpath("//h3")}
    for heading, field in (("By provider", "provider"), ("By language", "language")):
        drawn = lxml.html.tostring(charts[heading], encoding="unicode")
        for value in {record[field] or "not named" for record in stories} - {"not named"}:
            assert f">{value}<" in drawn, (heading, value)  # a bar's label, as SVG text
    (salient,) = page.xpath('//table[@id="salient"]')
    top = max((e for r in stories for e in r["entity_summary"]), key=lambda e: e["salience"])
    assert top["name"] in salient.text_content()
    quotes = sum(len(record["quotes"]) for record in stories)
    assert f"{quotes} quotes of direct speech" in page.text_content()
    stages = view_run.summary["stage_seconds"]
    assert {"read", "parse", "clean", "enrich", "spacy"} <= stages.keys()
    assert stages["spacy"] > stages["clean"] > 0
