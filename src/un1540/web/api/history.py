"""/api/v1: differences between editions, and one cell's history."""

from __future__ import annotations

from fastapi import APIRouter
from starlette.responses import Response

from un1540.io.csv_export import diff_csv
from un1540.schemas.workflow import CellHistory, EditionDiff
from un1540.services.matrix.reads.history import cell_history, compare_editions
from un1540.web.api.common import CSV_RESPONSE, ERRORS, CellPath, Iso3Path, NumberPath
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.responses import csv_response, json_model

router = APIRouter(tags=["History"])


@router.get(
    "/states/{iso3}/editions/{before}/diff/{after}.csv",
    summary="Compare two editions as CSV",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def diff_as_csv(
    session: SessionDep, viewer: ViewerDep, iso3: Iso3Path, before: NumberPath, after: NumberPath
) -> Response:
    diff = compare_editions(session, viewer=viewer, iso3=iso3, before=before, after=after)
    name = f"{diff.state.iso3}-edition-{before}-to-{after}.csv"
    return csv_response(diff_csv(diff), filename=name, synthetic=diff.synthetic)


@router.get(
    "/states/{iso3}/editions/{before}/diff/{after}",
    summary="Compare two editions",
    response_model=EditionDiff,
    responses=ERRORS,
)
def diff(
    session: SessionDep, viewer: ViewerDep, iso3: Iso3Path, before: NumberPath, after: NumberPath
) -> Response:
    """Cells gained (now X), lost (no longer X) and changed, by section and weapon category."""
    return json_model(
        compare_editions(session, viewer=viewer, iso3=iso3, before=before, after=after)
    )


@router.get(
    "/states/{iso3}/cells/{cell}/history",
    summary="A cell across editions",
    response_model=CellHistory,
    responses=ERRORS,
)
def history(session: SessionDep, viewer: ViewerDep, iso3: Iso3Path, cell: CellPath) -> Response:
    """The cell in every edition you may see, with its evidence; and, for the Committee side and the
    State's points of contact, every recorded change (who, when, before, after, why)."""
    return json_model(cell_history(session, viewer=viewer, iso3=iso3, cell_key=cell))
