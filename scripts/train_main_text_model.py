"""Train the main-text model (pipeline/clean/main_text_model.json) on the development pages.

Each page of ``../shared/corpora/boilerplate`` is turned into text as a person saving the
article area would get it (``boilerplate_data.page_as_text``) and parsed like any text story.
A paragraph is labelled main text when at least half its words are in the page's gold text.
The model is a logistic regression over ``pipeline.clean.features.FEATURE_NAMES``
(standardised; paragraphs weighted by the square root of their length, so long paragraphs
count more without drowning the short ones), fitted by Newton's method with a small L2 penalty.

Before fitting on all pages it reports leave-one-data-set-out scores: for each data set, a
model trained on the other three is run through the real clean stage on that set's pages,
and the kept text is scored against the gold text as ``eval_boilerplate.py`` scores it.

Usage::

    python scripts/train_main_text_model.py [--corpora DIR] [--output FILE] [--dry-run]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
from boilerplate_data import DEFAULT_CORPORA, Page, load_pages, page_as_text, score, tokens

from pipeline.clean.features import FEATURE_NAMES, page_features
from pipeline.clean.main_text import MODEL_FILE, MainText, MainTextModel
from pipeline.clean.rules import RuleBook, build_rulebook
from pipeline.clean.strip import strip_boilerplate
from pipeline.errors import DataError
from pipeline.parse.text import parse_text
from pipeline.records import RawItem, Story
from pipeline.settings import load_settings

L2 = 1.0
OUTPUT = Path(__file__).resolve().parents[1] / "pipeline" / "clean" / MODEL_FILE


@dataclass(frozen=True)
class Example:
    page: Page
    story: Story
    features: np.ndarray  # paragraphs x features
    labels: np.ndarray  # 1 for main text
    weights: np.ndarray


def examples(pages: list[Page], book: RuleBook) -> list[Example]:
    found = []
    for page in pages:
        text = page_as_text(page.html, page.gold).encode("utf-8")
        try:
            (story,) = parse_text(RawItem.of(page.name, text))
        except DataError:
            continue  # a page whose article area is a single line: nothing to learn from
        paragraphs = story.paragraphs
        ruled = book.marks(paragraphs)
        remaining = tokens(page.gold)
        labels, weights = [], []
        for paragraph in paragraphs:
            words = tokens(paragraph)
            size = sum(words.values())
            labels.append(1.0 if size and sum((words & remaining).values()) >= size / 2 else 0.0)
            weights.append(max(size, 1) ** 0.5)
            remaining -= words
        found.append(
            Example(
                page,
                story,
                np.array(page_features(paragraphs, ruled)),
                np.array(labels),
                np.array(weights),
            )
        )
    return found


def fit(training: list[Example]) -> MainTextModel:
    x = np.vstack([example.features for example in training])
    y = np.concatenate([example.labels for example in training])
    w = np.concatenate([example.weights for example in training])
    means, scales = x.mean(axis=0), x.std(axis=0)
    scales[scales == 0] = 1.0
    z = np.hstack([(x - means) / scales, np.ones((len(x), 1))])
    beta = np.zeros(z.shape[1])
    penalty = L2 * np.eye(len(beta))
    penalty[-1, -1] = 0.0  # no penalty on the bias
    for _ in range(50):
        p = 1.0 / (1.0 + np.exp(-(z @ beta)))
        gradient = z.T @ (w * (p - y)) + penalty @ beta
        hessian = (z * (w * p * (1 - p))[:, None]).T @ z + penalty
        step = np.linalg.solve(hessian, gradient)
        beta -= step
        if np.abs(step).max() < 1e-8:
            break
    return MainTextModel(
        names=FEATURE_NAMES,
        means=tuple(float(v) for v in means),
        scales=tuple(float(v) for v in scales),
        weights=tuple(float(v) for v in beta[:-1]),
        bias=float(beta[-1]),
    )


def kept_scores(testing: list[Example], book: RuleBook) -> tuple[float, float, float]:
    """Mean precision, recall and F1 of the kept text (headline + body) over pages."""
    results = []
    for example in testing:
        try:
            story = strip_boilerplate(example.story, book)
            kept = f"{story.headline}\n\n{story.body}"
        except DataError:  # cleaned to nothing
            kept = ""
        results.append(score(kept, example.page.gold))
    return (
        statistics.fmean(s.precision for s in results),
        statistics.fmean(s.recall for s in results),
        statistics.fmean(s.f1 for s in results),
    )


def with_model(book: RuleBook, model: MainTextModel) -> RuleBook:
    clean = load_settings().clean
    main_text = MainText(model, clean.main_text_threshold)
    return replace(book, main_text=main_text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the main-text model.")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--dry-run", action="store_true", help="report, do not write")
    args = parser.parse_args(argv)
    if not args.corpora.is_dir():
        print(f"train_main_text_model: error: no corpora at {args.corpora}", file=sys.stderr)
        return 2
    # The rules as configured, without a model: the model is what is being trained.
    book = build_rulebook(load_settings().clean.model_copy(update={"main_text": False}))
    data = examples(list(load_pages(args.corpora)), book)
    sets = sorted({example.page.dataset for example in data})
    cross_validation = {}
    for held_out in sets:
        model = fit([example for example in data if example.page.dataset != held_out])
        testing = [example for example in data if example.page.dataset == held_out]
        precision, recall, f1 = kept_scores(testing, with_model(book, model))
        cross_validation[held_out] = {"pages": len(testing), "precision": round(precision, 4),
                                      "recall": round(recall, 4), "f1": round(f1, 4)}  # fmt: skip
        print(f"held out {held_out:12} {len(testing):4} pages: "
              f"P {precision:.3f} R {recall:.3f} F1 {f1:.3f}")  # fmt: skip
    model = fit(data)
    precision, recall, f1 = kept_scores(data, with_model(book, model))
    print(
        f"trained on all {len(data)} pages, scored on them: "
        f"P {precision:.3f} R {recall:.3f} F1 {f1:.3f}"
    )
    for name, weight in sorted(
        zip(FEATURE_NAMES, model.weights, strict=True), key=lambda kv: -abs(kv[1])
    ):
        print(f"  {name:24} {weight:+.3f}")
    if not args.dry_run:
        paragraphs = Counter(int(label) for example in data for label in example.labels)
        document = {
            "about": "Main-text model for wire-ingest's clean stage: logistic regression over "
            "standardised paragraph features. Written by scripts/train_main_text_model.py.",
            "trained_on": {
                "pages": dict(Counter(example.page.dataset for example in data)),
                "paragraphs": {"main_text": paragraphs[1], "other": paragraphs[0]},
                "l2": L2,
            },
            "leave_one_set_out": cross_validation,
            "features": list(model.names),
            "means": model.means,
            "scales": model.scales,
            "weights": model.weights,
            "bias": model.bias,
        }
        args.output.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
        print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
