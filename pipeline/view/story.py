"""``wire-ingest show``: one story as a person reads it, with what the cleaner cut in place.

The kept text is the record's ``body``; every cut (``removed``) goes back where it stood, by
its offset into the body (``removed_at``, schema v6), marked with its ``kind`` and the rule
that cut it. Entities and quotes are marked in the kept text by their offsets. Files written
before v6 carry no positions: their cuts are listed after the text, and the view says so.

The pure part, ``blocks``, turns a record into paragraphs and cuts; the terminal (rich) and
the page (``templates/story.html``) only draw them.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

import fastavro
from apache_beam.io.filesystems import FileSystems
from rich.console import Console
from rich.table import Table
from rich.text import Text

from pipeline.errors import ConfigError
from pipeline.records import PARAGRAPH_BREAK
from pipeline.sink.transforms import STORIES_DIR
from pipeline.view.page import render

# What the view lists beside the text, in this order, when the record has it.
METADATA = (
    "id", "version", "provider", "pub_status", "language", "byline", "dateline", "caption",
    "credit", "version_created", "first_created", "urgency", "signals", "slugline",
    "copyright", "editorial_note", "cluster_id", "nlp_skipped", "nlp_model",
)  # fmt: skip
_NAMED = 5  # stories an error names to pick from


@dataclass(frozen=True)
class Run:
    """A stretch of kept text, with the entity label and the quote it falls in, if any."""

    text: str
    label: str | None = None
    quote: bool = False


@dataclass(frozen=True)
class Paragraph:
    runs: tuple[Run, ...]


@dataclass(frozen=True)
class Cut:
    kind: str
    rule: str
    text: str
    score: float | None


@dataclass(frozen=True)
class StoryView:
    record: dict[str, Any]
    blocks: tuple[Paragraph | Cut, ...]
    placed: bool  # False: the file predates removed_at, the cuts follow the text

    @property
    def metadata(self) -> list[tuple[str, str]]:
        record = self.record
        rows = [(name, _shown(record.get(name))) for name in METADATA]
        source = record["source"]
        rows.insert(1, ("source", f"{source['uri']} (item {source['index']}, {source['format']})"))
        if record.get("page"):
            rows += [(f"page {name}", _shown(value)) for name, value in record["page"].items()]
        return [(name, value) for name, value in rows if value]

    @property
    def cuts(self) -> list[Cut]:
        return [block for block in self.blocks if isinstance(block, Cut)]

    @property
    def cut_chars(self) -> int:
        return sum(len(cut.text) for cut in self.cuts)


def blocks(record: dict[str, Any]) -> tuple[tuple[Paragraph | Cut, ...], bool]:
    """The kept paragraphs and the cuts, in the order they stood; and whether the record said
    where its cuts stood (v6)."""
    body = record["body"]
    positions = list(record.get("removed_at") or ())
    placed = len(positions) == len(record["removed"])
    if not placed:
        positions = [len(body)] * len(record["removed"])
    cuts = sorted(
        zip(positions, range(len(positions)), record["removed"], strict=True),
        key=lambda cut: cut[:2],
    )
    marks = _Marks(record)
    found: list[Paragraph | Cut] = []
    pending = iter(cuts)
    cut = next(pending, None)
    for start, end in _paragraph_spans(body):
        while cut is not None and cut[0] <= start:
            found.append(_cut(cut[2]))
            cut = next(pending, None)
        found.append(Paragraph(tuple(marks.runs(start, end))))
    while cut is not None:
        found.append(_cut(cut[2]))
        cut = next(pending, None)
    return tuple(found), placed


def find(output: str, *, story_id: str | None = None, source: str | None = None) -> StoryView:
    """The story with ``story_id`` (its latest version), or the one read from the file named
    ``source`` (a file name, or the end of its path).

    Raises:
        ConfigError: no such story, or several match (the error names some of them).
    """
    matches = [
        record
        for record in stories(output)
        if (story_id is not None and record["id"] == story_id)
        or (source is not None and _from_file(record["source"]["uri"], source))
    ]
    if story_id is not None:
        matches = sorted(matches, key=lambda record: record["version_rank"])[-1:]
    if not matches:
        asked = f"id {story_id}" if story_id is not None else f"source {source}"
        raise ConfigError(f"{output}: no story with {asked} (wire-ingest show {output} lists them)")
    if len(matches) > 1:
        ids = ", ".join(record["id"] for record in matches[:_NAMED])
        more = ", ..." if len(matches) > _NAMED else ""
        raise ConfigError(
            f"{output}: {len(matches)} stories were read from {source}; pick one with --id "
            f"({ids}{more})"
        )
    (record,) = matches
    return StoryView(record, *blocks(record))


def stories(output: str) -> Iterator[dict[str, Any]]:
    """Every story record in the output's finalized files."""
    pattern = FileSystems.join(output, STORIES_DIR, "*", "*.avro")
    for metadata in sorted(FileSystems.match([pattern])[0].metadata_list, key=lambda m: m.path):
        with FileSystems.open(metadata.path) as handle:
            yield from fastavro.reader(handle)


