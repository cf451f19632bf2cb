"""Quote extraction: golden tests on real stories and hand-written tricky attributions, all
with the real spaCy pipeline for entities and sentences, and odd input that must not raise."""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

import pytest
from spacy.language import Language

from pipeline.clean.rules import RuleBook
from pipeline.clean.strip import strip_boilerplate
from pipeline.enrich.entities import aliases, summarize_entities
from pipeline.enrich.features import annotations_from_doc
from pipeline.enrich.quotes import find_quotes
from pipeline.settings import load_settings
from pipeline.parse.nitf import parse_nitf
from pipeline.parse.reuters21578 import parse_reuters21578
from pipeline.parse.text import parse_text
from pipeline.records import Entity, Quote, RawItem, Span, Story
from tests.conftest import SEED, corpus

MARKS = '“„«»‘"'
# The reporting verbs as shipped in configs/default.toml.
VERBS = frozenset(load_settings().enrich.quote_verbs)


def quotes_in(nlp: Language, body: str) -> tuple[Quote, ...]:
    annotations = annotations_from_doc(nlp(body), "test", ())
    quotes = find_quotes(
        body,
        annotations.entities,
        annotations.sentences,
        aliases=aliases(summarize_entities("", body, annotations.entities)),
        verbs=VERBS,
    )
    check_offsets(body, quotes)
    return quotes


def check_offsets(body: str, quotes: Sequence[Quote]) -> None:
    """Each quote slices the body from its opening mark, in order, without overlaps, and its
    text is what lies inside."""
    previous_end = 0
    for quote in quotes:
        assert previous_end <= quote.start < quote.end <= len(body)
        marked = body[quote.start : quote.end]
        assert marked[0] in MARKS
        assert quote.text and quote.text in marked
        previous_end = quote.end


def said(quotes: Sequence[Quote]) -> list[tuple[str, str | None, str | None]]:
    return [(quote.text, quote.speaker, quote.verb) for quote in quotes]


def cleaned(story: Story, book: RuleBook) -> Story:
    return strip_boilerplate(story, book)


# --- real stories -----------------------------------------------------------------------


def test_seed_story(nlp: Language, book: RuleBook) -> None:
    (parsed,) = parse_text(RawItem.of(str(SEED), SEED.read_bytes()))
    body = cleaned(parsed, book).body
    quotes = quotes_in(nlp, body)
    # The apostrophes (it’s, Turkey’s, Syria’s, Erdogan’s) are not quotes.
    assert len(quotes) == 3
    first, second, third = quotes
    assert first.text.startswith("We really do need a ceasefire in Idlib and what needs")
    assert first.text.endswith("where our troops are located")
    assert (first.speaker, first.verb) == ("Dmitry Peskov", "told")
    assert body[first.start : first.end] == f"“{first.text},”"
    # Its own paragraph, no attribution: it continues the quote before.
    assert second.text == "…This is the responsibility of the Turkish side."
    assert (second.speaker, second.verb) == ("Dmitry Peskov", "told")
    assert body[second.start : second.end] == "“…This is the responsibility of the Turkish side.”"
    # A scare quote, attributed in its sentence: "something Peskov described as".
    assert said([third]) == [("a highly dangerous tendency", "Dmitry Peskov", "described")]
    assert body[third.start : third.end] == "“a highly dangerous tendency”"


def test_ap_story_says_inversions_scare_quotes_and_pronouns(nlp: Language, book: RuleBook) -> None:
    path = corpus("nitf", "samples", "superdesk-core__ap-nitf.xml")
    (story,) = parse_nitf(RawItem.of(str(path), path.read_bytes()))
    quotes = quotes_in(nlp, cleaned(story, book).body)
    got = {quote.text[:40]: (quote.speaker, quote.verb) for quote in quotes}
    assert len(quotes) == 12
    assert got == {
        "If you don't give people incentives to c": ("Rudi Roeslein", "says"),
        # Scare quotes with no reporting verb in their sentence: nobody's.
        "rights": (None, None),
        "cap-and-trade": (None, None),
        "caps": (None, None),
        # Wrong, and documented: "One study, from the ... Fund, says emissions ... fell
        # below the "cap" allowed in 2013": the study did not coin the word.
        "cap": ("One study", "says"),
        "It has got nothing to do with do-gooders": ("Lenny Hochschild", "says"),
        "It's about incentivizing people.": ("Lenny Hochschild", "says"),  # continues
        "offsets": (None, None),
        "They were pumping out more just for the ": ("Jeff Cohen", "says"),
        "It was bizarre, upside down.": ("Jeff Cohen", "says"),
        "Most of the emission cuts from the power": ("David G. Victor", "says"),
        # "..., he says." with Roeslein the last person named before it.
        "It has to be profitable to be repeatable": ("Rudi Roeslein", "says"),
    }


