"""Where a page's main text is: a small learned model over paragraph features, and the run
of paragraphs that holds it.

Two models, trained by ``scripts/train_main_text_model.py`` with scikit-learn on the
development pages in ``shared/corpora/boilerplate`` and shipped as ``main_text_model.json``:
one over ``features.FEATURE_NAMES`` for stories saved as text, one over
``features.PAGE_FEATURES`` for HTML pages, which adds the paragraph's place in the markup and
whether trafilatura kept it. Each comes twice: without and with ``features.SITE_FEATURES``
(what the other pages of the page's site in the batch hold, ``pipeline.clean.site``), the
second used where the site has other pages. Each is gradient-boosted trees, kept as flat
arrays and walked here with numpy for all paragraphs and trees at once (about a millisecond a
page), so that running the pipeline needs neither scikit-learn nor pickles. Boosted trees were
chosen over a logistic regression because they held up better on the corpus left out
(BENCHMARKS.md).

The main text is then the contiguous run of paragraphs with the largest total of
``(p - threshold) * words`` (Kadane's maximum subarray): long sentence-like paragraphs pull the
run towards them, while a short subheading, a one-line quote or a list item between them
costs little and stays in, as the story's own text should. What lies before and after the run
is page furniture, and so is a paragraph inside it the model is sure of (``p < drop``: a list
of other headlines between two parts of the story). On HTML pages trafilatura's paragraphs
stay as well unless the model is sure they are furniture (``keep_extracted``), and when the
model is unsure of the paragraphs it would add to trafilatura's (``sure_of_additions``), the
page is trafilatura's paragraphs alone: where the model is unsure, trafilatura's extraction
stands. The thresholds are chosen on the training pages and ship in the model file.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path
from typing import Any

import numpy as np

from pipeline.clean.features import (
    FEATURE_NAMES,
    MARKUP_FEATURES,
    PAGE_FEATURES,
    SITE_FEATURES,
    block_features,
    in_context,
    markup_features,
)
from pipeline.clean.site import SiteContext
from pipeline.records import BlockMarkup, ExtractedText

MODEL_FILE = "main_text_model.json"
PATHS = {  # model name -> its features
    "text": FEATURE_NAMES,
    "html": PAGE_FEATURES,
    "text_site": (*FEATURE_NAMES, *SITE_FEATURES),
    "html_site": (*FEATURE_NAMES, *SITE_FEATURES, *MARKUP_FEATURES),
}


@dataclass(frozen=True, eq=False)
class BoostedTrees:
    """Gradient-boosted regression trees, all in flat arrays: node ``n`` sends a row left
    when ``row[feature[n]] <= threshold[n]``; a leaf is its own child, so every row walks
    ``depth`` steps and the walk runs for all rows and all trees at once in numpy."""

    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    roots: np.ndarray  # the first node of each tree
    depth: int
    baseline: float

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> BoostedTrees:
        return cls(
            feature=np.array(data["feature"], dtype=np.intp),
            threshold=np.array(data["threshold"], dtype=np.float64),
            left=np.array(data["left"], dtype=np.intp),
            right=np.array(data["right"], dtype=np.intp),
            value=np.array(data["value"], dtype=np.float64),
            roots=np.array(data["roots"], dtype=np.intp),
            depth=int(data["depth"]),
            baseline=float(data["baseline"]),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "baseline": self.baseline,
            "depth": self.depth,
            "roots": self.roots.tolist(),
            "feature": self.feature.tolist(),
            "threshold": [float(f"{v:.9g}") for v in self.threshold],
            "left": self.left.tolist(),
            "right": self.right.tolist(),
            "value": [float(f"{v:.6g}") for v in self.value],
        }

    def probabilities(self, rows: np.ndarray) -> np.ndarray:
        """The probability of the positive class for each row."""
        if not len(rows):
            return np.zeros(0)
        nodes = np.broadcast_to(self.roots, (len(rows), len(self.roots)))
        index = np.arange(len(rows))[:, None]
        for _ in range(self.depth):
            goes_left = rows[index, self.feature[nodes]] <= self.threshold[nodes]
            nodes = np.where(goes_left, self.left[nodes], self.right[nodes])
        logit = self.baseline + self.value[nodes].sum(axis=1)
        return 1.0 / (1.0 + np.exp(-np.clip(logit, -30.0, 30.0)))


@dataclass(frozen=True)
class MainTextModel:
    """One path's trees, and the thresholds its decision uses (chosen in training)."""

    names: tuple[str, ...]
    trees: BoostedTrees
    threshold: float  # the probability that pulls the run towards a paragraph
    drop: float  # inside the run, a paragraph below this is cut
    # HTML: trafilatura's paragraphs are kept too unless below this (None: the run decides
    # alone): where the model is unsure, trafilatura's extraction stands.
    keep_extracted: float | None = None
    # HTML: when what the model keeps beyond trafilatura's paragraphs has a mean probability
    # (by words) below this, the page is trafilatura's paragraphs alone (None: never).
    sure_of_additions: float | None = None

    @classmethod
    def from_json(cls, data: dict[str, Any], names: tuple[str, ...]) -> MainTextModel:
        if tuple(data["features"]) != names:
            raise ValueError(f"{MODEL_FILE} was trained on other features: retrain it")
        return cls(
            names=names,
            trees=BoostedTrees.from_json(data["trees"]),
            threshold=float(data["threshold"]),
            drop=float(data["drop"]),
            keep_extracted=data["keep_extracted"],
            sure_of_additions=data.get("sure_of_additions"),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "features": list(self.names),
            "threshold": self.threshold,
            "drop": self.drop,
            "keep_extracted": self.keep_extracted,
            "sure_of_additions": self.sure_of_additions,
            "trees": self.trees.to_json(),
        }

    def decide(
        self, probabilities: Sequence[float], sizes: Sequence[int], extracted: frozenset[int] | None
    ) -> tuple[range, frozenset[int]]:
        """The span of the main text, and the paragraphs inside it that are not main text.

        The main text is the run with the most evidence, less the paragraphs in it below
        ``drop``; on HTML (``keep_extracted`` set), with trafilatura's paragraphs that are
        not below ``keep_extracted``, or trafilatura's paragraphs alone when the model is
        unsure of what it would add to them (``sure_of_additions``). A run the model would
        drop whole is kept whole.
        """
        run = main_run(probabilities, sizes, self.threshold)
        kept = {index for index in run if probabilities[index] >= self.drop} or set(run)
        if extracted and self.keep_extracted is not None:
            found = {index for index in extracted if index < len(probabilities)}
            kept.update(index for index in found if probabilities[index] >= self.keep_extracted)
            if found and self._unsure(kept - found, probabilities, sizes):
                kept = found
        span = range(min(kept), max(kept) + 1) if kept else run
        return span, frozenset(span).difference(kept)

    def _unsure(
        self, added: set[int], probabilities: Sequence[float], sizes: Sequence[int]
    ) -> bool:
        """Whether the paragraphs the model adds to trafilatura's are, by their words, below
        ``sure_of_additions`` on average."""
        if self.sure_of_additions is None or not added:
            return False
        words = sum(max(sizes[index], 1) for index in added)
        mean = sum(probabilities[index] * max(sizes[index], 1) for index in added) / words
        return mean < self.sure_of_additions


