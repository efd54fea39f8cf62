"""Static charts for documents (the review report): SVG for HTML and PDF, PNG for Word.

The SVG (the portal's review page and the PDF) is written by `bar_chart_svg` itself; only the
Word report's PNG is drawn with matplotlib (Agg backend), imported when one is drawn, so that a
server showing the review never holds matplotlib (30-44 MB; docs/performance.md "mem10"). No
browser and no network. Output is reproducible: no dates or random ids in the files, so the same
figures give the same bytes.
"""

from __future__ import annotations

import io
import math
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any

from un1540.reference.languages import rtl as bidi_rtl

COLOURS = ("#9fb7c9", "#0b5d8c")  # start, end
INK = "#1b2631"
AXIS = "#8a96a3"


@dataclass(frozen=True)
class BarSeries:
    name: str
    values: Sequence[float | None]


def _pyplot() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    matplotlib.rcParams.update(
        {
            # Chinese and Arabic glyphs from Noto where installed.
            "font.family": ["DejaVu Sans", "Noto Sans CJK SC", "Noto Sans Arabic"],
            "font.size": 9,
            "axes.edgecolor": AXIS,
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
    """The chart of `bar_chart`, written as SVG by hand (no matplotlib in the server process:
    docs/performance.md "mem10"): the same bars, labels, values, ticks and legend, laid out on a
    fixed grid. Text stays text, in presentation attributes only (no style attribute), for the
    browser or WeasyPrint to shape (Arabic) and to find fonts for (Chinese); widths are only
    estimated (`_text_width`) to place the label column and the legend. Same figures, same bytes.
    """
    rtl = direction == "rtl"
    text_of = value_text or (
        (lambda raw: f"{raw * 100:.1f}%") if percent else (lambda raw: f"{raw:g}")
    )
    scale = 100.0 if percent else 1.0
    rows = [_wrap(label).split("\n") for label in categories]
    if rtl:  # each line read right to left, numbers and all
        rows = [[bidi_rtl(line) for line in lines] for lines in rows]
    names = [bidi_rtl(serie.name) if rtl else serie.name for serie in series]
    # The value axis: 0 to 110% (ticks every 20%), or 0 to a round number above the largest count.
    if percent:
        top, ticks = 110.0, [0.0, 20.0, 40.0, 60.0, 80.0, 100.0]
        tick_label = tick_text or _whole_percent
        tick_texts = [tick_label(tick / 100) for tick in ticks]
    else:
        largest = max([v for serie in series for v in serie.values if v is not None] or [1.0])
        step = _round_step(max(largest, 1.0) / 5)
        ticks = [step * index for index in range(int(largest // step) + 2)]
        top = max(ticks[-1], largest * 1.1)
        tick_texts = [(tick_text or (lambda raw: f"{raw:g}"))(tick) for tick in ticks]
    # The grid, in pixels (100 per inch of bar_chart's figure).
    width = 700.0
    height = 100 * max(1.6, 0.32 * len(categories) * max(1, len(series)) + 0.8)
    legend = 30.0 if len(series) > 1 else 0.0
    if legend:
        height += legend
    label_width = min(
        300.0, max([_text_width(line, LABEL) for lines in rows for line in lines] or [0])
    )
    top_edge = 12.0 + legend + (18.0 if title else 0.0)
    bottom_edge = height - 30.0
    if rtl:
        left_edge, right_edge = 12.0, width - label_width - 16.0
    else:
        left_edge, right_edge = label_width + 16.0, width - 12.0
    span = right_edge - left_edge

    def x_of(value: float) -> float:  # value axis position; right to left: 0 on the right
        share = min(value, top) / top
        return right_edge - share * span if rtl else left_edge + share * span

    row_height = (bottom_edge - top_edge) / max(1, len(categories))
    bar = row_height * 0.8 / max(1, len(series))
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:g}" height="{height:g}" '
        f'viewBox="0 0 {width:g} {height:g}" font-family="{FONTS}" fill="{INK}">'
    ]
    if title:
        parts.append(
            _text(right_edge if rtl else left_edge, 14, title, "end" if rtl else "start", TITLE)
        )
    # Ticks and their labels under the axis.
    for tick, label in zip(ticks, tick_texts, strict=True):
        x = x_of(tick)
        parts.append(_line(x, bottom_edge, x, bottom_edge + 4))
        parts.append(_text(x, bottom_edge + 18, label, "middle", LABEL))
    for row, lines in enumerate(rows):
        middle = top_edge + (row + 0.5) * row_height
        for index, serie in enumerate(series):
            y = middle + (index - (len(series) - 1) / 2) * bar
            raw = serie.values[row]
            value = 0.0 if raw is None else raw * scale
            start, end = x_of(0.0), x_of(value)
            colour = COLOURS[-1] if len(series) == 1 else COLOURS[index % len(COLOURS)]
            parts.append(
                f'<rect x="{min(start, end):.1f}" y="{y - bar * 0.45:.1f}" '
                f'width="{abs(end - start):.1f}" height="{bar * 0.9:.1f}" fill="{colour}"/>'
            )
            text = "–" if raw is None else text_of(raw)
            parts.append(
                _text(end - 2 if rtl else end + 2, y + 3.5, text, "end" if rtl else "start", VALUE)
            )
        # The category's label beside the axis, its lines centred on the row.
        label_x = right_edge + 6 if rtl else left_edge - 6
        for number, line in enumerate(lines):
            y = middle + 4 + (number - (len(lines) - 1) / 2) * 15
            parts.append(_text(label_x, y, line, "start" if rtl else "end", LABEL))
    # The axes: the value axis below, the category axis on the labels' side.
    parts.append(_line(left_edge, bottom_edge, right_edge, bottom_edge))
    axis_x = right_edge if rtl else left_edge
    parts.append(_line(axis_x, top_edge, axis_x, bottom_edge))
    if legend:
        # Above the plot, never over the bars; right to left: the first series rightmost, each
        # swatch to the right of its text (read first).
        x = right_edge if rtl else left_edge
        y = 12.0 + (18.0 if title else 0.0) + legend / 2
        for index, name in enumerate(names):
            colour = COLOURS[index % len(COLOURS)]
            text_width = _text_width(name, VALUE)
            if rtl:
                parts.append(_swatch(x - 12, y, colour))
                parts.append(_text(x - 16, y + 3.5, name, "end", VALUE))
                x -= 16 + text_width + 18
            else:
                parts.append(_swatch(x, y, colour))
                parts.append(_text(x + 16, y + 3.5, name, "start", VALUE))
                x += 16 + text_width + 18
    parts.append("</svg>")
    return "\n".join(parts)


FONTS = "DejaVu Sans, Noto Sans CJK SC, Noto Sans Arabic, sans-serif"
# Font sizes in pixels, 100 an inch: the 10, 9 and 7 points of bar_chart's title, labels and values.
TITLE, LABEL, VALUE = 13.9, 12.5, 9.7


def _text(x: float, y: float, text: str, anchor: str, size: float) -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size:g}">'
        f"{escape(text)}</text>"
    )


def _line(x1: float, y1: float, x2: float, y2: float) -> str:
    return (
        f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" '
        f'stroke="{AXIS}" stroke-width="0.8"/>'
    )


def _swatch(x: float, y: float, colour: str) -> str:
    return f'<rect x="{x:.1f}" y="{y - 4:.1f}" width="12" height="8" fill="{colour}"/>'


def _text_width(text: str, size: float) -> float:
    """An estimate of the width of `text` in pixels: wide (Chinese) characters a full em, the
    others about 0.6 em (DejaVu Sans's average), direction marks and Arabic marks nothing."""
    em = 0.0
    for character in text:
        if unicodedata.category(character) in ("Cf", "Mn"):
            continue
        em += 1.0 if unicodedata.east_asian_width(character) in ("W", "F") else 0.6
    return em * size


def _round_step(rough: float) -> float:
    """1, 2 or 5 times a power of ten, at least `rough`."""
    power = 10.0 ** math.floor(math.log10(rough))
    return next(step * power for step in (1, 2, 5, 10) if step * power >= rough)


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


def to_png(figure: Any) -> bytes:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", dpi=150, metadata={"Software": None})
    _pyplot().close(figure)
    return buffer.getvalue()
