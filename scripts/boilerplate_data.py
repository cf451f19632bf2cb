"""The boilerplate development data: pages with gold main text, each page prepared once for
both of wire-ingest's paths (a text version and the HTML), labels, features and scoring.
Shared by ``eval_boilerplate.py`` and ``train_main_text_model.py``.

Pages come from ``../shared/corpora/boilerplate``, grouped into the corpora the evaluation
leaves out one at a time (``CORPORA``); see each set's SOURCE.txt for its licence.
"""

from __future__ import annotations

import functools
import hashlib
import html as html_entities
import json
import multiprocessing
import pickle
import re
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import lxml.html
import numpy as np
import trafilatura

from pipeline.clean.features import (
    FEATURE_NAMES,
    NAME_GROUPS,
    markup_features,
    page_features,
)
from pipeline.clean.rules import RuleBook, build_rulebook
from pipeline.clean.site import SiteContext, SitePage, SiteProfile, line_key, site_host
from pipeline.clean.strip import strip_boilerplate
from pipeline.errors import DataError
from pipeline.parse.html import article_area, load_tree, parse_html, word_counts
from pipeline.parse.markup import blocks_with_region, text_blocks
from pipeline.parse.text import parse_text
from pipeline.records import BlockMarkup, RawItem, Story
from pipeline.settings import load_settings

DEFAULT_CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora" / "boilerplate"
REPO = Path(__file__).resolve().parents[1]

# The scoring unit: lower-cased words, one a character in scripts written without spaces.
tokens = word_counts


@dataclass(frozen=True)
class Page:
    corpus: str
    name: str
    html: bytes
    gold: str
    site: str  # the site it is a page of (its host, or the page's name when unknown)


# --- the development sets ----------------------------------------------------------------


def _cleaneval_format(folder: Path, corpus: str) -> Iterator[Page]:
    """CleanEval's layout and gold format (CleanEval, CleanPortalEval): a "URL:" first line,
    <p>, <h> and <l> marks, HTML entities."""
    for gold_path in sorted(folder.glob("GoldStandard/*.txt")):
        html_path = folder / "input" / f"{gold_path.stem}.html"
        if not html_path.exists():
            continue
        gold = gold_path.read_text(encoding="utf-8", errors="replace")
        url = re.match(r"\s*URL:\s*(\S+)", gold)
        # CleanPortalEval's pages are several per portal, named after it ("portal_3").
        site = gold_path.stem.rsplit("_", 1)[0] if corpus == "cleanportaleval" else ""
        site = site or (site_host(url.group(1)) if url else "") or gold_path.stem
        gold = re.sub(r"^\s*URL:.*\n", "", gold)
        gold = html_entities.unescape(re.sub(r"<(p|h|l)>", " ", gold))
        name = f"{folder.name}/{gold_path.stem}"
        yield Page(corpus, name, html_path.read_bytes(), gold, site)


def _cleaneval(root: Path) -> Iterator[Page]:
    for name in ("cleaneval-dev", "cleaneval-final"):
        yield from _cleaneval_format(root / name, "cleaneval")


def _cleanportaleval(root: Path) -> Iterator[Page]:
    yield from _cleaneval_format(root / "cleanportaleval", "cleanportaleval")


def _dragnet(root: Path) -> Iterator[Page]:
    folder = root / "dragnet-2013"  # the whole set; the sample is a subset of it
    for gold_path in sorted(folder.glob("GoldStandard/*.txt")):
        html = (folder / "input" / f"{gold_path.stem}.html").read_bytes()
        gold = gold_path.read_text(encoding="utf-8", errors="replace")
        yield Page("dragnet", gold_path.stem, html, gold, _dragnet_site(html) or gold_path.stem)


# Hosts that many sites link to (share buttons, feeds, trackers): not a page's own site.
_THIRD_PARTIES = re.compile(
    r"gmpg\.org|feedburner|w3\.org|google|facebook|twitter|doubleclick|addthis|wordpress\.org"
    r"|quantserve|digg|stumbleupon|yahoo|sharethis|technorati|delicious|creativecommons|reddit"
    r"|feeds\.|linkedin|apple\.com|adobe|microsoft|youtube|flickr|disqus|statcounter"
    r"|scorecardresearch"
)
_CANONICAL = re.compile(
    rb"""(?:rel=["']canonical["'][^>]*href|property=["']og:url["'][^>]*content)=["'](https?://[^"']+)"""
)
_LINK = re.compile(rb"""href=["'](https?://[^"']+)""")


