"""Evaluate boilerplate removal on pages it was not tuned on: leave one corpus out.

The development pages with gold main text in ``../shared/corpora/boilerplate`` form five
corpora (``boilerplate_data.CORPORA``: CleanEval dev and final, CleanPortalEval, Dragnet 2013,
Mozilla Readability's test pages, newspaper4k's test data). For each corpus in turn, the
main-text models are trained and their thresholds chosen on the other four
(``train_main_text_model.train``), and the corpus left out is scored with them. Every figure
reported is a held-out one; the shipped model is trained on everything.

Three systems are scored on every page:

* ``text``: wire-ingest's text path (text parser + clean stage) on a text version of the
  page, made as a person saving the article area would: the page region around the article,
  block by block in reading order, headline on top, with the blocks around the article
  (related links, share bars, comments, footers) still in it;
* ``html``: wire-ingest's HTML path (HTML parser + clean stage) on the page's HTML;
* ``trafilatura``: trafilatura 2.3.1 with its default settings on the page's HTML.

Measures:

* **per page (macro)**: the kept text against the gold, word tokens compared as bags
  (lower-cased ``\\w+``; one token a character in scripts written without spaces), precision,
  recall and F1 per page, averaged over pages. Kept text is, for wire-ingest, the headline,
  the body, and the lines found to be the dateline, byline and captions (fields of their own);
  for trafilatura its title and text;
* **per block (micro)**: each paragraph of the page (of the text version, or of the HTML as
  the HTML parser reads it, for ``html`` and ``trafilatura``) is story text when at least half
  its words are in the gold, and kept when at least half are in the kept text; precision,
  recall and F1 over all blocks of the corpus;
* **boilerplate removed**: the share of the blocks that are not story text that are not kept,
  in all and by the kind the page's markup gives them (class and id names, nav, aside and
  footer elements: comments, related, share, navigation, ...). None of the golds name the
  kind of what they leave out, so the markup does.

Targets are judged on the pages whose gold holds no reader comments and is on the page
(``Prepared.scored``); the others are shown apart.

Usage::

    python scripts/eval_boilerplate.py [--corpora DIR] [--cache FILE] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path

from boilerplate_data import (
    CORPORA,
    DEFAULT_CORPORA,
    PathData,
    Prepared,
    block_labels,
    f1,
    kept_text,
    prepare_all,
    rules_only,
    score,
    strip_or_none,
)
from train_main_text_model import train

from pipeline.clean.main_text import MainText, MainTextModels
from pipeline.clean.rules import RuleBook

SYSTEMS = ("text", "html", "trafilatura")
OVERALL = "all corpora (pages pooled)"


@dataclass
class Outcome:
    """One system on one page."""

    precision: float
    recall: float
    blocks: Counter[str]  # tp, fp, fn, tn: story blocks kept, furniture kept, ...
    removed: Counter[str] = field(default_factory=Counter)  # kind -> furniture blocks removed
    furniture: Counter[str] = field(default_factory=Counter)  # kind -> furniture blocks

    @property
    def f1(self) -> float:
        return f1(self.precision, self.recall)


def outcome(kept: str, gold: str, data: PathData | None) -> Outcome:
    words = score(kept, gold)
    result = Outcome(words.precision, words.recall, Counter())
    if data is None:
        return result
    for story, kept_block, kind in zip(
        data.labels, block_labels(data.story.paragraphs, kept), data.kinds, strict=True
    ):
        result.blocks[("t" if kept_block == story else "f") + ("p" if kept_block else "n")] += 1
        if not story:
            for name in ("all", kind or "other"):
                result.furniture[name] += 1
                result.removed[name] += not kept_block
    return result


def evaluate_page(page: Prepared, book: RuleBook) -> dict[str, Outcome]:
    cleaned = {
        path: strip_or_none(data.story, book, data.site) if data else None
        for path, data in (("text", page.text), ("html", page.html))
    }
    return {
        "text": outcome(kept_text(cleaned["text"]), page.gold, page.text),
        "html": outcome(kept_text(cleaned["html"]), page.gold, page.html),
        "trafilatura": outcome(page.trafilatura, page.gold, page.html),
    }


def with_models(models: MainTextModels) -> RuleBook:
    # The figures are with the site context on (clean.site_context = true).
    return replace(rules_only(), main_text=MainText(models, site_context=True))


def leave_one_corpus_out(pages: Sequence[Prepared]) -> list[tuple[Prepared, dict[str, Outcome]]]:
    """Every page scored by models trained and tuned without its corpus."""
    results = []
    for corpus in CORPORA:
        held_out = [page for page in pages if page.corpus == corpus]
        if not held_out:
            continue
        started = time.perf_counter()
        book = with_models(train([page for page in pages if page.corpus != corpus]))
        results += [(page, evaluate_page(page, book)) for page in held_out]
        print(f"  {corpus}: trained without it and scored in {time.perf_counter() - started:.0f} s",
              file=sys.stderr)  # fmt: skip
    return results


@dataclass(frozen=True)
class Figures:
    """One system over a group of pages."""

    pages: int
    precision: float  # macro: mean over pages
    recall: float
    f1: float
    block_precision: float  # micro: over all blocks
    block_recall: float
    block_f1: float
    removed: dict[str, float]  # kind -> share of furniture blocks removed
    furniture: dict[str, int]  # kind -> furniture blocks


def figures(outcomes: Sequence[Outcome]) -> Figures:
    blocks = sum((o.blocks for o in outcomes), Counter())
    removed = sum((o.removed for o in outcomes), Counter())
    furniture = sum((o.furniture for o in outcomes), Counter())
    block_precision = blocks["tp"] / max(blocks["tp"] + blocks["fp"], 1)
    block_recall = blocks["tp"] / max(blocks["tp"] + blocks["fn"], 1)
    return Figures(
        pages=len(outcomes),
        precision=statistics.fmean(o.precision for o in outcomes),
        recall=statistics.fmean(o.recall for o in outcomes),
        f1=statistics.fmean(o.f1 for o in outcomes),
        block_precision=block_precision,
        block_recall=block_recall,
        block_f1=f1(block_precision, block_recall),
        removed={kind: removed[kind] / count for kind, count in furniture.items()},
        furniture=dict(furniture),
    )


def table(results: Sequence[tuple[Prepared, dict[str, Outcome]]]) -> dict[str, dict[str, Figures]]:
    """Figures per held-out corpus and pooled, on the pages scored against the targets, and
    the pages set apart (gold with comments, gold not on its page)."""
    groups: dict[str, list[dict[str, Outcome]]] = {}
    for page, outcomes in results:
        if page.scored:
            groups.setdefault(page.corpus, []).append(outcomes)
            groups.setdefault(OVERALL, []).append(outcomes)
        else:
            reason = "gold not on its page" if not page.gold_on_page else "gold with comments"
            groups.setdefault(f"apart: {reason}", []).append(outcomes)
    return {
        group: {system: figures([o[system] for o in members]) for system in SYSTEMS}
        for group, members in groups.items()
    }


def markdown(rows: dict[str, dict[str, Figures]]) -> str:
    def cells(f: Figures) -> str:
        return (f"{f.precision:.3f} / {f.recall:.3f} / **{f.f1:.3f}** | "
                f"{f.block_f1:.3f} | {f.removed.get('all', 0.0):.2f}")  # fmt: skip

    header = " | ".join(f"{s}: P / R / F1 per page | F1 per block | removed" for s in SYSTEMS)
    lines = [f"| held out | pages | {header} |", "|---|---:|" + "---|---:|---:|" * len(SYSTEMS)]
    for group, row in rows.items():
        lines.append(
            f"| {group} | {row['text'].pages} | "
            + " | ".join(cells(row[s]) for s in SYSTEMS)
            + " |"
        )
    overall = rows.get(OVERALL)
    if overall:
        kinds = sorted(overall["text"].furniture, key=lambda k: -overall["text"].furniture[k])
        lines += ["", "Furniture blocks removed, by the kind the markup names (pooled):", "",
                  "| kind | blocks (text version) | text | blocks (HTML) | html | trafilatura |",
                  "|---|---:|---:|---:|---:|---:|"]  # fmt: skip
        for kind in kinds:
            lines.append(
                f"| {kind} | {overall['text'].furniture.get(kind, 0)} | "
                f"{overall['text'].removed.get(kind, 0.0):.2f} | "
                f"{overall['html'].furniture.get(kind, 0)} | "
                f"{overall['html'].removed.get(kind, 0.0):.2f} | "
                f"{overall['trafilatura'].removed.get(kind, 0.0):.2f} |"
            )
    return "\n".join(lines)


def as_json(rows: dict[str, dict[str, Figures]]) -> dict[str, dict[str, dict[str, object]]]:
    return {group: {system: f.__dict__ for system, f in row.items()} for group, row in rows.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Score boilerplate removal, one corpus out.")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--cache", type=Path, help="keep the prepared pages in this file")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if not args.corpora.is_dir():
        print(f"eval_boilerplate: error: no corpora at {args.corpora}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    pages = prepare_all(args.corpora, cache=args.cache)
    print(
        f"  {len(pages)} pages prepared in {time.perf_counter() - started:.0f} s", file=sys.stderr
    )
    rows = table(leave_one_corpus_out(pages))
    print(markdown(rows))
    if args.json:
        args.json.write_text(json.dumps(as_json(rows), indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
