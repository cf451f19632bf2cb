"""Direct quotes in a story body, and who said them: ``find_quotes(body, entities, sentences)``.

Pure Python over strings and character offsets (no spaCy calls): entities and sentences come
from the NLP stage, and this runs on every story at a cost that does not show next to spaCy.
Measured on this machine (one core, Python 3.11): 0.26 ms a story on average over the 314
BBC stories of 500-700 words (spaCy sm takes ~100 ms for 600 words); 0.1-0.2 ms for the seed
story (415 words, 3 quotes); 0.4 ms for the 1,043-word AP cap-and-trade story (12 quotes);
at most ~0.9 ms for the most quote-dense stories (27 quotes in 773 words); ~8 µs for a story
without a quote mark. Cost grows linearly with the number of quote marks, stray ones too.

Quote marks
    Curly double “…”, straight double "…", guillemets «…» (and »…«), German „…“ / „…”,
    curly single ‘…’. A single quote opens only with ‘ at the start of a word and closes only
    with a ’ not followed by a letter or digit, so ’ in Turkey’s, don’t or ’90s is an
    apostrophe (a plural possessive "the Smiths’ house" inside a ‘…’ quote would close it).
    Marks pair within a paragraph. An inner quote of another kind (“He said ‘no’ to me”) or
    nested “…“…”…” stays inside the outer one, which is the Quote. A closing mark can be
    missing when a multi-paragraph quote has been run into one paragraph (BBC copy: `26 weeks.
    "We are going ...`): a straight " that looks like an opening mark (space before, word
    after) while a straight quote is open, or a “ that has no ” of its own while the one
    before is open, ends the open quote just before it and starts a new one. A quote whose
    paragraph ends before its closing mark continues when the next paragraph opens with a
    quote mark (wire convention): one Quote per paragraph, all with the attribution found
    for any of them (the first that has one). Any other unpaired mark is not a quote, and
    marks around nothing (“”) are not either.

Quote text and offsets
    ``body[start:end]`` is the quote with its marks (only the opening mark for a part cut by
    the paragraph end or by a missing closing mark). ``text`` is what lies inside, stripped
    of white space and of a trailing comma (``“We will win,” he said`` gives "We will win").

Attribution
    An *attribution* is a reporting verb (from ``verbs``, whole words; multi-word ones such
    as "according to" word by word; lower case or capitalised, not ALL CAPS) with a subject:
    the words just before it back to a clause boundary (punctuation, a quote, "that", "and",
    "who", "while", a preposition such as "on" or "in" ...; at most 8 words, an entity
    counting as one), skipping auxiliaries and adverbs (has, also, later ...), a bracketed
    acronym ("the International Monetary Fund (IMF) has said") and an appositive between
    commas ("Peskov, speaking to reporters, said"; a PERSON inside the appositive is taken
    when there is none before it: "The Shadow Secretary, Theresa May, said"; and "Colin
    Asplin, Blackpool Hotel Association said" is Colin Asplin). With nothing before the
    verb, the subject is the words after it ("said Peskov", "according to a senior
    official"), but only where the verb opens its clause: right after a quote, at the start
    of the sentence, or after a comma at the end of the sentence. A passive agent counts:
    "was described by Jobs as". A "verb" after a determiner or a possessive is a noun ("his
    remarks", "Erdogan’s calls"), so nothing. The first rule that finds one wins:

    1. after the quote, adjacent: ``“...,” Kremlin spokesman Dmitry Peskov told reporters``,
       ``“...,” said Peskov``, ``“...,” he said``, ``“...,” the ministry said in a
       statement``, ``“...,” chairman and chief executive Richard Parsons said``, and
       ``“...,” Richard Doherty, from Panasonic's ..., told the BBC`` (a PERSON, a comma,
       and a reporting verb later in the sentence);
    2. before the quote in its sentence: the nearest verb with a subject, however far
       (``Peskov said: “...”``, ``Peskov told reporters that “...”``, ``something Peskov
       described as “...”``, ``Peskov said Russia was “seriously concerned”``). The text
       searched starts after the previous quote of the same paragraph, so both halves of a
       split quote (``“We will win,” he said, “and we will rebuild.”``) find ``he said``;
    3. after the quote, as a clause of its own ending the sentence: ``Russia was “seriously
       concerned” about the attacks, Peskov said.`` (not ``..., while the Liberal Democrats
       said it was misdirected``: a subordinate clause, or more than 6 words after the verb);
    4. nothing in its sentence: the attribution of the nearest quote before it in the same or
       the previous paragraph (a continuing quote; verb included), unless a sentence between
       the two names a new speaker ("His assurances came after Sir Digby Jones said ...");
       else a PERSON (or he/she) that is the subject of a reporting verb in the previous
       sentence (``Peskov spoke to reporters on Friday.`` then ``“...”``), or any subject
       when that sentence ends with a colon; else no speaker and no verb.

    The "after the quote" text is the rest of the quote's sentence (or the next sentence when
    the quote ends its sentence on a comma, or lower case follows: ``“Why now?” he asked``),
    up to the next quote of the paragraph.

Scare quotes and titles
    A quote of at most three words that does not stand as a sentence of its own (text before
    it in its sentence, or no final punctuation inside it) is a scare quote or a title
    (``described as “a highly dangerous tendency”``, ``pollution "rights"``). It is kept as
    a Quote but takes a speaker only from its own sentence (rules 1-3): it neither inherits
    one by rule 4 nor, unattributed, counts as "the quote before" for the next one.

Speaker
    The last PERSON in the subject that is not a possessive, mapped through ``aliases``
    (titles around it are dropped: "Kremlin spokesman Dmitry Peskov" is "Dmitry Peskov"; a
    mention is looked up by its ``normal_form``, so "Ms Hewitt" is "Patricia Hewitt"; a
    mention missing from ``aliases`` is its own name). Else an ORG/GPE/NORP/FAC/LOC entity
    that is the head of the subject (its last word: "the Kremlin said", but not "the Turkish
    foreign ministry said", which is the phrase as written) or speaks through a spokesman
    ("Kremlin spokesman", "Putin’s spokesman", "Erdogan’s office" give the entity). he/she
    resolve to the most recent PERSON mentioned before the pronoun and the quote, it/they to
    the most recent ORG, leaving out mentions inside quotes and possessives;
    "his/her/its/their spokesman" (spokeswoman, office, aide, representative) resolves the
    same way, to the one spoken for. An it/they with no ORG before takes the speaker of the
    quote before when that is not a PERSON. A pronoun that does not resolve (and I/we/you)
    gives speaker None with the verb kept. With no entity and no pronoun: the subject as
    written ("a senior official", "the ministry", "one Republican political strategist").

Known errors, seen on real stories
    - Pronouns by recency: "... repaid £500,000 to Lord Ashcroft after he said ...",
      then ``“...,” he said`` gives Ashcroft, not the Dr Fox the paragraph is about; "it
      said" meaning the Tower report gives "State" (from "Secretary of State George
      Shultz"), the last ORG.
    - A reporting verb in a relative clause before a partial quote attributes it: "One study,
      from the ... Fund, says emissions ... fell below the "cap"" gives "One study".
    - Verbs outside ``verbs`` attribute nothing: "dismissed the plan as "desperate"",
      "branded", "condemned", "X quoted Y as saying"; nor does "His message was: "...".
    - spaCy's misses show: "Theresa May" unrecognised leaves the subject as written; "Mr
      Irish" (NORP) or "Bath" (PERSON) give odd speakers.
    - A closing mark missing inside the source text can take the attribution into the
      quote (`"It's a rather gloomy outlook, said David Wyss ... "I'm ...`): no speaker.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_right
from collections.abc import Mapping, Sequence
from itertools import pairwise

from pipeline.enrich.entities import normal_form
from pipeline.records import PARAGRAPH_BREAK, Entity, Quote, Span

# Marks that open a quote, and for the kinds without a rule of their own in
# ``_ParagraphMarks.closing``, the marks that close them (German „…“ or „…”; «…» and »…«).
_OPENERS = frozenset('“"«»„‘')
_CLOSERS = {"«": ("»",), "»": ("«",), "„": ("“", "”")}
_ALL_MARKS = re.compile('[“”"«»„‘’]')
_MARKS = re.compile('[“"«»„‘]')  # a body without any of these has no quote
SCARE_QUOTE_WORDS = 3  # at most this many words, inside a sentence: a scare quote or title
MAX_SUBJECT_WORDS = 8  # an attributing subject, an entity counting as one word
MAX_TAIL_WORDS = 6  # words after a closing "..., Peskov said" before it is a new statement
MAX_APPOSITIVE_TOKENS = 20  # ", who works for ... and asked not to be identified," before a verb

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"”’»]?\s+")

# Words that end an attributing phrase read backwards from its verb (or forwards after it).
_BOUNDARY_WORDS = frozenset(
    "that which who whom whose what whether how why where when while and but or nor as "
    "because if although though so than after before since until unless despite on in at "
    "with from by to into about during over under against between without however "
    "meanwhile yet then there here this these those is are was were be been being".split()
)
# Words that cannot stand inside a title before a name: every boundary word but "and"
# ("chairman and chief executive Richard Parsons said").
_TITLE_BREAKS = _BOUNDARY_WORDS - {"and"}
_FORWARD_STOP = _BOUNDARY_WORDS | frozenset("for of late early quoted cited speaking".split())
# Between a subject and its verb: "Peskov also said", "Erdogan has repeatedly warned".
_SKIPPED = frozenset(
    "has have had also later then previously earlier again further once would will did "
    "does do not never just recently repeatedly reportedly publicly privately separately "
    "first finally simply flatly bluntly angrily quietly openly already still often been".split()
)
_NOT_A_SUBJECT = frozenset("the a an this that it’s it's one".split())
_DETERMINERS = frozenset(
    "the a an his her its their our my your this that these those some any no every each "
    "many several".split()
)
_PERSON_PRONOUNS = frozenset({"he", "she"})
_OTHER_PRONOUNS = frozenset({"i", "we", "you"})
_TIMES = frozenset({"DATE", "TIME"})
_ORG_PRONOUNS = frozenset({"it", "they"})
_POSSESSIVES = {"his": "PERSON", "her": "PERSON", "its": "ORG", "their": "ORG"}
# Those who speak for someone: "his spokesman said" quotes him.
_PROXIES = frozenset(
    "spokesman spokeswoman spokesperson spokespeople spokesmen office aide aides "
    "representative representatives".split()
)
_SPEAKER_LABELS = frozenset({"PERSON", "ORG", "GPE", "NORP", "FAC", "LOC"})

_WORD, _PUNCT, _QUOTE = 0, 1, 2
# A word (group 1: letters and digits, inner apostrophes and hyphens kept: Erdogan’s,
# Russian-backed) or one mark of punctuation.
_TOKEN = re.compile(r"(\w+(?:['’\-]\w+)*)|[^\w\s]")
_ADJACENT, _TRAILING, _ANYWHERE = 0, 1, 2


class _Token:
    __slots__ = ("start", "end", "low", "kind", "entity")

    def __init__(self, start: int, end: int, low: str, kind: int, entity: Entity | None) -> None:
        self.start = start
        self.end = end
        self.low = low
        self.kind = kind
        self.entity = entity


class _Part:
    """One quoted stretch inside one paragraph."""

    __slots__ = ("start", "end", "inner_start", "inner_end", "paragraph", "chain", "scare", "index")

    def __init__(self, start: int, end: int, inner_end: int, paragraph: int) -> None:
        self.index = 0  # its place among the parts
        self.start = start
        self.end = end
        self.inner_start = start + 1
        self.inner_end = inner_end
        self.paragraph = paragraph
        self.chain = -1
        self.scare = False


class _Found:
    """An attribution: the speaker (None when a pronoun did not resolve), its kind, the verb."""

    __slots__ = ("speaker", "kind", "verb")

    def __init__(self, speaker: str | None, kind: str | None, verb: str | None) -> None:
        self.speaker = speaker
        self.kind = kind
        self.verb = verb


def find_quotes(
    body: str,
    entities: Sequence[Entity],
    sentences: Sequence[Span],
    *,
    aliases: Mapping[str, str],
    verbs: frozenset[str],
) -> tuple[Quote, ...]:
    """The direct quotes of ``body`` in order, each with its speaker and reporting verb."""
    if not body or not _MARKS.search(body):
        return ()
    paragraphs = _paragraph_bounds(body)
    parts = _find_parts(body, paragraphs)
    if not parts:
        return ()
    finder = _Attribution(body, entities, sentences, paragraphs, parts, aliases, verbs)
    found = finder.attribute_all()
    quotes = []
    for part, attribution in zip(parts, found, strict=True):
        text = body[part.inner_start : part.inner_end].strip()
        if text.endswith(","):
            text = text[:-1].rstrip()
        quotes.append(
            Quote(
                text=text,
                speaker=attribution.speaker if attribution else None,
                verb=attribution.verb if attribution else None,
                start=part.start,
                end=part.end,
            )
        )
    return tuple(quotes)


# --- finding the quoted stretches -------------------------------------------------------


def _paragraph_bounds(body: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph, white space trimmed."""
    bounds = []
    position = 0
    for paragraph in body.split(PARAGRAPH_BREAK):
        end = position + len(paragraph)
        start, stop = position, end
        while start < stop and body[start].isspace():
            start += 1
        while stop > start and body[stop - 1].isspace():
            stop -= 1
        if start < stop:
            bounds.append((start, stop))
        position = end + len(PARAGRAPH_BREAK)
    return bounds