def _dragnet_site(html: bytes) -> str:
    """A Dragnet page's site, which the set does not say: its canonical URL's host, else the
    host it links to most that is not a share button's or a tracker's (a rough guess)."""
    if found := _CANONICAL.search(html):
        return site_host(found.group(1).decode("latin-1"))
    hosts = Counter(site_host(url.decode("latin-1")) for url in _LINK.findall(html))
    return next((host for host, _ in hosts.most_common() if not _THIRD_PARTIES.search(host)), "")


def _readability(root: Path) -> Iterator[Page]:
    folder = root / "mozilla-readability" / "test-pages"
    for page in sorted(path for path in folder.iterdir() if path.is_dir()):
        expected = lxml.html.fromstring((page / "expected.html").read_text(encoding="utf-8"))
        # One page per site: the name stands for the site.
        yield Page("readability", page.name, (page / "source.html").read_bytes(),
                   expected.text_content(), page.name)  # fmt: skip


def _newspaper(root: Path) -> Iterator[Page]:
    folder = root / "newspaper4k"
    for gold_path in sorted(folder.glob("txt/*.txt")):
        html_path = folder / "html" / f"{gold_path.stem}.html"
        if html_path.exists():
            gold = gold_path.read_text(encoding="utf-8", errors="replace")
            site = _newspaper_site(folder / "metadata" / f"{gold_path.stem}.json")
            yield Page("newspaper4k", gold_path.stem, html_path.read_bytes(), gold,
                       site or gold_path.stem)  # fmt: skip


def _newspaper_site(metadata: Path) -> str:
    if not metadata.exists():
        return ""
    found = json.loads(metadata.read_text(encoding="utf-8"))
    return site_host(found.get("url") or found.get("canonical_link") or "")


# The corpora, each left out in turn: CleanEval's development and final sets are one corpus
# (the same task, pages and annotators), so neither is tuned on when the other is scored.
CORPORA: dict[str, Callable[[Path], Iterator[Page]]] = {
    "cleaneval": _cleaneval,
    "cleanportaleval": _cleanportaleval,
    "dragnet": _dragnet,
    "readability": _readability,
    "newspaper4k": _newspaper,
}


def load_pages(root: Path, only: Sequence[str] = ()) -> Iterator[Page]:
    """Every page with a non-empty gold text, of the corpora named (all by default)."""
    for name, loader in CORPORA.items():
        if not only or name in only:
            yield from (page for page in loader(root) if tokens(page.gold))


# --- one page, prepared for both paths -----------------------------------------------------


@functools.cache
def rulebook() -> RuleBook:
    """The clean stage's rules and model, as configured by default."""
    return build_rulebook(load_settings().clean)


@functools.cache
def rules_only() -> RuleBook:
    """The rules as configured, without a model (features and labels do not depend on one)."""
    return build_rulebook(load_settings().clean.model_copy(update={"main_text": False}))


@dataclass(frozen=True)
class PathData:
    """One path's story before cleaning, with its paragraphs' features and labels."""

    story: Story
    features: np.ndarray  # paragraphs x features
    labels: np.ndarray  # 1 for main text: at least half its words are in the gold
    sizes: np.ndarray  # words
    kinds: tuple[str, ...]  # what the markup says a paragraph is ("" when it does not)
    # What the other pages of its site hold (``with_site_context``); None: it has none.
    site: SiteContext | None = None

    def rows(self, *, site: bool) -> np.ndarray:
        """Its features, with ``SITE_FEATURES`` after ``FEATURE_NAMES`` for the site models
        (zeros for a page without other pages of its site, as in the pipeline's training)."""
        if not site:
            return self.features
        paragraphs = self.story.paragraphs
        context = self.site or SiteContext(0, {})
        more = np.array(context.rows(paragraphs), dtype=np.float32).reshape(len(paragraphs), -1)
        n = len(FEATURE_NAMES)
        return np.hstack([self.features[:, :n], more, self.features[:, n:]])

    @property
    def extracted(self) -> frozenset[int]:
        """The paragraphs trafilatura kept (HTML)."""
        return self.story.extracted.paragraphs if self.story.extracted else frozenset()


@dataclass(frozen=True)
class Prepared:
    """A page, ready to be cleaned by any model: the text version and the HTML, parsed."""

    corpus: str
    name: str
    site: str  # its corpus and site: sites are told apart within a corpus only
    gold: str
    text: PathData | None  # None: the parser made no story of it
    html: PathData | None
    trafilatura: str  # trafilatura's own extraction, with its title
    gold_has_comments: bool
    gold_on_page: bool

    @property
    def scored(self) -> bool:
        """Counted against the targets: the gold is the page's story, without comments."""
        return self.gold_on_page and not self.gold_has_comments


