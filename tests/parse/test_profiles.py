"""Agency profiles (configs/agencies.toml) on the agencies' own files: times written without
an offset read in the agency's zone, the id an agency keeps across versions, bylines as the
agency writes them, its sign-offs cut; and a profile set in a user's config."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from pipeline.clean.rules import build_rulebook
from pipeline.clean.strip import strip_boilerplate
from pipeline.errors import ConfigError
from pipeline.parse.profiles import build_profiles
from pipeline.parse.registry import parse_item
from pipeline.records import RawItem, Story
from pipeline.settings import Settings, load_settings
from tests.conftest import CASES, corpus

SUPERDESK = ("superdesk-fixtures", "superdesk-core", "tests", "io", "fixtures")


def parsed(path: Path, settings: Settings, *, format_name: str = "auto") -> list[Story]:
    profiles = build_profiles(settings.agencies, settings.clean.providers)
    found = parse_item(RawItem.of(str(path), path.read_bytes()), format_name=format_name,
                       profiles=profiles)  # fmt: skip
    return [item for item in found if isinstance(item, Story)]  # not the excerpt's briefs


def only(path: Path, settings: Settings) -> Story:
    (story,) = parsed(path, settings)
    return story


def test_ntb_times_are_oslo_time_and_its_id_survives_versions(settings: Settings) -> None:
    story = only(corpus(*SUPERDESK, "nitf-ntb.xml"), settings)
    # date.issue norm="2020-09-07T14:45:26", no offset; the file's own ntb-dato says 14:45
    assert story.version_created == datetime(2020, 9, 7, 12, 45, 26, tzinfo=UTC)  # CEST
    # doc-id "faktisk-..._47" carries the version; du-key's key does not
    assert story.id == "faktisk-d9cde75b-256e-4989-b6a3-b8ad27f43a5c"
    assert ("doc-id", story.id + "_47") in story.identifiers


def test_stt_times_without_offset_are_helsinki_time(settings: Settings) -> None:
    story = only(corpus(*SUPERDESK, "stt_newsml_no_truncated_text_test.xml"), settings)
    assert story.provider == "STT"
    # versionCreated 2023-10-18T14:28:25 and firstCreated ...T01:02:34, no offsets: EEST
    assert story.version_created == datetime(2023, 10, 18, 11, 28, 25, tzinfo=UTC)
    assert story.first_created == datetime(2023, 10, 17, 22, 2, 34, tzinfo=UTC)


def test_reuters_21578_dates_are_new_york_time(settings: Settings) -> None:
    first = parsed(CASES / "reuters21578" / "reut2-000-excerpt.sgm", settings)[0]
    # <DATE>26-FEB-1987 15:01:01.79: EST, five hours behind UTC
    assert first.version_created == datetime(1987, 2, 26, 20, 1, 1, 790_000, tzinfo=UTC)


def test_times_with_an_offset_are_left_as_sent(settings: Settings) -> None:
    story = only(corpus(*SUPERDESK, "aap.xml"), settings)  # AAP, date.issue ...+1100
    assert story.provider == "Australian Associated Press"  # found as AAP by its other name
    assert story.version_created == datetime(2013, 10, 20, 8, 27, 51, tzinfo=UTC)  # +1100


def test_7901_trailer_without_zone_is_german_time_and_gmt_stays(settings: Settings) -> None:
    relayed = only(corpus(*SUPERDESK, "dpa_two_by_line.txt"), settings)
    assert relayed.version_created == datetime(2018, 11, 21, 11, 59, tzinfo=UTC)  # 12:59 CET
    own = only(CASES / "iptc7901" / "IPTC7901-excerpt.txt", settings)
    assert own.version_created == datetime(2013, 11, 13, 11, 37, tzinfo=UTC)  # "131137 GMT"


def test_no_time_leaves_the_parse_stage_without_its_zone(settings: Settings) -> None:
    raw = (CASES / "reuters21578" / "reut2-000-excerpt.sgm").read_bytes()
    story = next(parse_item(RawItem.of("in/x.sgm", raw), format_name="auto"))
    assert isinstance(story, Story) and story.version_created is not None
    assert story.version_created.tzinfo is UTC  # no profiles: UTC, not wire.UNZONED


@pytest.mark.parametrize(
    ("parts", "byline"),
    [
        (("ninjs", "examples", "2.1", "dpa_text.json"), "Christian Hollmann"),  # "Von ..., dpa"
        ((*SUPERDESK, "pa4.xml"), "Ian Jones"),  # "Ian Jones, Press Association"
        ((*SUPERDESK, "ninjs2.json"), "Henning Gloystein"),  # ninjs "By Henning Gloystein"
    ],
)  # fmt: skip
def test_bylines_as_agencies_write_them(
    parts: tuple[str, ...], byline: str, settings: Settings
) -> None:
    assert only(corpus(*parts), settings).byline == byline


def test_reuters_21578_bylines_lose_the_agency(settings: Settings) -> None:
    stories = parsed(corpus("reuters21578", "reut2-000.sgm"), settings)
    bylines = [story.byline for story in stories if story.byline]
    assert "Janie Gabbett" in bylines  # <AUTHOR>    by Janie Gabbett, Reuters</AUTHOR>
    assert not [byline for byline in bylines if "Reuters" in byline]


@pytest.mark.parametrize(
    ("name", "signoff"),
    [("aap.xml", "AAP RTV ar"), ("aap-finance1.xml", "AAP gfr"), ("pa4.xml", "ends")],
)
def test_agency_signoffs_are_cut_from_their_copy_only(
    name: str, signoff: str, settings: Settings
) -> None:
    book = build_rulebook(settings.clean, settings.agencies)
    story = only(corpus(*SUPERDESK, name), settings)
    assert story.paragraphs[-1] == signoff
    clean = strip_boilerplate(story, book)
    assert signoff not in clean.paragraphs
    assert ("signoff", signoff) in [(cut.kind, cut.text) for cut in clean.removed]
    # the same line from another agency is its text: the rule is the agency's own
    other = strip_boilerplate(replace(story, provider="Reuters"), book)
    assert other.paragraphs[-1] == signoff


def test_a_byline_naming_only_the_agency_gives_way_to_the_copys(settings: Settings) -> None:
    book = build_rulebook(settings.clean, settings.agencies)
    story = Story(RawItem.of("in/x", b"x").source, b"x", headline="Storm",
                  body="By Jane Doe\n\nThe storm hit the coast on Monday, officials said.",
                  provider="reuters.com", byline="Reuters")  # fmt: skip
    assert strip_boilerplate(story, book).byline == "Jane Doe"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "profile.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_users_profile_maps_the_agencys_priority_codes(tmp_path: Path) -> None:
    settings = load_settings(write(tmp_path, '[agencies.dpa]\nurgency = { "4" = 5 }\n'))
    assert settings.agencies["dpa"].timezone == "Europe/Berlin"  # the shipped keys stay
    story = only(CASES / "iptc7901" / "IPTC7901-excerpt.txt", settings)
    assert (story.priority, story.urgency) == ("4", 5)
    assert only(CASES / "iptc7901" / "IPTC7901-excerpt.txt", load_settings()).urgency == 4


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[agencies.X]\ntimezone = "Mars/Olympus"\n', "unknown time zone 'Mars/Olympus'"),
        ('[agencies.X]\nurgency = { "a" = 0 }\n', "urgency for 'a' must be 1 to 9, not 0"),
        ("[agencies.X]\nbyline = ['(.+), X']\n", "has no (?P<byline>...) group"),
        ("[agencies.X]\nlanguage = 'en'\n", "agencies.X.language: unknown key"),
    ],
)
def test_bad_profiles_are_config_errors(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        load_settings(write(tmp_path, text))


def test_the_readmes_profile_example_loads_and_works(tmp_path: Path) -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    (example,) = [block for block in re.findall(r"```toml\n(.*?)```", readme, re.S)
                  if "[agencies.dpa]" in block]  # fmt: skip
    settings = load_settings(write(tmp_path, example))
    story = only(CASES / "iptc7901" / "IPTC7901-excerpt.txt", settings)
    assert story.urgency == 5  # priority "4"
    book = build_rulebook(settings.clean, settings.agencies)
    relayed = replace(story, body=story.body + "\n\n(tca/dpa)")
    assert strip_boilerplate(relayed, book).removed[-1].text == "(tca/dpa)"
