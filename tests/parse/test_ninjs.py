"""ninjs 1.x, 2.x and 3.x: recognising it, its metadata in every version's names, choosing the
body, containers, non-text items, and broken or hostile input."""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from pipeline.errors import DataError, ParseError, Reason
from pipeline.parse import ap_media, jsonl
from pipeline.parse.ninjs import detect, parse_ninjs
from pipeline.records import ItemFailure, RawItem, Story, Subject
from tests.conftest import CASES, corpus

CASE = CASES / "ninjs"
COSTA_HEADLINE = "Captain of wrecked cruise ship on trial in Italy"
MEDIATOPIC = "http://cv.iptc.org/newscodes/mediatopic/"
MIDNIGHT = datetime(2019, 10, 1, tzinfo=UTC)
COSTA_FIRST = "GROSSETO, Italy (AP) -- The trial of the captain of the shipwrecked Costa Concordia"


def case(name: str) -> dict[str, Any]:
    return json.loads((CASE / name).read_text(encoding="utf-8"))


def encode(value: Any) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


def parse_all(raw: bytes) -> list[Story | ItemFailure]:
    return list(parse_ninjs(RawItem.of("in/item.json", raw)))


def parse(raw: bytes) -> Story:
    (story,) = parse_all(raw)
    assert isinstance(story, Story)
    return story


def failure(raw: bytes) -> ParseError:
    with pytest.raises(ParseError) as raised:
        parse_all(raw)
    return raised.value


def text_item(**properties: Any) -> bytes:
    return encode({"uri": "urn:test:1", "type": "text", "body_text": "Body text.", **properties})


# Detection.


@pytest.mark.parametrize("path", sorted(CASE.glob("*.json")), ids=lambda path: path.name)
def test_ninjs_detect_recognises_every_case(path: Path) -> None:
    raw = path.read_bytes()
    assert detect(raw)
    assert not ap_media.detect(raw) and not jsonl.detect(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b"Headline\n\nBody text with a {brace}.",
        b"<!DOCTYPE html><html><body><p>x</p></body></html>",
        b'<?xml version="1.0"?><nitf><body><body.content><p>x</p></body.content></body></nitf>',
        (CASES / "ap_media" / "ap_media_text_item.json").read_bytes(),
        (CASES / "jsonl" / "stories.jsonl").read_bytes(),
        b'{"requests": {"http://x/a.jpg": {"get": {"binary": "a.jpg"}}}}',  # Superdesk's mocks
        b'{"uri": {"title": "URI", "type": "string"}, "type": "object"}',  # a JSON schema
        b'{"headline": "One line", "body": "A one-line JSON Lines story."}',
        b"[1, 2, 3]",
    ],
)
def test_ninjs_detect_leaves_other_content_alone(raw: bytes) -> None:
    assert not detect(raw)


# Metadata, in each version's names.


def test_ninjs_3_metadata_from_dpa() -> None:
    story = parse((CASE / "dpa_text.json").read_bytes())
    assert story.source.format == "ninjs"
    assert story.id == "urn:newsml:dpa.com:20090101:190510-99-167362"
    assert story.version == "2"
    assert story.version_created == datetime(2019, 5, 10, 14, 2, 28, tzinfo=UTC)
    assert story.pub_status == "usable"
    assert story.urgency == 4
    assert story.provider == "dpa"  # copyrightHolder: ninjs has no provider property
    assert story.copyright == "Copyright 2019, dpa (www.dpa.de). Alle Rechte vorbehalten"
    assert story.language == "de"
    assert story.byline == "Von Christian Hollmann, dpa"
    assert story.headline == "Faktencheck Derby-Elfmeter: Hat Schiedsrichter Zwayer recht?"
    assert len(story.paragraphs) == 9
    assert story.paragraphs[0].startswith("Für Lucien Favre war es «der größte Skandal")
    assert not story.page_text