def _find_parts(body: str, paragraphs: list[tuple[int, int]]) -> list[_Part]:
    parts: list[_Part] = []
    chains = 0
    pending = -1  # the chain a quote left open at the end of the previous paragraph
    for index, (start, end) in enumerate(paragraphs):
        continues = pending
        pending = -1
        next_opens = index + 1 < len(paragraphs) and body[paragraphs[index + 1][0]] in _OPENERS
        marks = _ParagraphMarks(body, start, end)
        position = start
        for at in marks.openers:
            if at < position or not _can_open(body, at, start, end):
                continue
            close, implicit = marks.closing(at)
            if close is not None:
                position = close + 1
                if not any(c.isalnum() for c in body[at + 1 : close]):
                    continue  # marks around nothing
                part = _Part(at, close + 1, close, index)
            elif implicit is not None:  # a missing closing mark: ends before the next opening
                stop = implicit
                while stop > at + 1 and body[stop - 1].isspace():
                    stop -= 1
                position = implicit
                if not any(c.isalnum() for c in body[at + 1 : stop]):
                    continue
                part = _Part(at, stop, stop, index)
            elif next_opens or (continues >= 0 and at == start):
                position = end
                if not any(c.isalnum() for c in body[at + 1 : end]):
                    continue
                part = _Part(at, end, end, index)  # runs on into the next paragraph
            else:
                continue  # a stray mark
            if continues >= 0 and at == start:
                part.chain = continues
            if part.end == end and close is None and implicit is None and next_opens:
                if part.chain < 0:
                    part.chain = chains
                    chains += 1
                pending = part.chain
            part.index = len(parts)
            parts.append(part)
    return parts


