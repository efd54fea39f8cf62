"""Data for the portal's world maps, embedded in the page as JSON for the map script."""

from __future__ import annotations

import json

from un1540.reference.languages import N_
from un1540.schemas.overview import MapPoint
from un1540.web.i18n import gettext

MAP_NOTE = N_(
    "The boundaries and names shown and the designations used on this map do not imply "
    "official endorsement or acceptance by the United Nations."
)


def map_json(
    points: list[MapPoint],
    *,
    value_label: str,
    maximum: float = 100,
    percent: bool = True,
    no_data: str | None = None,
) -> str:
    """JSON safe to embed in a <script type="application/json"> element."""
    payload = {
        "value_label": value_label,
        "maximum": maximum,
        "percent": percent,
        "no_data": no_data or gettext("no approved edition"),
        "note": gettext(MAP_NOTE),  # printed on downloaded images too
        "failed": gettext(
            "The map could not be drawn; the table on this page gives the same figures."
        ),
        "states": [point.model_dump() for point in points],
    }
    # "</" must not appear inside a script element.
    return json.dumps(payload, ensure_ascii=False).replace("</", "<\\/")