def test_ninjs_3_subjects_slugline_and_first_created_from_tt() -> None:
    story = parse((CASE / "tt_text_image_3.json").read_bytes())
    assert story.subjects == (
        Subject("16000000", "Krig, konflikter och oroligheter", "http://tt.se/spec/subref/1.0/"),
    )
    assert story.slugline == "militärövning"
    assert story.urgency == 3
    assert story.language == "sv"
    assert story.provider == "TT"
    assert story.version_created == datetime(2021, 5, 26, 11, 40, 18, tzinfo=UTC)
    # The plain-text body, one paragraph a line; not TT's own XML body, nor the figure captions
    # of its HTML bodies.
    assert story.paragraphs[2].startswith("Pandemin satte stopp för den stora internationella")
    assert story.paragraphs[1] == "Försvar TT"  # spaced as in plain text, not as in the HTML
    assert "TTNITF" not in story.body and "Arkivbild" not in story.body


def test_ninjs_3_located_byline_and_subject_uris_from_addb() -> None:
    story = parse((CASE / "addb-ninjs-nitf.json").read_bytes())
    assert story.located == "Oslo, Norway"
    assert story.byline == "Trond Husø, The Anti-Doping Database"
    assert story.subjects[0] == Subject("15000000", "Sport", MEDIATOPIC)
    assert story.version == "2"


def test_ninjs_1_metadata() -> None:
    story = parse((CASE / "ninjsExMediumText1.json").read_bytes())
    assert story.id == "http://ninjs.example.com/newsitems/20130709med123"
    assert story.byline == "Paulo Santalucia and Frances d'Emilio"
    assert story.located == "Grossetto, Italy"
    assert story.language == "en"
    assert story.copyright.startswith("Copyright 2013 The News Agency")
    assert story.version_created == datetime(2013, 7, 9, 10, 37, tzinfo=UTC)
    assert story.subjects == ()  # person, place and organisation are not subjects


@pytest.mark.parametrize(
    "name", ["ninjsExMediumText1.json", "simple_text_article_1.6.json", "ninjsExSimpleText_2.json",
             "ninjsExSimpleText_3.json"],
)  # fmt: skip
def test_ninjs_every_version_gives_the_same_story(name: str) -> None:
    """1.4 (body_text, body_xhtml), 1.6 (headline_main, body_main, body_richtext), 2.x (bodies
    with contenttype) and 3.x (contentType): the same headline, the XHTML's four paragraphs."""
    story = parse((CASE / name).read_bytes())
    assert story.headline == COSTA_HEADLINE
    assert len(story.paragraphs) == 4
    assert story.paragraphs[0].startswith(COSTA_FIRST)
    assert story.paragraphs[-1].endswith("Schettino has denied wrongdoing.")


@pytest.mark.parametrize(
    ("properties", "field", "expected"),
    [
        ({"pubstatus": "canceled"}, "pub_status", "canceled"),
        ({"pubStatus": "Withheld"}, "pub_status", "withheld"),
        ({"pubstatus": "cancelled"}, "pub_status", "canceled"),
        ({"pubstatus": "commissioned"}, "pub_status", "usable"),  # not a status: the default
        ({"embargoed": "2019-10-01T02:00:00+02:00"}, "embargoed", MIDNIGHT),
        ({"embargoedUntil": "2019-10-01T00:00:00Z"}, "embargoed", MIDNIGHT),
        ({"firstcreated": "2017-08-24T04:37:19+0000"}, "first_created",
         datetime(2017, 8, 24, 4, 37, 19, tzinfo=UTC)),
        ({"ednote": "Corrects spelling of name"}, "editorial_note", "Corrects spelling of name"),
        ({"edNote": "Noe utvidet."}, "editorial_note", "Noe utvidet."),
        ({"keywords": ["Polizeihund", "China", "China", ""]}, "keywords", ("Polizeihund", "China")),
        ({"source": "AAP", "copyrightholder": "Australian Associated Press"}, "provider", "AAP"),
        ({"guid": "urn:newsml:localhost:1"}, "id", "urn:test:1"),  # uri first
        ({"urgency": "2"}, "urgency", 2),
        ({"urgency": 12}, "urgency", None),
        ({"version": 3}, "version", "3"),
        ({"subject": [{"code": "01000000", "name": "arts, culture and entertainment"}]}, "subjects",
         (Subject("01000000", "arts, culture and entertainment"),)),
        ({"subjects": [{"name": "Innenriks", "literal": "Innenriks"}]}, "subjects",
         (Subject("Innenriks", "Innenriks"),)),
    ],
)  # fmt: skip
def test_ninjs_metadata_fields(properties: dict[str, Any], field: str, expected: Any) -> None:
    assert getattr(parse(text_item(**properties)), field) == expected