def _can_open(body: str, at: int, start: int, end: int) -> bool:
    mark = body[at]
    after = body[at + 1] if at + 1 < end else " "
    if after.isspace():
        return False
    if mark in '‘"':
        before = body[at - 1] if at > start else " "
        return not (before.isalnum() or before in ".,;:!?")
    return True


class _ParagraphMarks:
    """The quote marks of one paragraph, found once: each opening mark then finds its closing
    mark by bisection, so a paragraph full of stray marks costs no more than a clean one."""

    def __init__(self, body: str, start: int, end: int) -> None:
        self.body = body
        self.end = end
        self.openers: list[int] = []
        self.at: dict[str, list[int]] = {}
        self.pairs: dict[int, int] = {}  # “ to its ”, nesting counted
        self.single_closers: list[int] = []  # ’ that are not apostrophes
        stack: list[int] = []
        for found in _ALL_MARKS.finditer(body, start, end):
            at = found.start()
            mark = body[at]
            self.at.setdefault(mark, []).append(at)
            if mark in _OPENERS:
                self.openers.append(at)
            if mark == "“":
                stack.append(at)
            elif mark == "”" and stack:
                self.pairs[stack.pop()] = at
            elif mark == "’":
                after = body[at + 1] if at + 1 < end else " "
                if at > start and not body[at - 1].isspace() and not after.isalnum():
                    self.single_closers.append(at)

    def _next(self, positions: list[int] | None, at: int) -> int | None:
        if not positions:
            return None
        i = bisect_right(positions, at)
        return positions[i] if i < len(positions) else None

    def closing(self, at: int) -> tuple[int | None, int | None]:
        """The closing mark's offset, or where a missing one should have been (the next
        opening mark of the same kind), or (None, None)."""
        mark = self.body[at]
        if mark == '"':
            there = self._next(self.at.get('"'), at)
            if there is None:
                return None, None
            after = self.body[there + 1] if there + 1 < self.end else " "
            if self.body[there - 1].isspace() and not after.isspace():
                return None, there  # looks like an opening mark: the closing one is missing
            return there, None
        if mark == "‘":
            return self._next(self.single_closers, at), None
        if mark == "“":
            if at in self.pairs:
                return self.pairs[at], None
            return None, self._next(self.at.get("“"), at)
        candidates = [self._next(self.at.get(closer), at) for closer in _CLOSERS[mark]]
        found = [there for there in candidates if there is not None]
        return (min(found), None) if found else (None, None)


