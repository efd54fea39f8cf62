"""Static charts for documents (the review report): SVG for HTML and PDF, PNG for Word.

matplotlib with the Agg backend, no browser and no network. Output is reproducible: no dates or
random ids in the files, so the same figures give the same bytes.
"""

from __future__ import annotations

import io
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any

from un1540.reference.languages import rtl as bidi_rtl

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
            # Chinese and Arabic glyphs from Noto where installed (the SVG keeps text as text:
            # the browser or WeasyPrint shapes Arabic; matplotlib only measures it).
            "font.family": ["DejaVu Sans", "Noto Sans CJK SC", "Noto Sans Arabic"],
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
    direction: str = "ltr",
    value_text: Callable[[float], str] | None = None,
    tick_text: Callable[[float], str] | None = None,
) -> Any:
    """Horizontal grouped bars (labels read left to right, whatever their length).

    `direction="rtl"` mirrors the chart for right-to-left readers: category labels on the right,
    bars growing leftwards, the legend's swatches after their text. `value_text` writes the
    value over each bar in the reader's number format (default: "45.1%" or "12"), `tick_text`
    the percentages on the axis (default: "40%")."""
    pyplot = _pyplot()
    rtl = direction == "rtl"
    height = max(1.6, 0.32 * len(categories) * max(1, len(series)) + 0.8)
    if len(series) > 1:
        height += 0.3  # the legend's row, above the bars
    figure, axes = pyplot.subplots(figsize=(7, height), dpi=100)
    if rtl:
        axes.invert_xaxis()  # before the bar labels, so they sit past the bars' ends
    bar = 0.8 / max(1, len(series))

    def default_text(raw: float) -> str:
        return f"{raw * 100:.1f}%" if percent else f"{raw:g}"

    text_of = value_text or default_text
    for index, serie in enumerate(series):
        positions = [row + (index - (len(series) - 1) / 2) * bar for row in range(len(categories))]
        values = [
            0.0 if value is None else value * (100 if percent else 1) for value in serie.values
        ]
        colour = COLOURS[-1] if len(series) == 1 else COLOURS[index % len(COLOURS)]
        name = bidi_rtl(serie.name) if rtl else serie.name
        bars = axes.barh(positions, values, height=bar * 0.9, color=colour, label=name)
        labels = ["–" if raw is None else text_of(raw) for raw in serie.values]
        axes.bar_label(bars, labels=labels, padding=2, fontsize=7, color=INK)
    labels = [_wrap(label) for label in categories]
    if rtl:  # each line read right to left, numbers and all
        labels = ["\n".join(bidi_rtl(line) for line in label.split("\n")) for label in labels]
    axes.set_yticks(range(len(categories)), labels)
    axes.invert_yaxis()
    if percent:
        axes.set_xlim((110, 0) if rtl else (0, 110))
        ticks = [0, 20, 40, 60, 80, 100]
        axes.set_xticks(ticks, [(tick_text or _whole_percent)(tick / 100) for tick in ticks])
    if rtl:
        axes.yaxis.tick_right()
        axes.spines[["top", "left"]].set_visible(False)
    else:
        axes.spines[["top", "right"]].set_visible(False)
    axes.set_title(title, loc="right" if rtl else "left", fontsize=10, color=INK)
    if len(series) > 1:
        # Above the plot, never over the bars or their values; right to left: the first series
        # rightmost, each swatch after its text.
        handles, names = axes.get_legend_handles_labels()
        if rtl:
            handles, names = handles[::-1], names[::-1]
        axes.legend(
            handles,
            names,
            loc="lower right" if rtl else "lower left",
            bbox_to_anchor=(1.0 if rtl else 0.0, 1.0),
            ncols=len(series),
            fontsize=7,
            frameon=False,
            markerfirst=not rtl,
            borderaxespad=0.2,
        )
    figure.tight_layout()
    return figure


_SVGS: OrderedDict[Hashable, str] = OrderedDict()
_SVGS_LOCK = threading.Lock()
SVGS_KEPT = 64  # charts of a few periods in six languages (each SVG some tens of kB)


def bar_chart_svg(
    title: str,
    categories: Sequence[str],
    series: Sequence[BarSeries],
    *,
    percent: bool = True,
    direction: str = "ltr",
    value_text: Callable[[float], str] | None = None,
    tick_text: Callable[[float], str] | None = None,
) -> str:
    """`to_svg(bar_chart(...))`, drawn once per content: the key is every text and value the
    chart shows (the labels, the series, the values as written, the ticks), so the same
    figures in the same language give the stored SVG (drawing one takes matplotlib about
    half a second of CPU), and different figures can never be served a stale chart."""
    ticks = tuple((tick_text or _whole_percent)(tick / 100) for tick in range(0, 101, 20))
    key = (
        title,
        tuple(categories),
        tuple(
            (
                serie.name,
                tuple(serie.values),
                tuple("" if v is None else value_text(v) for v in serie.values)
                if value_text
                else (),
            )
            for serie in series
        ),
        percent,
        direction,
        ticks if percent else (),
    )
    with _SVGS_LOCK:
        svg = _SVGS.get(key)
        if svg is not None:
            _SVGS.move_to_end(key)
            return svg
    svg = to_svg(
        bar_chart(
            title,
            categories,
            series,
            percent=percent,
            direction=direction,
            value_text=value_text,
            tick_text=tick_text,
        )
    )
    with _SVGS_LOCK:
        _SVGS[key] = svg
        while len(_SVGS) > SVGS_KEPT:
            _SVGS.popitem(last=False)
    return svg


def _whole_percent(value: float) -> str:
    return f"{value * 100:.0f}%"


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