def test_ninjs_guid_is_the_id_without_a_uri() -> None:
    raw = encode({"guid": "urn:newsml:localhost:1", "type": "text", "body_html": "<p>Text.</p>"})
    assert parse(raw).id == "urn:newsml:localhost:1"


# The body.


def test_ninjs_plain_body_with_paragraphs_wins_over_markup() -> None:
    item = case("ninjsExMediumText1.json")
    item["body_text"] = "First paragraph, plain.\n\nSecond paragraph, plain."
    item["body_xhtml"] = "<p>First paragraph, plain.</p><p>Second paragraph, <b>plain</b>.</p>"
    assert parse(encode(item)).paragraphs == ["First paragraph, plain.", "Second paragraph, plain."]


def test_ninjs_plain_body_with_one_line_a_paragraph() -> None:
    story = parse(text_item(body_text="First line.\r\nSecond   line.\r\n\r\n"))
    assert story.paragraphs == ["First line.", "Second line."]


def test_ninjs_more_complete_body_wins() -> None:
    body = "<p>Lead paragraph.</p><p>" + "More text here. " * 30 + "</p>"
    story = parse(text_item(body_text="Lead paragraph.", body_html=body))
    assert len(story.paragraphs) == 2


def test_ninjs_nitf_body_with_the_lead_beats_plain_text_without_it() -> None:
    """ADDB's NITF body has the lead paragraph its plain-text body lacks; NITF's head and
    body.head (title, hedline, byline) are not body text."""
    story = parse((CASE / "addb-ninjs-nitf.json").read_bytes())
    assert story.paragraphs[0].startswith("The Australian Sports Anti-Doping Authority (ASADA)")
    assert story.paragraphs[1].startswith("The initiatives are being implemented in close")
    assert "Tour Down Under' will be the toughest" not in story.body
    assert "By DopingWatch" not in story.body


def test_ninjs_html_body_drops_markup_and_scripts() -> None:
    html = "<p>One &amp; <b>two</b>.</p><script>x()</script>"
    story = parse(text_item(body_text=None, body_html=html))
    assert story.body == "One & two."


def test_ninjs_html_body_leaves_out_figures() -> None:
    html = ("<p>First.</p><figure><img src='a.jpg' alt='x'><figcaption>A caption, "
            "Photo: Agency</figcaption></figure><p>Second.</p>")  # fmt: skip
    assert parse(text_item(body_text=None, body_html=html)).paragraphs == ["First.", "Second."]


def test_ninjs_placeholder_body_is_no_body() -> None:
    assert failure(text_item(body_text="...")).reason is Reason.NO_BODY


def test_ninjs_description_is_not_a_body() -> None:
    error = failure((CASE / "ntb_text.json").read_bytes())
    assert error.reason is Reason.NO_BODY
    assert "only a description" in error.message


def test_ninjs_headline_falls_back_to_the_lead() -> None:
    story = parse(encode({"uri": "urn:x", "body_text": "Words " * 20}))
    assert story.headline == " ".join(["Words"] * 12) + " ..."


# Item types.


