"""The entity summary: mentions grouped into entities, salience, on real stories."""

from __future__ import annotations

from pathlib import Path

from spacy.language import Language

from pipeline.clean.rules import RuleBook
from pipeline.clean.strip import strip_boilerplate
from pipeline.enrich.entities import aliases, normal_form, summarize_entities
from pipeline.enrich.features import annotations_from_doc
from pipeline.parse.reuters21578 import parse_reuters21578
from pipeline.parse.text import parse_text
from pipeline.records import Entity, EntitySummary, RawItem, Story
from tests.conftest import SAMPLES, SEED, corpus


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
    body = (
        "Vladimir Putin spoke.\n\nLater Putin left the Kremlin's hall. The Kremlin said no. "
        "KREMLIN SAYS NO."
    )
    entities = [
        Entity("Vladimir Putin", "PERSON", 0, 14),
        Entity("Putin", "PERSON", 29, 34),
        Entity("the Kremlin's", "ORG", 40, 53),
        Entity("Kremlin", "ORG", 63, 70),
        Entity("KREMLIN", "GPE", 80, 87),  # the same name under another label and spelling
        Entity("Friday", "DATE", 0, 0),
    ]
    summary = summarize_entities("Putin leaves", body, entities)
    assert [(s.name, s.label, s.mentions, s.aliases) for s in summary] == [
        ("Vladimir Putin", "PERSON", 2, ("Putin",)),
        ("Kremlin", "ORG", 3, ("KREMLIN",)),
    ]
    # Headline, lead and first (0.35 + 0.25 + 0.15); two mentions of the Kremlin's three.
    assert summary[0].salience == round(0.35 + 0.25 + 0.15 + 0.25 * 2 / 3, 3)
    assert aliases(summary) == {
        "Vladimir Putin": "Vladimir Putin",
        "Putin": "Vladimir Putin",
        "Kremlin": "Kremlin",
        "KREMLIN": "Kremlin",
    }


def test_normal_form() -> None:
    assert normal_form("the Kremlin's") == "Kremlin"
    assert normal_form("Erdogan’s") == "Erdogan"
    assert normal_form("The Hague") == "Hague"
    assert normal_form("Ms Hewitt", "PERSON") == "Hewitt"
    assert normal_form("Dr. Fox's", "PERSON") == "Fox"
    assert normal_form("Prince Harry", "PERSON") == "Prince Harry"
    assert normal_form("Ms", "PERSON") == "Ms"


def test_no_entities_no_summary() -> None:
    assert summarize_entities("H", "Body.", []) == ()


def test_bbc_story_summary(nlp: Language, book: RuleBook) -> None:
    """BBC politics/001: "Labour plans maternity pay rise" (Patricia Hewitt, Ms Hewitt)."""
    path = corpus("newswire", "bbc-news", "politics", "001.txt")
    _, summary = summary_of(path, nlp, book)
    hewitt = by_name(summary)["Patricia Hewitt"]
    assert hewitt.aliases == ("Hewitt",)  # three times "Ms Hewitt"
    assert hewitt.mentions == 4
    assert summary[0].name == "Patricia Hewitt"  # the lead's person, named most often
    assert "Ms Hewitt" not in by_name(summary)


def test_reuters_story_summary(nlp: Language) -> None:
    """Reuters-21578 story 1 (Bahia cocoa review): the small model calls the trading house
    Comissaria Smith an ORG three times and a PERSON twice; it is one entity."""
    path = corpus("reuters21578", "reut2-000.sgm")
    story = next(parse_reuters21578(RawItem.of(str(path), path.read_bytes())))
    assert isinstance(story, Story)
    entities = annotations_from_doc(nlp(story.body), "m", ()).entities
    summary = summarize_entities(story.headline, story.body, entities)
    assert summary[0].name == "Bahia"  # the headline's and the lead's
    smith = [entity for entity in summary if entity.name == "Comissaria Smith"]
    assert [(entity.label, entity.mentions) for entity in smith] == [("ORG", 5)]
    assert len({entity.name for entity in summary}) == len(summary)


def test_wire_unit_abbreviations_are_not_entities(nlp: Language) -> None:
    """Reuters-21578's earnings reports ("Shr 34 cts vs 1.19 dlrs", "Avg shrs"): the small
    model calls "cts" an ORG and "Avg" a PERSON; neither is a name of the story's."""
    path = corpus("reuters21578", "reut2-000.sgm")
    stories = list(parse_reuters21578(RawItem.of(str(path), path.read_bytes())))
    names = {}
    for story in stories[10:13]:  # Cobanco, Ohio Mattress, AM International
        assert isinstance(story, Story)
        entities = annotations_from_doc(nlp(story.body), "m", ()).entities
        assert {e.text for e in entities} & {"cts", "Avg"}  # what the model finds
        summary = summarize_entities(story.headline, story.body, entities)
        names[story.headline] = {entity.name for entity in summary}
    assert not set().union(*names.values()) & {"cts", "Avg", "dlrs", "mln"}
    assert {"Ohio Mattress Co", "Sealy Inc"} <= names[stories[11].headline]
