"""Compiling clean rules: placeholders, overrides, and bad rules as config errors."""

from __future__ import annotations

import pickle
import time
from pathlib import Path

import pytest

from pipeline.clean.rules import BODY_SCOPES, RuleBook, build_rulebook
from pipeline.clean.strip import strip_boilerplate
from pipeline.errors import ConfigError
from pipeline.records import RawItem, Story
from pipeline.settings import load_settings


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.toml"
    path.write_text(text, encoding="utf-8")
    return path


def story_of(body: str) -> Story:
    return Story(RawItem.of("t", body.encode()).source, body.encode(), "Headline", body)


def test_provider_placeholder_matches_every_name_in_any_case() -> None:
    book = build_rulebook(load_settings().clean)
    (signoff,) = [rule for rule in book.rules if rule.name == "signoff"]
    for written in ("REUTERS", "Reuters", "reuter", "Associated Press", "Agence France-Presse"):
        found = signoff.match(written)
        assert found is not None, written
        assert book.provider_name(found.group("provider")) in {"Reuters", "AP", "AFP"}


def test_override_file_adds_disables_and_changes_rules(tmp_path: Path) -> None:
    path = config(
        tmp_path,
        """
[clean.providers]
"wire-ingest news" = "WIN"

[clean.rules.signoff]
enabled = false

[clean.rules.sponsored]
kind = "advertisement"
scope = "paragraph"
patterns = ['(?i)partner content from .+']
""",
    )
    book = build_rulebook(load_settings(path).clean)
    names = [rule.name for rule in book.rules]
    assert "signoff" not in names
    assert names[-1] == "sponsored"
    story = strip_boilerplate(story_of("Body text.\n\nREUTERS\n\nPartner content from Acme"), book)
    assert story.paragraphs == ["Body text.", "REUTERS"]
    assert [cut.rule for cut in story.removed] == ["sponsored"]
    assert book.provider_name("WIRE-INGEST NEWS") == "WIN"


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("[clean.rules.bad]\nkind='x'\nscope='paragraph'\npatterns=['(unclosed']", "bad pattern"),
        (
            "[clean.rules.bad]\nkind='x'\nscope='paragraph'\npatterns=['(?P<author>.+)']",
            "group 'author' names no story field",
        ),
    ],
)
def test_bad_rules_are_config_errors(tmp_path: Path, text: str, says: str) -> None:
    settings = load_settings(config(tmp_path, text))
    with pytest.raises(ConfigError, match=says):
        build_rulebook(settings.clean)


@pytest.mark.parametrize(
    "hostile",
    [
        "|  \t\t\t\t \t" * 200,
        "Home > " * 300,
        "a " * 2000,
        "Share Tweet Email " * 200,
        "Terms of Use | " * 300,
        ("x" * 39 + " | ") * 100,
    ],
    ids=["separators", "breadcrumbs", "words", "share-words", "footer-links", "long-items"],
)
def test_rules_do_not_backtrack_catastrophically(hostile: str) -> None:
    """Every pattern answers at once on long, repetitive lines (a hang here once stalled a run)."""
    book = build_rulebook(load_settings().clean)
    for rule in book.rules:
        for pattern in rule.patterns:
            start = time.perf_counter()
            pattern.fullmatch(hostile)
            assert time.perf_counter() - start < 1.0, f"{rule.name}: {pattern.pattern[:60]}"


def test_a_rulebook_that_has_matched_still_pickles(book: RuleBook) -> None:
    """Beam pickles the clean stage's rules to its workers after the pipeline is built; the
    matches the book remembers (re.Match objects do not pickle) stay behind."""
    assert book.first_match("Share this article", BODY_SCOPES) is not None
    copy = pickle.loads(pickle.dumps(book))
    assert copy.first_match("Share this article", BODY_SCOPES) is not None
