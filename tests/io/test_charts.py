"""The review's charts as SVG, written without matplotlib (io/charts.py `bar_chart_svg`; mem10):
the same bars, values, labels and legend, mirrored for right-to-left readers, same bytes for the
same figures. The Word report's PNG (matplotlib) is checked in tests/portal/test_reader_language.py.
"""

from __future__ import annotations

import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from un1540.io.charts import BarSeries, bar_chart_svg

SVG = "{http://www.w3.org/2000/svg}"
NAMES = ["مجموعة الدول الأفريقية", "مجموعة دول أوروبا الشرقية", "مجموعة دول آسيا"]
SERIES = [BarSeries("25 أبريل 2011", [0.22, 0.95, None]), BarSeries("2016", [0.5, 1.0, 0.4])]


def _parse(svg: str) -> tuple[list[dict[str, float]], list[tuple[float, float, str, str]]]:
    root = ET.fromstring(svg)
    rects = [
        {key: float(rect.attrib[key]) for key in ("x", "y", "width", "height")}
        for rect in root.iter(f"{SVG}rect")
    ]
    texts = [
        (float(t.attrib["x"]), float(t.attrib["y"]), t.attrib["text-anchor"], t.text or "")
        for t in root.iter(f"{SVG}text")
    ]
    return rects, texts


def _overlaps(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["x"] < b["x"] + b["width"]
        and b["x"] < a["x"] + a["width"]
        and a["y"] < b["y"] + b["height"]
        and b["y"] < a["y"] + a["height"]
    )


@pytest.mark.parametrize("direction", ["ltr", "rtl"])
def test_the_svg_chart_shows_every_value_and_label_and_mirrors_for_right_to_left(
    direction: str,
) -> None:
    svg = bar_chart_svg("", NAMES, SERIES, direction=direction)
    assert svg.startswith("<svg")
    assert "style=" not in svg
    rects, texts = _parse(svg)
    words = [text for *_, text in texts]
    # Each value over its bar ("–" where there is none), the axis in whole percentages.
    for value in ("22.0%", "95.0%", "–", "50.0%", "100.0%", "40.0%"):
        assert value in words, (value, words)
    assert [w for w in words if w.endswith("%") and "." not in w] == [
        "0%",
        "20%",
        "40%",
        "60%",
        "80%",
        "100%",
    ]
    swatches = [r for r in rects if r["width"] == 12 and r["height"] == 8]
    bars = [r for r in rects if r not in swatches]
    assert len(bars) == 6
    assert len(swatches) == 2
    assert not [(s, b) for s in swatches for b in bars if _overlaps(s, b)]  # legend above
    lowest_swatch = max(s["y"] + s["height"] for s in swatches)
    assert all(b["y"] > lowest_swatch for b in bars)
    # Lengths in proportion to the values (row by row, series by series; none: no length).
    lengths = [b["width"] for b in bars]
    expected = [0.22, 0.5, 0.95, 1.0, 0.0, 0.4]
    assert lengths == pytest.approx([value * lengths[3] for value in expected], abs=0.1)
    labels = [
        (x, anchor, text) for x, _, anchor, text in texts if text.strip("\u2067\u2069") in NAMES
    ]
    assert len(labels) == 3
    if direction == "rtl":
        # Labels on the right, each isolated right to left; bars grow leftwards from the axis.
        assert all(t.startswith("\u2067") and t.endswith("\u2069") for *_, t in labels)
        assert all(x >= max(b["x"] + b["width"] for b in bars) for x, *_ in labels)
        assert len({round(b["x"] + b["width"], 1) for b in bars if b["width"]}) == 1
        # The first series reads first from the right: its swatch is the rightmost.
        legend = sorted(
            (x, text)
            for x, _, _, text in texts
            if text in ("\u206725 أبريل 2011\u2069", "\u20672016\u2069")
        )
        assert [text for _, text in legend] == ["\u20672016\u2069", "\u206725 أبريل 2011\u2069"]
    else:
        assert [t for *_, t in labels] == NAMES
        assert all(x <= min(b["x"] for b in bars) for x, *_ in labels)
        assert len({round(b["x"], 1) for b in bars}) == 1


def test_the_svg_chart_is_the_same_bytes_for_the_same_figures_and_wraps_long_labels() -> None:
    long_label = "Group of Latin American and Caribbean States and some more words to wrap"
    first = bar_chart_svg("", ["Africa", long_label], SERIES[1:])
    assert bar_chart_svg("", ["Africa", long_label], SERIES[1:]) == first
    assert bar_chart_svg("", ["Africa", long_label], [BarSeries("2016", [0.5, 0.9])]) != first
    _, texts = _parse(first)
    lines = [text for *_, text in texts if text in long_label]
    assert len(lines) == 2
    assert " ".join(lines) == long_label
    # Counts: the values as given, an axis of round numbers above the largest.
    counts = bar_chart_svg(
        "", ["0", "1-5"], [BarSeries("a", [3.0, 40.0]), BarSeries("b", [1.0, 22.0])], percent=False
    )
    words = [text for *_, text in _parse(counts)[1]]
    assert {"3", "40", "1", "22"} <= set(words)
    assert {"0", "20", "40"} <= set(words)


def test_drawing_the_svg_chart_imports_no_matplotlib() -> None:
    probe = (
        "import sys\n"
        "from un1540.io.charts import BarSeries, bar_chart_svg\n"
        "bar_chart_svg('', ['中国'], [BarSeries('2016', [0.5])])\n"
        "print('matplotlib' in sys.modules)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=120
    )
    assert done.stdout.strip() == "False"