# --- attribution ------------------------------------------------------------------------


class _Attribution:
    def __init__(
        self,
        body: str,
        entities: Sequence[Entity],
        sentences: Sequence[Span],
        paragraphs: list[tuple[int, int]],
        parts: list[_Part],
        aliases: Mapping[str, str],
        verbs: frozenset[str],
    ) -> None:
        self.body = body
        size = len(body)
        self.entities = [e for e in entities if 0 <= e.start < e.end <= size]
        self.entity_starts = [e.start for e in self.entities]
        if any(a > b for a, b in pairwise(self.entity_starts)):
            self.entities.sort(key=lambda e: e.start)
            self.entity_starts.sort()
        spans = [(s.start, s.end) for s in sentences if 0 <= s.start < s.end <= size]
        if any(a > b for a, b in pairwise(spans)):
            spans.sort()
        self.sentences = spans or _crude_sentences(body, paragraphs)
        self.sentence_starts = [s for s, _ in self.sentences]
        self.paragraphs = paragraphs
        self.paragraph_starts = [s for s, _ in paragraphs]
        self.parts = parts
        self.part_starts = [p.start for p in parts]
        self.aliases = aliases
        self.verbs, self.any_verb = _verb_tables(verbs)
        self.found: list[_Found | None] = [None] * len(parts)

    # -- driver

    def attribute_all(self) -> list[_Found | None]:
        chains: dict[int, list[int]] = {}
        for index, part in enumerate(self.parts):
            if part.chain >= 0:
                chains.setdefault(part.chain, []).append(index)
            part.scare = self._is_scare(index)
        done: set[int] = set()
        for index, part in enumerate(self.parts):
            if index in done:
                continue
            members = chains.get(part.chain, [index]) if part.chain >= 0 else [index]
            found = None
            for member in members:
                found = self._in_sentence(member)
                if found is not None:
                    break
            if found is None and not part.scare:
                found = self._from_context(index)
            for member in members:
                self.found[member] = found
                done.add(member)
        return self.found

    def _is_scare(self, index: int) -> bool:
        part = self.parts[index]
        inner = self.body[part.inner_start : part.inner_end].strip()
        if len(inner.split()) > SCARE_QUOTE_WORDS or part.chain >= 0:
            return False
        lo, _ = self._sentence(part.start, part)
        text_before = any(c.isalpha() for c in self.body[lo : part.start])
        return text_before or not inner or inner[-1] not in ".,!?…;:—"

    # -- rules 1 to 3: the quote's own sentence

    def _in_sentence(self, index: int) -> _Found | None:
        part = self.parts[index]
        after = self._after_tokens(index)
        if after:
            found = self._first_attribution(after, part, _ADJACENT)
            if found is not None:
                return found
        before = self._before_tokens(index)
        for position in range(len(before) - 1, -1, -1):
            found = self._attribution_at(before, position, part, _ANYWHERE)
            if found is not None:
                return found
        if after:
            return self._first_attribution(after, part, _TRAILING)
        return None

    def _before_tokens(self, index: int) -> list[_Token]:
        part = self.parts[index]
        lo, _ = self._sentence(part.start, part)
        if index > 0:
            previous = self.parts[index - 1]
            if previous.paragraph == part.paragraph and previous.end > lo:
                lo = previous.end
        return self._tokens(lo, part.start, verbs_only=True)

    def _after_tokens(self, index: int) -> list[_Token]:
        part = self.parts[index]
        paragraph_end = self.paragraphs[part.paragraph][1]
        if part.end >= paragraph_end:
            return []
        _, hi = self._sentence(max(part.start, part.end - 1), part)
        if hi <= part.end:
            # The sentence ends with the quote; the attribution may still follow it
            # ("“Why now?” he asked."), when the quote ends on a comma or lower case goes on.
            inner = self.body[part.inner_start : part.inner_end].rstrip()
            rest = self.body[part.end : paragraph_end].lstrip()
            if not rest or not (inner.endswith((",", "—", "–", "-")) or rest[0].islower()):
                return []
            _, hi = self._sentence(paragraph_end - len(rest), part)
        if index + 1 < len(self.parts):
            following = self.parts[index + 1]
            if following.paragraph == part.paragraph:
                hi = min(hi, following.start)
        return self._tokens(part.end, hi, verbs_only=True)

    def _first_attribution(self, tokens: list[_Token], part: _Part, mode: int) -> _Found | None:
        if mode == _ADJACENT:
            found = self._named_then_verb(tokens)
            if found is not None:
                return found
        for position, token in enumerate(tokens):
            if token.kind == _WORD and token.entity is None and token.low in self.verbs:
                found = self._attribution_at(tokens, position, part, mode)
                if found is not None:
                    return found
        return None

    def _named_then_verb(self, tokens: list[_Token]) -> _Found | None:
        """``“...,” Richard Doherty, from Panasonic's Hollywood Laboratories, one of the
        pioneers of Blu-ray, told the BBC``: a PERSON right after the quote, a comma, and a
        reporting verb further on in the sentence."""
        lead = 0
        while lead < len(tokens) and tokens[lead].kind != _WORD:
            lead += 1
        if lead + 2 >= len(tokens) or tokens[lead + 1].low != ",":
            return None
        entity = tokens[lead].entity
        if entity is None or entity.label != "PERSON":
            return None
        for position in range(lead + 2, len(tokens)):
            token = tokens[position]
            if token.kind == _QUOTE or token.low in (";", ":"):
                return None
            if token.kind == _WORD and token.entity is None:
                length = self._verb_length(tokens, position)
                if length:
                    verb = self.body[token.start : tokens[position + length - 1].end]
                    return _Found(self._name(entity), "PERSON", verb)
        return None

    def _attribution_at(
        self, tokens: list[_Token], position: int, part: _Part, mode: int
    ) -> _Found | None:
        """The attribution whose verb starts at ``tokens[position]``, if it is one there.

        ``_ADJACENT``: nothing but punctuation between the context's start and the subject
        (or the verb, when the subject follows it); ``_TRAILING``: a clause of its own after
        a comma, ending the sentence within a few words; ``_ANYWHERE``: any subject.
        """
        token = tokens[position]
        if token.kind != _WORD or token.entity is not None:
            return None
        length = self._verb_length(tokens, position)
        if not length:
            return None
        verb = self.body[token.start : tokens[position + length - 1].end]
        after = position + length
        if mode != _ADJACENT and after < len(tokens) and tokens[after].low == "by":
            agent = self._subject_after(tokens, after + 1)  # "was described by Jobs as"
            if agent and any(t.entity is not None for t in agent):
                return self._speaker(agent, [], verb, part)
        subject: list[_Token] = []
        aside: list[_Token] = []
        first = position
        if length == 1 or tokens[position].low != "according":
            subject, aside, first = self._subject_before(tokens, position)
        if not (subject or aside):
            # The subject after the verb: "said Peskov" right after a quote or opening the
            # sentence, ", said Peskov." ending it, ", according to Peskov," anywhere; not
            # "to say", and not ", who asked not to be named, said the report was ...".
            starts = not any(t.kind == _WORD for t in tokens[:position])
            after_comma = position > 0 and tokens[position - 1].low == ","
            if not (starts or (after_comma and (mode == _TRAILING or length > 1))):
                return None
            first = position
            subject = self._subject_after(tokens, position + length)
            if not subject:
                return None
        if mode == _ADJACENT:
            lead = 0
            while lead < first and tokens[lead].kind != _WORD:
                lead += 1
            if lead < first:
                # Words before the subject: a title with "and" in it ("chairman and chief
                # executive Richard Parsons said") is still the subject; anything else is not.
                words = tokens[lead:first]
                if len(words) > 4 or tokens[lead].low in _BOUNDARY_WORDS:
                    return None  # ", while the Liberal Democrats said ...": another clause
                if any(t.kind != _WORD or t.low in _TITLE_BREAKS for t in words):
                    return None
                if subject and subject[0] is tokens[first]:
                    subject = tokens[lead:first] + subject
        if mode == _TRAILING:
            if first > 0 and tokens[first - 1].kind == _WORD:
                return None  # "..., while the Liberal Democrats said": another clause
            tail = tokens[position + length :]
            if sum(1 for t in tail if t.kind == _WORD) > MAX_TAIL_WORDS:
                return None  # "..., Peskov said the attacks were ...": a new statement
        return self._speaker(subject, aside, verb, part)

    def _verb_length(self, tokens: list[_Token], position: int) -> int:
        options = self.verbs.get(tokens[position].low)
        if not options:
            return 0
        for words in options:
            if position + len(words) > len(tokens):
                continue
            if all(tokens[position + k].low == words[k] for k in range(1, len(words))):
                return len(words)
        return 0

    def _subject_before(
        self, tokens: list[_Token], verb: int
    ) -> tuple[list[_Token], list[_Token], int]:
        """The subject before ``verb``, an appositive between commas just before the verb,
        and the index of the first token used."""
        j = verb - 1
        while j >= 0 and tokens[j].kind == _WORD and tokens[j].entity is None:
            if tokens[j].low not in _SKIPPED:
                break
            j -= 1
        aside: list[_Token] = []
        if j >= 0 and tokens[j].low == ",":
            k = j - 1
            while k >= 0 and j - k <= MAX_APPOSITIVE_TOKENS:
                low = tokens[k].low
                if low == ",":
                    break
                if tokens[k].kind != _WORD and low not in "-–'’()":
                    k = -1
                    break
                k -= 1
            if k < 0 or tokens[k].low != ",":
                return [], [], verb
            aside = [t for t in tokens[k + 1 : j] if t.kind == _WORD]
            j = k - 1
        if j > 0 and tokens[j].low == ")":  # "the International Monetary Fund (IMF) has said"
            k = j - 1
            while k >= 0 and j - k <= 6 and tokens[k].low not in "()":
                k -= 1
            if k > 0 and tokens[k].low == "(" and k < j - 1:
                j = k - 1
        end = j
        words = 0
        while j >= 0 and words < MAX_SUBJECT_WORDS:
            token = tokens[j]
            if token.kind != _WORD:
                break
            if token.entity is None and token.low in _BOUNDARY_WORDS:
                break
            j -= 1
            words += 1
        subject = tokens[j + 1 : end + 1]
        while subject and subject[0].entity is not None and subject[0].entity.label in _TIMES:
            subject = subject[1:]  # "On Friday the ministry said"
        if subject and not self._can_be_subject(subject):
            subject = []
        if not aside:
            if not subject:
                return [], [], verb
            if j > 0 and tokens[j].low == "," and self._person(subject) is None:
                # "Colin Asplin, Blackpool Hotel Association said": the name before a title
                first = self._name_before_comma(tokens, j)
                if first >= 0:
                    return subject, tokens[first:j], first
            return subject, [], j + 1
        return subject, aside, (j + 1 if subject else k)

    def _name_before_comma(self, tokens: list[_Token], comma: int) -> int:
        """Where the words before ``tokens[comma]`` start, when they hold a PERSON and start
        a clause; else -1."""
        j = comma - 1
        while j >= 0 and comma - j <= MAX_SUBJECT_WORDS and tokens[j].kind == _WORD:
            if tokens[j].entity is None and tokens[j].low in _BOUNDARY_WORDS:
                return -1  # "Asked about Erdogan, the Kremlin said": not a name and title
            j -= 1
        if j >= 0 and tokens[j].kind == _WORD:
            return -1
        return j + 1 if self._person(tokens[j + 1 : comma]) is not None else -1

    def _can_be_subject(self, subject: list[_Token]) -> bool:
        """Not when the "verb" is a noun: "Erdogan’s calls", "the report", "his remarks"."""
        last = subject[-1]
        if all(t.low in _NOT_A_SUBJECT for t in subject) or last.low in _DETERMINERS:
            return False
        if last.entity is not None:
            return not self._possessive(last.entity)
        return not last.low.endswith(("’s", "'s", "s’", "s'"))

    @staticmethod
    def _subject_after(tokens: list[_Token], start: int) -> list[_Token]:
        subject: list[_Token] = []
        for token in tokens[start : start + MAX_SUBJECT_WORDS]:
            if token.kind != _WORD or (token.entity is None and token.low in _FORWARD_STOP):
                break
            subject.append(token)
        while subject and subject[0].low in _NOT_A_SUBJECT and len(subject) == 1:
            subject.pop()
        return subject

    # -- who the subject is

    def _speaker(
        self, subject: list[_Token], aside: list[_Token], verb: str, part: _Part
    ) -> _Found:
        person = self._person(subject)
        if person is None and aside:
            person = self._person(aside)
        if person is not None:
            return _Found(self._name(person), "PERSON", verb)
        if not subject:
            subject = aside
        # Another entity speaks only as the head of the phrase ("the Kremlin said", not
        # "the Turkish foreign ministry said"), or through its spokesman.
        lows = [t.low for t in subject]
        head = subject[-1].entity
        if head is None and len(subject) > 1 and lows[-1] in _PROXIES:
            head = subject[-2].entity
        if head is not None and head.label in _SPEAKER_LABELS:
            return _Found(self._name(head), _kind(head.label), verb)
        where = min(subject[0].start, part.start)
        if len(lows) == 1 and lows[0] in _PERSON_PRONOUNS:
            return self._resolve("PERSON", where, part, verb)
        if len(lows) == 1 and lows[0] in _ORG_PRONOUNS:
            return self._resolve("ORG", where, part, verb)
        if len(lows) == 1 and lows[0] in _OTHER_PRONOUNS:
            return _Found(None, None, verb)
        if len(lows) == 2 and lows[0] in _POSSESSIVES and lows[1] in _PROXIES:
            return self._resolve(_POSSESSIVES[lows[0]], where, part, verb)
        text = self.body[subject[0].start : subject[-1].end]
        return _Found(text, "PHRASE", verb)

    def _person(self, tokens: list[_Token]) -> Entity | None:
        """The last PERSON in ``tokens`` that is not a possessive ("Putin’s spokesman")."""
        for token in reversed(tokens):
            entity = token.entity
            if entity is not None and entity.label == "PERSON" and not self._possessive(entity):
                return entity
        return None

    def _possessive(self, entity: Entity) -> bool:
        return self.body[entity.end : entity.end + 1] in ("’", "'")

    def _name(self, entity: Entity) -> str:
        """The canonical name ("Ms Hewitt" is Patricia Hewitt), else the mention as written."""
        return self.aliases.get(normal_form(entity.text, entity.label), entity.text)

    def _resolve(self, label: str, before: int, part: _Part, verb: str) -> _Found:
        i = bisect_right(self.entity_starts, before) - 1
        while i >= 0:
            entity = self.entities[i]
            i -= 1
            if entity.label != label or entity.end > before or self._possessive(entity):
                continue
            if self._in_quote(entity.start):
                continue
            return _Found(self._name(entity), label, verb)
        if label == "ORG":
            _, previous = self._previous_found(part)
            if previous is not None and previous.kind != "PERSON":
                return _Found(previous.speaker, previous.kind, verb)
        return _Found(None, None, verb)

    def _in_quote(self, offset: int) -> bool:
        i = bisect_right(self.part_starts, offset) - 1
        return i >= 0 and offset < self.parts[i].end

    # -- rule 4: context

    def _previous_found(self, part: _Part) -> tuple[int, _Found | None]:
        """The nearest quote before ``part`` in its paragraph or the one before, skipping
        unattributed scare quotes, and its attribution when it has a speaker."""
        index = part.index - 1
        while index >= 0:
            previous = self.parts[index]
            if previous.paragraph < part.paragraph - 1:
                break
            found = self.found[index]
            if found is not None and found.speaker is not None:
                return index, found
            if not previous.scare:
                break
            index -= 1
        return -1, None

    def _from_context(self, index: int) -> _Found | None:
        """Rule 4: the speaker of the quote before, unless a sentence between the two names
        a new speaker ("His assurances came after Sir Digby Jones said ..."); else the
        previous sentence's speaker."""
        part = self.parts[index]
        previous_index, previous = self._previous_found(part)
        found, start = self._previous_sentence(part)
        if previous is None:
            return found
        if found is not None and start >= self.parts[previous_index].end:
            return found
        return previous

    def _previous_sentence(self, part: _Part) -> tuple[_Found | None, int]:
        """A PERSON speaking in the sentence before ``part``'s (anyone, when that sentence
        ends with a colon), and where that sentence starts."""
        lo, _ = self._sentence(part.start, part)
        i = bisect_right(self.sentence_starts, lo - 1) - 1
        while i >= 0 and self.sentences[i][1] > lo:
            i -= 1
        if i < 0:
            return None, -1
        start, end = self.sentences[i]
        if self._paragraph_index(start) < part.paragraph - 1:
            return None, -1
        tokens = self._tokens(start, end, quotes=True, verbs_only=True)
        colon = bool(tokens) and tokens[-1].low == ":"
        for position in range(len(tokens) - 1, -1, -1):
            found = self._attribution_at(tokens, position, part, _ANYWHERE)
            if found is not None and (colon or found.kind == "PERSON"):
                return found, start
        return None, -1

    # -- text helpers

    def _paragraph_index(self, offset: int) -> int:
        i = bisect_right(self.paragraph_starts, offset) - 1
        return max(i, 0)

    def _sentence(self, offset: int, part: _Part) -> tuple[int, int]:
        """The sentence holding ``offset``, clipped to the paragraph of ``part``."""
        p_start, p_end = self.paragraphs[part.paragraph]
        i = bisect_right(self.sentence_starts, offset) - 1
        if i >= 0 and self.sentences[i][1] > offset:
            start, end = self.sentences[i]
        else:  # between sentences (white space, or no sentences given): the quote itself
            start, end = offset, offset + 1
        return max(start, p_start), min(end, p_end)

    def _tokens(
        self, start: int, end: int, *, quotes: bool = False, verbs_only: bool = False
    ) -> list[_Token]:
        """Tokens of ``body[start:end]``, entity mentions merged into one token each; with
        ``quotes``, quoted stretches become one boundary token; with ``verbs_only``, none
        when no reporting verb is there (it is what attributions hang on)."""
        if start >= end or (verbs_only and not self.any_verb.search(self.body, start, end)):
            return []
        entities = self.entities
        count = len(entities)
        e = bisect_right(self.entity_starts, start) - 1
        if e < 0 or entities[e].end <= start:
            e += 1
        parts: list[_Part] = self.parts if quotes else []
        q = bisect_right(self.part_starts, start) - 1 if quotes else 0
        if quotes and (q < 0 or parts[q].end <= start):
            q += 1
        tokens: list[_Token] = []
        append = tokens.append
        skip_to = start
        next_quote = parts[q].start if q < len(parts) else end
        next_entity = entities[e].start if e < count else end
        for found in _TOKEN.finditer(self.body, start, end):
            t_start, t_end = found.span()
            if t_start < skip_to:
                if t_end > skip_to and tokens and tokens[-1].entity is not None:
                    tokens[-1].end = skip_to = t_end  # an entity ending inside a word
                continue
            if next_quote < t_end:
                part = parts[q]
                append(_Token(part.start, part.end, "“", _QUOTE, None))
                skip_to = part.end
                q += 1
                next_quote = parts[q].start if q < len(parts) else end
                continue
            if next_entity < t_end:
                while e < count and entities[e].end <= t_start:
                    e += 1
                if e < count and entities[e].start < t_end:
                    entity = entities[e]
                    skip_to = max(t_end, min(entity.end, end))
                    append(_Token(t_start, skip_to, entity.text.lower(), _WORD, entity))
                    e += 1
                    next_entity = entities[e].start if e < count else end
                    continue
                next_entity = entities[e].start if e < count else end
            kind = _WORD if found.lastindex == 1 else _PUNCT
            append(_Token(t_start, t_end, found.group().lower(), kind, None))
        return tokens


