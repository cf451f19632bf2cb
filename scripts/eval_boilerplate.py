"""Evaluate boilerplate removal on web pages with gold main text.

For every page of the development sets in ``../shared/corpora/boilerplate`` (CleanEval dev,
Dragnet 2013 sample, Mozilla Readability test pages, newspaper4k test data; see
``boilerplate_data.py``) it scores three extractors against the page's gold text:

* ``text``: wire-ingest's text path (text parser + clean stage) on a text version of the
  page, made as a person saving the article area would: the text of the page region around
  the article, block by block in reading order, headline on top, with the blocks around the
  article (related links, share bars, comments, footers) still in it;
* ``html``: wire-ingest's HTML path (HTML parser + clean stage) on the page's HTML;
* ``trafilatura``: trafilatura 2.3 with its default settings on the page's HTML.

What is scored is the kept text: for wire-ingest the headline, the body, and the lines the
clean stage found to be the story's dateline, byline and captions (the issue asks it to find
them; they go to fields of their own); for trafilatura its title and text. Unit: word
tokens (lower-cased ``\\w+`` runs; one token a character in scripts written without spaces
between words), compared as bags: precision = shared tokens / extracted tokens, recall =
shared tokens / gold tokens, per page, then averaged over pages (macro) per data set and
overall. The targets are judged on the pages whose gold holds no reader comments and is
on the page (see ``Page``). The BBC row is a recall check on 2,225 stories that are all
story text (no page furniture): only recall means something there.

Usage::

    python scripts/eval_boilerplate.py [--corpora DIR] [--only SET] [--show-worst N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import trafilatura
from boilerplate_data import (
    DEFAULT_CORPORA,
    Page,
    Score,
    kept_text,
    load_pages,
    page_as_text,
    score,
    wire_ingest,
)

SYSTEMS = ("text", "html", "trafilatura")
WITHOUT_COMMENTS = "all, gold without comments"
Extractor = Callable[[Page], str]


def wire_ingest_path(format_name: str, to_bytes: Callable[[Page], bytes]) -> Extractor:
    """Our parser for ``format_name`` and the clean stage: the kept headlines and bodies."""

    def extract(page: Page) -> str:
        return kept_text(wire_ingest(format_name, page.name, to_bytes(page)))

    return extract


def plain_trafilatura(page: Page) -> str:
    """What ``trafilatura.extract`` keeps (comments included, its default), with the title."""
    metadata = trafilatura.extract_metadata(page.html)
    title = metadata.title if metadata else None
    return "\n\n".join(filter(None, [title, trafilatura.extract(page.html)]))


EXTRACTORS: dict[str, Extractor] = {
    "text": wire_ingest_path(
        "text", lambda page: page_as_text(page.html, page.gold).encode("utf-8")
    ),
    "html": wire_ingest_path("html", lambda page: page.html),
    "trafilatura": plain_trafilatura,
}


@dataclass
class Result:
    page: Page
    scores: dict[str, Score]
    gold_has_comments: bool
    gold_on_page: bool

    @property
    def scored(self) -> bool:
        """Counted against the targets: the gold is the page's story, without comments."""
        return self.gold_on_page and not self.gold_has_comments


def evaluate(pages: list[Page]) -> tuple[list[Result], dict[str, float]]:
    """Scores of every extractor on every page, and the seconds each spent in all."""
    seconds = dict.fromkeys(EXTRACTORS, 0.0)
    results = []
    for page in pages:
        scores = {}
        for name, extract in EXTRACTORS.items():
            start = time.perf_counter()
            extracted = extract(page)
            seconds[name] += time.perf_counter() - start
            scores[name] = score(extracted, page.gold)
        results.append(Result(page, scores, page.gold_has_comments, page.gold_on_page))
    return results, seconds


@dataclass(frozen=True)
class Means:
    precision: float
    recall: float
    f1: float


@dataclass(frozen=True)
class Row:
    pages: int
    means: dict[str, Means]  # extractor -> mean scores over the row's pages


def table(results: list[Result]) -> dict[str, Row]:
    """Rows per data set, all pages, and the pages scored against the targets: their gold
    holds no reader comments (the issue counts comment threads as boilerplate; Dragnet's gold
    often includes them) and is on the page."""
    groups: dict[str, list[Result]] = {}
    for result in results:
        groups.setdefault(result.page.dataset, []).append(result)
    groups["all"] = results
    groups[WITHOUT_COMMENTS] = [r for r in results if r.scored]
    groups["gold with comments"] = [r for r in results if r.gold_has_comments]
    groups["gold not on its page"] = [r for r in results if not r.gold_on_page]
    return {
        group: Row(
            pages=len(members),
            means={
                system: Means(
                    statistics.fmean(r.scores[system].precision for r in members),
                    statistics.fmean(r.scores[system].recall for r in members),
                    statistics.fmean(r.scores[system].f1 for r in members),
                )
                for system in SYSTEMS
            },
        )
        for group, members in groups.items()
        if members
    }


def bbc_recall(corpora: Path) -> float | None:
    """Mean recall of the text path on the BBC stories, which are story text throughout."""
    folder = corpora.parent / "newswire" / "bbc-news"
    if not folder.is_dir():
        return None
    recalls = []
    for path in sorted(folder.glob("*/*.txt")):
        raw = path.read_bytes()
        kept = kept_text(wire_ingest("text", str(path), raw))
        recalls.append(score(kept, raw.decode("cp1252")).recall)
    return statistics.fmean(recalls)


def markdown(rows: dict[str, Row]) -> str:
    lines = [
        "| data set | pages | " + " | ".join(f"{name} P / R / F1" for name in SYSTEMS) + " |",
        "|---|---:|" + "---|" * len(SYSTEMS),
    ]
    for group, row in rows.items():
        cells = [
            f"{m.precision:.3f} / {m.recall:.3f} / {m.f1:.3f}"
            for m in (row.means[name] for name in SYSTEMS)
        ]
        lines.append(f"| {group} | {row.pages} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score boilerplate removal against gold text.")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--only", help="only the data sets whose name contains this")
    parser.add_argument(
        "--show-worst", type=int, default=0, metavar="N", help="list the N worst text-path pages"
    )
    args = parser.parse_args(argv)
    if not args.corpora.is_dir():
        print(f"eval_boilerplate: error: no corpora at {args.corpora}", file=sys.stderr)
        return 2
    pages = [
        page for page in load_pages(args.corpora) if not args.only or args.only in page.dataset
    ]
    results, seconds = evaluate(pages)
    rows = table(results)
    print(markdown(rows))
    recall = bbc_recall(args.corpora)
    if recall is not None:
        print(f"\nBBC News stories (no boilerplate), text path recall: {recall:.4f}")
    print()
    for name, spent in seconds.items():
        print(f"{name}: {1000 * spent / len(pages):.1f} ms a page")
    for result in sorted(results, key=lambda r: r.scores["text"].f1)[: args.show_worst]:
        cells = ", ".join(
            f"{name} P={s.precision:.2f} R={s.recall:.2f}" for name, s in result.scores.items()
        )
        print(f"{result.page.dataset}/{result.page.name}: {cells}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
