"""Gathering the matrices an export holds: one State's edition, or every State's latest."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from sqlalchemy.orm import Session

from un1540.errors import NotFound
from un1540.schemas.matrix import MatrixRead
from un1540.services.documents.reads import ReportDates, report_dates
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.matrix.counting import latest_approved_editions
from un1540.services.matrix.reads.matrix import get_matrix


@dataclass(frozen=True)
class MatrixExport:
    matrix: MatrixRead
    reports: ReportDates


def collect(
    session: Session, *, viewer: Viewer, iso3: str | None, edition: int | None = None
) -> list[MatrixExport]:
    """One State's matrix (latest approved, or `edition`), or every State's latest one."""
    if iso3 is not None:
        state = state_by_iso3(session, iso3)
        matrix = get_matrix(session, viewer=viewer, iso3=iso3, number=edition)
        return [MatrixExport(matrix, report_dates(session, viewer=viewer, state_id=state.id))]
    return list(every_latest(session, viewer=viewer)[1])


def every_latest(session: Session, *, viewer: Viewer) -> tuple[int, Iterator[MatrixExport]]:
    """How many States have an approved edition, and their latest matrices one at a time (so
    that an export of every State can hold one State in memory, not all)."""
    latest = latest_approved_editions(session, viewer)
    if not latest:
        raise NotFound("no State has an approved edition to export")

    def each() -> Iterator[MatrixExport]:
        for code in sorted(latest):
            matrix = get_matrix(session, viewer=viewer, iso3=code, number=latest[code].number)
            dates = report_dates(session, viewer=viewer, state_id=latest[code].state_id)
            yield MatrixExport(matrix, dates)

    return len(latest), each()
