"""Train the main-text models (pipeline/clean/main_text_model.json) on the development pages.

Each page of ``../shared/corpora/boilerplate`` is prepared twice (``boilerplate_data``): as
text, the way a person saving the article area would get it, and as HTML, the way the HTML
parser reads it. A paragraph is labelled main text when at least half its words are in the
page's gold text. Pages whose gold keeps the reader comments are left out of training: the
clean stage removes comment threads, and those golds would teach it to keep them.

For each path, gradient-boosted trees (scikit-learn's ``HistGradientBoostingClassifier``;
paragraphs weighted by the square root of their length, so long paragraphs count more without
drowning the short ones) are fitted and exported as flat arrays (``BoostedTrees``). Boosted
trees held up better than a logistic regression on the corpus left out (lower log-loss on
each of the five, most on HTML, where the markup features interact: a list item in an article
is not one in a sidebar).

Then the decision's thresholds (``threshold``, where the run is pulled; ``drop``, below which
a paragraph inside the run is cut; on HTML ``keep_extracted``, below which a paragraph
trafilatura kept is cut, and ``sure_of_additions``, below which what the model adds to
trafilatura's paragraphs is not trusted) are chosen on the training pages, from probabilities
each training corpus gets from trees trained without it (``cross_val_predict`` over
``GroupKFold``): trees scored on their own training pages are surer than they will be on new
ones. Nothing is chosen on pages outside the training set; ``eval_boilerplate.py`` calls
``train`` once per held-out corpus, and this script trains on all of them.

Usage::

    python scripts/train_main_text_model.py [--corpora DIR] [--output FILE] [--cache FILE]
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np
from boilerplate_data import DEFAULT_CORPORA, PathData, Prepared, prepare_all
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import GroupKFold, cross_val_predict

from pipeline.clean.main_text import MODEL_FILE, PATHS, BoostedTrees, MainTextModel, MainTextModels

OUTPUT = Path(__file__).resolve().parents[1] / "pipeline" / "clean" / MODEL_FILE
TREES, DEPTH, LEARNING_RATE = 150, 4, 0.1
THRESHOLDS = (0.2, 0.3, 0.4, 0.5)
DROPS = (0.0, 0.1, 0.2, 0.3)
KEEP_EXTRACTED = (None, 0.1, 0.3)  # None: the run decides, as on text
# HTML, chosen after the others and by F1 (beta 1), since it is what keeps the HTML path from
# falling below trafilatura's: the mean probability below which the model's additions to
# trafilatura's paragraphs are not trusted.
SURE_OF_ADDITIONS = (None, 0.5, 0.6, 0.7)
# Thresholds are chosen for the best F-beta with recall counted BETA² = 2.25 times as much as
# precision: a missing paragraph of the story is worse than a stray line of furniture. (Best
# F1 kept 0.961 of the story on the held-out text pages, a recall floor of 0.98 on the
# training pages kept 0.974 but left 42 % of the furniture in: BENCHMARKS.md.)
BETA = 1.5


def path_data(page: Prepared, path: str) -> PathData | None:
    return page.html if path.startswith("html") else page.text


def train(pages: Sequence[Prepared]) -> MainTextModels:
    """Both paths' models, trained and tuned on ``pages`` only."""
    training = [page for page in pages if page.scored]
    return MainTextModels(**{path: _train_path(training, path) for path in PATHS})


