"""Near-duplicate clusters, the pure core: shingles, sketches, and the index, on real stories."""

from __future__ import annotations

import numpy as np
import pytest

from pipeline.clean.rules import RuleBook
from pipeline.clean.strip import strip_boilerplate
from pipeline.cluster.clusters import (
    Arrival,
    ClusterIndex,
    Entry,
    Sketch,
    assign,
    overlap,
    shingles,
    similarity,
    sketch,
)
from pipeline.parse.registry import parse_item
from pipeline.records import PARAGRAPH_BREAK, RawItem, Story
from pipeline.settings import load_settings
from tests.conftest import SAMPLES, SEED

IDENTIFY = load_settings().identify  # the shipped choices
WORDS, THRESHOLD, MEASURE = (IDENTIFY.shingle_words, IDENTIFY.cluster_threshold,
                             IDENTIFY.cluster_measure)  # fmt: skip


def cleaned(path: str, book: RuleBook) -> Story:
    raw = (SAMPLES / path).read_bytes() if "/" not in path else open(path, "rb").read()
    (story,) = parse_item(RawItem.of(path, raw), format_name="auto")
    return strip_boilerplate(story, book)


@pytest.fixture(scope="module")
def seed(book: RuleBook) -> Story:
    return cleaned(str(SEED), book)


@pytest.fixture(scope="module")
def other(book: RuleBook) -> Story:
    return cleaned("ap-costa-concordia-trial.txt", book)


def arrival(key: str, body: str, story_id: str | None = None) -> Arrival:
    return Arrival(key, story_id or key, sketch(body, WORDS))


def test_shingles_fold_case_and_punctuation_and_keep_figures() -> None:
    assert shingles("Net  profit ROSE 12 pct.", 3) == {b"net profit rose", b"profit rose 12",
                                                       b"rose 12 pct"}  # fmt: skip
    assert shingles("Two words", 5) == {b"two words"}
    assert shingles(" ... ", 5) == set() and sketch("", 5) is None


def test_a_sketch_estimates_the_share_of_shingles_in_common(seed: Story) -> None:
    paragraphs = seed.paragraphs
    half = PARAGRAPH_BREAK.join(paragraphs[: len(paragraphs) // 2])
    a, b = shingles(seed.body, WORDS), shingles(half, WORDS)
    whole, part = sketch(seed.body, WORDS), sketch(half, WORDS)
    assert whole is not None and part is not None and (whole.size, part.size) == (len(a), len(b))
    assert abs(similarity(whole, part) - len(a & b) / len(a | b)) < 0.12
    assert abs(overlap(whole, part) - len(a & b) / len(b)) < 0.12  # half the story is in it
    assert whole.values.dtype == np.uint32 and len(whole.values) == 128
    again = Sketch.decode(whole.encode())
    assert np.array_equal(again.values, whole.values) and again.size == whole.size


def test_a_correction_and_an_update_join_the_story_and_another_story_does_not(
    seed: Story, other: Story
) -> None:
    index = ClusterIndex(THRESHOLD, MEASURE)
    list(assign(index, [arrival("seed", seed.body)], seen_at=0, expires_at=10))
    corrected = seed.body.replace("Friday", "Thursday").replace("Idlib", "Aleppo", 1)
    updated = PARAGRAPH_BREAK.join([other.paragraphs[0], *seed.paragraphs])
    found = list(
        assign(
            index,
            [
                arrival("corrected", corrected),
                arrival("updated", updated),
                arrival("other", other.body),
            ],
            seen_at=1,
            expires_at=11,
        )
    )
    clusters = {assignment.key: assignment.cluster_id for assignment, _ in found}
    assert clusters == {"corrected": "seed", "updated": "seed", "other": "other"}
    similar = {assignment.key: assignment.similarity for assignment, _ in found}
    assert similar["corrected"] > 0.8 and similar["updated"] > 0.9  # it holds all of the seed
    assert similar["other"] is None


def test_a_story_joins_the_cluster_of_its_match_not_the_match_itself(seed: Story) -> None:
    index = ClusterIndex(THRESHOLD, MEASURE)
    first = PARAGRAPH_BREAK.join(seed.paragraphs[:-2])
    arrivals = [arrival("a", first), arrival("b", seed.body), arrival("c", seed.body + " More.")]
    found = [assignment.cluster_id for assignment, _ in assign(index, arrivals, seen_at=0,
                                                                expires_at=1)]  # fmt: skip
    assert found == ["a", "a", "a"]


def test_another_version_of_an_indexed_id_joins_its_cluster_even_without_text(seed: Story) -> None:
    index = ClusterIndex(THRESHOLD, MEASURE)
    earlier = [arrival("wire", seed.body, "wire-id"), arrival("v1", seed.body, "guid")]
    assert [a.cluster_id for a, _ in assign(index, earlier, seen_at=0, expires_at=1)] == [
        "wire-id",
        "wire-id",  # the repost joins the wire story's cluster
    ]
    kill = Arrival("v3", "guid", None)
    ((assignment, entry),) = assign(index, [kill], seen_at=1, expires_at=2)
    assert (assignment.cluster_id, assignment.similarity) == ("wire-id", None)
    assert entry.sketch is None and len(index) == 3


def test_sync_leaves_exactly_the_committed_entries(seed: Story, other: Story) -> None:
    index = ClusterIndex(THRESHOLD, MEASURE)
    list(assign(index, [arrival("seed", seed.body)], seen_at=0, expires_at=1))
    kept = Entry("other", "other", "other", 0, 5, sketch(other.body, WORDS).encode())
    expired = Entry("old", "old", "old", 0, 1, sketch(seed.body, WORDS).encode())
    index.sync({entry.key: entry.to_json() for entry in (kept, expired)}, now=2)
    assert "seed" not in index and "other" in index and len(index) == 1  # "old" expired
    assert index.match(arrival("again", seed.body)).cluster_id == "again"
    assert Entry.from_json(kept.to_json()) == kept
