"""The pure core of the clean stage: ``strip_boilerplate(story, book) -> story``.

A story's paragraphs go through four passes:

1. **main text** (stories that are a page's whole text: text and HTML input): the main-text
   model finds the run of paragraphs holding the story (around trafilatura's main text, on
   HTML), and the headline if the page's first line was not it; what lies outside the run is
   page furniture (navigation, teasers, footers), cut with the model's score unless a rule
   names it more precisely. With the model switched off, an HTML page keeps what trafilatura
   found, and a text page all of it;
2. **lead**: captions and bylines at the start of the body (and in the few paragraphs just
   before it), never the last paragraph;
3. **prefix**: a dateline opening the first body paragraph;
4. **body**: paragraph rules (sign-offs, share prompts, ...) anywhere, list rules (a
   "Related" heading and its headlines) and rest rules (comment threads) once enough body
   text came before them.

Every cut goes into ``removed`` with its kind, the rule (or model) that cut it, its text, and
where it stood (``Removed.at``, an offset into the clean body), in the order the cuts stood in
the input, so a reader can show the story with its cuts in place (``wire-ingest show``).
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

from pipeline.clean.features import SENTENCE_END
from pipeline.clean.rules import BODY_SCOPES, Rule, RuleBook, named_values
from pipeline.clean.site import SiteContext
from pipeline.errors import CleanError, Reason
from pipeline.records import PARAGRAPH_BREAK, RECALLS, Removed, Story
from pipeline.settings import Scope

_LEAD_SCOPE = frozenset({Scope.LEAD})
_PREFIX_SCOPE = frozenset({Scope.PREFIX})
# A story's lead (captions, bylines) is a few paragraphs at most: lead rules look at the first
# few paragraphs of the body and the last few before it; further up, a short line is page
# furniture, not the story's caption.
LEAD_WINDOW = 3
# Fields that collect every value found (several captions, credit lines); the others keep the
# first value, and a value the parser already set (from format metadata) wins over text rules.
_JOINED_FIELDS = {"caption": "\n", "credit": "; "}
# A list ("Related posts") or rest ("12 comments") rule cuts only after this many words of
# story prose: a menu entry "Comments" above the story does not start its comment thread.
TRAILED_WORDS = 40
# A headline: one line, a few words (or, in scripts without spaces, a few characters).
_HEADLINE = re.compile(r"[^\n]{8,200}")
# Menus and breadcrumbs ("Home | World › Europe"); a line opening with « or ‹ is a "« previous
# post" link (a headline quoting with guillemets has a », a separator already).
_SEPARATOR = re.compile(r"\s[|»›•·]\s|[|»›]|^[«‹]")
MODEL_KIND = "boilerplate"
MODEL_RULE = "main_text_model"
# The same, where the site's other pages in the batch were part of the evidence: a reader of
# ``removed`` sees that a line went (also) because the site's other pages hold it.
SITE_MODEL_RULE = "main_text_site_model"
EXTRACTOR_RULE = "extractor"  # outside an extractor's finding, with the model switched off


def strip_boilerplate(story: Story, book: RuleBook, site: SiteContext | None = None) -> Story:
    """Removes boilerplate from ``story.body``; every cut goes into ``removed`` with its rule.

    A kill or withhold notice (``RECALLS``) may have no text: it passes as it is. The story's
    agency's own rules (sign-offs, bylines) go before the general ones. ``site`` is what the
    other pages of a page's site hold (``pipeline.clean.site``), when the batch has any.

    Raises:
        CleanError: when nothing of the body is left.
    """
    paragraphs = story.paragraphs
    if not paragraphs and story.pub_status in RECALLS:
        return story
    if not paragraphs:
        raise CleanError(Reason.NO_BODY, "the story has no body text")
    book = book.for_provider(story.provider)
    cuts = _Cuts(book, _outside_rule(story, book, site))
    headline = story.headline
    scores: Sequence[float | None] = [None] * len(paragraphs)
    run, dropped = range(len(paragraphs)), frozenset[int]()
    if book.main_text and story.page_text:
        headline, paragraphs, scores, run, dropped = _locate_main_text(story, book, cuts, site)
    elif story.extracted:
        run = story.extracted.span
    # Page furniture before the main text; the paragraphs just before it may be its lead,
    # unless the main text opens with the headline: what stands above that is not.
    opening = paragraphs[run.start : run.start + LEAD_WINDOW]
    headed = _normal(headline) in [_normal(paragraph) for paragraph in opening]
    for index in range(run.start):
        lead_window = index >= run.start - LEAD_WINDOW and not headed
        cuts.add_outside(paragraphs[index], scores[index], lead=lead_window, position=index)
    body = []
    for index in run:  # furniture inside the run (a list of other stories) goes too
        if index in dropped:
            cuts.add_outside(paragraphs[index], scores[index], lead=False, position=index)
        else:
            body.append(paragraphs[index])
    order = [index for index in run if index not in dropped]  # body[i] is paragraphs[order[i]]
    # The headline repeated at the top of the main text; what stands above it is furniture
    # (a menu), not the story's lead.
    top = [_normal(paragraph) for paragraph in body[:LEAD_WINDOW]]
    if _normal(headline) in top[: len(body) - 1]:
        repeated = top.index(_normal(headline))
        for index in range(repeated):
            cuts.add_outside(body[index], scores[order[index]], lead=False, position=order[index])
        cuts.place(order[repeated], Removed("headline", "repeated_headline", body[repeated]))
        del body[: repeated + 1], order[: repeated + 1]
    # Lead: captions and bylines before the first body paragraph, never the last paragraph.
    # A line a body rule knows (a date, a share prompt, "941 comments") is that, not a caption.
    for _ in range(LEAD_WINDOW):
        hit = book.first_match(body[0], BODY_SCOPES) or book.first_match(
            body[0], _LEAD_SCOPE, page_text=story.page_text
        )
        if len(body) == 1 or hit is None:
            break
        cuts.add(*hit, body.pop(0), position=order.pop(0))
    # Prefix: a dateline opening the first body paragraph.
    if hit := book.first_match(body[0], _PREFIX_SCOPE):
        rule, found = hit
        rest = body[0][found.end() :]
        if rest.strip():  # cut from the paragraph's start: placed just before what is left
            cuts.add(rule, found, found.group(0).strip(), position=order[0] - 0.5)
            body[0] = rest.lstrip()
    swept = list(_sweep(body, order, book, cuts, keep=True))
    kept = [body[index] for index in swept]
    # Page furniture after the main text: named by a rule where one knows it.
    trailing = paragraphs[run.stop :]
    after = range(run.stop, len(paragraphs))
    words = sum(_prose_words(paragraph) for paragraph in kept)
    for index in _sweep(trailing, after, book, cuts, keep=False, body_words=words):
        cuts.add_outside(trailing[index], scores[after[index]], lead=False, position=after[index])
    if not kept:
        kinds = ", ".join(sorted({cut.kind for cut in cuts.removed}))
        raise CleanError(Reason.NO_BODY, f"every paragraph was boilerplate ({kinds})")
    return replace(
        story,
        headline=headline,
        body=PARAGRAPH_BREAK.join(kept),
        removed=story.removed + cuts.placed_in(kept, [order[index] for index in swept]),
        markup=(),
        **cuts.fields(story),
    )


def _outside_rule(story: Story, book: RuleBook, site: SiteContext | None) -> str:
    """What names a cut of furniture no rule knows: the model (with or without the site's other
    pages) that found the main text, or the extractor when the model is off."""
    if not book.main_text:
        return EXTRACTOR_RULE
    sited = site is not None and story.page_text and book.main_text.site_context
    return SITE_MODEL_RULE if sited else MODEL_RULE


def _locate_main_text(
    story: Story, book: RuleBook, cuts: _Cuts, site: SiteContext | None
) -> tuple[str, list[str], list[float | None], range, frozenset[int]]:
    """The main text's run of paragraphs (with the model's scores, and the paragraphs inside
    it that are furniture all the same), and the headline: the first line, unless that was the
    page's (a site name, a menu entry) and a headline stands at the start of the main text,
    which then moves out of the paragraphs."""
    assert book.main_text is not None
    headline, paragraphs = story.headline, story.paragraphs
    # A comment thread can outweigh the story it follows: look for the story before it.
    before_thread = paragraphs[: _thread_start(paragraphs, book)]
    located = book.main_text.locate(
        before_thread, book.marks(before_thread), story.extracted, story.markup, site
    )
    scores: list[float | None] = [
        *located.probabilities,
        *[None] * (len(paragraphs) - len(before_thread)),
    ]
    run, dropped = located.run, located.dropped
    # An HTML page names its headline in its markup; a saved text page's first line may be
    # the site's name.
    named = bool(story.page and headline) or _headline_like(headline, book)
    moved = None if named else _headline_near(paragraphs, run, book)
    if moved is None:
        return headline, paragraphs, scores, run, dropped
    if headline:
        cuts.add_outside(headline, None, lead=False, position=-1)
    run = range(run.start - (moved < run.start), run.stop - 1)
    return (
        paragraphs[moved],
        paragraphs[:moved] + paragraphs[moved + 1 :],
        scores[:moved] + scores[moved + 1 :],
        run,
        frozenset(index - (index > moved) for index in dropped if index != moved),
    )


def _normal(text: str) -> str:
    return " ".join(text.split()).casefold()


def _headline_like(text: str, book: RuleBook) -> bool:
    """One line of a few words, not a sentence, not a menu, not boilerplate a rule knows."""
    return bool(
        _HEADLINE.fullmatch(text)
        and (len(text.split()) >= 3 or not text.isascii())
        and not SENTENCE_END.search(text)
        and not _SEPARATOR.search(text)
        and book.first_match(text, BODY_SCOPES) is None
    )


def _headline_near(paragraphs: Sequence[str], run: range, book: RuleBook) -> int | None:
    """The first headline-like paragraph around the start of the main text (a few before it,
    a few into it), never its last paragraph."""
    last = min(run.start + LEAD_WINDOW, run.stop - 1)
    for index in range(max(run.start - LEAD_WINDOW, 0), last):
        if _headline_like(paragraphs[index], book):
            return index
    return None


def _thread_start(paragraphs: Sequence[str], book: RuleBook) -> int:
    """Where the first rest rule (a comment thread) matches after ``TRAILED_WORDS`` of prose."""
    prose_words = 0
    for index, paragraph in enumerate(paragraphs):
        hit = book.first_match(paragraph, BODY_SCOPES)
        if hit is None:
            prose_words += _prose_words(paragraph)
        elif hit[0].scope is Scope.REST and prose_words >= TRAILED_WORDS:
            return index
    return len(paragraphs)


def _prose_words(paragraph: str) -> int:
    """Words of a paragraph that ends like a sentence; 0 for headings, menu entries, ..."""
    return len(paragraph.split()) if SENTENCE_END.search(paragraph) else 0


def _sweep(
    paragraphs: list[str],
    positions: Sequence[int],
    book: RuleBook,
    cuts: _Cuts,
    *,
    keep: bool,
    body_words: int = 0,
) -> Iterator[int]:
    """Applies the body rules; yields the indexes of the paragraphs no rule cut
    (``positions[i]``: where ``paragraphs[i]`` stands among the story's paragraphs).

    ``keep`` says whether those are story text (inside the main text) or furniture (outside
    it, where the caller cuts them with the model's score). A list or rest rule only cuts
    what trails a body of ``TRAILED_WORDS``: ``body_words`` counts the words kept before.
    """
    index = 0
    while index < len(paragraphs):
        paragraph = paragraphs[index]
        index += 1
        hit = book.first_match(paragraph, BODY_SCOPES)
        if hit is None:
            body_words += _prose_words(paragraph) if keep else 0
            yield index - 1
            continue
        rule, found = hit
        cuts.add(rule, found, paragraph, position=positions[index - 1])
        if body_words < TRAILED_WORDS:
            continue
        if rule.scope is Scope.LIST:
            assert rule.items is not None  # settings require items for lists
            while index < len(paragraphs) and rule.items.fullmatch(paragraphs[index]):
                cuts.add(rule, None, paragraphs[index], position=positions[index])
                index += 1
        elif rule.scope is Scope.REST:
            for rest in range(index, len(paragraphs)):  # named by their own rule where one knows it
                own = book.first_match(paragraphs[rest], BODY_SCOPES)
                cuts.add(*(own or (rule, None)), paragraphs[rest], position=positions[rest])
            return


@dataclass
class _Cuts:
    """The cuts of one story, each with its position among the story's paragraphs (a cut
    from the start of paragraph i stands at i - 0.5, before what is left of it)."""

    book: RuleBook
    outside_rule: str  # what cut furniture no rule names
    positioned: list[tuple[float, Removed]] = field(default_factory=list)
    found: dict[str, list[str]] = field(default_factory=dict)

    @property
    def removed(self) -> list[Removed]:
        return [cut for _, cut in self.positioned]

    def place(self, position: float, cut: Removed) -> None:
        self.positioned.append((position, cut))

    def placed_in(self, kept: Sequence[str], kept_positions: Sequence[int]) -> tuple[Removed, ...]:
        """The cuts in the order they stood, each ``at`` the offset into the body (the kept
        paragraphs joined) of the paragraph that followed it, or the body's end."""
        starts, offset = [], 0
        for paragraph in kept:
            starts.append(offset)
            offset += len(paragraph) + len(PARAGRAPH_BREAK)
        end = offset - len(PARAGRAPH_BREAK)
        placed = []
        for position, cut in sorted(self.positioned, key=lambda pair: pair[0]):
            following = bisect.bisect_right(kept_positions, position)
            placed.append(replace(cut, at=starts[following] if following < len(kept) else end))
        return tuple(placed)

    def add(self, rule: Rule, found: re.Match[str] | None, text: str, *, position: float) -> None:
        self.place(position, Removed(kind=rule.kind, rule=rule.name, text=text))
        for name, value in named_values(found) if found else ():
            if name == "provider":
                value = self.book.provider_name(value)
            self.found.setdefault(name, []).append(value)

    def add_outside(self, text: str, score: float | None, *, lead: bool, position: float) -> None:
        """Cuts a paragraph outside the main text: by the rule that names it, else as
        furniture with the model's score."""
        hit = self.book.first_match(text, BODY_SCOPES) or (
            self.book.first_match(text, _LEAD_SCOPE) if lead else None
        )
        if hit:
            self.add(*hit, text, position=position)
        else:
            self.place(position, Removed(MODEL_KIND, self.outside_rule, text, score))

    def fields(self, story: Story) -> dict[str, str]:
        values = {}
        for name, found in self.found.items():
            current = getattr(story, name)
            if name in _JOINED_FIELDS:
                values[name] = _JOINED_FIELDS[name].join(([current] if current else []) + found)
            elif current is None or (name == "byline" and self.book.is_agency(current)):
                # A byline that only names the agency (Reuters' NewsML-G2 creator) gives way
                # to the writer the copy names.
                values[name] = found[0]
        return values