def _train_path(pages: Sequence[Prepared], path: str) -> MainTextModel:
    found = [(page.corpus, data) for page in pages if (data := path_data(page, path)) is not None]
    site = path.endswith("_site")
    x = np.vstack([data.rows(site=site) for _, data in found]).astype(np.float64)
    y = np.concatenate([data.labels for _, data in found])
    weights = np.concatenate([np.sqrt(np.maximum(data.sizes, 1)) for _, data in found])
    fitted = _classifier().fit(x, y, sample_weight=weights)
    trees = exported_trees(fitted)
    sample = x[:: max(len(x) // 2000, 1)]
    if not np.allclose(trees.probabilities(sample), fitted.predict_proba(sample)[:, 1], atol=1e-6):
        raise RuntimeError("the exported trees do not predict what scikit-learn's do")
    # The decision's thresholds are chosen on probabilities the pages' own corpus did not
    # train: trees scored on their own training pages are surer than they will be on new ones.
    groups = np.concatenate([[corpus] * len(data.labels) for corpus, data in found])
    held_out = cross_val_predict(
        _classifier(), x, y, groups=groups, cv=GroupKFold(n_splits=len(set(groups))),
        method="predict_proba", params={"sample_weight": weights},
    )[:, 1]  # fmt: skip
    ends = np.cumsum([len(data.labels) for _, data in found])[:-1]
    model = MainTextModel(PATHS[path], trees, threshold=0.5, drop=0.0)
    return choose_decision(
        model, [data for _, data in found], np.split(held_out, ends), html=path.startswith("html")
    )


def _classifier() -> HistGradientBoostingClassifier:
    return HistGradientBoostingClassifier(
        max_iter=TREES, max_depth=DEPTH, learning_rate=LEARNING_RATE, early_stopping=False,
        random_state=0,
    )  # fmt: skip


def exported_trees(fitted: HistGradientBoostingClassifier) -> BoostedTrees:
    """The fitted trees as flat arrays. scikit-learn keeps them in ``_predictors`` (one
    ``TreePredictor`` per boosting round for a binary task), whose ``nodes`` array is private
    but stable across its 1.x releases; the pinned version and the check against
    ``predict_proba`` above keep that honest."""
    feature, threshold, left, right, value, roots = [], [], [], [], [], []
    for (predictor,) in fitted._predictors:
        nodes, offset = predictor.nodes, len(feature)
        roots.append(offset)
        for number, node in enumerate(nodes):
            leaf = bool(node["is_leaf"])
            feature.append(0 if leaf else int(node["feature_idx"]))
            threshold.append(np.inf if leaf else float(node["num_threshold"]))
            left.append(offset + (number if leaf else int(node["left"])))
            right.append(offset + (number if leaf else int(node["right"])))
            value.append(float(node["value"]) if leaf else 0.0)
    return BoostedTrees(
        feature=np.array(feature, dtype=np.intp),
        threshold=np.array(threshold),
        left=np.array(left, dtype=np.intp),
        right=np.array(right, dtype=np.intp),
        value=np.array(value),
        roots=np.array(roots, dtype=np.intp),
        depth=DEPTH,
        baseline=float(np.ravel(fitted._baseline_prediction)[0]),
    )


def _f_beta(precision: float, recall: float, beta: float) -> float:
    total = beta * beta * precision + recall
    return (1 + beta * beta) * precision * recall / total if total else 0.0


def choose_decision(
    model: MainTextModel,
    pages: Sequence[PathData],
    probabilities: Sequence[np.ndarray],
    *,
    html: bool,
) -> MainTextModel:
    """The decision's thresholds with the best mean F-beta per page (``BETA``), judged on the
    labelled paragraphs of ``pages`` with the model's own ``decide``; on HTML, then the
    trust in the model's additions to trafilatura's paragraphs with the best mean F1."""
    grid = (
        [
            {"threshold": t, "drop": d, "keep_extracted": k}
            for t in THRESHOLDS
            for d in DROPS
            for k in KEEP_EXTRACTED
        ]
        if html
        else [{"threshold": t, "drop": d} for t in THRESHOLDS for d in DROPS]
    )
    listed = [
        (p.tolist(), page.sizes.tolist(), page.extracted if html else None, page)
        for page, p in zip(pages, probabilities, strict=True)
    ]
    chosen = _best([replace(model, **params) for params in grid], listed, BETA)
    if not html:
        return chosen
    trusts = [replace(chosen, sure_of_additions=sure) for sure in SURE_OF_ADDITIONS]
    return _best(trusts, listed, 1.0)


def _best(
    candidates: Sequence[MainTextModel],
    pages: Sequence[tuple[list[float], list[int], frozenset[int] | None, PathData]],
    beta: float,
) -> MainTextModel:
    """The candidate whose decisions have the best mean F-beta per page (the first of equals)."""
    best: tuple[float, MainTextModel] | None = None
    for candidate in candidates:
        scores = []
        for probabilities, sizes, found, page in pages:
            run, dropped = candidate.decide(probabilities, sizes, found)
            kept = np.zeros(len(probabilities), dtype=bool)
            kept[run.start : run.stop] = True
            kept[list(dropped)] = False
            main = page.labels.astype(bool)
            shared = float(page.sizes[kept & main].sum())
            precision = shared / max(float(page.sizes[kept].sum()), 1.0)
            recall = shared / max(float(page.sizes[main].sum()), 1.0) if main.any() else 1.0
            scores.append(_f_beta(precision, recall, beta))
        score = statistics.fmean(scores)
        if best is None or score > best[0]:
            best = (score, candidate)
    assert best is not None
    return best[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Train the main-text models.")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--cache", type=Path, help="keep the prepared pages in this file")
    args = parser.parse_args(argv)
    if not args.corpora.is_dir():
        print(f"train_main_text_model: error: no corpora at {args.corpora}", file=sys.stderr)
        return 2
    pages = prepare_all(args.corpora, cache=args.cache)
    models = train(pages)
    trained_on = [page for page in pages if page.scored]
    document = {
        "about": "Main-text models for wire-ingest's clean stage: gradient-boosted trees over "
        "paragraph features, one for text pages and one for HTML pages. "
        "Written by scripts/train_main_text_model.py; figures on pages left out in "
        "BENCHMARKS.md (scripts/eval_boilerplate.py).",
        "trained_on": dict(Counter(page.corpus for page in trained_on)),
        "models": {path: getattr(models, path).to_json() for path in PATHS},
    }
    args.output.write_text(json.dumps(document, indent=1) + "\n", encoding="utf-8")
    for path in PATHS:
        model = getattr(models, path)
        print(f"{path}: threshold {model.threshold}, drop {model.drop}, "
              f"keep_extracted {model.keep_extracted}, "
              f"sure_of_additions {model.sure_of_additions}")  # fmt: skip
    print(f"wrote {args.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
