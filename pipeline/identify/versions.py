"""What a version is: its rank among the versions of its story, and whether it is a kill.

A later version of a story has a higher ``version_rank``. The rank is, in this order:

1. the format's own sequence: the version number as sent, where the format numbers its
   versions (NewsML-G2 ``@version``, ninjs and AP ``version``, NewsML 1.2 ``RevisionId``,
   NITF ``du-key/@version``, a JSON line's ``version``), or what a parser set itself;
2. else ``version_created``, in microseconds since the epoch;
3. else the time the run that read it started (``ingested_at``): arrival order.

ANPA and IPTC 7901 version lines ("2nd Ld-Writethru", "Correction") are not a sequence: an
original take has none, a correction no number, so those formats fall to their transmission
time (``version_created``), which orders them as they were sent. Ranks compare the versions
of one id from one source; they mean nothing across ids.

Kills: NewsML-G2, NewsML 1.2, NITF, ninjs and AP say so in their metadata (``pub_status``
canceled, set by the parsers). Agencies whose formats have no such field (ANPA, IPTC 7901,
plain text) send a kill advisory: a take whose version line, slugline or headline says KILL,
ELIMINATE or WITHDRAWN. ``[identify] kill_patterns`` in the config lists those words as
regular expressions (data, so an agency's own words can be added); a usable story matching
one becomes canceled, and keeps its text: the advisory says what to kill and why.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from pipeline.records import Story

_LONGEST = 2**63 - 1  # Avro long
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def versioned(
    story: Story, *, kill_patterns: Sequence[re.Pattern[str]], arrived: datetime
) -> Story:
    """``story`` with its ``version_rank``, and canceled when it is a kill advisory."""
    status = "canceled" if is_kill_advisory(story, kill_patterns) else story.pub_status
    return replace(story, version_rank=version_rank(story, arrived=arrived), pub_status=status)


def is_kill_advisory(story: Story, patterns: Sequence[re.Pattern[str]]) -> bool:
    """A usable story whose version line, slugline or headline a kill pattern matches."""
    if story.pub_status != "usable":
        return False
    said = [text.strip() for text in (story.version, story.slugline, story.headline) if text]
    return any(pattern.match(text) for pattern in patterns for text in said)


def version_rank(story: Story, *, arrived: datetime) -> int:
    """``story``'s rank among the versions of its id; ``arrived``: when its run started."""
    if story.version_rank is not None:
        return story.version_rank
    sequence = story.version.strip() if story.version else ""
    if sequence.isascii() and sequence.isdigit() and int(sequence) <= _LONGEST:
        return int(sequence)
    return microseconds(story.version_created or arrived)


def microseconds(moment: datetime) -> int:
    """Microseconds since the epoch, exactly (no float rounding); naive times count as UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    delta = moment - _EPOCH
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds
