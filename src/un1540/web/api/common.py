"""Pieces every API router shares: documented error responses and path parameters."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path

from un1540.schemas.common import ErrorResponse

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "Unknown State, field, edition or framework."},
    422: {
        "model": ErrorResponse,
        "description": "A query parameter is invalid; `problems` names it.",
    },
}

CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "CSV, one row per item (all pages)."},
    **ERRORS,
}

Iso3Path = Annotated[
    str,
    Path(
        min_length=3,
        max_length=3,
        description="ISO 3166-1 alpha-3 code of the State, e.g. FRA (any case).",
        examples=["FRA"],
    ),
]
