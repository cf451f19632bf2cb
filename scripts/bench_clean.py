"""How much the clean stage costs next to the NLP stage, on the same stories.

Times, in one run on the same texts: parsing each story, cleaning it (the clean stage's pure
core, main-text model and rules included, with the site context on: each set is one folder,
so every page gets the site model, and counting the set's lines is shared out over its
stories), and spaCy's ``nlp.pipe`` over the clean bodies
with the configured model and components (what the enrich stage runs). Reports totals,
per-story medians and the ratios to NLP; the issue asks for cleaning well under 0.1.

Stories: BBC News texts (``shared/corpora/newswire/bbc-news``, story text only), the
boilerplate development pages saved as text (``shared/corpora/boilerplate``, page furniture
included, where the main-text model has the most to do), and the same pages as HTML (where
parsing runs trafilatura and finds the article area around its text).

Usage::

    python scripts/bench_clean.py [--limit N] [--repeat R]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from collections.abc import Callable
from functools import partial
from typing import Any

from boilerplate_data import DEFAULT_CORPORA, load_pages, page_as_text

from pipeline.clean.rules import build_rulebook
from pipeline.clean.site import SiteProfile, site_page
from pipeline.clean.strip import strip_boilerplate
from pipeline.enrich.handler import load_pipeline
from pipeline.errors import DataError
from pipeline.parse.registry import FORMATS
from pipeline.records import RawItem, Story
from pipeline.settings import load_settings

BBC = DEFAULT_CORPORA.parent / "newswire" / "bbc-news"


def texts(limit: int) -> dict[str, tuple[str, list[bytes]]]:
    """Story sets: name -> (format, raw stories)."""
    bbc = [path.read_bytes() for path in sorted(BBC.glob("*/*.txt"))[:limit]]
    every = list(load_pages(DEFAULT_CORPORA))
    pages = every[:: max(len(every) // limit, 1)][:limit]  # from every corpus
    saved = [page_as_text(page.html, page.gold)[0].encode("utf-8") for page in pages]
    return {
        "BBC stories": ("text", bbc),
        "saved web pages": ("text", saved),
        "HTML pages": ("html", [page.html for page in pages]),
    }


def _best(repeat: int, work: Callable[[Any], Any], argument: Any) -> tuple[float, Any]:
    """The shortest of ``repeat`` timings of ``work(argument)``, and its result."""
    best, result = float("inf"), None
    for _ in range(repeat):
        start = time.perf_counter()
        try:
            result = work(argument)
        except DataError:
            result = None
        best = min(best, time.perf_counter() - start)
    return best, result


def _profile(stories: list[Story]) -> SiteProfile:
    return SiteProfile.of(page for story in stories if (page := site_page(story)))


def _parse_one(format_name: str) -> Callable[[RawItem], Story]:
    return lambda item: next(iter(FORMATS[format_name].parse(item)))


def bench(name: str, format_name: str, raws: list[bytes], repeat: int) -> None:
    settings = load_settings()
    book = build_rulebook(settings.clean)  # the site context on, as by default
    nlp = load_pipeline(settings.enrich)
    parse_times: list[float] = []
    parsed_stories: list[Story] = []
    for index, raw in enumerate(raws):
        item = RawItem.of(str(index), raw)
        took, parsed = _best(repeat, _parse_one(format_name), item)
        parse_times.append(took)
        if parsed is not None:
            parsed_stories.append(parsed)
    # The set is one folder, so one site: every page is cleaned with the site model, and the
    # batch's counts are part of the clean stage's cost (spread over its stories).
    counting, profile = _best(repeat, _profile, parsed_stories)
    assert profile is not None
    clean_times: list[float] = []
    bodies: list[str] = []
    for parsed in parsed_stories:
        context = profile.context(site_page(parsed))
        took, story = _best(repeat, partial(strip_boilerplate, book=book, site=context), parsed)
        clean_times.append(took + counting / len(parsed_stories))
        if story is not None:
            bodies.append(story.body)
    nlp_total = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        for _doc in nlp.pipe(bodies, batch_size=settings.enrich.batch_size):
            pass
        nlp_total = min(nlp_total, time.perf_counter() - start)
    words = sum(len(body.split()) for body in bodies)
    print(f"{name}: {len(raws)} stories ({format_name}), {words:,} words after cleaning")
    for stage, times in (("parse", parse_times), ("clean", clean_times)):
        print(f"  {stage}: {sum(times):7.2f} s in all, median "
              f"{1000 * statistics.median(times):.2f} ms a story, "
              f"{sum(times) / nlp_total:.3f} of NLP")  # fmt: skip
    print(f"  spaCy nlp.pipe: {nlp_total:7.2f} s in all, "
          f"{1000 * nlp_total / max(len(bodies), 1):.2f} ms a story")  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Clean-stage cost against the NLP stage.")
    parser.add_argument("--limit", type=int, default=300, help="stories per set (default 300)")
    parser.add_argument("--repeat", type=int, default=3, help="best of R timings (default 3)")
    args = parser.parse_args(argv)
    if not BBC.is_dir() or not DEFAULT_CORPORA.is_dir():
        print(f"bench_clean: error: needs the corpora at {DEFAULT_CORPORA.parent}", file=sys.stderr)
        return 2
    for name, (format_name, raws) in texts(args.limit).items():
        bench(name, format_name, raws, args.repeat)
    return 0


if __name__ == "__main__":
    sys.exit(main())