def print_story(view: StoryView, console: Console) -> None:
    """The story in a terminal: metadata, headline, then the text with each cut in place,
    dimmed and struck through under its kind; entities underlined, quotes in italics."""
    record = view.record
    metadata = Table.grid(padding=(0, 2))
    metadata.add_column(style="dim", justify="right", no_wrap=True)
    metadata.add_column(overflow="fold")
    for name, value in view.metadata:
        metadata.add_row(name, value)
    console.print(metadata)
    console.print()
    console.print(Text(record["headline"] or "(no headline)", style="bold"))
    if not view.placed:
        console.print(Text("(written before removed_at: the cuts follow the text)", "dim"))
    for block in view.blocks:
        console.print()
        if isinstance(block, Cut):
            console.print(_cut_text(block))
        else:
            console.print(Text.assemble(*(_run_text(run) for run in block.runs)))
    console.print()
    cuts = (
        f"{len(view.cuts)} cut{'' if len(view.cuts) == 1 else 's'}, {view.cut_chars:,} characters"
    )
    found = f"{len(record['entities'])} entity mentions, {len(record['quotes'])} quotes"
    console.print(Text(f"{cuts}; {found}", "dim"))


def story_page(view: StoryView) -> str:
    return render("story.html", view=view, record=view.record)


def _cut_text(cut: Cut) -> Text:
    score = f", score {cut.score:.2f}" if cut.score is not None else ""
    return Text.assemble(
        (f"✂ {cut.kind} ({cut.rule}{score}): ", "bold red"), (cut.text, "dim strike")
    )


def _run_text(run: Run) -> tuple[str, str]:
    styles = []
    if run.label:
        styles.append("underline cyan")
    if run.quote:
        styles.append("italic green")
    return run.text, " ".join(styles)


def _cut(removed: dict[str, Any]) -> Cut:
    return Cut(removed["kind"], removed["rule"], removed["text"], removed.get("score"))


def _paragraph_spans(body: str) -> Iterator[tuple[int, int]]:
    start = 0
    while start <= len(body):
        end = body.find(PARAGRAPH_BREAK, start)
        end = len(body) if end < 0 else end
        if end > start:
            yield start, end
        start = end + len(PARAGRAPH_BREAK)


class _Marks:
    """The entity and quote spans of a body, cut into runs of text with one set of marks."""

    def __init__(self, record: dict[str, Any]) -> None:
        self._body = record["body"]
        self._entities = sorted((e["start"], e["end"], e["label"]) for e in record["entities"])
        self._quotes = sorted((q["start"], q["end"]) for q in record["quotes"])
        edges = {edge for start, end, _ in self._entities for edge in (start, end)}
        edges |= {edge for span in self._quotes for edge in span}
        self._edges = sorted(edges)

    def runs(self, start: int, end: int) -> Iterator[Run]:
        first = bisect.bisect_right(self._edges, start)
        bounds = [start, *self._edges[first : bisect.bisect_left(self._edges, end)], end]
        for left, right in zip(bounds, bounds[1:], strict=False):
            yield Run(
                self._body[left:right],
                label=_covering(self._entities, left, right),
                quote=any(first <= left and right <= last for first, last in self._quotes),
            )


def _covering(entities: Sequence[tuple[int, int, str]], left: int, right: int) -> str | None:
    for start, end, label in entities:
        if start <= left and right <= end:
            return label
    return None


def _from_file(uri: str, name: str) -> bool:
    path = PurePosixPath(uri.split("://", 1)[-1])
    asked = PurePosixPath(name)
    return path.parts[-len(asked.parts) :] == asked.parts


def line(record: dict[str, Any]) -> str:
    """A story in one line: its id, the file (and item) it was read from, its headline."""
    source = record["source"]
    item = f"#{source['index']}" if source["index"] else ""
    return f"{record['id']}  {PurePosixPath(source['uri']).name}{item}  {record['headline']}"


def _shown(value: Any) -> str:
    if value is None or value == [] or value == "":
        return ""
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    return str(value)
