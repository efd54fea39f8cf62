"""Turning service results into HTTP responses, always carrying the synthetic-data header."""

from __future__ import annotations

from pydantic import BaseModel
from starlette.responses import Response

from un1540.schemas.common import Envelope

SYNTHETIC_HEADER = "X-Synthetic-Data"


def synthetic_headers(synthetic: bool) -> dict[str, str]:
    return {SYNTHETIC_HEADER: "true"} if synthetic else {}


def json_model(model: BaseModel, *, status_code: int = 200) -> Response:
    """Serialise a response model directly (fast: pydantic-core) with the right headers."""
    synthetic = isinstance(model, Envelope) and model.synthetic
    return Response(
        content=model.model_dump_json(),
        status_code=status_code,
        media_type="application/json",
        headers=synthetic_headers(synthetic),
    )


def csv_response(text: str, *, filename: str, synthetic: bool) -> Response:
    name = f"synthetic-demo-{filename}" if synthetic else filename
    headers = {"Content-Disposition": f'inline; filename="{name}"'} | synthetic_headers(synthetic)
    return Response(content=text, media_type="text/csv; charset=utf-8", headers=headers)
