"""Boilerplate removal with the shipped rules: what is cut, what is kept, and the trace."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from pipeline.clean.rules import RuleBook, build_rulebook
from pipeline.clean.strip import strip_boilerplate
from pipeline.errors import CleanError, Reason
from pipeline.parse.text import parse_text
from pipeline.records import PARAGRAPH_BREAK, ExtractedText, PageMetadata, RawItem, Removed, Story
from pipeline.settings import Settings
from tests.conftest import SAMPLES, SEED, corpus

# Two paragraphs of the seed story: together past TRAILED_WORDS, so trailers after them trail.
BODY = (
    "The Kremlin said on Friday it was Turkey’s responsibility to stop rebels in Syria’s "
    "Idlib province from firing on civilian and Russian targets, signalling it would continue "
    "to back a Syrian government offensive there despite Ankara’s protests."
)
MORE = (
    "Turkish President Tayyip Erdogan told his Russian counterpart Vladimir Putin late on "
    "Thursday that he wanted a ceasefire in Idlib to prevent more civilian deaths and a "
    "refugee influx to Turkey."
)


def story_of(*paragraphs: str, **fields: Any) -> Story:
    body = PARAGRAPH_BREAK.join(paragraphs)
    return Story(RawItem.of("t", body.encode()).source, body.encode(), "Headline", body, **fields)


def kinds(story: Story) -> list[tuple[str, str]]:
    return [(cut.kind, cut.text) for cut in story.removed]


def test_strip_seed_story(book: RuleBook) -> None:
    (parsed,) = parse_text(RawItem.of(str(SEED), SEED.read_bytes()))
    story = strip_boilerplate(parsed, book)
    assert story.body.startswith("The Kremlin said on Friday")
    assert story.body.endswith("has repeatedly urged restraint.")
    assert story.caption == "People walk past a damaged building in the city of Idlib, Syria"
    assert story.provider == "Reuters"
    assert kinds(story) == [
        ("caption", "People walk past a damaged building in the city of Idlib, Syria"),
        ("signoff", "REUTERS"),
        ("related_posts", "Related posts"),
        ("related_posts", "Russia Takes Control of Vuhledar After Two Years of Ukrainian Defiance"),
        (
            "related_posts",
            "Iranian Missile Strike on Israel Demonstrates Increased Capability for Larger, "
            "More Complex Operations",
        ),
        ("related_posts", "Israel Strengthens Military Presence Along Lebanon Border"),
    ]
    assert len(story.paragraphs) == 14


def test_strip_ap_sample_dateline_byline_copyright(book: RuleBook) -> None:
    path = SAMPLES / "ap-costa-concordia-trial.txt"
    (parsed,) = parse_text(RawItem.of(str(path), path.read_bytes()))
    story = strip_boilerplate(parsed, book)
    assert story.byline == "Paulo Santalucia and Frances d'Emilio"
    assert story.dateline == "GROSSETO, Italy (AP)"
    assert story.provider == "AP"
    assert story.body.startswith("The trial of the captain of the shipwrecked Costa Concordia")
    assert story.body.endswith("Schettino has denied wrongdoing.")
    assert [cut.kind for cut in story.removed] == ["byline", "dateline", "copyright"]
    assert story.removed[1].text == "GROSSETO, Italy (AP) --"


@pytest.mark.parametrize(
    ("first", "dateline", "provider"),
    [
        (f"MOSCOW (Reuters) - {BODY}", "MOSCOW (Reuters)", "Reuters"),
        (f"WASHINGTON, March 3 (Reuters) - {BODY}", "WASHINGTON, March 3 (Reuters)", "Reuters"),
        (f"PARIS (AFP) — {BODY}", "PARIS (AFP)", "AFP"),
        (f"BERLIN (dpa) - {BODY}", "BERLIN (dpa)", "dpa"),
        (f"LONDON -- {BODY}", "LONDON", None),
        (f"SAN FRANCISCO, Calif. — {BODY}", "SAN FRANCISCO, Calif.", None),
    ],
)
def test_strip_dateline(book: RuleBook, first: str, dateline: str, provider: str | None) -> None:
    story = strip_boilerplate(story_of(first, MORE), book)
    assert story.dateline == dateline
    assert story.provider == provider
    assert story.paragraphs == [BODY, MORE]


def test_strip_keeps_a_sentence_that_merely_starts_with_capitals(book: RuleBook) -> None:
    story = strip_boilerplate(
        story_of("NATO allies met in Brussels - again - on Monday.", MORE), book
    )
    assert story.dateline is None
    assert story.paragraphs[0] == "NATO allies met in Brussels - again - on Monday."


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("REUTERS", "signoff"),
        ("(AP)", "signoff"),
        ("— AFP", "signoff"),
        ("The Associated Press", "signoff"),
        ("/ritzau/", "signoff"),
        ("==Kyodo", "signoff"),
        ("(©NTB)", "signoff"),
        ("bur-dar-gl/fz", "signoff"),
        ("(Reporting by Maria Tsvetkova; Editing by Andrew Osborn)", "credit"),
        ("Reporting by Tom Balmforth in Moscow; Writing by Andrew Osborn", "credit"),
        ("Additional reporting by Orhan Coskun in Ankara", "credit"),
        ("© 2019 Thomson Reuters. All rights reserved.", "copyright"),
        ("Copyright 2020 The Associated Press. All rights reserved.", "copyright"),
        (
            "This material may not be published, broadcast, rewritten or redistributed.",
            "copyright",
        ),
        ("Share this article", "share"),
        ("Facebook Twitter Email", "share"),
        ("Share on WhatsApp", "share"),
        ("Follow us on Twitter @wireingest", "share"),
        ("Sign up for our daily newsletter", "subscribe"),
        ("Subscribe to our Breaking News alerts", "subscribe"),
        ("Advertisement", "advertisement"),
        ("Story continues below advertisement", "advertisement"),
        ("Read more: Kremlin says Turkey must rein in Idlib rebels", "related_posts"),
    ],
)
def test_strip_removes_trailer_lines(book: RuleBook, line: str, kind: str) -> None:
    story = strip_boilerplate(story_of(BODY, line, MORE), book)
    assert story.paragraphs == [BODY, MORE]
    assert [cut.kind for cut in story.removed] == [kind]
    assert story.removed[0].text == line


def test_strip_records_credit_and_canonical_provider(book: RuleBook) -> None:
    story = strip_boilerplate(
        story_of(BODY, "Reuters", "(Reporting by A; Editing by B)", "Writing by C"), book
    )
    assert story.provider == "Reuters"
    assert story.credit == "Reporting by A; Editing by B; Writing by C"


def test_strip_parser_metadata_wins_over_text_rules(book: RuleBook) -> None:
    assert strip_boilerplate(story_of(BODY, "AFP"), book).provider == "AFP"
    assert strip_boilerplate(story_of(BODY, "AFP", provider="Reuters"), book).provider == "Reuters"


def test_strip_keeps_sentences_that_look_like_trailers(book: RuleBook) -> None:
    sentences = [
        "Reporting by the BBC revealed that the deal had collapsed.",
        "Copyright lawyers said the ruling would change little.",
        "Share prices fell 3% in early trading.",
        "“Read more carefully,” the judge told the lawyers.",
    ]
    story = strip_boilerplate(story_of(BODY, *sentences), book)
    assert story.paragraphs == [BODY, *sentences]
    assert story.removed == ()


def test_strip_related_list_ends_at_the_first_real_paragraph(book: RuleBook) -> None:
    story = strip_boilerplate(
        story_of(BODY, MORE, "Read more", "Talks to resume in Geneva", "Minister resigns", BODY),
        book,
    )
    assert story.paragraphs == [BODY, MORE, BODY]
    assert [cut.text for cut in story.removed] == [
        "Read more",
        "Talks to resume in Geneva",
        "Minister resigns",
    ]


def test_strip_comments_cut_everything_after_them(book: RuleBook) -> None:
    thread = ["12 Comments", "Great article.", "Comment by X — January 7, 2008 @ 8:21 pm"]
    story = strip_boilerplate(story_of(BODY, MORE, *thread), book)
    assert story.paragraphs == [BODY, MORE]
    assert [cut.kind for cut in story.removed] == ["comments"] * 3


@pytest.mark.parametrize(
    "marker",
    ["Leave a Reply", "Comments (5)", "4 Responses to “Extend Your Battery Life”",
     "Comment by Jane Doe — January 7, 2008 @ 8:21 pm", "Comments are closed."],
)  # fmt: skip
def test_strip_comment_thread_markers(book: RuleBook, marker: str) -> None:
    story = strip_boilerplate(story_of(BODY, MORE, marker, "What a story!"), book)
    assert story.paragraphs == [BODY, MORE]
    assert story.removed[0] == Removed("comments", "comments", marker, at=len(story.body))


def test_strip_a_comments_button_inside_the_story_cuts_nothing_else(book: RuleBook) -> None:
    """A bare "Comments" is a menu entry or a toolbar button, not a thread (Washington Post)."""
    story = strip_boilerplate(story_of(BODY, "Comments", MORE), book)
    assert story.paragraphs == [BODY, "Comments", MORE]


def test_strip_trailer_rules_only_cut_after_the_body(book: RuleBook) -> None:
    """A "3 comments" or "Read more" line before enough story drops alone, not the story."""
    story = strip_boilerplate(story_of("3 comments", BODY, "Read more", MORE), book)
    assert story.paragraphs == [BODY, MORE]
    assert [cut.text for cut in story.removed] == ["3 comments", "Read more"]


def test_strip_lead_never_takes_the_last_paragraph(book: RuleBook) -> None:
    story = strip_boilerplate(story_of("A short line without a full stop"), book)
    assert story.paragraphs == ["A short line without a full stop"]


def test_strip_keeps_list_items_and_short_paragraphs(book: RuleBook) -> None:
    paragraphs = [
        BODY,
        "The measures include:",
        "mandatory blood profiling of every cyclist;",
        "targeted urine testing before and during the event;",
        "Why?",
        "“No,” he said.",
        MORE,
    ]
    story = strip_boilerplate(story_of(*paragraphs), book)
    assert story.paragraphs == paragraphs


def test_strip_rejects_a_story_that_is_all_boilerplate(book: RuleBook) -> None:
    with pytest.raises(CleanError) as failure:
        strip_boilerplate(story_of("REUTERS", "Share this article"), book)
    assert failure.value.reason is Reason.NO_BODY
    assert "share, signoff" in failure.value.message


def test_strip_appends_to_what_earlier_stages_removed(book: RuleBook) -> None:
    earlier = Removed("slug", "anpa_slug", "BC-TURKEY-SYRIA")
    story = strip_boilerplate(story_of(BODY, "REUTERS", removed=(earlier,)), book)
    assert story.removed[0] == earlier
    assert story.removed[1].kind == "signoff"


@pytest.mark.slow
def test_strip_keeps_bbc_stories_whole(book: RuleBook) -> None:
    """The BBC set is story text with no page furniture: the cleaner must keep nearly all of
    it. What goes: venue, date and kick-off lines of sports previews, and some lists of names
    or results that end a story, which the main-text model cannot tell from a page's link
    lists (0.17% of the characters when this was written)."""
    kept = removed = 0
    for path in sorted(corpus("newswire", "bbc-news").glob("*/*.txt")):
        (parsed,) = parse_text(RawItem.of(str(path), path.read_bytes()))
        story = strip_boilerplate(parsed, book)
        kept += len(story.body)
        removed += sum(len(cut.text) for cut in story.removed)
    assert removed / (kept + removed) < 0.002


def test_strip_leaves_a_wire_story_its_short_first_lines(book: RuleBook) -> None:
    """The short-line caption guess is for page text: wire copy opens with subheadings and
    table rows ("AMERICAN LEAGUE", "Shr 34 cts vs 1.19 dlrs") that look the same."""
    wire = story_of("AMERICAN LEAGUE", "Shr 34 cts vs 1.19 dlrs", BODY)
    assert strip_boilerplate(wire, book).paragraphs == [
        "AMERICAN LEAGUE",
        "Shr 34 cts vs 1.19 dlrs",
        BODY,
    ]
    page = strip_boilerplate(replace(wire, page_text=True), book)
    assert page.paragraphs == [BODY]
    assert "AMERICAN LEAGUE" in [cut.text for cut in page.removed]


def test_strip_a_previous_post_link_is_not_the_headline(book: RuleBook) -> None:
    """A blog page saved as text opens with its "« previous post" and "next post »" links
    (Dragnet R152); the post's own title below them is the headline."""
    previous = "« Nokia E71 Software Update - v400.21.013"
    page = story_of(
        "Advanced Battery Saver With 2 Licences »",
        "Nokia N96 Software Update - v30.101",
        BODY,
        MORE,
        page_text=True,
    )
    cleaned = strip_boilerplate(replace(page, headline=previous), book)
    assert cleaned.headline == "Nokia N96 Software Update - v30.101"
    assert cleaned.paragraphs == [BODY, MORE]
    assert previous in [cut.text for cut in cleaned.removed]