def prepare(page: Page) -> Prepared:
    text_version, kinds_by_text = page_as_text(page.html, page.gold)
    text = _path(parse_text, page, text_version.encode("utf-8"), kinds_by_text)
    html = _path(parse_html, page, page.html, None)
    return Prepared(
        corpus=page.corpus,
        name=page.name,
        site=f"{page.corpus}/{page.site}",
        gold=page.gold,
        text=text,
        html=html,
        trafilatura=plain_trafilatura(page.html),
        gold_has_comments=_gold_has_comments(page, text),
        gold_on_page=_gold_on_page(page),
    )


def _path(
    parse: Callable[[RawItem], Iterator[Story]],
    page: Page,
    data: bytes,
    kinds_by_text: dict[str, str] | None,
) -> PathData | None:
    try:
        (story,) = parse(RawItem.of(page.name, data))
    except DataError:
        return None
    story = replace(story, raw=b"")
    paragraphs = story.paragraphs
    rows = page_features(paragraphs, rules_only().marks(paragraphs))
    if story.markup:
        found = story.extracted.paragraphs if story.extracted else frozenset()
        area = story.extracted.area if story.extracted else range(0)
        rows = [
            row + markup_features(place, extracted=index in found, in_area=index in area)
            for index, (row, place) in enumerate(zip(rows, story.markup, strict=True))
        ]
        kinds = tuple(markup_kind(place) for place in story.markup)
    else:
        kinds = tuple((kinds_by_text or {}).get(paragraph, "") for paragraph in paragraphs)
    labels = block_labels(paragraphs, page.gold)
    return PathData(
        story,
        np.array(rows, dtype=np.float32).reshape(len(paragraphs), -1),
        np.array(labels, dtype=np.int8),
        np.array([len(paragraph.split()) for paragraph in paragraphs], dtype=np.int32),
        kinds,
    )


def block_labels(paragraphs: Sequence[str], text: str) -> list[bool]:
    """Whether each paragraph is in ``text``: at least half its words are, each word of the
    text counted once, in order."""
    remaining = tokens(text)
    found = []
    for paragraph in paragraphs:
        words = tokens(paragraph)
        size = sum(words.values())
        found.append(bool(size) and sum((words & remaining).values()) >= size / 2)
        remaining -= words
    return found


# What the markup says a piece of furniture is, by the first group its names match; the
# element tags back them up. Only for reporting what was removed, by kind.
_KIND_NAMES = {
    "comments": "names_comment",
    "related": "names_related",
    "share": "names_share",
    "promo": "names_promo",
    "newsletter": "names_newsletter",
    "navigation": "names_navigation",
    "footer": "names_footer",
    "sidebar": "names_sidebar",
}
_KIND_TAGS = {"navigation": "nav", "footer": "footer", "sidebar": "aside"}


def markup_kind(place: BlockMarkup) -> str:
    for kind, group in _KIND_NAMES.items():
        if any(word in place.names for word in NAME_GROUPS[group]):
            return kind
    for kind, tag in _KIND_TAGS.items():
        if tag in place.tags:
            return kind
    return ""


def plain_trafilatura(html: bytes) -> str:
    """What ``trafilatura.extract`` keeps (comments included, its default), with the title."""
    metadata = trafilatura.extract_metadata(html)
    title = metadata.title if metadata else None
    return "\n\n".join(filter(None, [title, trafilatura.extract(html)]))


def _gold_has_comments(page: Page, text: PathData | None) -> bool:
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
    gold = tokens(page.gold)
    document = trafilatura.bare_extraction(page.html, include_comments=True)
    if _mostly_in(getattr(document, "comments", None) or "", gold, 30):
        return True
    if text is None:
        return False
    cleaned = strip_or_none(text.story, rules_only())
    thread = (
        "\n".join(cut.text for cut in cleaned.removed if cut.kind == "comments") if cleaned else ""
    )
    return _mostly_in(thread, gold, 100)


def _mostly_in(text: str, gold: Counter[str], minimum: int) -> bool:
    found = tokens(text)
    size = sum(found.values())
    return size >= minimum and sum((found & gold).values()) > size / 2


def _gold_on_page(page: Page) -> bool:
    """Whether most of the gold text's words are anywhere in the page's text. CleanEval
    page 47's gold is a different text from its page's (37 % of its words are on the
    page): no extractor can find it, so it is not scored against the targets."""
    root = load_tree(page.html)
    titles = (title.text_content() for title in root.iter("title"))
    words, gold = tokens("\n".join([*text_blocks(root), *titles])), tokens(page.gold)
    return sum((gold & words).values()) > sum(gold.values()) / 2


