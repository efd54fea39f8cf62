"""Path, query and form parameters shared by the API and the portal, every integer bounded.

A number past what the database column holds (PostgreSQL's int4 for record ids and edition
numbers) would overflow in SQL and answer 500; bounded here, it answers 422 naming the
parameter, and the OpenAPI document says what is accepted.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Query

from un1540.schemas.common import MAX_RECORD_ID
from un1540.schemas.text import CODE
from un1540.services.kernel.paging import MAX_PAGE, MAX_PAGE_SIZE

RecordIdPath = Annotated[
    int, Path(ge=1, le=MAX_RECORD_ID, description="A record's number (1 to 2147483647).")
]
NumberPath = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="Edition number.")]
RecordIdForm = Annotated[int, Form(ge=1, le=MAX_RECORD_ID)]
EditionQuery = Annotated[
    int | None,
    Query(
        ge=1,
        le=MAX_RECORD_ID,
        description="Edition number; default: the latest approved edition.",
    ),
]
PageQuery = Annotated[
    int, Query(ge=1, le=MAX_PAGE, description=f"Page number, from 1 (at most {MAX_PAGE}).")
]
PageSizeQuery = Annotated[
    int | None,
    Query(
        ge=1,
        le=MAX_PAGE_SIZE,
        description=f"Items per page (default 50, at most {MAX_PAGE_SIZE}).",
    ),
]


# A portal form's year filter (`<input type="number" name="year">`): the form sends `year=` for
# every year, so the text is read (digits only, else 422 naming `year`), then `form_year`.
FormYearQuery = Annotated[str, Query(max_length=4, pattern="^[0-9]*$"), CODE]


def form_year(text: str) -> int | None:
    """The year a form's filter names, or None for every year (an empty field)."""
    return int(text) if text else None
