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

An extractor's finding (trafilatura's main text on HTML pages, ``ExtractedText``) counts as
certain main text, and the run is then looked for inside the page area around it: the model
adds what the extractor dropped there (a standfirst, a subheading, a table) and leaves the
rest of the page alone. Unless the finding holds little of the main-text evidence the model
sees in the whole page (a sidebar's list of names, one post of a blog page): then the model
looks in the whole page, as it does for saved text.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from pipeline.clean.features import FEATURE_NAMES, block_features, in_context
from pipeline.records import ExtractedText

MODEL_FILE = "main_text_model.json"
# An extractor's finding is set aside when it holds less than this share of the evidence
# (``(p - threshold) * words``) of the model's own run in the whole page, and that run holds
# at least ``_CLEAR_EVIDENCE`` (a paragraph or two of sure prose).
_EXTRACTED_SHARE = 0.15
_CLEAR_EVIDENCE = 40.0


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
class MainText:
    """The model, how sure it must be, and whether it adds to an extractor's finding."""

    model: MainTextModel
    threshold: float
    around_extracted: bool = True

    def locate(
        self,
        paragraphs: Sequence[str],
        ruled: Sequence[bool],
        extracted: ExtractedText | None = None,
    ) -> tuple[list[float], range]:
        """Each paragraph's main-text probability, and the run holding the main text.

        Args:
            ruled: whether a boilerplate rule matches each paragraph (a model feature).
            extracted: where an extractor found the main text, if one looked.
        """
        own = [
            block_features(text, rule=rule) for text, rule in zip(paragraphs, ruled, strict=True)
        ]
        probabilities = self._probabilities(own)
        sizes = [len(paragraph.split()) for paragraph in paragraphs]
        run = main_run(probabilities, sizes, self.threshold)
        if extracted is None:
            return probabilities, run
        # The paragraphs given may stop short of the area (before a comment thread).
        area = range(extracted.area.start, min(extracted.area.stop, len(paragraphs)))
        if not area or not self._holds_main_text(extracted, probabilities, sizes, run):
            return probabilities, run
        if not self.around_extracted:
            span = range(extracted.span.start, min(extracted.span.stop, area.stop))
            return probabilities, span or run
        # Inside the area, features are the area's own (its first paragraph has no
        # neighbour before it, as in a saved article), and the extractor's paragraphs are sure.
        inside = self._probabilities(own[area.start : area.stop])
        probabilities[area.start : area.stop] = inside
        pulled = [
            1.0 if index in extracted.paragraphs else probability
            for index, probability in zip(area, inside, strict=True)
        ]
        local = main_run(pulled, sizes[area.start : area.stop], self.threshold)
        return probabilities, range(area.start + local.start, area.start + local.stop)

    def _probabilities(self, own: Sequence[list[float]]) -> list[float]:
        """Probabilities of paragraphs seen together, from their own features."""
        return [self.model.probability(row) for row in in_context(own)]

    def _holds_main_text(
        self, extracted: ExtractedText, probabilities: list[float], sizes: list[int], run: range
    ) -> bool:
        """Whether the extractor's paragraphs hold a fair share of the main-text evidence
        the model sees in its own run (or the model sees little anywhere)."""
        gains = evidence(probabilities, sizes, self.threshold)
        best = sum(gains[index] for index in run)
        theirs = sum(gains[index] for index in extracted.paragraphs if index < len(gains))
        return best < _CLEAR_EVIDENCE or theirs >= _EXTRACTED_SHARE * best
