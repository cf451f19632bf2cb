"""Shallow text features of paragraphs, for telling a page's main text from its furniture.

After Kohlschütter, Fankhauser and Nejdl, "Boilerplate Detection using Shallow Text Features"
(WSDM 2010): the length of a block and of its neighbours, how sentence-like it is, how many
function words and capitalised words it has, say most of what markup would say. Everything
here works on text alone, so it serves stories saved as text as well as HTML pages.

The same function computes the features for training (``scripts/train_main_text_model.py``)
and at run time, so the shipped model always sees what it was trained on.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

# English function words: prose is full of them, menus and link lists are not.
_FUNCTION_WORDS = frozenset(
    """a about after all also an and any are as at be because been before but by can could
    did do does for from had has have he her his how i if in into is it its just more most my
    no not of on one or our out over said says she so some such than that the their them then
    there these they this those to up was we were what when where which while who will with
    would you your""".split()
)
_WORD = re.compile(r"\w+")
# The end of a sentence, closing quotes and brackets allowed (also used by the cleaner).
SENTENCE_END = re.compile(r"[.!?…。！？؟][\"'”’)\]»]*$")
_INNER_SENTENCE_END = re.compile(r"[.!?。！？][\s\"”’]")
_SEPARATOR = re.compile(r"\s[|»›•·/–-]\s|[»›|]")
_LEGAL = re.compile(
    r"©|\bcopyright\b|rights reserved|terms of (?:use|service)|privacy policy", re.I
)
_ADDRESS = re.compile(r"https?://|www\.|\w@\w|@\w{2,}")

BLOCK_FEATURES = (
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
)
FEATURE_NAMES = (
    *BLOCK_FEATURES,
    "previous_log_words",
    "previous_sentence_end",
    "previous_function_words",
    "next_log_words",
    "next_sentence_end",
    "next_function_words",
    "position",  # 0 for the first paragraph, 1 for the last
)
_NEIGHBOUR = (0, 1, 2)  # which block features the neighbours contribute


def block_features(paragraph: str, *, rule: bool) -> list[float]:
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
    ]


def page_features(paragraphs: Sequence[str], ruled: Sequence[bool]) -> list[list[float]]:
    """One row of ``FEATURE_NAMES`` values per paragraph: its own features, its neighbours'
    length and sentence-likeness, and its position in the page."""
    return in_context(
        [block_features(text, rule=rule) for text, rule in zip(paragraphs, ruled, strict=True)]
    )


def in_context(own: Sequence[list[float]]) -> list[list[float]]:
    """Rows of ``FEATURE_NAMES`` from the paragraphs' own features (``block_features``), so
    that a part of the page can be seen on its own without computing them again."""
    empty = [0.0] * len(BLOCK_FEATURES)
    last = max(len(own) - 1, 1)
    rows = []
    for index, features in enumerate(own):
        previous = own[index - 1] if index > 0 else empty
        following = own[index + 1] if index + 1 < len(own) else empty
        rows.append(
            features
            + [previous[i] for i in _NEIGHBOUR]
            + [following[i] for i in _NEIGHBOUR]
            + [index / last]
        )
    return rows
