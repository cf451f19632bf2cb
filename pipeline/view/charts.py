"""Charts for the run report, drawn by matplotlib as SVG and put into the page as they are.

SVG, not a script that draws in the browser: the page needs nothing but itself, and a chart
shows the same in a mail client that runs no script. matplotlib escapes the text it writes
into the SVG (a label ``<script>`` is ``&lt;script&gt;``); ``$`` is escaped here, since
matplotlib reads ``$...$`` as mathematics. Text stays text in the SVG (``svg.fonttype``), so
the browser draws it with the page's fonts and a reader can select it.

matplotlib is imported when a chart is drawn, not with this module: ``wire-ingest run`` and
``watch`` import the report at start, and matplotlib would add a quarter of a second to it.
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING

from markupsafe import Markup

if TYPE_CHECKING:
    from matplotlib.figure import Figure

_STYLE = {
    "svg.fonttype": "none",
    "svg.hashsalt": "wire-ingest",  # the same ids in every drawing of the same chart
    "font.size": 9,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "#888888",
}
_BAR = "#3b6ea8"
_LABEL_CHARS = 40


def bars(values: Sequence[tuple[str, float]], *, unit: str = "") -> Markup:
    """Horizontal bars, one per (label, value), in the order given (largest first reads best)."""
    labels = [_label(label) for label, _ in values][::-1]
    numbers = [value for _, value in values][::-1]
    with _figure(5.6, 0.35 + 0.24 * len(values)) as figure:
        axes = figure.subplots()
        drawn = axes.barh(labels, numbers, color=_BAR, height=0.7)
        axes.bar_label(drawn, labels=[_number(value, unit) for value in numbers], padding=3)
        axes.set_xlim(0, max(numbers, default=1) * 1.25 or 1)
        axes.xaxis.set_visible(False)
        axes.spines["bottom"].set_visible(False)
        return _svg(figure)


def line(times: Sequence[float], values: Sequence[float], *, ylabel: str) -> Markup:
    """A line over time (``times`` in seconds since the first point)."""
    with _figure(5.6, 2.2) as figure:
        axes = figure.subplots()
        axes.plot(times, values, color=_BAR, marker="o", markersize=2.5, linewidth=1)
        axes.set_xlabel("seconds since the watcher started")
        axes.set_ylabel(ylabel)
        axes.set_ylim(bottom=0)
        return _svg(figure)


@contextmanager
def _figure(width: float, height: float) -> Iterator[Figure]:
    """A figure of ``width`` by ``height`` inches in the report's style (no pyplot: no global
    state, no window)."""
    import matplotlib
    from matplotlib.figure import Figure

    with matplotlib.rc_context(_STYLE):
        yield Figure(figsize=(width, height), layout="constrained")


def _label(text: str) -> str:
    text = " ".join(text.split())
    if len(text) > _LABEL_CHARS:
        text = text[: _LABEL_CHARS - 1] + "…"
    return text.replace("$", r"\$")


def _number(value: float, unit: str) -> str:
    shown = f"{value:,.0f}" if value >= 10 or float(value).is_integer() else f"{value:.2g}"
    return f"{shown} {unit}".strip()


def _svg(figure: Figure) -> Markup:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None}, transparent=True)
    document = buffer.getvalue()
    # The drawing alone: an <?xml?> declaration and a DOCTYPE have no place inside HTML.
    return Markup(document[document.index("<svg") :])
