"""A RunInference model handler for spaCy pipelines.

RunInference loads the model once per worker process (``load_model``) and shares it between
the threads there, and batches stories for ``nlp.pipe``, by stories and by characters. The
handler keeps only the picklable settings; the model itself is created on the worker.

spaCy's working memory grows with the characters it is given at once (BENCHMARKS.md), so a
story longer than a batch goes through in pieces of whole paragraphs, each at most a batch,
and the pieces' Docs are joined back into one: a worker's peak memory does not depend on the
longest story. A sentence never spans paragraphs here (``paragraph_breaks``), so the pieces
change no sentence; entities and tags differ at most at the paragraphs where a piece starts.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import spacy
from apache_beam.ml.inference.base import ModelHandler, PredictionResult
from spacy.language import Language
from spacy.tokens import Doc

from pipeline.enrich.components import PARAGRAPH_BREAKS
from pipeline.enrich.features import annotations_from_doc, model_id, with_story_extras
from pipeline.enrich.language import primary
from pipeline.errors import ConfigError
from pipeline.records import RECALLS, Annotations, Story
from pipeline.settings import EnrichSettings

# RunInference counts spaCy's batches here; its latency distribution is the run report's
# spaCy time (pipeline.launch).
SPACY_METRICS_NAMESPACE = "wire_ingest.enrich"

# Components that set sentence boundaries, and keep the ones set before them.
_SENTENCE_COMPONENTS = ("senter", "parser")
# A paragraph with the blank lines after it.
_PARAGRAPH = re.compile(r".+?(?:\n\s*\n\s*|\Z)", re.DOTALL)


def load_pipeline(settings: EnrichSettings) -> Language:
    """Loads the configured pipeline without its excluded components, enabling the extra ones,
    with paragraph boundaries set before whichever component finds sentences.

    ``spacy.load(disable=..., enable=...)`` rejects enabling a component that depends on a
    disabled one (E1042), hence ``exclude`` first, then ``enable_pipe``.
    """
    nlp = spacy.load(settings.model, exclude=list(settings.exclude))
    for name in settings.enable:
        nlp.enable_pipe(name)
    segmenters = [name for name in nlp.pipe_names if name in _SENTENCE_COMPONENTS]
    if segmenters:
        nlp.add_pipe(PARAGRAPH_BREAKS, before=segmenters[0])
    return nlp


@functools.lru_cache(maxsize=2)
def shared_pipeline(settings: EnrichSettings) -> Language:
    """``load_pipeline``, once per process and settings.

    RunInference shares a model between the threads of one pipeline, but a new pipeline
    loads it again: the watcher runs one pipeline a batch, and would spend half a second of
    each loading the same model.
    """
    return load_pipeline(settings)


def check_model(settings: EnrichSettings) -> str:
    """Fails fast, without loading weights, when the model or a component name is wrong;
    returns the model's language ("en")."""
    if spacy.util.is_package(settings.model):
        path = spacy.util.get_package_path(settings.model)
    else:
        path = spacy.util.ensure_path(settings.model)
    try:
        meta = spacy.util.get_model_meta(path)
    except (OSError, ValueError) as error:
        raise ConfigError(
            f"enrich.model: spaCy pipeline {settings.model!r} is not installed "
            "(a package name or a folder with a meta.json)"
        ) from error
    components = set(meta.get("components", meta.get("pipeline", [])))
    for key in ("exclude", "enable"):
        unknown = sorted(set(getattr(settings, key)) - components)
        if unknown:
            raise ConfigError(
                f"enrich.{key}: {settings.model} has no component {unknown[0]!r}; "
                f"it has {sorted(components)}"
            )
    both = sorted(set(settings.exclude) & set(settings.enable))
    if both:
        raise ConfigError(f"enrich: {both[0]!r} is both excluded and enabled")
    return str(meta.get("lang", ""))


def paragraph_pieces(text: str, most: int) -> list[str]:
    """``text`` cut after blank lines into pieces of at most ``most`` characters (a longer
    paragraph is a piece of its own); the pieces join back into ``text``."""
    pieces: list[str] = []
    for paragraph in _PARAGRAPH.findall(text):
        if pieces and len(pieces[-1]) + len(paragraph) <= most:
            pieces[-1] += paragraph
        else:
            pieces.append(paragraph)
    return pieces


def _weight(story: Story, *, batch_size: int, batch_chars: int) -> int:
    return max(len(story.body) * batch_size, batch_chars)


class SpacyModelHandler(ModelHandler[Story, PredictionResult, Language]):
    """Annotates the stories in the model's language; marks the others skipped, saying why."""

    def __init__(self, settings: EnrichSettings) -> None:
        super().__init__()
        self._settings = settings
        self._language = check_model(settings)

    def load_model(self) -> Language:
        return shared_pipeline(self._settings)

    def run_inference(
        self,
        batch: Sequence[Story],
        model: Language,
        inference_args: dict[str, Any] | None = None,
    ) -> Iterable[PredictionResult]:
        name = model_id(model)
        components = tuple(model.pipe_names)
        verbs = frozenset(self._settings.quote_verbs)
        docs = self._docs(model, [story.body for story in batch if self._reads(story)])
        for story in batch:
            if not self._reads(story):
                yield PredictionResult(story, self._skipped(story))
                continue
            found = annotations_from_doc(
                next(docs), name, components, key_phrases=self._settings.key_phrases
            )
            yield PredictionResult(story, with_story_extras(found, story, verbs=verbs))

    def _docs(self, model: Language, bodies: list[str]) -> Iterator[Doc]:
        """A Doc a body, in order; bodies longer than a batch go through in pieces."""
        most = self._settings.batch_chars
        short = model.pipe((body for body in bodies if len(body) <= most), batch_size=len(bodies))
        for body in bodies:
            if len(body) <= most:
                yield next(short)
            else:
                pieces = [model(piece) for piece in paragraph_pieces(body, most)]
                yield Doc.from_docs(pieces, ensure_whitespace=False)

    def _reads(self, story: Story) -> bool:
        if story.pub_status in RECALLS:
            return False
        return story.language is None or primary(story.language) == self._language

    def _skipped(self, story: Story) -> Annotations:
        reason = (
            f"pub_status {story.pub_status}: a kill or withhold is not annotated"
            if story.pub_status in RECALLS
            else f"language {story.language}: the spaCy pipeline {self._settings.model} "
            f"reads {self._language} only"
        )
        return Annotations(
            model="", components=(), word_count=len(story.body.split()), skipped=reason
        )

    def batch_elements_kwargs(self) -> dict[str, Any]:
        # Fixed batches, not Beam's adaptive ones (which start at one story and grow), bounded
        # by stories and by characters. BatchElements weighs elements against one budget, so
        # a story weighs its characters times batch_size, and at least batch_chars: a batch
        # of batch_chars * batch_size holds at most batch_size stories and batch_chars chars.
        size, chars = self._settings.batch_size, self._settings.batch_chars
        return {
            "min_batch_size": size * chars,
            "max_batch_size": size * chars,
            "element_size_fn": functools.partial(_weight, batch_size=size, batch_chars=chars),
        }

    def get_metrics_namespace(self) -> str:
        return SPACY_METRICS_NAMESPACE
