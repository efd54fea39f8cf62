"""One way to page: every page size is bounded, and the whole of a summary fits in one page."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from un1540.errors import InvalidParameter
from un1540.models import CellDefinition, FieldDefinition, State
from un1540.models.base import today
from un1540.services.coverage.reads.coverage import (
    COVERAGE_DIMENSIONS,
    coverage_summary,
    coverage_trends,
)
from un1540.services.kernel.access import PUBLIC
from un1540.services.kernel.paging import MAX_PAGE, MAX_PAGE_SIZE, SUMMARY, PageRequest


@pytest.mark.parametrize(
    ("page", "page_size", "where"),
    [
        (0, 10, "page"),
        (MAX_PAGE + 1, 10, "page"),
        (1, 0, "page_size"),
        (1, MAX_PAGE_SIZE + 1, "page_size"),
    ],
)
def test_a_page_outside_the_bounds_is_a_named_error(page: int, page_size: int, where: str) -> None:
    with pytest.raises(InvalidParameter) as raised:
        PageRequest(page=page, page_size=page_size)
    assert [problem.where for problem in raised.value.problems] == [where]


def test_the_offset_of_a_page() -> None:
    assert PageRequest(page=3, page_size=20).offset == 40
    assert PageRequest(page=2, page_size=2).cut([1, 2, 3, 4, 5]) == [3, 4]


def test_the_largest_summaries_fit_in_one_summary_page(session: Session) -> None:
    # What the reference data bounds: every State, every field, every cell of the framework.
    assert (session.scalar(select(func.count()).select_from(State)) or 0) < MAX_PAGE_SIZE
    assert (session.scalar(select(func.count()).select_from(FieldDefinition)) or 0) < MAX_PAGE_SIZE
    for by in COVERAGE_DIMENSIONS:
        summary = coverage_summary(session, viewer=PUBLIC, by=by, paging=SUMMARY)
        assert summary.total <= SUMMARY.page_size, by
        assert len(summary.items) == summary.total, by
        trends = coverage_trends(
            session, viewer=PUBLIC, start=date(2010, 1, 1), end=today(), by=by, paging=SUMMARY
        )
        assert len(trends.items) == trends.total <= SUMMARY.page_size, by
    assert (session.scalar(select(func.count()).select_from(CellDefinition)) or 0) > 0
