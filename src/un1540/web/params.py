"""Path, query and form parameters shared by the API and the portal, every integer bounded.

A number past what the database column holds (PostgreSQL's int4 for record ids and edition
numbers) would overflow in SQL and answer 500; bounded here, it answers 422 naming the
parameter, and the OpenAPI document says what is accepted.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Form, Path, Query

from un1540.schemas.common import MAX_RECORD_ID
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
