"""Reuters-21578: recognising the SGML files, each <REUTERS> element as an item, its fields,
its body without the wire's sign-off, BRIEF and UNPROC texts, broken and hostile input, and the
whole collection's counts and speed."""

from __future__ import annotations

import hashlib
import re
import time
from collections import Counter
from datetime import UTC, datetime

import pytest

from pipeline.errors import ParseError, Reason
from pipeline.parse.reuters21578 import detect, parse_reuters21578
from pipeline.records import ItemFailure, RawItem, Story, Subject
from tests.conftest import CASES, corpus

EXCERPT = (CASES / "reuters21578" / "reut2-000-excerpt.sgm").read_bytes()
DOCTYPE = b'<!DOCTYPE lewis SYSTEM "lewis.dtd">\n'


def items(raw: bytes, uri: str = "in/reut2-000.sgm") -> list[Story | ItemFailure]:
    return list(parse_reuters21578(RawItem.of(uri, raw)))


def element(text: str, *, attributes: str = 'OLDID="5544" NEWID="7"', extra: str = "") -> bytes:
    """One <REUTERS> element around a <TEXT> element's content."""
    return (
        f'<REUTERS TOPICS="YES" LEWISSPLIT="TRAIN" CGISPLIT="TRAINING-SET" {attributes}>\n'
        f"<DATE>26-FEB-1987 15:01:01.79</DATE>\n<TOPICS><D>cocoa</D></TOPICS>\n{extra}"
        f"<TEXT>&#2;\n{text}</TEXT>\n</REUTERS>"
    ).encode()


def story_of(text: str, **kwargs: str) -> Story:
    (story,) = items(DOCTYPE + element(text, **kwargs))
    assert isinstance(story, Story)
    return story


@pytest.mark.parametrize("raw", [EXCERPT, element("<TITLE>T</TITLE>"), b"\n  <REUTERS NEWID='1'>"])
def test_reuters21578_detect_recognises_the_collection(raw: bytes) -> None:
    assert detect(raw)


@pytest.mark.parametrize(
    "raw",
    [
        b"Headline\n\nBody text.",
    ],
)
def test_reuters21578_detect_leaves_other_formats_alone(raw: bytes) -> None:
    assert not detect(raw)


def test_reuters21578_each_element_is_an_item_with_its_own_bytes() -> None:
    found = items(EXCERPT)
    assert [type(item) for item in found] == [Story, ItemFailure, Story]
    assert [item.source.index for item in found] == [0, 1, 2]
    for item in found:
        assert item.raw.startswith(b"<REUTERS ") and item.raw.endswith(b"</REUTERS>")
        assert item.raw in EXCERPT
        assert item.source.uri == "in/reut2-000.sgm"
        assert item.source.format == "reuters21578"
        assert item.source.sha256 == hashlib.sha256(item.raw).hexdigest()


def test_reuters21578_maps_a_normal_story() -> None:
    story = items(EXCERPT)[0]
    assert isinstance(story, Story)
    assert story.id == "reuters21578:1"
    assert story.headline == "BAHIA COCOA REVIEW"
    assert story.dateline == "SALVADOR, Feb 26"
    assert story.provider == "Reuters"
    assert story.version_created == datetime(1987, 2, 26, 15, 1, 1, 790000, tzinfo=UTC)
    assert story.first_created == story.version_created
    assert story.slugline == "BC-BAHIA-COCOA-REVIEW"
    assert story.urgency == 3  # "u": urgent, in the <UNKNOWN> block's ANPA header
    assert story.subjects == (
        Subject(code="cocoa", scheme="reuters21578-topics"),
        Subject(code="el-salvador", scheme="reuters21578-places"),
        Subject(code="usa", scheme="reuters21578-places"),
        Subject(code="uruguay", scheme="reuters21578-places"),
        Subject(code="f", scheme="anpa-category"),
    )
    assert story.byline is None
    assert not story.page_text


