"""Variants real feeds send, made from the real samples in tests/cases: padded header lines,
Latin-1 inside UTF-8 copy, text under a content type that does not say text. Being liberal in
what is accepted: where the content is text, it is read."""

from __future__ import annotations

import re

import pytest

from pipeline.errors import ParseError, Reason
from pipeline.parse.registry import parse_item
from pipeline.records import ItemFailure, RawItem, Story
from tests.conftest import CASES

DPA = (CASES / "iptc7901" / "IPTC7901-excerpt.txt").read_bytes()
AP = (CASES / "anpa" / "anpa-1-excerpt.tst").read_bytes()
AFP = (CASES / "newsml_1" / "afp-latin1-label.xml").read_bytes()
REUTERS = (CASES / "newsml_g2" / "reuters-update-excerpt.xml").read_bytes()
NITF_IN_G2 = (
    CASES / "newsml_g2" / "LISTING_25_An_NITF_marked-up_article_conveyed_in_inlineXML.xml"
).read_bytes()


def story(raw: bytes, uri: str = "in/item") -> Story:
    (found,) = parse_item(RawItem.of(uri, raw), format_name="auto")
    assert isinstance(found, Story), getattr(found, "error", found)
    return found


@pytest.mark.parametrize(
    "raw",
    [
        DPA.replace(b"\x01eca062", b"\x01\x7f\x7f\x7feca062", 1),  # DEL after SOH
        DPA.replace(b"dpa 061\r\n", b"dpa 061\x7f\x7f\x7f\x7f\r\n", 1),  # DEL after the fields
        DPA.replace(b"Germany-politics/", b"\x7f\x7fGermany-politics/\x16\x16", 1),
    ],
    ids=["before the header", "after the header", "around the keywords"],
)
def test_iptc7901_header_lines_padded_with_fillers(raw: bytes) -> None:
    padded = story(raw)
    assert padded.source.format == "iptc7901"
    assert padded.headline == story(DPA).headline  # not the header line, as text would take
    assert (padded.slugline, padded.urgency, padded.body) == (
        story(DPA).slugline, story(DPA).urgency, story(DPA).body,
    )  # fmt: skip


@pytest.mark.parametrize(
    "header",
    [
        b"\x01ANA-MPE/ATH/2345 URGENT\r\n",
        b"\x01\x7f\x7fZCZC TTX0114 3 UTR\r\n",
        b"\x01 dpa 061\r\n",
    ],
    ids=["agency layout", "padded telex layout", "sender only"],
)
def test_iptc7901_with_an_agencys_own_header_layout(header: bytes) -> None:
    own = story(DPA.replace(b"\x01eca062 4 i 211 ccccb   dpa 061\r\n", header, 1))
    assert own.source.format == "iptc7901"
    assert own.headline == story(DPA).headline  # the header line is never the headline
    assert (own.slugline, own.body) == (story(DPA).slugline, story(DPA).body)
    assert own.urgency is None  # no priority digit where 7901 puts it


def test_xml_and_json_in_no_known_format_are_unknown_format() -> None:
    for raw, kind in (
        (b"<?xml version='1.0'?>\n<Response>\n<Match>1</Match>\n<Score>2-1</Score>\n</Response>",
         "an XML document (root <Response>)"),
        (b'{\n "$schema": "http://json-schema.org/draft-04/schema#",\n "type": "object"\n}',
         "a JSON document"),
    ):  # fmt: skip
        with pytest.raises(ParseError) as failure:
            list(parse_item(RawItem.of("in/x", raw), format_name="auto"))
        assert failure.value.reason is Reason.UNKNOWN_FORMAT
        assert failure.value.message.startswith(f"{kind} in no format wire-ingest reads")
        (as_text,) = parse_item(RawItem.of("in/x", raw), format_name="text")  # when asked
        assert isinstance(as_text, Story)
    xxe = (b'<?xml version="1.0"?>\n<!DOCTYPE foo [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
           b"<foo>\n&xxe;\n</foo>\n")  # fmt: skip
    with pytest.raises(ParseError) as unsafe:  # refused, not read as a story of text
        list(parse_item(RawItem.of("in/x", xxe), format_name="auto"))
    assert unsafe.value.reason is Reason.UNSAFE