def _reuters_story(index: int) -> Story:
    path = corpus("reuters21578", "reut2-000.sgm")
    for item in parse_reuters21578(RawItem.of(str(path), path.read_bytes())):
        if isinstance(item, Story) and item.source.index == index:
            return item
    raise AssertionError(f"no story {index} in {path}")


def test_reuters_story_with_titles_nested_quotes_and_anonymous_speakers(
    nlp: Language, book: RuleBook
) -> None:
    story = cleaned(_reuters_story(27), book)
    assert story.headline == "TOWER REPORT DIMINISHES REAGAN'S HOPES OF REBOUND"
    quotes = quotes_in(nlp, story.body)
    assert [(q.text[:30], q.speaker, q.verb) for q in quotes] == [
        ("This is certification of incom", "Stephen Hess", "told"),
        ("It's as if he went before a pr", "Stephen Hess", "told"),  # continues
        ("The president clearly did not ", "John Tower", "told"),  # "..., told a press
        ("We're falling by our own hand", "one Republican political strategist", "said"),
        # One quote with the inner 'we're sorry ...' inside it.
        ("What can we say except 'we're ", "one Republican political strategist", "said"),
        ("an anvil falling on us.", "The strategist", "said"),
        # Wrong, and documented: "it said" means the report; the last ORG named before it
        # is the "State" of "Secretary of State George Shultz".
        ("They protected the record as t", "State", "said"),
        ("chaos", None, None),
        ("This is a story about people w", "John Tower", "told"),  # "Tower told reporters"
        ("In the past, he has been able ", "William Schneider", "said"),
        ("The White House has to avoid b", "the strategist", "said"),
        ("They have to recognize there i", "the strategist", "said"),
    ]
    assert quotes[4].text == "What can we say except 'we're sorry, we won't do it again'?"


def test_bbc_story_with_straight_quotes_missing_their_closing_marks(
    nlp: Language, book: RuleBook
) -> None:
    path = corpus("newswire", "bbc-news", "politics", "001.txt")
    (parsed,) = parse_text(RawItem.of(str(path), path.read_bytes()))
    body = cleaned(parsed, book).body
    quotes = quotes_in(nlp, body)
    assert [(q.text[:30], q.speaker, q.verb) for q in quotes] == [
        # "The Tories dismissed the plan as "desperate"": not a reporting verb.
        ("desperate", None, None),
        ("We have already doubled the le", "Patricia Hewitt", "said"),  # Ms Hewitt said:
        ("We are going to extend the pay", "Patricia Hewitt", "said"),
        ("We have made a firm commitment", "Patricia Hewitt", "said"),
        # spaCy's small model does not see "Theresa May" in "The Shadow Secretary of State
        # for the Family, Theresa May, said:", so the subject as written is the speaker.
        ("These plans were announced by ", "The Shadow Secretary of State for the Family", "said"),
        ("While mothers would welcome an", "Sandra Gidley", "said"),
        ("crippled", "David Frost", "warned"),  # "David Frost, director ..., warned that"
        ("While the majority of any sala", "David Frost", "said"),  # "..., he said."
    ]
    # The BBC text runs a multi-paragraph quote into one paragraph: `26 weeks. "We are` has
    # no closing mark, so the first quote ends before the next opening one.
    first = quotes[1]
    assert body[first.start : first.end].endswith("up to 26 weeks.")
    assert body[quotes[2].start] == '"'


# --- hand-written attributions ------------------------------------------------------------


