"""Near-duplicate clusters: which earlier story a story's body nearly repeats (pure, no Beam).

A repost in other furniture, an update with a paragraph added, a correction of a few words:
each shares most of its body's word shingles (runs of ``shingle_words`` words) with the story
it repeats. The Jaccard similarity of two shingle sets is estimated with MinHash, and the
earlier stories worth comparing are found with locality-sensitive hashing, both from
datasketch (``MinHash``, ``MinHashLSH``): a well-kept library whose sketches are small
(128 numbers a story), fixed-size whatever the story's length, and comparable in a few
microseconds, which SimHash matches on speed but not on how well its similarity follows the
share of shared text. Whole words, digits included, make a shingle: market reports and
results tables that share a template but not their figures share few shingles.

How alike two bodies are is a ``Measure`` (``MEASURES``): the Jaccard similarity, or the
overlap, the share of the smaller body's shingles found in the other, estimated from the
Jaccard estimate and the two sets' sizes. Overlap is shipped: a repost keeps some furniture
and an update adds text, which lower the Jaccard similarity but not the overlap
(``scripts/eval_duplicates.py``, BENCHMARKS.md).

A story joins the cluster of the best match at or above the threshold among the stories
already indexed (earlier batches of the output within the horizon, and the stories before it
in its own batch, in order); its ``cluster_id`` is that cluster's, which is the id of the
story that started it. Another version of an id already indexed joins that id's cluster
whatever its text (a kill has none). Anything else starts a cluster of its own.
"""

from __future__ import annotations

import base64
import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import xxhash
from datasketch import LeanMinHash, MinHash, MinHashLSH

PERMUTATIONS = 128  # numbers in a sketch: the estimate's error is about 0.04 at 0.5
SEED = 1
# What a stored sketch means: datasketch's permutation scheme, and the hash of a shingle
# (xxHash's 32-bit digest: half the time of datasketch's default SHA-1, which was half of a
# sketch's cost).
SCHEME = "affine32"
HASH = xxhash.xxh32_intdigest
LSH_MARGIN = 0.1
_WORD = re.compile(r"\w+")


def shingles(body: str, words: int) -> set[bytes]:
    """The body's runs of ``words`` words (case and Unicode forms folded, punctuation gone);
    a body shorter than that is one shingle."""
    tokens = _WORD.findall(unicodedata.normalize("NFKC", body).casefold())
    if len(tokens) <= words:
        return {" ".join(tokens).encode()} if tokens else set()
    return {" ".join(tokens[i : i + words]).encode() for i in range(len(tokens) - words + 1)}


@dataclass(frozen=True)
class Sketch:
    """A body's MinHash (``PERMUTATIONS`` uint32) and how many shingles it was made of."""

    values: np.ndarray
    size: int

    def encode(self) -> str:
        """``size:base64`` of the values, little-endian: how the index stores it."""
        packed = base64.b64encode(self.values.astype("<u4").tobytes()).decode("ascii")
        return f"{self.size}:{packed}"

    @classmethod
    def decode(cls, text: str) -> Sketch:
        size, _, packed = text.partition(":")
        values = np.frombuffer(base64.b64decode(packed), dtype="<u4").astype(np.uint32)
        return cls(values, int(size))


def sketch(body: str, words: int) -> Sketch | None:
    """The body's sketch, or None for a body without words."""
    found = shingles(body, words)
    if not found:
        return None
    minhash = MinHash(num_perm=PERMUTATIONS, seed=SEED, scheme=SCHEME, hashfunc=HASH)
    minhash.update_batch(found)
    return Sketch(minhash.hashvalues.astype(np.uint32), len(found))


def similarity(first: Sketch, second: Sketch) -> float:
    """The estimated Jaccard similarity of the two sketches' shingle sets."""
    return float(np.count_nonzero(first.values == second.values)) / len(first.values)


def overlap(first: Sketch, second: Sketch) -> float:
    """The estimated share of the smaller shingle set that is in the larger one (from the
    Jaccard estimate and the sets' sizes: shared = J (a + b) / (1 + J))."""
    jaccard = similarity(first, second)
    shared = jaccard * (first.size + second.size) / (1 + jaccard)
    return min(shared / min(first.size, second.size), 1.0)


@dataclass(frozen=True)
class Measure:
    """How alike two bodies are, and the lowest Jaccard similarity a pair at a threshold of
    that measure can have (where the LSH must still find candidates)."""

    score: Callable[[Sketch, Sketch], float]
    lowest_jaccard: Callable[[float], float]


MEASURES: dict[str, Measure] = {
    "jaccard": Measure(similarity, lambda threshold: threshold),
    # At a given overlap the Jaccard similarity is lowest when one set is much the larger;
    # candidates are looked for down to where the larger is twice the smaller.
    "overlap": Measure(overlap, lambda threshold: threshold / (3 - threshold)),
}