def test_reuters21578_body_is_reflowed_without_sign_off_or_control_codes() -> None:
    story = items(EXCERPT)[0]
    assert isinstance(story, Story)
    assert len(story.paragraphs) == 17
    assert story.paragraphs[0] == (
        "Showers continued throughout the week in the Bahia cocoa zone, alleviating the drought "
        "since early January and improving prospects for the coming temporao, although normal "
        "humidity levels have not been restored, Comissaria Smith said in its weekly review."
    )
    assert story.paragraphs[1] == "The dry period means the temporao will be late this year."
    assert story.paragraphs[-1].endswith("after carnival which ends midday on February 27.")
    for framing in ("Reuter", "&#", "\x03", "\x02", "SALVADOR", "BC-BAHIA", "<"):
        assert framing not in story.body


def test_reuters21578_brief_is_a_headline_without_text() -> None:
    failure = items(EXCERPT)[1]
    assert isinstance(failure, ItemFailure)
    assert failure.error.reason is Reason.NO_BODY
    assert "BRIEF" in failure.error.message
    assert b'NEWID="30"' in failure.raw


def test_reuters21578_unprocessed_text_is_a_title_and_rows() -> None:
    story = items(EXCERPT)[2]
    assert isinstance(story, Story)
    assert story.id == "reuters21578:99"
    assert story.headline == "FEDERAL RESERVE WEEKLY REPORT 1 - FEB 26"
    assert story.urgency == 2  # "b": bulletin
    assert story.paragraphs[:2] == [
        "Two weeks ended Feb 25      daily avgs-mlns",
        "Net free reserves.............644 vs.....1,337",
    ]
    assert story.paragraphs[-1] == "Treasury deposits...........4,208 down......63"


def test_reuters21578_author_entities_and_designator() -> None:
    story = story_of(
        "<TITLE>CORRECTED - TEXACO &lt;TX> SAYS A &amp; B</TITLE>\n"
        "<AUTHOR>    By Janie Gabbett, Reuters</AUTHOR>\n"
        "<DATELINE>    NEW YORK, March 3 -\n    </DATELINE><BODY>Texaco Inc &lt;TX> said\n"
        "prices rose&#127; 3 pct.\n Reuter\n&#3;</BODY>"
    )
    assert story.headline == "CORRECTED - TEXACO <TX> SAYS A & B"
    assert story.signals == ("correction",)
    assert story.byline == "Janie Gabbett, Reuters"
    assert story.dateline == "NEW YORK, March 3"
    assert story.body == "Texaco Inc <TX> said prices rose 3 pct."


@pytest.mark.parametrize(
    ("ending", "last"),
    [
        ("said.\n Reuter\n&#3;", "said."),
        ("said. REUTER\n&#3;", "said."),
        ("said.\nREUTER\n Reuter\n&#3;", "said."),
        ("said. MORE\n More\n&#3;", "said."),
        ("said.\n REUTER...\n&#3;", "said."),
        ("17 REUTER11:43/VB\n&#3;", "17"),
        ("an official told Reuters.\n&#3;", "an official told Reuters."),
        ("they wanted more.\n&#3;", "they wanted more."),
    ],
)
def test_reuters21578_take_endings(ending: str, last: str) -> None:
    story = story_of(f"<TITLE>T</TITLE><BODY>The man {ending}</BODY>")
    assert story.body == f"The man {last}"


def test_reuters21578_date_noise_and_old_id() -> None:
    raw = element("<TITLE>T</TITLE><BODY>Text.</BODY>", attributes='OLDID="12"').replace(
        b"15:01:01.79</DATE>", b"15:01:01.79&#9;&#9;&#9;F</DATE>"
    )
    (story,) = items(raw)
    assert isinstance(story, Story)
    assert story.id == "reuters21578:oldid-12"
    assert story.version_created == datetime(1987, 2, 26, 15, 1, 1, 790000, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<TITLE>ONLY A TITLE</TITLE>Blah blah blah.\n&#3;", "a title and no text"),
        ("<TITLE>T</TITLE><BODY> Reuter\n&#3;</BODY>", "a title and no text"),
        ("&#3;\n", "no text at all"),
    ],
)
def test_reuters21578_items_without_text(text: str, message: str) -> None:
    (failure,) = items(element(text))
    assert isinstance(failure, ItemFailure)
    assert failure.error.reason is Reason.NO_BODY
    assert message in failure.error.message


