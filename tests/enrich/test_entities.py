"""The entity summary: mentions grouped into entities, salience, on real stories."""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language

from pipeline.clean.rules import RuleBook
from pipeline.clean.strip import strip_boilerplate
from pipeline.enrich.entities import aliases, normal_form, summarize_entities
from pipeline.enrich.features import annotations_from_doc
from pipeline.parse.text import parse_text
from pipeline.records import Entity, EntitySummary, RawItem, Story
from tests.conftest import SAMPLES, SEED


def summary_of(
    path: Path, nlp: Language, book: RuleBook
) -> tuple[Story, tuple[EntitySummary, ...]]:
    (parsed,) = parse_text(RawItem.of(str(path), path.read_bytes()))
    story = strip_boilerplate(parsed, book)
    entities = annotations_from_doc(nlp(story.body), "m", ()).entities
    return story, summarize_entities(story.headline, story.body, entities)


def by_name(summary: tuple[EntitySummary, ...]) -> dict[str, EntitySummary]:
    return {entity.name: entity for entity in summary}


def test_seed_groups_erdogan_putin_and_peskov(nlp: Language, book: RuleBook) -> None:
    story, summary = summary_of(SEED, nlp, book)
    people = by_name(summary)
    assert people["Tayyip Erdogan"].aliases == ("Erdogan",)
    assert people["Tayyip Erdogan"].mentions >= 4
    assert people["Vladimir Putin"].aliases == ("Putin",)
    assert people["Dmitry Peskov"].aliases == ("Peskov",)
    assert people["Tayyip Erdogan"].label == "PERSON"
    first = people["Tayyip Erdogan"].first_start
    assert story.body[first:].startswith(("Tayyip Erdogan", "Erdogan"))


def test_seed_is_about_idlib_turkey_and_the_kremlin(nlp: Language, book: RuleBook) -> None:
    _, summary = summary_of(SEED, nlp, book)
    top = [entity.name for entity in summary[:5]]
    # The headline names Turkey, Syria and Idlib; the lead names the Kremlin, Turkey, Idlib.
    assert {"Turkey", "Idlib"} <= set(top)
    assert all(0 <= entity.salience <= 1 for entity in summary)
    assert [entity.salience for entity in summary] == sorted(
        (entity.salience for entity in summary), reverse=True
    )
    assert not any(entity.label in ("DATE", "CARDINAL", "ORDINAL") for entity in summary)


def test_ap_story_groups_schettino(nlp: Language, book: RuleBook) -> None:
    _, summary = summary_of(SAMPLES / "ap-costa-concordia-trial.txt", nlp, book)
    schettino = by_name(summary)["Francesco Schettino"]
    assert schettino.mentions >= 2
    assert summary[0].salience >= schettino.salience


def test_summarize_entities_on_hand_made_spans() -> None:
    body = "Vladimir Putin spoke.\n\nLater Putin left the Kremlin's hall. The Kremlin said no."
    entities = [
        Entity("Vladimir Putin", "PERSON", 0, 14),
        Entity("Putin", "PERSON", 29, 34),
        Entity("the Kremlin's", "ORG", 40, 53),
        Entity("Kremlin", "ORG", 63, 70),
        Entity("Friday", "DATE", 0, 0),
    ]
    summary = summarize_entities("Putin leaves", body, entities)
    assert [(s.name, s.mentions, s.aliases) for s in summary] == [
        ("Vladimir Putin", 2, ("Putin",)),
        ("Kremlin", 2, ()),
    ]
    assert summary[0].salience == 1.0  # headline, lead, most mentioned, first
    assert aliases(summary) == {
        "Vladimir Putin": "Vladimir Putin",
        "Putin": "Vladimir Putin",
        "Kremlin": "Kremlin",
    }


def test_normal_form() -> None:
    assert normal_form("the Kremlin's") == "Kremlin"
    assert normal_form("Erdogan’s") == "Erdogan"
    assert normal_form("The Hague") == "Hague"


def test_no_entities_no_summary() -> None:
    assert summarize_entities("H", "Body.", []) == ()
