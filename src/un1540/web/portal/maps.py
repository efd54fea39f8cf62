"""Data for the portal's world maps, embedded in the page as JSON for the map script."""

from __future__ import annotations

import json

from un1540.schemas.overview import MapPoint


def map_json(points: list[MapPoint], *, value_label: str) -> str:
    """JSON safe to embed in a <script type="application/json"> element."""
    payload = {
        "value_label": value_label,
        "states": [point.model_dump() for point in points],
    }
    # "</" must not appear inside a script element.
    return json.dumps(payload, ensure_ascii=False).replace("</", "<\\/")
