"""The boilerplate development data: pages with gold main text, a text version of each page,
and token-level scoring. Shared by ``eval_boilerplate.py`` and ``train_main_text_model.py``.

Pages come from ``../shared/corpora/boilerplate`` (CleanEval dev, Dragnet 2013 sample, Mozilla
Readability test pages, newspaper4k test data); see each set's SOURCE.txt for its licence.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import lxml.html
import trafilatura

from pipeline.clean.rules import RuleBook, build_rulebook
from pipeline.clean.strip import strip_boilerplate
from pipeline.errors import DataError
from pipeline.parse.html import article_area, load_tree, word_counts
from pipeline.parse.markup import text_blocks
from pipeline.parse.registry import FORMATS
from pipeline.records import RawItem, Story
from pipeline.settings import load_settings

DEFAULT_CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "boilerplate"

# The scoring unit: lower-cased words, one a character in scripts written without spaces.
tokens = word_counts


@dataclass(frozen=True)
class Page:
    dataset: str
    name: str
    html: bytes
    gold: str

    @property
    def gold_has_comments(self) -> bool:
        """Whether the gold text holds the page's reader comments (Dragnet's gold does for
        many blog pages), which wire-ingest removes as boilerplate.

        Two comment finders look, and the gold holds the comments when more than half of what
        either finds is in it: trafilatura's (on the HTML; a section of at least 30 tokens),
        and the clean stage's comment-thread rule (on the text version of the page), which
        finds threads trafilatura misses ("Comments (5)" then "written by X, October 18,
        2012"). The rule's cut runs from the thread's start to the end of the page, forms
        and footers included, so it must hold at least 100 tokens: a short cut ("Leave a
        Reply", "Name (required)") shares common words with any gold.
        """
        gold = tokens(self.gold)
        document = trafilatura.bare_extraction(self.html, include_comments=True)
        return _mostly_in(getattr(document, "comments", None) or "", gold, 30) or _mostly_in(
            _comment_thread(self), gold, 100
        )

    @property
    def gold_on_page(self) -> bool:
        """Whether most of the gold text's words are anywhere in the page's text. CleanEval
        page 47's gold is a different text from its page's (37 % of its words are on the
        page): no extractor can find it, so it is not scored against the targets."""
        root = load_tree(self.html)
        titles = (title.text_content() for title in root.iter("title"))
        page, gold = tokens("\n".join([*text_blocks(root), *titles])), tokens(self.gold)
        return sum((gold & page).values()) > sum(gold.values()) / 2


def _mostly_in(text: str, gold: Counter[str], minimum: int) -> bool:
    found = tokens(text)
    size = sum(found.values())
    return size >= minimum and sum((found & gold).values()) > size / 2


def _comment_thread(page: Page) -> str:
    """What the clean stage removes from the page's text version as a comment thread."""
    stories = wire_ingest("text", page.name, page_as_text(page.html, page.gold).encode("utf-8"))
    return "\n".join(
        cut.text for story in stories for cut in story.removed if cut.kind == "comments"
    )


@functools.cache
def rulebook() -> RuleBook:
    """The clean stage's rules and model, as configured by default."""
    return build_rulebook(load_settings().clean)


def wire_ingest(format_name: str, name: str, data: bytes) -> list[Story]:
    """The stories wire-ingest's parser for ``format_name`` and its clean stage make of
    ``data``, as the pipeline runs them; none when the parser rejects it."""
    try:
        return [
            strip_boilerplate(story, rulebook())
            for story in FORMATS[format_name].parse(RawItem.of(name, data))
        ]
    except DataError:
        return []


def kept_text(stories: list[Story]) -> str:
    """What the clean stage keeps of the stories: the headline, the body, and the lines it
    found to be the story's dateline, byline and captions, which go to fields of their own."""
    return "\n\n".join(
        text
        for story in stories
        for text in (story.headline, story.dateline, story.byline, story.caption, story.body)
        if text
    )


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


def score(extracted: str, gold: str) -> Score:
    got, want = tokens(extracted), tokens(gold)
    shared = sum((got & want).values())
    return Score(
        precision=shared / sum(got.values()) if got else 0.0,
        recall=shared / sum(want.values()) if want else 0.0,
    )


# --- the development sets ----------------------------------------------------------------


def load_pages(root: Path) -> Iterator[Page]:
    """Every page with a non-empty gold text (two CleanEval pages have none)."""
    for pages in (
        _cleaneval(root / "cleaneval-dev"),
        _dragnet(root / "dragnet-2013-sample"),
        _readability(root / "mozilla-readability" / "test-pages"),
        _newspaper(root / "newspaper4k"),
    ):
        yield from (page for page in pages if tokens(page.gold))


def _cleaneval(folder: Path) -> Iterator[Page]:
    for gold_path in sorted(folder.glob("GoldStandard/*.txt")):
        gold = gold_path.read_text(encoding="utf-8", errors="replace")
        gold = re.sub(r"^URL:.*\n", "", gold)  # the first line names the page
        gold = re.sub(r"<(p|h|l)>", " ", gold)  # CleanEval's paragraph/heading/list marks
        html = (folder / "input" / f"{gold_path.stem}.html").read_bytes()
        yield Page("cleaneval", gold_path.stem, html, gold)


def _dragnet(folder: Path) -> Iterator[Page]:
    for gold_path in sorted(folder.glob("GoldStandard/*.txt")):
        html = (folder / "input" / f"{gold_path.stem}.html").read_bytes()
        gold = gold_path.read_text(encoding="utf-8", errors="replace")
        yield Page("dragnet", gold_path.stem, html, gold)


def _readability(folder: Path) -> Iterator[Page]:
    for page in sorted(path for path in folder.iterdir() if path.is_dir()):
        expected = lxml.html.fromstring((page / "expected.html").read_text(encoding="utf-8"))
        yield Page("readability", page.name, (page / "source.html").read_bytes(),
                   expected.text_content())  # fmt: skip


def _newspaper(folder: Path) -> Iterator[Page]:
    for gold_path in sorted(folder.glob("txt/*.txt")):
        html_path = folder / "html" / f"{gold_path.stem}.html"
        if html_path.exists():
            gold = gold_path.read_text(encoding="utf-8", errors="replace")
            yield Page("newspaper4k", gold_path.stem, html_path.read_bytes(), gold)


# --- the text version of a page ----------------------------------------------------------


def page_as_text(data: bytes, gold: str) -> str:
    """The article area of the page as text, the way a person saving it would get it.

    The gold text only locates the article: the area around it is found as the HTML path
    finds it around trafilatura's text (``pipeline.parse.html.article_area``), and the page's
    main heading goes on top if it is outside the area. Blocks become paragraphs separated by
    blank lines, as ``pipeline.parse.markup.text_blocks`` reads them.
    """
    # The whole tree, not <body>: a stray </body> early in a page leaves the rest outside it.
    root = load_tree(data)
    area = article_area(root, tokens(gold))
    blocks = list(text_blocks(area))
    heading = next((h for h in root.iter("h1") if h.text_content().strip()), None)
    if heading is not None and not any(node is area for node in heading.iterancestors()):
        blocks.insert(0, " ".join(heading.text_content().split()))
    return "\n\n".join(blocks) + "\n"
