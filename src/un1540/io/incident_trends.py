"""The incident trends as CSV: one row per dimension and key (restricted records counted)."""

from __future__ import annotations

from un1540.io.csv_export import write_csv
from un1540.schemas.incidents import TrendsRead


def trends_csv(trends: TrendsRead) -> str:
    """dimension, key, count; the caveat on every row, as the counts must never travel without
    it (and the synthetic notice in front when demo records are counted)."""
    rows = [
        (dimension, item.key, item.count, trends.caveat)
        for dimension, items in (
            ("year", trends.by_year),
            ("category", trends.by_category),
            ("kind", trends.by_kind),
            ("region", trends.by_region),
        )
        for item in items
    ]
    rows.insert(0, ("total", "", trends.total, trends.caveat))
    return write_csv(["dimension", "key", "count", "caveat"], rows, synthetic=trends.synthetic)