def test_strip_the_headline_repeated_under_a_menu(book: RuleBook) -> None:
    """A menu line the main text starts with, then the headline again: the menu is page
    furniture, not the caption of the story's picture."""
    headline = "Kremlin says Turkey must rein in Idlib rebels"
    page = story_of("Home World Sport", headline, BODY, MORE, page_text=True)
    cleaned = strip_boilerplate(replace(page, headline=headline), book)
    assert cleaned.paragraphs == [BODY, MORE]
    assert cleaned.caption is None
    assert kinds(cleaned) == [("boilerplate", "Home World Sport"), ("headline", headline)]


def test_strip_without_the_model_keeps_what_the_extractor_found(
    settings: Settings, book: RuleBook
) -> None:
    """With ``clean.main_text`` off, an HTML page keeps trafilatura's paragraphs (first to
    last); the rest of the page is cut as outside the extractor's finding."""
    page = story_of(
        "Our journalism is free to read for everyone.",
        BODY,
        "Sign up for our newsletter",
        MORE,
        "Weather for the weekend",
        page_text=True,
        extracted=ExtractedText(area=range(0, 5), paragraphs=frozenset({1, 3})),
    )
    without_model = build_rulebook(settings.clean.model_copy(update={"main_text": False}))
    cleaned = strip_boilerplate(page, without_model)
    assert cleaned.paragraphs == [BODY, MORE]
    assert [(cut.rule, cut.text) for cut in cleaned.removed] == [
        ("extractor", "Our journalism is free to read for everyone."),
        ("subscribe", "Sign up for our newsletter"),
        ("extractor", "Weather for the weekend"),
    ]


def test_strip_keeps_an_html_pages_headline_and_finds_a_missing_one(book: RuleBook) -> None:
    """An HTML page's headline comes from its markup (a title with " | Author" in it stays);
    a page that gives none gets the headline-like line at the top of its main text."""
    lines = ("Whale strandings worry Maori tribes", BODY, MORE)
    page = replace(story_of(*lines, page_text=True), page=PageMetadata())
    titled = replace(page, headline="Whale strandings | Eleanor Ainge Roy")
    assert strip_boilerplate(titled, book).headline == "Whale strandings | Eleanor Ainge Roy"
    untitled = strip_boilerplate(replace(page, headline=""), book)
    assert untitled.headline == "Whale strandings worry Maori tribes"
    assert untitled.paragraphs == [BODY, MORE]
