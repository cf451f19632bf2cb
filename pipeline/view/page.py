"""HTML pages from the templates in ``pipeline/view/templates``, and text made safe to show.

Jinja2 escapes every value the templates print (``autoescape``), so a story, a file name or a
dead letter's bytes that hold ``<script>`` show as text. The pages are self-contained: their
style is inlined and their charts are SVG drawn into them (``pipeline.view.charts``), so a
page opens from disk, mailed or archived, with nothing to fetch.
"""

from __future__ import annotations

from datetime import UTC, datetime
from importlib.metadata import version
from typing import Any

import jinja2

PREVIEW_CHARS = 200

_ENVIRONMENT = jinja2.Environment(
    loader=jinja2.PackageLoader("pipeline.view", "templates"),
    autoescape=True,
    undefined=jinja2.StrictUndefined,  # a misspelt name in a template is our bug: fail loudly
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(template: str, **context: Any) -> str:
    """The page ``template`` shows ``context`` in, with the version and time in its footer."""
    stamp = f"{datetime.now(UTC):%Y-%m-%d %H:%M:%S} UTC"
    page = _ENVIRONMENT.get_template(template)
    return page.render(version=version("wire-ingest"), written_at=stamp, **context)


def preview(raw: bytes, limit: int = PREVIEW_CHARS) -> str:
    """At most ``limit`` characters of ``raw``: printable characters as they are, anything
    else (control characters, bytes that are not UTF-8) as a Python escape (``\\x00``)."""
    text = raw.decode("utf-8", errors="backslashreplace")
    shown = "".join(
        char if char.isprintable() or char == " " else char.encode("unicode_escape").decode()
        for char in text[:limit]
    )
    return shown[:limit] + ("…" if len(shown) > limit or len(text) > limit else "")
