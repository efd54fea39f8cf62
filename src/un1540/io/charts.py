"""Static charts for documents (the review report): SVG for HTML and PDF, PNG for Word.

matplotlib with the Agg backend, no browser and no network. Output is reproducible: no dates or
random ids in the files, so the same figures give the same bytes.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

COLOURS = ("#9fb7c9", "#0b5d8c")  # start, end
INK = "#1b2631"


@dataclass(frozen=True)
class BarSeries:
    name: str
    values: Sequence[float | None]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update(
        {
            "svg.hashsalt": "un1540",  # stable element ids
            "svg.fonttype": "none",  # text stays text (searchable, small)
            "font.family": ["DejaVu Sans"],
            "font.size": 9,
            "axes.edgecolor": "#8a96a3",
            "axes.labelcolor": INK,
            "xtick.color": INK,
            "ytick.color": INK,
        }
    )
    import matplotlib.pyplot as pyplot

    return pyplot


def bar_chart(
    title: str,
    categories: Sequence[str],
    series: Sequence[BarSeries],
    *,
    percent: bool = True,
) -> Any:
    """Horizontal grouped bars (labels read left to right, whatever their length)."""
    pyplot = _pyplot()
    height = max(1.6, 0.32 * len(categories) * max(1, len(series)) + 0.8)
    figure, axes = pyplot.subplots(figsize=(7, height), dpi=100)
    bar = 0.8 / max(1, len(series))
    for index, serie in enumerate(series):
        positions = [row + (index - (len(series) - 1) / 2) * bar for row in range(len(categories))]
        values = [
            0.0 if value is None else value * (100 if percent else 1) for value in serie.values
        ]
        colour = COLOURS[-1] if len(series) == 1 else COLOURS[index % len(COLOURS)]
        bars = axes.barh(positions, values, height=bar * 0.9, color=colour, label=serie.name)
        labels = [
            "–" if raw is None else (f"{raw * 100:.1f}%" if percent else f"{raw:g}")
            for raw in serie.values
        ]
        axes.bar_label(bars, labels=labels, padding=2, fontsize=7, color=INK)
    axes.set_yticks(range(len(categories)), [_wrap(label) for label in categories])
    axes.invert_yaxis()
    if percent:
        axes.set_xlim(0, 110)
        axes.set_xticks([0, 20, 40, 60, 80, 100], ["0%", "20%", "40%", "60%", "80%", "100%"])
    axes.set_title(title, loc="left", fontsize=10, color=INK)
    axes.spines[["top", "right"]].set_visible(False)
    if len(series) > 1:
        axes.legend(loc="lower right", fontsize=7, frameon=False)
    figure.tight_layout()
    return figure


def _wrap(label: str, width: int = 38) -> str:
    words, lines, line = label.split(), [], ""
    for word in words:
        if line and len(line) + len(word) + 1 > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return "\n".join(lines[:3]) + ("…" if len(lines) > 3 else "")


def to_svg(figure: Any) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata={"Date": None, "Creator": None})
    _pyplot().close(figure)
    text = buffer.getvalue()
    return text[text.index("<svg") :]  # drop the XML prologue and doctype: inline in HTML


def to_png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
    _pyplot().close(figure)
    return buffer.getvalue()