@dataclass(frozen=True)
class Entry:
    """One indexed story: its key (id, version and content), id, cluster, when it was
    ingested and when it leaves the index (microseconds since the epoch), and its sketch."""

    key: str
    story_id: str
    cluster_id: str
    seen_at: int
    expires_at: int
    sketch: str | None  # Sketch.encode; None for a story without text (a kill)

    def to_json(self) -> dict[str, object]:
        return {
            "key": self.key, "id": self.story_id, "cluster_id": self.cluster_id,
            "seen_at": self.seen_at, "expires_at": self.expires_at, "sketch": self.sketch,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Entry:
        return cls(
            key=str(data["key"]), story_id=str(data["id"]), cluster_id=str(data["cluster_id"]),
            seen_at=int(data["seen_at"]), expires_at=int(data["expires_at"]),
            sketch=data["sketch"],
        )  # fmt: skip


@dataclass(frozen=True)
class Arrival:
    """A story of the batch being clustered, as the index needs it."""

    key: str
    story_id: str
    sketch: Sketch | None


@dataclass(frozen=True)
class Assignment:
    key: str
    cluster_id: str
    similarity: float | None  # to the story matched; None when it starts its cluster


class ClusterIndex:
    """The indexed stories, with an LSH over their sketches, updated entry by entry.

    Args:
        threshold: the least ``measure`` a story must have with one indexed to join it.
        measure: a name in ``MEASURES``.
    """

    def __init__(self, threshold: float, measure: str) -> None:
        self.threshold = threshold
        self._measure = MEASURES[measure]
        # The LSH only finds candidates, which ``match`` then scores: it is set below the
        # lowest Jaccard similarity a pair at the threshold can have, and to miss little, so
        # that such a pair is found (at least 99 % of the time) rather than by a coin toss,
        # as datasketch's balanced default would.
        lowest = self._measure.lowest_jaccard(threshold)
        self._lsh = MinHashLSH(
            threshold=max(lowest - LSH_MARGIN, 0.05), num_perm=PERMUTATIONS, weights=(0.1, 0.9)
        )
        self._entries: dict[str, Entry] = {}
        self._sketches: dict[str, Sketch] = {}
        self._cluster_of_id: dict[str, str] = {}
        self._entries_of_id: Counter[str] = Counter()

    def __len__(self) -> int:
        return len(self._entries)

    def __contains__(self, key: str) -> bool:
        return key in self._entries

    def add(self, entry: Entry) -> None:
        if entry.key in self._entries:
            return
        self._entries[entry.key] = entry
        self._cluster_of_id.setdefault(entry.story_id, entry.cluster_id)
        self._entries_of_id[entry.story_id] += 1
        if entry.sketch is not None:
            found = self._sketches[entry.key] = Sketch.decode(entry.sketch)
            self._lsh.insert(entry.key, _lean(found))

    def remove(self, key: str) -> None:
        entry = self._entries.pop(key)
        if self._sketches.pop(key, None) is not None:
            self._lsh.remove(key)
        self._entries_of_id[entry.story_id] -= 1
        if not self._entries_of_id[entry.story_id]:
            del self._entries_of_id[entry.story_id], self._cluster_of_id[entry.story_id]

    def sync(self, committed: Mapping[str, dict[str, Any]], *, now: int) -> None:
        """Makes the index hold exactly the ``committed`` entries (the output's, key to
        ``Entry.to_json``, as its ledger has them) that have not expired by ``now``. Only the
        entries new to the index are decoded: a watcher syncs before every batch."""
        wanted = {key for key, entry in committed.items() if entry["expires_at"] > now}
        for key in self._entries.keys() - wanted:
            self.remove(key)
        for key in wanted - self._entries.keys():
            self.add(Entry.from_json(committed[key]))

    def match(self, arrival: Arrival) -> Assignment:
        """The cluster ``arrival`` joins, by its text or else by its id; its own id's otherwise."""
        if arrival.sketch is not None:
            scored = [
                (self._measure.score(arrival.sketch, self._sketches[key]), self._entries[key])
                for key in self._lsh.query(_lean(arrival.sketch))
            ]
            best = max(
                ((score, entry) for score, entry in scored if score >= self.threshold),
                key=lambda pair: (pair[0], -pair[1].seen_at, pair[1].key),
                default=None,
            )
            if best is not None:
                return Assignment(arrival.key, best[1].cluster_id, round(best[0], 4))
        if arrival.story_id in self._cluster_of_id:
            return Assignment(arrival.key, self._cluster_of_id[arrival.story_id], None)
        return Assignment(arrival.key, arrival.story_id, None)


def _lean(found: Sketch) -> LeanMinHash:
    return LeanMinHash(seed=SEED, hashvalues=found.values, scheme=SCHEME)


def assign(
    index: ClusterIndex, arrivals: Sequence[Arrival], *, seen_at: int, expires_at: int
) -> Iterator[tuple[Assignment, Entry]]:
    """Each arrival's cluster, in order, each joining the index before the next is matched."""
    for arrival in arrivals:
        assignment = index.match(arrival)
        entry = Entry(
            key=arrival.key,
            story_id=arrival.story_id,
            cluster_id=assignment.cluster_id,
            seen_at=seen_at,
            expires_at=expires_at,
            sketch=None if arrival.sketch is None else arrival.sketch.encode(),
        )
        index.add(entry)
        yield assignment, entry
