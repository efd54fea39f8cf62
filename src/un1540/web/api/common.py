"""Pieces every API router shares: documented error responses and path parameters."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import Path, Query
from starlette.responses import Response

from un1540.reference.organisations import load_organisations
from un1540.reference.states import load_states
from un1540.schemas.common import Envelope, ErrorResponse, FacetCount, Facets
from un1540.services.kernel.envelope import page_of
from un1540.services.kernel.paging import PageRequest
from un1540.web.params import NumberPath as NumberPath  # re-exported for the routers
from un1540.web.params import RecordIdPath as RecordIdPath
from un1540.web.responses import json_model

ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorResponse, "description": "Unknown State, field, edition or framework."},
    422: {
        "model": ErrorResponse,
        "description": "A query parameter is invalid; `problems` names it.",
    },
}

WRITE_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "Sign in or send an API token."},
    403: {"model": ErrorResponse, "description": "Your role or token scope does not allow this."},
    404: {"model": ErrorResponse, "description": "Unknown, or not visible to you."},
    409: {
        "model": ErrorResponse,
        "description": "Not allowed in the edition's current state, or a stale version.",
    },
    422: {"model": ErrorResponse, "description": "Invalid input; `problems` names each field."},
}

PAYLOAD_TOO_LARGE: dict[int | str, dict[str, Any]] = {
    413: {
        "model": ErrorResponse,
        "description": "The request is larger than UN1540_MAX_UPLOAD_MB plus the form; refused "
        "before any of it was read.",
    },
}

CSV_RESPONSE: dict[int | str, dict[str, Any]] = {
    200: {"content": {"text/csv": {}}, "description": "CSV, one row per item (all pages)."},
    **ERRORS,
}

CellPath = Annotated[
    str,
    Path(
        description="Cell identifier {field}:{weapon}:{column}.",
        examples=["op2.manufacture:cw:legal_framework"],
    ),
]

Iso3Path = Annotated[
    str,
    Path(
        min_length=3,
        max_length=3,
        description="ISO 3166-1 alpha-3 code of the State, e.g. FRA (any case).",
        examples=["FRA"],
    ),
]


def page_response(
    model: type[Envelope],
    items: Sequence[Any],
    *,
    total: int,
    paging: PageRequest,
    synthetic: bool,
    **extra: Any,
) -> Response:
    """A list envelope (items, total, page, page_size, synthetic) as a JSON response."""
    return json_model(
        page_of(model, items, total=total, paging=paging, synthetic=synthetic, **extra)
    )


# Opt-in facet counts on the lists whose portal pages show facets (docs/api.md, "Facets").
FacetsQuery = Annotated[
    bool,
    Query(
        description=(
            "true: add `facets`, per filter each value with the number of records the list "
            "would hold with it chosen (the other filters kept), as the portal's page shows them."
        )
    ),
]


def facet_map(counts: dict[str, list[tuple[str, int]]]) -> Facets:
    """A service's facet counts as the API gives them: most records first, then by value; a
    State or an organisation labelled with its (English) name, any other value with itself."""
    states = {state.iso3: state.short_name for state in load_states()}
    organisations = {item.code: item.name for item in load_organisations()}
    names = {"state": states, "country": states, "organisation": organisations}
    return {
        facet: [
            FacetCount(value=value, label=names.get(facet, {}).get(value, value), count=count)
            for value, count in sorted(values, key=lambda item: (-item[1], item[0]))
        ]
        for facet, values in counts.items()
    }