@pytest.mark.parametrize(
    ("name", "kind"), [("ap_image.json", "picture"), ("simpleEvent.json", "event")]
)
def test_ninjs_non_text_items(name: str, kind: str) -> None:
    error = failure((CASE / name).read_bytes())
    assert error.reason is Reason.NOT_TEXT
    assert error.message == f"{kind} item, not a text story"


def test_ninjs_composite_press_release_is_a_story() -> None:
    story = parse((CASE / "businesswire-newsml-20130731006140.json").read_bytes())
    assert story.headline.startswith("Lunch Taking a Toll?")
    assert story.body.startswith("With more Applebee’s® Lunch Combos than ever")


def test_ninjs_composite_without_text_is_not_text() -> None:
    raw = encode({"uri": "urn:pkg", "type": "composite", "associations": {"a": {"uri": "urn:p"}}})
    error = failure(raw)
    assert error.reason is Reason.NOT_TEXT
    assert "composite item without a text body" in error.message


def test_ninjs_typeless_item_without_a_type_is_text() -> None:
    assert parse(encode({"uri": "urn:x", "headline": "H", "body_text": "B."})).body == "B."


# Containers.


def test_ninjs_array_is_a_container() -> None:
    items = [case("ninjsExSimpleText_3.json"), case("ap_image.json"), "a string",
             case("dpa_text.json")]  # fmt: skip
    item = RawItem.of("in/items.json", encode(items), compression="gzip")
    results = list(parse_ninjs(item))
    assert [result.source.index for result in results] == [0, 1, 2, 3]
    for result, value in zip(results, items, strict=True):
        assert result.raw == json.dumps(value, ensure_ascii=False).encode()
        assert result.source.sha256 == hashlib.sha256(result.raw).hexdigest()
        assert result.source.uri == "in/items.json"
        assert result.source.format == "ninjs"
        assert result.source.compression == "gzip"
    first, picture, string, last = results
    assert isinstance(first, Story) and first.headline == COSTA_HEADLINE
    assert isinstance(picture, ItemFailure) and picture.error.reason is Reason.NOT_TEXT
    assert isinstance(string, ItemFailure) and string.error.reason is Reason.MALFORMED
    assert isinstance(last, Story) and last.provider == "dpa"


def test_ninjs_event_collection_is_all_not_text() -> None:
    results = parse_all((CASE / "20231016-event-timeline-sample.json").read_bytes())
    assert len(results) == 14
    assert all(isinstance(result, ItemFailure) for result in results)
    assert {result.error.reason for result in results} == {Reason.NOT_TEXT}


def test_ninjs_bbc_feed_holds_its_items() -> None:
    (story,) = parse_all((CASE / "bbc-ninjs-text-test.json").read_bytes())
    assert isinstance(story, Story)
    assert story.source.index == 0
    assert story.id == "https://www.example.com//12345"
    assert story.headline == "advisory" and story.body == "body"
    assert story.byline == "John Doe"
    assert story.urgency == 3
    assert story.subjects == (Subject("category:planning-permission", "Planning Permission"),)
    assert story.first_created == datetime(2018, 5, 28, 16, 40, 8, tzinfo=UTC)


def test_ninjs_empty_array_has_no_items() -> None:
    assert failure(b"[]").reason is Reason.NO_BODY


# Broken and hostile input.


@pytest.mark.parametrize(
    "raw",
    [
        (CASE / "dpa_text.json").read_bytes()[:500],  # truncated
        b"[" * 100_000 + b"]" * 100_000,  # nested past the decoder's depth
        b'{"uri": "x", "urgency": ' + b"9" * 5000 + b"}",  # an int Python will not read
        b'"just a string"',
        b'{"requests": {"http://x/a.jpg": {"get": {"binary": "a.jpg"}}}}',
    ],
)
def test_ninjs_malformed_input(raw: bytes) -> None:
    assert failure(raw).reason is Reason.MALFORMED