def test_speaker_after_the_quote(nlp: Language) -> None:
    body = (
        "Russia will respond to any attack, the Kremlin said on Friday.\n\n"
        "“We will not accept this,” Kremlin spokesman Dmitry Peskov told reporters in "
        "Moscow.\n\n"
        "“Nobody wanted a war,” said Peskov.\n\n"
        "“The talks have failed,” the ministry said in a statement.\n\n"
        "“It is over,” according to a senior official."
    )
    assert said(quotes_in(nlp, body)) == [
        ("We will not accept this", "Dmitry Peskov", "told"),
        ("Nobody wanted a war", "Dmitry Peskov", "said"),
        ("The talks have failed", "the ministry", "said"),
        ("It is over", "a senior official", "according to"),
    ]


def test_speaker_before_the_quote(nlp: Language) -> None:
    body = (
        "Foreign Minister Sergei Lavrov said: “We are ready to talk, but not under "
        "pressure.”\n\n"
        "Lavrov told reporters that “the door remains open”."
    )
    assert said(quotes_in(nlp, body)) == [
        ("We are ready to talk, but not under pressure.", "Sergei Lavrov", "said"),
        ("the door remains open", "Sergei Lavrov", "told"),
    ]


def test_speaker_in_the_previous_sentence(nlp: Language) -> None:
    body = (
        "Kremlin spokesman Dmitry Peskov met reporters on Friday.\n\n"
        "Peskov spoke to reporters after the meeting. “The situation in Idlib is very "
        "dangerous.”"
    )
    assert said(quotes_in(nlp, body)) == [
        ("The situation in Idlib is very dangerous.", "Dmitry Peskov", "spoke"),
    ]


def test_split_quote_gives_both_halves_the_speaker(nlp: Language) -> None:
    body = (
        "German Chancellor Angela Merkel visited the flooded towns on Monday.\n\n"
        "“We will win,” she said, “and we will rebuild.”"
    )
    assert said(quotes_in(nlp, body)) == [
        ("We will win", "Angela Merkel", "said"),
        ("and we will rebuild.", "Angela Merkel", "said"),
    ]


def test_nested_quotes_are_one_quote(nlp: Language) -> None:
    body = (
        "Maria Lopez, 34, runs a bakery in the town.\n\n"
        "“He said ‘no’ to me, and then he left,” she said."
    )
    (quote,) = quotes_in(nlp, body)
    assert said([quote]) == [("He said ‘no’ to me, and then he left", "Maria Lopez", "said")]
    assert body[quote.start : quote.end] == "“He said ‘no’ to me, and then he left,”"


def test_straight_quotes(nlp: Language) -> None:
    body = '"We are not leaving," said John Smith, a union leader in Detroit. "Not now, not ever."'
    assert said(quotes_in(nlp, body)) == [
        ("We are not leaving", "John Smith", "said"),
        ("Not now, not ever.", "John Smith", "said"),
    ]


def test_multi_paragraph_quote_gives_one_quote_a_paragraph(nlp: Language) -> None:
    body = (
        "Dmitry Peskov said: “The first thing is a ceasefire.\n\n"
        "“The second thing is a political settlement.\n\n"
        "“Then we can talk about rebuilding,” he added."
    )
    quotes = quotes_in(nlp, body)
    assert [body[q.start : q.end] for q in quotes] == [
        "“The first thing is a ceasefire.",
        "“The second thing is a political settlement.",
        "“Then we can talk about rebuilding,”",
    ]
    assert {(q.speaker, q.verb) for q in quotes} == {("Dmitry Peskov", "said")}


def test_pronouns_resolve_to_the_last_person_or_organisation(nlp: Language) -> None:
    body = (
        "The Kremlin issued a statement on Friday about the talks.\n\n"
        "“Russia remains open to dialogue,” it said.\n\n"
        "Turkish President Tayyip Erdogan spoke by phone with Moscow later.\n\n"
        "“We want a ceasefire now,” he said.\n\n"
        "“We will decide,” his spokesman said."
    )
    assert said(quotes_in(nlp, body)) == [
        ("Russia remains open to dialogue", "Kremlin", "said"),
        ("We want a ceasefire now", "Tayyip Erdogan", "said"),
        ("We will decide", "Tayyip Erdogan", "said"),
    ]


def test_unattributed_quotes_have_no_speaker(nlp: Language) -> None:
    body = (
        "“This is not a drill.” Sirens sounded across the city on Monday.\n\n"
        "The banner on the town hall read “No war” in red letters."
    )
    assert said(quotes_in(nlp, body)) == [
        ("This is not a drill.", None, None),
        ("No war", None, None),
    ]


