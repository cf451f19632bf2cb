"""Near-duplicate clusters, measured on pairs made from real stories (BENCHMARKS.md).

Every pair is two Reuters-21578 stories, or a story and something made from it, cleaned by
the pipeline's own parse and clean stages; a pair is "same cluster" when the second story,
matched against an index holding the first, joins its cluster (``pipeline.cluster``):

* **repost**: the story pasted into a real web page in place of that page's article (a
  Dragnet 2013 page, saved as text, with its menus, teasers, share bars and comments kept),
  then read back as a saved page and cleaned: what the cleaner leaves is what is compared;
* **update**: one paragraph of another story on the same topic added at the top or the end;
* **correction**: one to three words or figures changed;
* **template** (different stories): two stories with the same wording and other figures
  (results tables, weekly export and market reports), found as pairs whose shingles agree
  once numbers are masked and whose numbers differ;
* **topic** (different stories): two stories on one Reuters topic, the closest in words that
  is not a template pair.

The measure, shingle size and threshold are chosen on pairs from the first eleven SGML files
(reut2-000 to -010; web pages from the first half of Dragnet), by the mean over the kinds of
the share decided right (ties within 0.001 going to longer shingles, then a higher
threshold), and reported on pairs from the other eleven (and the other half of Dragnet),
through the real index. The cost of clustering
is measured against spaCy's on the same stories.

Usage::

    python scripts/eval_duplicates.py [--corpora DIR] [--pairs N] [--json FILE]
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import sys
import time
import tracemalloc
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from datasketch import MinHash, MinHashLSH

from boilerplate_data import CORPORA, block_labels, page_as_text, rulebook

from pipeline.clean.rules import RuleBook
from pipeline.clean.strip import strip_boilerplate
from pipeline.cluster.clusters import (
    Arrival,
    ClusterIndex,
    MEASURES,
    assign,
    shingles,
    sketch,
)
from pipeline.enrich.handler import load_pipeline
from pipeline.errors import DataError
from pipeline.parse.registry import parse_item
from pipeline.records import PARAGRAPH_BREAK, RawItem, Story
from pipeline.settings import load_settings

DEFAULT_CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
TRAINING_FILES, TEST_FILES = range(0, 11), range(11, 22)
SHINGLE_WORDS = (3, 4, 5, 6)
THRESHOLDS = (0.3, 0.4, 0.5, 0.6, 0.7, 0.8)
SAME, DIFFERENT = ("repost", "update", "correction"), ("template", "topic")
MEASURE_NAMES = tuple(MEASURES)
# Stories of this many words or more are reposted, updated and corrected; template pairs are
# also made of shorter ones (results tables, weekly figures), which the template risk is about.
MIN_WORDS, TEMPLATE_MIN_WORDS = 40, 10
_NUMBER = re.compile(r"\d[\d.,]*")


@dataclass(frozen=True)
class Pair:
    kind: str
    first: str  # cleaned bodies
    second: str

    @property
    def same(self) -> bool:
        return self.kind in SAME


def reuters_stories(root: Path, files: range, book: RuleBook) -> list[Story]:
    stories = []
    for number in files:
        path = root / "reuters21578" / f"reut2-{number:03d}.sgm"
        for item in parse_item(RawItem.of(str(path), path.read_bytes()), format_name="auto"):
            if isinstance(item, Story) and len(item.body.split()) >= TEMPLATE_MIN_WORDS:
                try:
                    stories.append(strip_boilerplate(item, book))
                except DataError:
                    continue
    return stories


def furniture_pages(root: Path, half: int, count: int) -> list[tuple[list[str], range]]:
    """Dragnet pages as text (blocks), and where the article is among the blocks."""
    pages = sorted(CORPORA["dragnet"](root / "boilerplate"), key=lambda page: page.name)
    chosen = pages[half::2][: count * 2]
    found = []
    for page in chosen:
        text, _ = page_as_text(page.html, page.gold)
        blocks = text.strip().split(PARAGRAPH_BREAK)
        story = [index for index, gold in enumerate(block_labels(blocks, page.gold)) if gold]
        if story and len(blocks) - len(story) >= 5:
            found.append((blocks, range(story[0], story[-1] + 1)))
    return found[:count]


def repost(story: Story, page: tuple[list[str], range], book: RuleBook) -> str | None:
    """The story in another site's furniture, saved as text and cleaned again."""
    blocks, article = page
    text = PARAGRAPH_BREAK.join(
        [story.headline, *blocks[: article.start], *story.paragraphs, *blocks[article.stop :]]
    )
    item = RawItem.of("repost.txt", text.encode("utf-8"))
    try:
        (parsed,) = parse_item(item, format_name="text")
        return strip_boilerplate(parsed, book).body
    except DataError:
        return None