@functools.lru_cache(maxsize=8)
def _verb_tables(verbs: frozenset[str]) -> tuple[dict[str, list[tuple[str, ...]]], re.Pattern[str]]:
    """Verbs by first word (longest first), and a regex finding any of them in a text."""
    table: dict[str, list[tuple[str, ...]]] = {}
    for verb in verbs:
        words = tuple(verb.lower().split())
        if words:
            table.setdefault(words[0], []).append(words)
    for options in table.values():
        options.sort(key=len, reverse=True)
    if not table:
        return table, re.compile(r"(?!)")
    # A trie-shaped pattern: the regex engine tries one branch per letter instead of every
    # verb at every position (five times faster than a plain alternation, and faster than
    # IGNORECASE). All-capital verbs ("SAID") are not looked for.
    return table, re.compile(r"\b" + _trie_pattern(sorted(table), first=True) + r"\b")


def _trie_pattern(words: list[str], *, first: bool = False) -> str:
    """A regex matching exactly ``words``, sharing their prefixes; with ``first``, the first
    letter in either case ("Said Peskov", "According to")."""
    branches = []
    ends_here = False
    by_letter: dict[str, list[str]] = {}
    for word in words:
        if not word:
            ends_here = True
        else:
            by_letter.setdefault(word[0], []).append(word[1:])
    for letter, rests in by_letter.items():
        head = re.escape(letter)
        if first and letter.upper() != letter:
            head = f"[{head}{re.escape(letter.upper())}]"
        branches.append(head + _trie_pattern(rests))
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    return f"(?:{body})?" if ends_here else body


def _kind(label: str) -> str:
    return label if label in ("PERSON", "ORG") else "OTHER"


def _crude_sentences(body: str, paragraphs: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sentences when the caller has none: split after . ! ? and a space."""
    spans = []
    for start, end in paragraphs:
        position = start
        for found in _SENTENCE_END.finditer(body, start, end):
            spans.append((position, found.start()))
            position = found.end()
        spans.append((position, end))
    return spans
