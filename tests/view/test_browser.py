"""The run report and the story view in a real browser: Debian's Chromium, headless, driven
by ChromeDriver (``scripts/test`` installs both). Each page's figures are read as the browser
shows them and checked against summary.json and the records; markup from the input shows as
text; a screenshot of each page is saved for people to look at (``artifacts/browser/``, or
``$WIRE_INGEST_ARTIFACTS/browser/``; CI keeps it)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By

from tests.conftest import REPO, SEED
from tests.test_cli import wire_ingest
from tests.view.conftest import HOSTILE_NAME, SCRIPT, ViewRun

CHROMIUM = os.environ.get("WIRE_INGEST_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("WIRE_INGEST_CHROMEDRIVER", "/usr/bin/chromedriver")
ARTIFACTS = Path(os.environ.get("WIRE_INGEST_ARTIFACTS", REPO / "artifacts")) / "browser"
# Without the background-networking flags Chromium keeps calling Google's hosts, which this
# closed network refuses; --no-sandbox because CI runs as root.
FLAGS = ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync",
         "--disable-dev-shm-usage", "--window-size=1280,900")  # fmt: skip


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[webdriver.Chrome]:
    if not (Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()):
        if os.environ.get("CI"):
            pytest.fail(f"{CHROMIUM} or {CHROMEDRIVER} is missing: scripts/test installs them")
        pytest.skip(f"needs Chromium at {CHROMIUM} and ChromeDriver at {CHROMEDRIVER}")
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium')}")
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    try:
        yield driver
    finally:
        driver.quit()


def open_page(driver: webdriver.Chrome, page: Path, screenshot: str) -> None:
    """Opens ``page`` from disk and saves a screenshot of all of it."""
    driver.get(page.as_uri())
    assert driver.title != "PWNED", "a script from the input ran"
    height = driver.execute_script("return document.documentElement.scrollHeight")
    driver.set_window_size(1280, min(max(height, 900), 12000))
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    assert driver.save_screenshot(str(ARTIFACTS / screenshot))


def shown_number(driver: webdriver.Chrome, figure: str) -> int:
    return int(driver.find_element(By.CSS_SELECTOR, f"#{figure} b").text.replace(",", ""))


def test_the_report_shows_the_summarys_figures(browser: webdriver.Chrome, view_run: ViewRun):
    open_page(browser, view_run.report, "report.png")
    for figure in ("read", "written", "dead_lettered", "duplicates", "files"):
        assert shown_number(browser, figure) == view_run.summary[figure], figure
    assert browser.find_element(By.ID, "balance").text.startswith("✓ Every item is accounted")
    table = browser.find_element(By.ID, "dead-letters").text
    for reason in view_run.summary["dead_letters_by_reason"]:
        assert reason in table
    assert HOSTILE_NAME in table and SCRIPT in table  # a file name and bytes, as text
    charts = browser.find_elements(By.CSS_SELECTOR, "svg")
    assert len(charts) >= 5 and all(chart.size["height"] > 20 for chart in charts)
    errors = [entry for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]
    assert errors == [], errors  # nothing failed to load, nothing was refused


def test_the_story_view_shows_the_cuts_in_place(
    browser: webdriver.Chrome, view_run: ViewRun, tmp_path: Path
) -> None:
    page = tmp_path / "story.html"
    shown = wire_ingest("show", str(view_run.output), "--source", SEED.name, "--html", str(page))
    assert shown.returncode == 0, shown.stderr
    open_page(browser, page, "story.png")
    record = view_run.story_from(SEED.name)
    cuts = browser.find_elements(By.CSS_SELECTOR, "article .cut")
    assert len(cuts) == len(record["removed"])
    assert cuts[0].get_attribute("data-kind") == "caption"
    paragraphs = browser.find_elements(By.CSS_SELECTOR, "article p")
    assert "\n\n".join(p.text for p in paragraphs) == record["body"]  # labels are ::after
    marked = {mark.get_attribute("data-label") for mark in browser.find_elements(By.CSS_SELECTOR,
              "article .ent")}  # fmt: skip
    assert marked == {entity["label"] for entity in record["entities"]}
    assert len(browser.find_elements(By.CSS_SELECTOR, "article .quote")) >= len(record["quotes"])


def test_the_story_view_shows_markup_as_text(
    browser: webdriver.Chrome, view_run: ViewRun, tmp_path: Path
) -> None:
    page = tmp_path / "hostile.html"
    shown = wire_ingest("show", str(view_run.output), "--source", "minister-resigns.txt",
                        "--html", str(page))  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    open_page(browser, page, "story-with-markup.png")
    assert SCRIPT in browser.find_element(By.TAG_NAME, "article").text
    assert SCRIPT in browser.find_element(By.TAG_NAME, "h1").text
    assert not browser.find_elements(By.TAG_NAME, "script")
