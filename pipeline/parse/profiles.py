"""Agency profiles: what an agency's items mean where their format leaves it to the sender.

A format says how to write a time, a priority or an identifier; it does not say which time
zone a time without an offset is in (dpa writes local German time, AAP Sydney time), what an
agency's own priority codes are worth on the IPTC urgency scale, or which of several
identifiers an agency keeps across the versions of a story. Those are facts about the agency,
kept as data in ``configs/agencies.toml`` (``[agencies.<provider>]``) and applied here, once,
to every story a parser gives, so no parser needs to know any agency:

* ``timezone``: parsers give times written without an offset as ``wire.UNZONED``; they are
  read in the agency's zone, else as UTC;
* ``urgency``: the story's ``priority`` (the code as sent) looked up in the agency's scale,
  over the format's own reading;
* ``id``: the first of the named identifiers (``Story.identifiers``) the item carries;
* ``byline``: the writer's name out of the agency's way of writing bylines ("Von Christian
  Hollmann, dpa" -> "Christian Hollmann").

The agency's clean rules (sign-offs and bylines in the copy) are the clean stage's
(``pipeline.clean.rules``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, tzinfo
from zoneinfo import ZoneInfo

from pipeline.parse.wire import UNZONED
from pipeline.records import Story
from pipeline.settings import AgencySettings, by_agency, find_agency

# The story fields that hold times a parser may have read without an offset.
TIME_FIELDS = ("version_created", "first_created", "embargoed")


@dataclass(frozen=True)
class AgencyProfile:
    zone: tzinfo = UTC
    urgency: Mapping[str, int] | None = None  # casefolded code as sent -> IPTC urgency
    id_names: tuple[str, ...] = ()
    bylines: tuple[re.Pattern[str], ...] = ()

    @classmethod
    def of(cls, settings: AgencySettings) -> AgencyProfile:
        return cls(
            zone=ZoneInfo(settings.timezone) if settings.timezone else UTC,
            urgency={code.casefold(): value for code, value in settings.urgency.items()},
            id_names=settings.id,
            bylines=tuple(re.compile(pattern) for pattern in settings.byline),
        )


# A provider without a profile: times without an offset are UTC, the format decides the rest.
NO_PROFILE = AgencyProfile()


def build_profiles(
    agencies: Mapping[str, AgencySettings], names: Mapping[str, str]
) -> dict[str, AgencyProfile]:
    """The profiles by casefolded provider name, under each of the agency's ``names`` too."""
    return by_agency({name: AgencyProfile.of(profile) for name, profile in agencies.items()}, names)


def apply_profile(story: Story, profiles: Mapping[str, AgencyProfile]) -> Story:
    """``story`` as its agency's profile reads it; every parsed story goes through here, so no
    time leaves the parse stage ``UNZONED``."""
    profile = find_agency(profiles, story.provider) or NO_PROFILE
    changes: dict[str, object] = {
        name: _placed(value, profile.zone)
        for name in TIME_FIELDS
        if (value := getattr(story, name)) is not None and value.tzinfo is UNZONED
    }
    if profile.urgency and story.priority is not None:
        urgency = profile.urgency.get(story.priority.strip().casefold())
        if urgency is not None:
            changes["urgency"] = urgency
    for pattern in profile.bylines if story.byline else ():
        if found := pattern.fullmatch(story.byline):
            changes["byline"] = found["byline"].strip() or None
            break
    if profile.id_names:
        carried = dict(story.identifiers)
        chosen = next((carried[name] for name in profile.id_names if carried.get(name)), None)
        if chosen is not None:
            changes["id"] = chosen
    return replace(story, **changes) if changes else story


def _placed(value: datetime, zone: tzinfo) -> datetime:
    """A time read without an offset, as the same wall-clock time in ``zone``, in UTC."""
    return value.replace(tzinfo=zone).astimezone(UTC)
