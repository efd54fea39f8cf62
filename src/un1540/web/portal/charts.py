"""Chart specifications for the portal's chart script (static/js/charts.js)."""

from __future__ import annotations

import json
from typing import Any


def chart_json(
    kind: str,
    title: str,
    categories: list[str],
    series: list[dict[str, Any]],
    file: str,
    unit: str = "percent",
) -> str:
    """A chart for charts.js, safe to embed in a <script type="application/json"> element."""
    spec = {
        "type": kind,
        "title": title,
        "categories": categories,
        "series": series,
        "unit": unit,
        "file": file,
        "horizontal": kind == "bar" and len(categories) > 4,
    }
    return json.dumps(spec, ensure_ascii=False).replace("</", "<\\/")