@dataclass(frozen=True)
class MainTextModels:
    """The model for text pages and the one for HTML pages, each without and with the page's
    site context (``pipeline.clean.site``)."""

    text: MainTextModel
    html: MainTextModel
    text_site: MainTextModel
    html_site: MainTextModel

    def pick(self, *, html: bool, site: bool) -> MainTextModel:
        if html:
            return self.html_site if site else self.html
        return self.text_site if site else self.text

    @classmethod
    def load(cls, path: str | Path | None = None) -> MainTextModels:
        """The shipped models, or those in ``path`` (a file written by the training script)."""
        if path is None:
            text = files("pipeline.clean").joinpath(MODEL_FILE).read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        models = json.loads(text)["models"]
        return cls(**{name: MainTextModel.from_json(models[name], PATHS[name]) for name in PATHS})


def evidence(probabilities: Sequence[float], sizes: Sequence[int], threshold: float) -> list[float]:
    """How much each paragraph pulls the main text towards it (negative: pushes it away)."""
    return [
        (probability - threshold) * max(size, 1)
        for probability, size in zip(probabilities, sizes, strict=True)
    ]


def main_run(probabilities: Sequence[float], sizes: Sequence[int], threshold: float) -> range:
    """The paragraphs (a range of indices) holding the main text; all of them when none looks
    like main text, so that a story the model cannot place is kept whole."""
    best, best_run = 0.0, range(0, len(probabilities))
    total, start = 0.0, 0
    for index, gain in enumerate(evidence(probabilities, sizes, threshold)):
        if total <= 0:
            total, start = gain, index
        else:
            total += gain
        if total > best:
            best, best_run = total, range(start, index + 1)
    return best_run


@dataclass(frozen=True)
class Located:
    """Each paragraph's main-text probability, the run holding the main text, and the
    paragraphs inside the run that are furniture all the same."""

    probabilities: list[float]
    run: range
    dropped: frozenset[int]


@dataclass(frozen=True)
class MainText:
    """The models, whether the HTML one may go beyond trafilatura's finding, and whether a
    page's site context is used."""

    models: MainTextModels
    around_extracted: bool = True
    site_context: bool = False  # whether ``locate`` uses the site model when given a site

    def locate(
        self,
        paragraphs: Sequence[str],
        ruled: Sequence[bool],
        extracted: ExtractedText | None = None,
        markup: Sequence[BlockMarkup] = (),
        site: SiteContext | None = None,
    ) -> Located:
        """Where the main text is among ``paragraphs``.

        Args:
            ruled: whether a boilerplate rule matches each paragraph (a model feature).
            extracted: where an extractor found the main text, if one looked.
            markup: where each paragraph stands in the page's markup (HTML pages).
            site: what the other pages of the page's site hold, when it has others: the site
                model is used then.
        """
        own = [
            block_features(text, rule=rule) for text, rule in zip(paragraphs, ruled, strict=True)
        ]
        rows = in_context(paragraphs, own)
        site = site if self.site_context else None
        if site is not None:
            rows = [row + more for row, more in zip(rows, site.rows(paragraphs), strict=True)]
        model, found = self.models.pick(html=bool(markup), site=site is not None), None
        if markup:
            found = extracted.paragraphs if extracted else frozenset()
            area = extracted.area if extracted else range(0)
            rows = [
                row + markup_features(place, extracted=index in found, in_area=index in area)
                for index, (row, place) in enumerate(zip(rows, markup[: len(rows)], strict=True))
            ]
        probabilities = model.trees.probabilities(np.array(rows, dtype=np.float64)).tolist()
        if extracted and not self.around_extracted:
            span = range(extracted.span.start, min(extracted.span.stop, len(paragraphs)))
            return Located(probabilities, span, frozenset())
        sizes = [len(paragraph.split()) for paragraph in paragraphs]
        run, dropped = model.decide(probabilities, sizes, found)
        return Located(probabilities, run, dropped)