def test_anpa_header_padded_with_fillers() -> None:
    padded = story(AP.replace(b"\x01", b"\x01\x7f\x7f", 1))
    assert padded.source.format == "anpa"
    assert padded.headline == story(AP).headline and padded.body == story(AP).body


def test_latin1_bytes_inside_utf8_copy_are_read_as_latin1_and_the_rest_as_utf8() -> None:
    mixed = DPA.replace(
        b"Negotiations between", "Kühne and ".encode() + b"M\xfcller said negotiations between", 1
    )
    assert "Kühne and Müller said negotiations" in story(mixed).body
    whole = story(DPA.replace(b"Negotiations", b"N\xe9gotiations", 1))  # a Windows-1252 file
    assert "Négotiations" in whole.body


def test_bytes_windows_1252_leaves_undefined_still_make_an_item_undecodable() -> None:
    raw = b"Headline\n\nCaf\xe9 costs \x81 more.\n"
    with pytest.raises(ParseError) as failure:
        list(parse_item(RawItem.of("in/x.txt", raw), format_name="auto"))
    assert failure.value.reason is Reason.UNDECODABLE and "0x81" in failure.value.message


def test_newsml_1_text_in_a_complexdata_content_item() -> None:
    complex_item = AFP.replace(
        b'<MediaType FormalName="Text"/>', b'<MediaType FormalName="ComplexData"/>'
    )
    assert complex_item != AFP
    found = story(complex_item)
    assert "Musenga" in found.body and found.body == story(AFP).body


def test_newsml_1_complexdata_without_text_is_still_not_a_text_story() -> None:
    complex_item = AFP.replace(b'FormalName="Text"', b'FormalName="ComplexData"')
    empty = re.sub(rb"<DataContent>.*?</DataContent>", b"<DataContent/>", complex_item, flags=re.S)
    (failure,) = parse_item(RawItem.of("in/afp.xml", empty), format_name="auto")
    assert isinstance(failure, ItemFailure) and failure.error.reason is Reason.NOT_TEXT


def test_newsml_g2_an_agencys_own_nitf_content_type_is_read_by_its_markup() -> None:
    flavoured = re.sub(rb'contenttype="[^"]*"', b'contenttype="application/ttnitf+xml"', NITF_IN_G2)
    assert story(flavoured).body == story(NITF_IN_G2).body != ""


def test_newsml_g2_markup_sent_as_inline_data_under_its_own_content_type() -> None:
    nitf = (
        b'<?xml version="1.0"?><nitf><body><body.content>'
        b"<p>Stockholm (TT) - The Riksbank held its rate.</p><p>It said so on Tuesday.</p>"
        b"</body.content></body></nitf>"
    )
    escaped = nitf.replace(b"&", b"&amp;").replace(b"<", b"&lt;").replace(b">", b"&gt;")
    item = re.sub(
        rb"<ns0:inlineXML.*?</ns0:inlineXML>",
        b'<ns0:inlineData contenttype="application/ttnitf+xml">' + escaped + b"</ns0:inlineData>",
        REUTERS, flags=re.S,
    )  # fmt: skip
    assert story(item).paragraphs == ["Stockholm (TT) - The Riksbank held its rate.",
                                      "It said so on Tuesday."]  # fmt: skip


def test_newsml_g2_text_only_under_pre_blocks() -> None:
    pre = re.sub(rb"<html:p>(.*?)</html:p>", rb"<html:pre>\1</html:pre>", REUTERS, flags=re.S)
    assert b"<html:p>" not in pre
    assert "Residents of flooded areas" in story(pre).body


def test_newsml_g2_remote_content_beside_the_text_leaves_the_text_read() -> None:
    remote = b'<ns0:remoteContent href="https://example.com/story.html" contenttype="text/html"/>'
    item = REUTERS.replace(b"<ns0:inlineXML", remote + b"\n<ns0:inlineXML", 1)
    assert story(item).body == story(REUTERS).body