def test_ninjs_odd_value_types_do_not_lose_the_story() -> None:
    raw = text_item(
        headlines="not a list", bodies={"value": 1}, urgency=float("inf"), version={"v": 1},
        subjects=[1, None, {"uri": 5}, {"uri": "http://cv.iptc.org/newscodes/mediatopic/04000000"}],
        versioncreated=12, keywords="single", byline=["a"], language="",
    )  # fmt: skip
    story = parse(raw)
    assert story.body == "Body text."
    assert story.subjects == (Subject("04000000", None, MEDIATOPIC),)
    assert story.keywords == ("single",)
    assert (story.urgency, story.version, story.version_created, story.byline) == (None,) * 4


def test_ninjs_lone_surrogates_are_dropped() -> None:
    story = parse(b'{"uri": "x", "headline": "A \\ud800B", "body_text": "C\\udfffD"}')
    assert (story.headline, story.body) == ("A B", "CD")


def _billion_laughs_nitf() -> str:
    laughs = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    return (
        f'<?xml version="1.0"?><!DOCTYPE nitf [{laughs}]>'
        "<nitf><body><body.content><p>&lol9;</p></body.content></body></nitf>"
    )


@pytest.mark.parametrize(
    "nitf",
    [
        _billion_laughs_nitf(),
        '<?xml version="1.0"?><!DOCTYPE nitf [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        "<nitf><body><body.content><p>&xxe;</p></body.content></body></nitf>",
    ],
)
def test_ninjs_hostile_nitf_body_is_unsafe(nitf: str) -> None:
    raw = encode({"uri": "x", "bodies": [{"contentType": "text/vnd.IPTC.NITF", "value": nitf}]})
    start = time.perf_counter()
    error = failure(raw)
    assert time.perf_counter() - start < 2
    assert error.reason is Reason.UNSAFE


def test_ninjs_hostile_nitf_body_gives_way_to_a_plain_one() -> None:
    bodies = [{"contentType": "text/vnd.IPTC.NITF", "value": _billion_laughs_nitf()},
              {"contentType": "text/plain", "value": "The plain text."}]  # fmt: skip
    assert parse(encode({"uri": "x", "bodies": bodies})).body == "The plain text."


# The shared corpora.


def _outcomes(paths: list[Path]) -> Counter[str]:
    """Stories and failures by reason; any exception but a DataError fails the test."""
    counts: Counter[str] = Counter()
    for path in paths:
        try:
            results = parse_all(path.read_bytes())
        except DataError as error:
            counts[error.reason.value] += 1
            continue
        for result in results:
            counts["story" if isinstance(result, Story) else result.error.reason.value] += 1
    return counts


@pytest.mark.slow
def test_ninjs_iptc_examples() -> None:
    root = corpus("ninjs")
    paths = sorted((root / "examples").rglob("*.json"))
    paths += sorted((root / "documentation").rglob("*.json"))
    assert _outcomes(paths) == {"story": 32, "not_text": 39, "no_body": 8}


@pytest.mark.slow
def test_ninjs_validation_suite_never_crashes() -> None:
    """should_fail files may parse or fail; none may raise anything but a DataError."""
    paths = sorted(corpus("ninjs", "validation", "test_suite").rglob("*.json"))
    assert len(paths) == 230
    counts = _outcomes(paths)
    # 5, and 3 kill notices (pubstatus canceled, some with nothing else), stories since #14
    assert counts["story"] == 5 + 3
    assert sum(counts.values()) == 230


@pytest.mark.slow
def test_ninjs_superdesk_fixtures() -> None:
    folder = corpus("superdesk-fixtures", "superdesk-core", "tests", "io", "fixtures")
    paths = sorted(folder.glob("ninjs*.json")) + sorted(folder.glob("bbc-ninjs-*.json"))
    assert _outcomes(paths) == {"story": 9, "not_text": 2, "malformed": 1}