def masked(body: str) -> str:
    return _NUMBER.sub("0", body)


def numbers(body: str) -> list[str]:
    return _NUMBER.findall(body)


def pairs(every: list[Story], pages: list, book: RuleBook, count: int, seed: int) -> list[Pair]:
    chance = random.Random(seed)
    stories = [story for story in every if len(story.body.split()) >= MIN_WORDS]
    by_topic: dict[str, list[Story]] = defaultdict(list)
    for story in stories:
        topics = [s.code for s in story.subjects if s.scheme == "reuters21578-topics"]
        if topics:
            by_topic[topics[0]].append(story)
    found: list[Pair] = []
    sample = chance.sample(stories, min(count, len(stories)))
    for story, page in zip(sample, pages * (count // max(len(pages), 1) + 1), strict=False):
        body = repost(story, page, book)
        if body:
            found.append(Pair("repost", story.body, body))
    for story in chance.sample(stories, min(count, len(stories))):
        others = [s for s in by_topic.get(_topic(story), []) if s.id != story.id] or [
            other for other in stories if other.id != story.id
        ]
        added = chance.choice(chance.choice(others).paragraphs)
        paragraphs = story.paragraphs
        new = [added, *paragraphs] if chance.random() < 0.5 else [*paragraphs, added]
        found.append(Pair("update", story.body, PARAGRAPH_BREAK.join(new)))
    for story in chance.sample(stories, min(count, len(stories))):
        found.append(Pair("correction", story.body, corrected(story.body, chance)))
    found += template_pairs(every, count, chance)
    found += topic_pairs(by_topic, count, chance)
    return found


def _topic(story: Story) -> str:
    topics = [s.code or "" for s in story.subjects if s.scheme == "reuters21578-topics"]
    return topics[0] if topics else ""


def corrected(body: str, chance: random.Random) -> str:
    """One to three words or figures of the body changed."""
    words = body.split(" ")
    for _ in range(chance.randint(1, 3)):
        at = chance.randrange(len(words))
        word = words[at]
        words[at] = str(chance.randint(2, 999)) if _NUMBER.search(word) else word[::-1] + "s"
    return " ".join(words)


def template_pairs(stories: list[Story], count: int, chance: random.Random) -> list[Pair]:
    """Different stories in one template: at least 0.6 of their shingles the same once figures
    are masked (candidates found with an LSH over the masked texts), their figures different
    (a fifth of them or more, counted as multisets, so that a repeat with a paragraph added is
    not taken for other figures), and neither a correction or repeat of the other."""
    shapes = {n: shingles(masked(story.body), 3) for n, story in enumerate(stories)}
    lsh = MinHashLSH(threshold=0.6, num_perm=64)
    found = []
    for n, shape in shapes.items():
        if not shape:
            continue
        minhash = MinHash(num_perm=64, seed=1)
        minhash.update_batch(shape)
        for m in lsh.query(minhash):
            first, second = stories[m], stories[n]
            together = len(shapes[m] & shape) / len(shapes[m] | shape)
            a, b = Counter(numbers(first.body)), Counter(numbers(second.body))
            differing = sum(((a - b) + (b - a)).values()) / 2  # figures changed, as multisets
            most = max(a.total(), b.total(), 1)
            if together >= 0.6 and differing >= most / 5 and not _repeat(first, second):
                found.append(Pair("template", first.body, second.body))
                break
        lsh.insert(n, minhash)
    chance.shuffle(found)
    return found[:count]


def _repeat(first: Story, second: Story) -> bool:
    """A correction or repeat of the other, which is the same story, not a template pair."""
    said = f"{first.headline} {second.headline}"
    return bool(re.search(r"CORRECTED|CORRECTION|REPEAT", said)) or first.body == second.body


def topic_pairs(by_topic: dict[str, list[Story]], count: int, chance: random.Random) -> list[Pair]:
    """Two stories on one topic, the closest in words (unigram Jaccard) among a sample."""
    found = []
    topics = [stories for stories in by_topic.values() if len(stories) > 5]
    for _ in range(count):
        group = chance.choice(topics)
        story = chance.choice(group)
        words = set(story.body.lower().split())
        best = max(
            (other for other in chance.sample(group, min(40, len(group))) if other.id != story.id),
            key=lambda other: len(words & set(other.body.lower().split())),
        )
        a, b = shingles(masked(story.body), 3), shingles(masked(best.body), 3)
        if len(a & b) / max(len(a | b), 1) < 0.6:  # a template pair is not a topic pair
            found.append(Pair("topic", story.body, best.body))
    return found


@dataclass
class Figures:
    precision: float
    recall: float
    f1: float
    balanced: float  # the mean over kinds of the share decided right: what choices are made on
    by_kind: dict[str, float]  # share of pairs put in one cluster


def score(decisions: Sequence[tuple[Pair, bool]]) -> Figures:
    together = [(pair, joined) for pair, joined in decisions]
    hits = sum(1 for pair, joined in together if joined and pair.same)
    claimed = sum(1 for _, joined in together if joined)
    actual = sum(1 for pair, _ in together if pair.same)
    precision = hits / claimed if claimed else 1.0
    recall = hits / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    kinds: dict[str, list[bool]] = defaultdict(list)
    for pair, joined in together:
        kinds[pair.kind].append(joined)
    joined = {kind: statistics.fmean(values) for kind, values in kinds.items()}
    right = [share if kind in SAME else 1 - share for kind, share in joined.items()]
    return Figures(precision, recall, f1, statistics.fmean(right), joined)


@dataclass(frozen=True)
class Choice:
    measure: str
    words: int
    threshold: float


def measured(found: Sequence[Pair], words: int) -> dict[str, list[tuple[Pair, float]]]:
    """Each pair's score by each measure (pairs with an empty side score 0)."""
    scores: dict[str, list[tuple[Pair, float]]] = {name: [] for name in MEASURE_NAMES}
    for pair in found:
        a, b = sketch(pair.first, words), sketch(pair.second, words)
        for name in MEASURE_NAMES:
            value = MEASURES[name].score(a, b) if a is not None and b is not None else 0.0
            scores[name].append((pair, value))
    return scores


def through_index(found: Sequence[Pair], choice: Choice) -> list[tuple[Pair, bool]]:
    """Each first story in one index, then each second story matched against all of them."""
    words = choice.words
    index = ClusterIndex(choice.threshold, choice.measure)
    firsts = [Arrival(f"a{n}", f"a{n}", sketch(pair.first, words)) for n, pair in enumerate(found)]
    list(assign(index, firsts, seen_at=0, expires_at=1))
    decisions = []
    for n, pair in enumerate(found):
        assignment = index.match(Arrival(f"b{n}", f"b{n}", sketch(pair.second, words)))
        decisions.append((pair, assignment.cluster_id == f"a{n}"))
    return decisions


def cost(stories: Sequence[Story], choice: Choice) -> dict[str, float]:
    """Seconds per story: sketching and matching against spaCy's annotation of the same."""
    settings = load_settings().enrich
    nlp = load_pipeline(settings)
    bodies = [story.body for story in stories]
    started = time.perf_counter()
    for _ in nlp.pipe(bodies, batch_size=settings.batch_size):
        pass
    spacy_seconds = time.perf_counter() - started
    started = time.perf_counter()
    index = ClusterIndex(choice.threshold, choice.measure)
    arrivals = [
        Arrival(str(n), str(n), sketch(body, choice.words)) for n, body in enumerate(bodies)
    ]
    list(assign(index, arrivals, seen_at=0, expires_at=1))
    cluster_seconds = time.perf_counter() - started
    return {
        "stories": len(bodies),
        "spacy_ms_per_story": 1000 * spacy_seconds / len(bodies),
        "cluster_ms_per_story": 1000 * cluster_seconds / len(bodies),
        "ratio": cluster_seconds / spacy_seconds,
    }


def index_cost(stories: Sequence[Story], choice: Choice) -> dict[str, float]:
    """What the index costs with every story of both folds in it: bytes an entry takes in the
    ledger and in memory, loading it (a process starting), and matching a story against it."""
    arrivals = [
        Arrival(f"k{n}", f"k{n}", sketch(s.body, choice.words)) for n, s in enumerate(stories)
    ]
    entries = [
        entry
        for _, entry in assign(
            ClusterIndex(choice.threshold, choice.measure), arrivals, seen_at=0, expires_at=1
        )
    ]
    committed = {entry.key: entry.to_json() for entry in entries}
    started = time.perf_counter()
    loaded = ClusterIndex(choice.threshold, choice.measure)
    loaded.sync(committed, now=0)
    load_seconds = time.perf_counter() - started
    tracemalloc.start()  # again, apart: tracing slows what it traces
    ClusterIndex(choice.threshold, choice.measure).sync(committed, now=0)
    in_memory = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    queries = [replace(arrival, key=f"q{n}") for n, arrival in enumerate(arrivals[:1000])]
    started = time.perf_counter()
    for arrival in queries:
        loaded.match(arrival)
    match_seconds = time.perf_counter() - started
    return {
        "entries": len(entries),
        "bytes_per_entry": statistics.fmean(len(json.dumps(e.to_json())) for e in entries),
        "memory_bytes_per_entry": in_memory / len(entries),
        "load_ms_per_entry": 1000 * load_seconds / len(entries),
        "match_ms_per_story": 1000 * match_seconds / len(queries),
    }


def evaluate(corpora: Path, count: int, *, costs: bool = True) -> dict[str, Any]:
    """Every figure of the report: the choice made on the training files, the shipped one,
    both scored on the test files through the index, and (``costs``) what clustering costs."""
    book = rulebook()
    folds = {}
    for name, files, half in (("training", TRAINING_FILES, 0), ("test", TEST_FILES, 1)):
        stories = reuters_stories(corpora, files, book)
        pages = furniture_pages(corpora, half, 150)
        folds[name] = (stories, pairs(stories, pages, book, count, seed=half))
    grid: dict[Choice, Figures] = {}
    for words in SHINGLE_WORDS:
        for measure, scored in measured(folds["training"][1], words).items():
            for threshold in THRESHOLDS:
                decisions = [(pair, value >= threshold) for pair, value in scored]
                grid[Choice(measure, words, threshold)] = score(decisions)
    # Within 0.001 of the best the choices are a tie, broken towards longer shingles and then
    # a higher threshold: different stories in one template are what a near-tie risks.
    best = max(figures.balanced for figures in grid.values())
    tied = [choice for choice, figures in grid.items() if figures.balanced >= best - 0.001]
    chosen = max(tied, key=lambda choice: (choice.words, choice.threshold))
    configured = load_settings().identify
    shipped = Choice(
        configured.cluster_measure, configured.shingle_words, configured.cluster_threshold
    )
    report: dict[str, Any] = {
        "chosen_on_training": vars(chosen),
        "shipped": vars(shipped),
        "grid_training_balanced": {
            f"{c.measure}/{c.words}/{c.threshold}": round(f.balanced, 4) for c, f in grid.items()
        },
        "test_shipped_through_index": vars(score(through_index(folds["test"][1], shipped))),
        "test_chosen_through_index": vars(score(through_index(folds["test"][1], chosen))),
        "pairs": {fold: dict(sorted(_counts(found).items())) for fold, (_, found) in folds.items()},
        "test_score_quartiles": _quartiles(folds["test"][1], shipped.words),
    }
    if costs:
        report["cost"] = cost(folds["test"][0][:500], shipped)
        report["index_cost"] = index_cost(folds["training"][0] + folds["test"][0], shipped)
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--pairs", type=int, default=300, help="pairs of each kind and fold")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    if not (args.corpora / "reuters21578").is_dir():
        print(f"eval_duplicates: error: no Reuters-21578 in {args.corpora}", file=sys.stderr)
        return 2
    report = evaluate(args.corpora, args.pairs)
    print(json.dumps(report, indent=1))
    if args.json:
        args.json.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    return 0


def _counts(found: Sequence[Pair]) -> dict[str, int]:
    counts: dict[str, int] = defaultdict(int)
    for pair in found:
        counts[pair.kind] += 1
    return counts


def _quartiles(found: Sequence[Pair], words: int) -> dict[str, dict[str, list[float]]]:
    """Per measure and kind of pair, the quartiles of the scores."""
    quartiles: dict[str, dict[str, list[float]]] = {}
    for name, scored in measured(found, words).items():
        values: dict[str, list[float]] = defaultdict(list)
        for pair, value in scored:
            values[pair.kind].append(value)
        quartiles[name] = {
            kind: [round(q, 3) for q in statistics.quantiles(kind_values, n=4)]
            for kind, kind_values in values.items()
            if len(kind_values) > 1
        }
    return quartiles


if __name__ == "__main__":
    sys.exit(main())