def page_as_text(data: bytes, gold: str) -> tuple[str, dict[str, str]]:
    """The article area of the page as text, the way a person saving it would get it, and
    what the markup says each of its paragraphs is.

    The gold text only locates the article: the area around it is found as the HTML path
    finds it around trafilatura's text (``pipeline.parse.html.article_area``), and the page's
    main heading goes on top if it is outside the area. Blocks become paragraphs separated by
    blank lines, as ``pipeline.parse.markup.text_blocks`` reads them.
    """
    # The whole tree, not <body>: a stray </body> early in a page leaves the rest outside it.
    root = load_tree(data)
    area = article_area(root, tokens(gold))
    blocks, _, markup = blocks_with_region(area, area)
    kinds = {block: markup_kind(place) for block, place in zip(blocks, markup, strict=True)}
    heading = next((h for h in root.iter("h1") if h.text_content().strip()), None)
    if heading is not None and not any(node is area for node in heading.iterancestors()):
        blocks.insert(0, " ".join(heading.text_content().split()))
    return "\n\n".join(blocks) + "\n", kinds


def strip_or_none(story: Story, book: RuleBook, site: SiteContext | None = None) -> Story | None:
    """The story cleaned, or None when nothing of it is left."""
    try:
        return strip_boilerplate(story, book, site)
    except DataError:
        return None


def kept_text(story: Story | None) -> str:
    """What the clean stage keeps of a story: the headline, the body, and the lines it found
    to be the story's dateline, byline and captions, which go to fields of their own."""
    if story is None:
        return ""
    fields = (story.headline, story.dateline, story.byline, story.caption, story.body)
    return "\n\n".join(text for text in fields if text)


# --- all pages, prepared once ----------------------------------------------------------------


def prepare_all(root: Path, only: Sequence[str] = (), cache: Path | None = None) -> list[Prepared]:
    """Every page prepared, on all cores; from ``cache`` when it was written by the same code
    from the same pages."""
    pages = list(load_pages(root, only))
    fingerprint = _fingerprint(pages)
    if cache and cache.exists():
        stored = pickle.loads(cache.read_bytes())
        if stored["fingerprint"] == fingerprint:
            return with_site_context(stored["pages"])
    with multiprocessing.get_context("fork").Pool() as pool:
        prepared = pool.map(prepare, pages, chunksize=4)
    if cache:
        cache.parent.mkdir(parents=True, exist_ok=True)
        cache.write_bytes(pickle.dumps({"fingerprint": fingerprint, "pages": prepared}))
    return with_site_context(prepared)


def with_site_context(pages: Sequence[Prepared]) -> list[Prepared]:
    """``pages`` with each path's ``site`` set: what the other pages of its site hold, counted
    as the pipeline counts a batch (``pipeline.clean.site``), the pages being the batch."""
    paths = ("text", "html")
    profiles = {
        path: SiteProfile.of(
            _site_page(page, data) for page in pages if (data := getattr(page, path)) is not None
        )
        for path in paths
    }
    return [
        replace(
            page,
            **{
                path: replace(data, site=profiles[path].context(_site_page(page, data)))
                for path in paths
                if (data := getattr(page, path)) is not None
            },
        )
        for page in pages
    ]


def _site_page(page: Prepared, data: PathData) -> SitePage:
    return SitePage(page.site, page.name, frozenset(map(line_key, data.story.paragraphs)))


def _fingerprint(pages: list[Page]) -> str:
    """The pages and the code that prepares them."""
    digest = hashlib.sha256()
    code = [
        *REPO.glob("pipeline/parse/*.py"),
        *(REPO / "pipeline" / "clean" / name for name in ("features.py", "rules.py", "strip.py")),
        REPO / "pipeline" / "records.py",
        REPO / "configs" / "default.toml",
        Path(__file__),
    ]
    for path in sorted(code):
        digest.update(path.read_bytes())
    for page in pages:
        digest.update(f"{page.corpus}/{page.name}/{len(page.html)}/{len(page.gold)}".encode())
    return digest.hexdigest()


# --- scoring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)


def f1(precision: float, recall: float) -> float:
    total = precision + recall
    return 2 * precision * recall / total if total else 0.0


def score(extracted: str, gold: str) -> Score:
    """Precision and recall of the words of ``extracted`` against the gold's, as bags."""
    got, want = tokens(extracted), tokens(gold)
    shared = sum((got & want).values())
    return Score(
        precision=shared / sum(got.values()) if got else 0.0,
        recall=shared / sum(want.values()) if want else 0.0,
    )