def test_reuters21578_truncated_file_fails_only_its_last_element() -> None:
    cut = EXCERPT[: EXCERPT.rindex(b"Bank borrowings")]
    found = items(cut)
    assert [type(item) for item in found] == [Story, ItemFailure, ItemFailure]
    last = found[2]
    assert isinstance(last, ItemFailure)
    assert last.error.reason is Reason.MALFORMED
    assert "truncated" in last.error.message
    assert last.raw == cut[cut.rindex(b"<REUTERS") :].rstrip()


def test_reuters21578_element_without_text_is_malformed() -> None:
    raw = element("x").replace(b"<TEXT>", b"<TXT>")
    (failure,) = items(raw)
    assert isinstance(failure, ItemFailure)
    assert failure.error.reason is Reason.MALFORMED


def test_reuters21578_file_without_elements_is_malformed() -> None:
    with pytest.raises(ParseError) as failure:
        items(DOCTYPE + b"nothing here\n")
    assert failure.value.reason is Reason.MALFORMED


def test_reuters21578_declared_entities_are_never_expanded() -> None:
    """A billion-laughs DOCTYPE and an external entity: read fast, nothing expanded or read."""
    laughs = '<!ENTITY lol0 "lol">' + "".join(
        f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)
    )
    doctype = f'<!DOCTYPE lewis [<!ENTITY xxe SYSTEM "file:///etc/passwd">{laughs}]>\n'
    raw = doctype.encode() + element("<TITLE>T &lol9;</TITLE><BODY>Text &xxe; &lol9;.</BODY>")
    start = time.perf_counter()
    (story,) = items(raw)
    assert time.perf_counter() - start < 1
    assert isinstance(story, Story)
    assert story.headline == "T &lol9;"
    assert story.body == "Text &xxe; &lol9;."


@pytest.mark.slow
def test_reuters21578_reads_the_whole_collection_fast() -> None:
    """All 21,578 items of the 22 files: a story or a reason each, counted by TEXT TYPE, in
    seconds (the collection is the throughput benchmark)."""
    files = sorted(corpus("reuters21578").glob("reut2-*.sgm"))
    assert len(files) == 22
    start = time.perf_counter()
    found = [item for path in files for item in items(path.read_bytes(), uri=str(path))]
    elapsed = time.perf_counter() - start
    assert len(found) == 21_578
    outcomes = Counter(
        (_text_type(item.raw), "story" if isinstance(item, Story) else item.error.reason)
        for item in found
    )
    assert outcomes == {
        ("NORM", "story"): 19_043,
        ("BRIEF", Reason.NO_BODY): 1_798,
        ("UNPROC", "story"): 728,
        ("UNPROC", Reason.NO_BODY): 9,
    }
    stories = [item for item in found if isinstance(item, Story)]
    assert len({story.id for story in stories}) == len(stories)
    assert all(story.headline and story.body for story in stories)
    # One date in the collection has no valid time ("31-MAR-1987 605:12:19.12"): none is guessed.
    assert [story.id for story in stories if story.version_created is None] == [
        "reuters21578:17192"
    ]
    assert not [story.id for story in stories if re.search(r"(?i)\breuter\W*$", story.body)]
    assert elapsed < 20, f"{elapsed:.1f} s for the collection"


def _text_type(raw: bytes) -> str:
    found = re.search(rb'<TEXT TYPE="(\w+)"', raw)
    return found[1].decode() if found else "NORM"
