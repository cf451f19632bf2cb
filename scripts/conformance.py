"""Run the parsers over every item in the shared wire corpora and count what comes out.

For each file under ``../shared/corpora/{ninjs,newsml-g2,nitf,superdesk-fixtures,reuters21578}``
(documentation and schema files aside: READMEs, licences, SOURCE/PROVENANCE notes, XSD, DTD,
XSLT and JSON Schema files) it does what the pipeline's read and parse stages do: unpack the
file, recognise its format from the content (``--format auto``), parse it, and check every
story it yields has a headline and a body. It prints, per format: files, stories, skipped
items (not text stories: pictures, packages, planning items, ...) and dead letters, each with
their reasons. A ``DataError`` is a counted outcome; any other exception is a bug and stops
the script with its traceback.

Usage::

    python scripts/conformance.py [--corpora DIR] [--markdown] [--list-failures]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import DataError, Reason
from pipeline.parse.registry import detect_format
from pipeline.read.unpack import unpack
from pipeline.records import RECALLS, ItemFailure, RawItem, Story
from pipeline.settings import load_settings

SETS = ("ninjs", "newsml-g2", "nitf", "superdesk-fixtures", "reuters21578")
DEFAULT_CORPORA = Path(__file__).resolve().parents[2] / "shared" / "corpora"
# Files about the data rather than data: skipped, and counted as such.
_DOC_NAMES = ("readme", "license", "licence", "source.txt", "provenance", "excluded_binaries")
_DOC_SUFFIXES = (".md", ".xsd", ".dtd", ".xsl", ".xslt", ".tsv", ".html", ".css", ".js", ".py")
_DOC_FOLDERS = ("specification", "other-data")


@dataclass
class Tally:
    files: int = 0
    stories: int = 0
    skipped: Counter[str] = field(default_factory=Counter)
    dead: Counter[str] = field(default_factory=Counter)


def is_documentation(path: Path, root: Path) -> bool:
    relative = path.relative_to(root)
    name = path.name.lower()
    return (
        name.startswith(_DOC_NAMES)
        or name.endswith(_DOC_SUFFIXES)
        or any(part in _DOC_FOLDERS for part in relative.parts[:-1])
        or "schema" in name
        and name.endswith(".json")
    )


def conform(corpora: Path) -> tuple[dict[str, Tally], list[str], int]:
    """Tallies by format, failure lines (file: reason: message), documentation files skipped."""
    max_bytes = load_settings().read.max_item_bytes
    tallies: dict[str, Tally] = defaultdict(Tally)
    failures: list[str] = []
    documentation = 0
    for folder in SETS:
        root = corpora / folder
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            if is_documentation(path, root):
                documentation += 1
                continue
            outcomes = _parse_file(path, max_bytes)
            for format_name, outcome in outcomes:
                tally = tallies[format_name]
                if isinstance(outcome, Story):
                    recall = outcome.pub_status in RECALLS  # a kill may come without text
                    if not recall and not (outcome.headline.strip() and outcome.body.strip()):
                        raise AssertionError(f"{path}: a story without headline or body")
                    tally.stories += 1
                    continue
                reason, message, where = outcome
                bucket = tally.skipped if reason == Reason.NOT_TEXT else tally.dead
                bucket[reason] += 1
                failures.append(f"{path.relative_to(corpora)}{where}: {reason}: {message}")
            tallies[outcomes[0][0]].files += 1
    return dict(sorted(tallies.items())), failures, documentation


def _parse_file(path: Path, max_bytes: int) -> list[tuple[str, Story | tuple[str, str, str]]]:
    """(format, story or (reason, message, where)) for each item of the file."""
    try:
        (item,) = unpack(RawItem.of(str(path), path.read_bytes()), max_bytes=max_bytes)
    except DataError as error:
        return [("(read)", (str(error.reason), error.message, ""))]
    try:
        fmt = detect_format(item.raw)
    except DataError as error:  # an XML or JSON document no format claims
        return [("(none)", (str(error.reason), error.message, ""))]
    try:
        results = list(fmt.parse(item))
    except DataError as error:
        return [(fmt.name, (str(error.reason), error.message, ""))]
    outcomes: list[tuple[str, Story | tuple[str, str, str]]] = []
    for result in results:
        if isinstance(result, ItemFailure):
            where = f" item {result.source.index}"
            outcomes.append((fmt.name, (str(result.error.reason), result.error.message, where)))
        else:
            outcomes.append((fmt.name, result))
    return outcomes or [(fmt.name, ("empty", "no items in it", ""))]


def report(tallies: dict[str, Tally], markdown: bool) -> str:
    def reasons(counter: Counter[str]) -> str:
        return ", ".join(f"{reason} {count}" for reason, count in counter.most_common()) or "-"

    rows = [
        (name, t.files, t.stories, sum(t.skipped.values()), reasons(t.skipped),
         sum(t.dead.values()), reasons(t.dead))
        for name, t in tallies.items()
    ]  # fmt: skip
    if markdown:
        lines = ["| format | files | stories | skipped | why | dead letters | why |",
                 "|---|---:|---:|---:|---|---:|---|"]  # fmt: skip
        lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
        return "\n".join(lines)
    return "\n".join(
        f"{name:14} files {files:5}  stories {stories:6}  skipped {skipped:4} ({why_skipped})"
        f"  dead letters {dead:4} ({why_dead})"
        for name, files, stories, skipped, why_skipped, dead, why_dead in rows
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Parse the shared wire corpora and count.")
    parser.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA)
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    parser.add_argument("--list-failures", action="store_true", help="one line per failure")
    args = parser.parse_args(argv)
    if not all((args.corpora / folder).is_dir() for folder in SETS):
        print(f"conformance: error: needs {', '.join(SETS)} under {args.corpora}", file=sys.stderr)
        return 2
    tallies, failures, documentation = conform(args.corpora)
    print(report(tallies, args.markdown))
    print(f"\n{documentation} documentation and schema files left out")
    if args.list_failures:
        print("\n".join(failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
