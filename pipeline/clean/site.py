"""Site context: the lines a page shares with the other pages of its site in the batch.

A site's menus, footers, newsletter boxes and "most read" lists recur word for word on its
pages; its stories do not. On the development pages that share a site with another, 66 % of
the furniture blocks occur on another page of the site, and 12 % of the story blocks (4 % of
those over five words): BENCHMARKS.md, "Tried in the thirteenth session". So the main-text
model has a second version with two more features per paragraph (``SITE_FEATURES``): how many
other pages of the site hold the same line, and how many other pages of the site there are.
It is used where the site has other pages; a page alone gets the model without them, which
does better on pages without siblings than one model for both.

The counts are over distinct pages (by canonical URL, else by their text), so that two saves of
one page do not make its story look like a menu. They are taken over one batch (a run, or a
watcher's batch) and never stored, so that a run over the same files cleans them the same way
(a watcher's batch that reads a crashed batch's deliveries again counts what it holds).
Lines are compared lower-cased, with digits as 0 ("12 comments", "Updated 10:42" recur with
other numbers) and hashed, so that the counts stay small.
"""

from __future__ import annotations

import hashlib
import math
import posixpath
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import NamedTuple
from urllib.parse import urlsplit

from pipeline.records import Story

# A second-level name under these is a registrable domain's first part (bbc.co.uk). A rough
# rule rather than the Public Suffix List (tldextract fetches it or needs a snapshot kept up to
# date): the site only groups pages, and a wrong split merges or splits one site's pages.
_SECOND_LEVEL = frozenset({"co", "com", "org", "net", "ac", "gov", "edu"})
_HOST_PREFIX = re.compile(r"^(?:www\d?|m)\.")
_DIGIT = re.compile(r"\d")
PAGES = ""  # the line key under which a site's pages are counted


class SiteKey(NamedTuple):
    site: str
    line: str  # a line's key (``line_key``), or ``PAGES``


def site_host(url: str) -> str:
    """The site a URL belongs to: its registrable domain (``news.bbc.co.uk`` -> ``bbc.co.uk``),
    or "" for a URL without a host."""
    host = (urlsplit(url.strip()).hostname or "").lower()
    labels = _HOST_PREFIX.sub("", host).split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and labels[-2] in _SECOND_LEVEL else 2
    return ".".join(labels[-keep:])


def line_key(paragraph: str) -> str:
    """A line's key: the same for lines that differ in case, spacing or numbers only."""
    normal = " ".join(_DIGIT.sub("0", paragraph.lower()).split())
    return hashlib.blake2b(normal.encode("utf-8"), digest_size=8).hexdigest()


class SitePage(NamedTuple):
    """One page as the site context counts it."""

    site: str
    page: str  # tells the site's distinct pages apart
    lines: frozenset[str]  # its lines' keys


def site_page(story: Story) -> SitePage | None:
    """The page ``story`` is, for counting its site's lines; None for a story that is not a
    page's whole text (a wire story carries no site furniture to find).

    Its site is the host of its canonical URL, else the folder it was read from (a folder of
    saved pages is usually one site's).
    """
    if not story.page_text:
        return None
    url = story.page.url if story.page else None
    site = (site_host(url) if url else "") or posixpath.dirname(story.source.uri)
    page = story.id or url or hashlib.sha256(" ".join(story.body.split()).encode()).hexdigest()
    return SitePage(site, page, frozenset(map(line_key, story.paragraphs)))


def site_counts(page: SitePage) -> Iterable[SiteKey]:
    """What one distinct page adds to its site's counts: one page, and each of its lines."""
    yield SiteKey(page.site, PAGES)
    for line in page.lines:
        yield SiteKey(page.site, line)


def shared(key: SiteKey, pages: int) -> bool:
    """Whether a count says more than "this page alone": a line on one page is what every
    page's own lines are, and is left out so that the counts stay small."""
    return key.line == PAGES or pages > 1


@dataclass(frozen=True)
class SiteContext:
    """What the other pages of one page's site hold."""

    others: int  # the site's other pages
    holding: Mapping[str, int]  # line key -> the site's pages with that line, this one included

    def rows(self, paragraphs: Sequence[str]) -> list[list[float]]:
        """``SITE_FEATURES`` of each paragraph."""
        others = math.log1p(self.others)
        return [
            [math.log1p(max(self.holding.get(line_key(paragraph), 1) - 1, 0)), others]
            for paragraph in paragraphs
        ]


@dataclass(frozen=True)
class SiteProfile:
    """Pages and lines per site, over one batch: how many distinct pages hold each line (lines
    on one page only are left out)."""

    counts: Mapping[SiteKey, int]

    @classmethod
    def of(cls, pages: Iterable[SitePage]) -> SiteProfile:
        """The profile of ``pages``; a page seen twice (by site and page) counts once."""
        distinct: dict[tuple[str, str], frozenset[str]] = {}
        for page in pages:
            key = (page.site, page.page)
            distinct[key] = distinct.get(key, frozenset()) | page.lines
        counts = Counter(
            key
            for (site, name), lines in distinct.items()
            for key in site_counts(SitePage(site, name, lines))
        )
        return cls({key: pages for key, pages in counts.items() if shared(key, pages)})

    def context(self, page: SitePage | None) -> SiteContext | None:
        """The context of ``page``, a page of this profile's batch; None when its site has no
        other pages in the batch (or it is not a page)."""
        others = self.counts.get(SiteKey(page.site, PAGES), 1) - 1 if page else 0
        if page is None or others <= 0:
            return None
        holding = {
            line: count
            for line in page.lines
            if (count := self.counts.get(SiteKey(page.site, line))) is not None
        }
        return SiteContext(others, holding)
