"""Where a page's main text is: a small learned model over paragraph features, and the run
of paragraphs that holds it.

The model is a logistic regression over ``features.FEATURE_NAMES`` (standardised), trained
by ``scripts/train_main_text_model.py`` on the development pages in
``shared/corpora/boilerplate`` and shipped as ``main_text_model.json``: a few dozen numbers,
evaluated in pure Python in microseconds a paragraph.

The main text is then the contiguous run of paragraphs with the largest total of
``(p - threshold) * words`` (Kadane's maximum subarray): long sentence-like paragraphs pull the
run towards them, while a short subheading, a one-line quote or a list item between them
costs little and stays in, as the story's own text should. What lies before and after the run
is page furniture.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from pipeline.clean.features import FEATURE_NAMES, page_features

MODEL_FILE = "main_text_model.json"


@dataclass(frozen=True)
class MainTextModel:
    names: tuple[str, ...]
    means: tuple[float, ...]
    scales: tuple[float, ...]
    weights: tuple[float, ...]
    bias: float

    @classmethod
    def load(cls, path: str | Path | None = None) -> MainTextModel:
        """The shipped model, or the one in ``path`` (a file written by the training script)."""
        if path is None:
            text = files("pipeline.clean").joinpath(MODEL_FILE).read_text(encoding="utf-8")
        else:
            text = Path(path).read_text(encoding="utf-8")
        data = json.loads(text)
        model = cls(
            names=tuple(data["features"]),
            means=tuple(data["means"]),
            scales=tuple(data["scales"]),
            weights=tuple(data["weights"]),
            bias=float(data["bias"]),
        )
        if model.names != FEATURE_NAMES:
            raise ValueError(f"{MODEL_FILE} was trained on other features: retrain it")
        return model

    def probability(self, row: Sequence[float]) -> float:
        """The probability that a paragraph with these features is main text."""
        logit = self.bias + sum(
            weight * (value - mean) / scale
            for weight, value, mean, scale in zip(
                self.weights, row, self.means, self.scales, strict=True
            )
        )
        return 1.0 / (1.0 + math.exp(-max(min(logit, 30.0), -30.0)))


def main_run(probabilities: Sequence[float], sizes: Sequence[int], threshold: float) -> range:
    """The paragraphs (a range of indices) holding the main text; all of them when none looks
    like main text, so that a story the model cannot place is kept whole."""
    best, best_run = 0.0, range(0, len(probabilities))
    total, start = 0.0, 0
    for index, (probability, size) in enumerate(zip(probabilities, sizes, strict=True)):
        gain = (probability - threshold) * max(size, 1)
        if total <= 0:
            total, start = gain, index
        else:
            total += gain
        if total > best:
            best, best_run = total, range(start, index + 1)
    return best_run


@dataclass(frozen=True)
class MainText:
    """The model and how sure it must be."""

    model: MainTextModel
    threshold: float

    def locate(self, paragraphs: Sequence[str], ruled: Sequence[bool]) -> tuple[list[float], range]:
        """Each paragraph's main-text probability, and the run holding the main text.

        Args:
            ruled: whether a boilerplate rule matches each paragraph (a model feature).
        """
        rows = page_features(paragraphs, ruled)
        probabilities = [self.model.probability(row) for row in rows]
        sizes = [len(paragraph.split()) for paragraph in paragraphs]
        return probabilities, main_run(probabilities, sizes, self.threshold)
