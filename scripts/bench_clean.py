"""How much the clean stage costs next to the NLP stage, on the same stories.

Times, in one run on the same texts: parsing + cleaning each story (the clean stage's pure
core, main-text model and rules included), and spaCy's ``nlp.pipe`` over the clean bodies
with the configured model and components (what the enrich stage runs). Reports totals,
per-story medians and the ratio clean / NLP; the issue asks for well under 0.1.

Stories: BBC News texts (``shared/corpora/newswire/bbc-news``, story text only) and the
boilerplate development pages saved as text (``shared/corpora/boilerplate``, page furniture
included, where the main-text model has the most to do).

Usage::

    python scripts/bench_clean.py [--limit N] [--repeat R]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from boilerplate_data import DEFAULT_CORPORA, load_pages, page_as_text

from pipeline.clean.rules import build_rulebook
from pipeline.clean.strip import strip_boilerplate
from pipeline.enrich.handler import load_pipeline
from pipeline.errors import DataError
from pipeline.parse.text import parse_text
from pipeline.records import RawItem
from pipeline.settings import load_settings

BBC = DEFAULT_CORPORA.parent / "newswire" / "bbc-news"


def texts(limit: int) -> dict[str, list[bytes]]:
    bbc = [path.read_bytes() for path in sorted(BBC.glob("*/*.txt"))[:limit]]
    pages = [
        page_as_text(page.html, page.gold).encode("utf-8")
        for page in list(load_pages(DEFAULT_CORPORA))[:limit]
    ]
    return {"BBC stories": bbc, "saved web pages": pages}


def bench(name: str, raws: list[bytes], repeat: int) -> None:
    settings = load_settings()
    book = build_rulebook(settings.clean)
    nlp = load_pipeline(settings.enrich)
    clean_times: list[float] = []
    bodies: list[str] = []
    for index, raw in enumerate(raws):
        best = float("inf")
        for _ in range(repeat):
            start = time.perf_counter()
            try:
                (story,) = parse_text(RawItem.of(str(index), raw))
                story = strip_boilerplate(story, book)
            except DataError:
                story = None
            best = min(best, time.perf_counter() - start)
        clean_times.append(best)
        if story is not None:
            bodies.append(story.body)
    nlp_total = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _doc in nlp.pipe(bodies, batch_size=settings.enrich.batch_size):
            pass
        nlp_total = min(nlp_total, time.perf_counter() - start)
    clean_total = sum(clean_times)
    words = sum(len(body.split()) for body in bodies)
    print(f"{name}: {len(raws)} stories, {words:,} words after cleaning")
    print(f"  clean (parse + clean): {clean_total:7.2f} s in all, median "
          f"{1000 * statistics.median(clean_times):.2f} ms a story")  # fmt: skip
    print(f"  spaCy nlp.pipe:        {nlp_total:7.2f} s in all, "
          f"{1000 * nlp_total / max(len(bodies), 1):.2f} ms a story")  # fmt: skip
    print(f"  clean / NLP:           {clean_total / nlp_total:.3f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Clean-stage cost against the NLP stage.")
    parser.add_argument("--limit", type=int, default=300, help="stories per set (default 300)")
    parser.add_argument("--repeat", type=int, default=3, help="best of R timings (default 3)")
    args = parser.parse_args(argv)
    if not BBC.is_dir() or not DEFAULT_CORPORA.is_dir():
        print(f"bench_clean: error: needs the corpora at {DEFAULT_CORPORA.parent}", file=sys.stderr)
        return 2
    for name, raws in texts(args.limit).items():
        bench(name, raws, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
