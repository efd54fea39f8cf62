"""Envelopes every response shares: the synthetic-data flag, pages and errors."""

from __future__ import annotations

from typing import Annotated, Any, Generic, TypeVar

from pydantic import BaseModel, Field

T = TypeVar("T")

# The largest value an Integer column holds on PostgreSQL (int4; SQLite's integers are larger):
# every record id, edition number, revision and count we store fits, and every integer a
# client sends is bounded by it (or less), so an out-of-range number answers 422 naming it
# instead of overflowing in the database.
MAX_RECORD_ID = 2_147_483_647

RecordId = Annotated[int, Field(ge=1, le=MAX_RECORD_ID, description="A record's number.")]
# Money as stored (Numeric(16, 2)): less than 10^14, so 13 digits before the point.
MAX_AMOUNT = 9_999_999_999_999.0


class Envelope(BaseModel):
    """Top-level keys of every data response."""

    synthetic: bool = Field(
        description="True when the response contains synthetic demo data (then `notice` says so)."
    )
    notice: str | None = Field(default=None, description="Plain-language notice about the data.")


class Page(Envelope, Generic[T]):
    """A page of a list."""

    items: list[T]
    total: int = Field(description="Number of items matching the query, on all pages.")
    page: int = Field(description="This page's number, from 1.")
    page_size: int = Field(description="Items per page.")


class FacetCount(BaseModel):
    """One value of a facet and how many records the list would hold with it chosen."""

    value: str = Field(description="The value, as the list's filter of that name takes it.")
    label: str = Field(description="Its name (a State's or organisation's name; else the code).")
    count: int = Field(description="Records the list would hold with this value chosen.")


Facets = dict[str, list[FacetCount]]
FACETS_FIELD: Any = Field(
    default=None,
    description=(
        "Only when asked with `facets=true`: per filter, each value with the number of records "
        "the list would hold with it chosen (the other filters kept, this one replaced), "
        "counted among the records you may see, as the portal's list page shows them."
    ),
)


class ProblemRead(BaseModel):
    where: str = Field(description="What was wrong: file and row, field, or parameter name.")
    message: str


class ErrorBody(BaseModel):
    code: str = Field(
        description="Stable machine-readable code, e.g. not_found, invalid_parameter."
    )
    message: str
    problems: list[ProblemRead] = Field(default_factory=list)
    details: dict[str, Any] | None = Field(
        default=None, description="Context, e.g. both versions of a cell after a stale edit (409)."
    )


class ErrorResponse(BaseModel):
    error: ErrorBody
