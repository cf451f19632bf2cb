"""Features of a page's paragraphs, for telling its main text from its furniture.

Three kinds, all cheap:

* **the paragraph's own text** (after Kohlschütter, Fankhauser and Nejdl, "Boilerplate
  Detection using Shallow Text Features", WSDM 2010): its length, how sentence-like it is, how
  many function words and capitalised words it has;
* **its shape among the others**: comment threads and related-content lists are told by their
  shape rather than by their phrases. A thread repeats a header line (a name and a date, "BY
  NAME AT 01/08/08 05:30 PM", "27."), talks in the first and second person and quotes earlier
  replies; a list of other stories is a run of short headline-like lines; both stand after the
  story's prose, where the prose of the page has mostly been read;
* **its place in the markup** (HTML pages only, ``BlockMarkup``): the share of link text,
  the structural elements around it (nav, aside, footer, list items) and the words of their
  class and id names (related, comment, share, promo, newsletter, ...).

Text features serve stories saved as text and HTML pages alike; the markup features are a
second model's, for HTML (``PAGE_FEATURES``). The same functions compute the features for
training (``scripts/train_main_text_model.py``) and at run time, so the shipped models always
see what they were trained on.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence

from pipeline.records import BlockMarkup

# English function words: prose is full of them, menus and link lists are not.
_FUNCTION_WORDS = frozenset(
    """a about after all also an and any are as at be because been before but by can could
    did do does for from had has have he her his how i if in into is it its just more most my
    no not of on one or our out over said says she so some such than that the their them then
    there these they this those to up was we were what when where which while who will with
    would you your""".split()
)
# First and second person: readers write to each other, news stories rarely do.
_PERSONAL = frozenset("i i'm i've me my mine you you're your yours we us our".split())
_WORD = re.compile(r"\w+")
# The end of a sentence, closing quotes and brackets allowed (also used by the cleaner).
SENTENCE_END = re.compile(r"[.!?…。！？؟][\"'”’)\]»]*$")
_INNER_SENTENCE_END = re.compile(r"[.!?。！？][\s\"”’]")
_SEPARATOR = re.compile(r"\s[|»›•·/–-]\s|[»›|]")
_LEGAL = re.compile(
    r"©|\bcopyright\b|rights reserved|terms of (?:use|service)|privacy policy", re.I
)
_ADDRESS = re.compile(r"https?://|www\.|\w@\w|@\w{2,}")
# A date or a time anywhere in the paragraph: 01/08/08, 12/19/2007 16:36, 05:30 PM, March 3.
_DATE_OR_TIME = re.compile(
    r"\b\d{1,4}[/.-]\d{1,2}[/.-]\d{2,4}\b|\b\d{1,2}:\d{2}\b|\b\d{1,2}\s*[ap]\.?m\b"
    r"|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d{1,2}\b",
    re.I,
)
_NUMBERED = re.compile(r"^\s*#?\d{1,4}[.):]\s")
_QUOTED_REPLY = re.compile(r"^\s*(?:>|&gt;)|\b(?:wrote|writes|said|says)\s*:\s*$|^quote\b", re.I)
# A short line: a headline, a menu entry, a name, a date; words at most.
_SHORT_WORDS = 15
# How far a run of short lines is looked for, each side.
_RUN_WINDOW = 3
# Word classes for a line's shape: "BY JANE DOE AT 01/08/08 05:30 PM" -> "A A A A 0/0/0 0:0 A".
_SHAPE_TOKEN = re.compile(r"\d+|[^\W\d_]+|[^\w\s]")
_SHAPE_LENGTH = 6

TEXT_FEATURES = (
    "log_words",  # log(1 + words)
    "sentence_end",  # ends like a sentence
    "function_words",  # share of English function words
    "capitalised",  # share of words starting with a capital
    "digits",  # share of digit characters
    "separators",  # | » › • between items, as in menus and breadcrumbs
    "word_length",  # mean word length (capped at 15), scaled to 0..1
    "inner_sentences",  # log(1 + sentence ends inside the paragraph)
    "commas",  # commas per word
    "ends_with_colon",  # introduces a list or a form field
    "legal",  # copyright, terms, privacy
    "address",  # a URL, e-mail address or handle
    "lowercase_start",  # continues something (a broken-up sentence, a list item)
    "rule",  # a boilerplate rule matches it
    "date_or_time",  # holds a date or a time (a comment's header, a teaser's date)
    "numbered",  # opens with a number: "27. I agree ..."
    "quoted_reply",  # "> ...", "X wrote:"
    "personal",  # share of first- and second-person words
)
_NEIGHBOUR = (0, 1, 2)  # which text features the neighbours contribute
CONTEXT_FEATURES = (
    "previous_log_words",
    "previous_sentence_end",
    "previous_function_words",
    "next_log_words",
    "next_sentence_end",
    "next_function_words",
    "position",  # 0 for the first paragraph, 1 for the last
    "short_run",  # share of short non-sentence lines among the neighbours each side
    "repeated_shape",  # log(1 + other short lines of the page with the same shape)
    "prose_before",  # share of the page's prose words before the paragraph
    "prose_after",  # share of the page's prose words after it
)
FEATURE_NAMES = (*TEXT_FEATURES, *CONTEXT_FEATURES)

# Class and id words, by what they usually name; matched as parts of names ("commentlist").
NAME_GROUPS: dict[str, tuple[str, ...]] = {
    "names_comment": ("comment", "disqus", "respond", "reply", "discuss"),
    "names_related": ("related", "recommend", "popular", "trending", "teaser", "more", "also",
                      "headlines", "latest", "next", "prev"),
    "names_share": ("share", "sharing", "social", "addthis", "tweet", "facebook"),
    "names_promo": ("promo", "advert", "sponsor", "banner", "outbrain", "taboola", "ads"),
    "names_newsletter": ("newsletter", "subscribe", "signup", "sign-up"),
    "names_navigation": ("nav", "menu", "breadcrumb", "pagination", "pager", "skip"),
    "names_footer": ("footer", "copyright", "legal", "bottom"),
    "names_sidebar": ("sidebar", "widget", "rail", "aside", "module"),
    "names_caption": ("caption", "credit", "photo", "image", "media", "gallery"),
    "names_meta": ("byline", "author", "date", "time", "meta", "tag", "categor"),
    "names_content": ("content", "article", "story", "entry", "post", "body", "main", "text"),
}  # fmt: skip
_TAG_FEATURES = {
    "in_nav": ("nav",),
    "in_aside": ("aside",),
    "in_footer": ("footer",),
    "in_header": ("header",),
    "in_list_item": ("li",),
    "in_form": ("form",),
    "in_heading": ("h1", "h2", "h3", "h4", "h5", "h6"),
    "in_blockquote": ("blockquote",),
    "in_figure": ("figure", "figcaption"),
    "in_table": ("td",),
    "in_article": ("article", "main"),
}
MARKUP_FEATURES = (
    "link_share",  # share of the paragraph's characters inside links
    *_TAG_FEATURES,
    *NAME_GROUPS,
    "extracted",  # trafilatura kept it
    "in_area",  # in the page area around trafilatura's text
)
PAGE_FEATURES = (*FEATURE_NAMES, *MARKUP_FEATURES)
# With the other pages of the page's site (``pipeline.clean.site``): how many of them hold the
# same line (log 1 +), and how many there are (log 1 +). They follow FEATURE_NAMES.
SITE_FEATURES = ("site_repeats", "site_pages")


def block_features(paragraph: str, *, rule: bool) -> list[float]:
    """``TEXT_FEATURES`` of one paragraph."""
    words = _WORD.findall(paragraph)
    count = len(words) or 1
    alphabetic = [word for word in words if word[:1].isalpha()] or [""]
    return [
        math.log1p(len(words)),
        1.0 if SENTENCE_END.search(paragraph) else 0.0,
        sum(word.lower() in _FUNCTION_WORDS for word in words) / count,
        sum(word[:1].isupper() for word in alphabetic) / len(alphabetic),
        sum(char.isdigit() for char in paragraph) / (len(paragraph) or 1),
        min(len(_SEPARATOR.findall(paragraph)), 5) / 5,
        min(sum(len(word) for word in words) / count, 15) / 15,
        math.log1p(len(_INNER_SENTENCE_END.findall(paragraph))),
        paragraph.count(",") / count,
        1.0 if paragraph.rstrip().endswith(":") else 0.0,
        1.0 if _LEGAL.search(paragraph) else 0.0,
        1.0 if _ADDRESS.search(paragraph) else 0.0,
        1.0 if paragraph[:1].islower() else 0.0,
        1.0 if rule else 0.0,
        1.0 if _DATE_OR_TIME.search(paragraph) else 0.0,
        1.0 if _NUMBERED.match(paragraph) else 0.0,
        1.0 if _QUOTED_REPLY.search(paragraph) else 0.0,
        sum(word.lower() in _PERSONAL for word in words) / count,
    ]


def page_features(paragraphs: Sequence[str], ruled: Sequence[bool]) -> list[list[float]]:
    """One row of ``FEATURE_NAMES`` values per paragraph."""
    own = [block_features(text, rule=rule) for text, rule in zip(paragraphs, ruled, strict=True)]
    return in_context(paragraphs, own)


def in_context(paragraphs: Sequence[str], own: Sequence[list[float]]) -> list[list[float]]:
    """Rows of ``FEATURE_NAMES`` from the paragraphs' own features (``block_features``), so
    that a part of the page can be seen on its own without computing them again."""
    empty = [0.0] * len(TEXT_FEATURES)
    last = max(len(own) - 1, 1)
    short = [_is_short(text) for text in paragraphs]
    shapes = [
        _shape(text) if is_short else None for text, is_short in zip(paragraphs, short, strict=True)
    ]
    shape_counts = Counter(shape for shape in shapes if shape)
    prose = [len(text.split()) if features[1] and not is_short else 0
             for text, features, is_short in zip(paragraphs, own, short, strict=True)]  # fmt: skip
    total_prose = sum(prose) or 1
    rows = []
    before = 0
    for index, features in enumerate(own):
        previous = own[index - 1] if index > 0 else empty
        following = own[index + 1] if index + 1 < len(own) else empty
        window = [
            *short[max(index - _RUN_WINDOW, 0) : index],
            *short[index + 1 : index + 1 + _RUN_WINDOW],
        ]
        shape = shapes[index]
        rows.append(
            features
            + [previous[i] for i in _NEIGHBOUR]
            + [following[i] for i in _NEIGHBOUR]
            + [
                index / last,
                sum(window) / len(window) if window else 0.0,
                math.log1p(shape_counts[shape] - 1) if shape else 0.0,
                before / total_prose,
                (total_prose - before - prose[index]) / total_prose,
            ]
        )
        before += prose[index]
    return rows


def markup_features(markup: BlockMarkup | None, *, extracted: bool, in_area: bool) -> list[float]:
    """``MARKUP_FEATURES`` of one paragraph of an HTML page."""
    if markup is None:
        return [0.0] * len(MARKUP_FEATURES)
    names = markup.names
    return [
        markup.links,
        *(1.0 if markup.tags.intersection(tags) else 0.0 for tags in _TAG_FEATURES.values()),
        *(1.0 if any(word in names for word in words) else 0.0 for words in NAME_GROUPS.values()),
        1.0 if extracted else 0.0,
        1.0 if in_area else 0.0,
    ]


def _is_short(paragraph: str) -> bool:
    """A short line that is not a sentence: a headline, a name, a date, a menu entry."""
    return len(paragraph.split()) <= _SHORT_WORDS and not SENTENCE_END.search(paragraph)


def _shape(paragraph: str) -> str:
    """The first few tokens as word classes: capitalised, lower case, upper case, digits;
    punctuation as itself."""
    classes = []
    for token in _SHAPE_TOKEN.findall(paragraph)[:_SHAPE_LENGTH]:
        if token.isdigit():
            classes.append("0")
        elif token.isupper() and len(token) > 1:
            classes.append("U")
        elif token[:1].isupper():
            classes.append("A")
        elif token.isalpha():
            classes.append("a")
        else:
            classes.append(token)
    return " ".join(classes)
