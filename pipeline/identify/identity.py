"""Pure identity functions: stable ids, content hashes, and merging exact duplicates."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from pipeline.records import Duplicate, Story

_WHITESPACE = re.compile(r"\s+")


def normalize(text: str) -> str:
    """Case, Unicode compatibility forms and spacing removed: what a repost does not change."""
    return _WHITESPACE.sub(" ", unicodedata.normalize("NFKC", text).casefold()).strip()


def identify(story: Story) -> Story:
    """Sets ``content_sha256`` (of the clean body) and, unless the source gave one, ``id``.

    Without a source id the id is the SHA-256 of the normalised headline and body, so the same
    story saved twice, or reposted with other boilerplate around it, gets the same id.
    """
    content = hashlib.sha256(story.body.encode("utf-8")).hexdigest()
    story_id = (
        story.id
        or hashlib.sha256(
            f"{normalize(story.headline)}\n{normalize(story.body)}".encode()
        ).hexdigest()
    )
    return replace(story, id=story_id, content_sha256=content)


def duplicate_key(story: Story) -> str:
    """Stories with equal keys are the same delivery of the same story."""
    return identity_key(story.id, story.version, story.content_sha256)


def identity_key(story_id: str, version: str | None, content_sha256: str) -> str:
    """The duplicate key from its parts, as a story record holds them."""
    return f"{story_id}\x1f{version or ''}\x1f{content_sha256}"


def merge_duplicates(stories: Iterable[Story]) -> Story:
    """Keeps the first story by source (uri, index) and lists the others' sources on it."""
    first, *others = sorted(stories, key=lambda story: (story.source.uri, story.source.index))
    others_sources = tuple(story.source for story in others)
    return replace(first, duplicate_sources=first.duplicate_sources + others_sources)


def repeats(story: Story, *, detected_at: datetime) -> list[Duplicate]:
    """A ``Duplicate`` for each input that carried ``story`` (its own and its duplicates'
    sources), when the same story is already in the output."""
    return [
        Duplicate(
            source=source,
            id=story.id,
            version=story.version,
            content_sha256=story.content_sha256,
            detected_at=detected_at,
        )
        for source in (story.source, *story.duplicate_sources)
    ]