def test_apostrophes_are_not_quotes_and_single_quotes_are(nlp: Language) -> None:
    body = (
        "Turkey’s president and the rebels’ leaders met in the ’90s style hall.\n\n"
        "The so-called ‘red line’ was crossed, Peskov said."
    )
    assert said(quotes_in(nlp, body)) == [("red line", "Peskov", "said")]


def test_guillemets_and_low_quotes(nlp: Language) -> None:
    body = "«We will not yield,» the minister said. „Wir schaffen das“, said Olaf Scholz."
    assert said(quotes_in(nlp, body)) == [
        ("We will not yield", "the minister", "said"),
        ("Wir schaffen das", "Olaf Scholz", "said"),
    ]


def test_only_the_given_verbs_attribute(nlp: Language) -> None:
    body = "“We will not accept this,” Dmitry Peskov told reporters."
    annotations = annotations_from_doc(nlp(body), "test", ())
    (quote,) = find_quotes(
        body, annotations.entities, annotations.sentences, aliases={}, verbs=frozenset({"said"})
    )
    assert (quote.speaker, quote.verb) == (None, None)


def test_configured_verbs() -> None:
    for verb in ("said", "says", "say", "told", "tells", "added", "adds", "stated", "asked"):
        assert verb in VERBS
    for verb in ("warned", "explained", "noted", "insisted", "wrote", "according to"):
        assert verb in VERBS
    assert all(verb == verb.lower().strip() for verb in VERBS)


# --- odd input ----------------------------------------------------------------------------


def test_without_entities_or_sentences() -> None:
    body = "Officials met on Friday. “We will win,” a senior official said. “Soon.”"
    assert said(find_quotes(body, (), (), aliases={}, verbs=VERBS)) == [
        ("We will win", "a senior official", "said"),
        ("Soon.", "a senior official", "said"),
    ]


@pytest.mark.parametrize(
    "body",
    [
        "",
        "“",
        "”",
        '"',
        "“”",
        '""',
        "“ ”",
        "‘’",
        "«»",
        "He said “we will",
        "He said ”we will“ and left.",
        '"a" "',
        "“\n\n“\n\n”",
        "\n\n\n\n“x”\n\n",
        "said: “",
        '„ “ ” « » ‘ ’ "',
    ],
)
def test_odd_input_does_not_raise(body: str) -> None:
    quotes = find_quotes(body, (), (Span(0, len(body)),), aliases={}, verbs=VERBS)
    check_offsets(body, quotes)


def test_unclosed_quote_running_into_a_quoted_paragraph() -> None:
    body = "Peskov said: “We want peace\n\n“and we want it now"
    quotes = find_quotes(body, (), (), aliases={}, verbs=VERBS)
    assert said(quotes) == [
        ("We want peace", "Peskov", "said"),
        ("and we want it now", "Peskov", "said"),
    ]


def test_random_input_never_raises() -> None:
    pieces = [
        "“", "”", "‘", "’", '"', "«", "»", "„", "\n\n", " ", " ", "said", "he", "it", "told",
        "Peskov", "according to", ",", ".", ":", "(", ")", "word", "’s", "Mr.", "—",
    ]  # fmt: skip
    labels = ["PERSON", "ORG", "GPE", "DATE", "NORP"]
    generator = random.Random(7)
    for _ in range(1500):
        body = "".join(generator.choice(pieces) for _ in range(generator.randrange(0, 40)))
        size = len(body)
        entities = []
        for _ in range(generator.randrange(0, 6)):
            start = generator.randrange(-2, size + 2)
            end = start + generator.randrange(0, 12)
            entities.append(Entity(body[max(start, 0) : end], generator.choice(labels), start, end))
        sentences = []
        for _ in range(generator.randrange(0, 5)):
            start = generator.randrange(-2, size + 2)
            sentences.append(Span(start, start + generator.randrange(-1, 30)))
        aliases = {"Peskov": "Dmitry Peskov"}
        quotes = find_quotes(body, entities, sentences, aliases=aliases, verbs=VERBS)
        check_offsets(body, quotes)


def test_quote_free_text_is_skipped_at_once() -> None:
    body = Path(SEED).read_text(encoding="utf-8").replace("“", "").replace("”", "")
    assert find_quotes(body, (), (), aliases={}, verbs=VERBS) == ()
