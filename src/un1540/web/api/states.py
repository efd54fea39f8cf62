"""/api/v1/states: the States, one State, its matrix and its editions."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from typing import Annotated, Literal

import orjson
from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Scope

from un1540.io.csv_export import editions_csv, matrix_csv, states_csv
from un1540.schemas.common import Page
from un1540.schemas.matrix import EditionList, MatrixRead
from un1540.schemas.states import StateRead, StateSummary
from un1540.schemas.vocabularies import enum
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.cache import cached
from un1540.services.kernel.data_version import REFERENCE, state_scope
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.paging import SUMMARY
from un1540.services.matrix.reads.editions import list_editions
from un1540.services.matrix.reads.matrix import get_matrix, matrix_document
from un1540.services.matrix.reads.states import SORT_KEYS, StateListing, get_state, list_states
from un1540.web.api.common import CSV_RESPONSE, ERRORS, Iso3Path
from un1540.web.compression import Body, body_response
from un1540.web.deps import PagingDep, SessionDep, ViewerDep
from un1540.web.params import EditionQuery
from un1540.web.responses import csv_response, json_model, synthetic_headers

router = APIRouter(tags=["States"])


def matrix_json_key(iso3: str, edition: int | None, viewer: Viewer) -> tuple[Hashable, ...]:
    """What a State's serialised matrix is cached under (also read by web/warm.py and
    web/warm_reads.py)."""
    return ("matrix_json", iso3.upper(), edition, viewer.cache_key)


def matrix_json_scopes(iso3: str) -> tuple[str, ...]:
    """The data a State's serialised matrix depends on: its own records and the frameworks."""
    return (state_scope(iso3), REFERENCE)


def matrix_json(
    session: Session, viewer: Viewer, iso3: str, edition: int | None
) -> tuple[Body, bool]:
    """The serialised matrix and whether it is synthetic, reused until the next write to this
    State or to the frameworks; kept gzip-compressed (about 100 KB each, 8 KB compressed:
    web/compression.py), as computed with the cache off. Also computed by web/warm_reads.py
    for an anonymous reader, before routing."""

    def build() -> tuple[Body, bool]:
        # Plain values serialised by orjson: the same bytes as MatrixRead's (pinned by
        # tests/api/test_matrix_json.py) at a fraction of the cost of ~550 models.
        document, synthetic = matrix_document(session, viewer=viewer, iso3=iso3, number=edition)
        return Body(orjson.dumps(document)), synthetic

    return cached(
        session,
        matrix_json_key(iso3, edition, viewer),
        depends_on=matrix_json_scopes(iso3),
        compute=build,
        pack=_packed,
    )


def _packed(value: tuple[Body, bool]) -> tuple[Body, bool]:
    body, synthetic = value
    return body.packed(), synthetic


def matrix_response(scope: Scope, value: tuple[Body, bool]) -> Response:
    """The matrix JSON's response (the route's and web/warm_reads.py's, one function)."""
    body, synthetic = value
    return body_response(
        scope,
        body,
        response_class=Response,
        media_type="application/json",
        headers=synthetic_headers(synthetic),
    )


def matrix_file_response(scope: Scope, value: tuple[Body, bool], iso3: str) -> Response:
    """The matrix JSON named as a file (`/matrix.json`; the route's and web/warm_reads.py's)."""
    response = matrix_response(scope, value)
    response.headers["Content-Disposition"] = f'inline; filename="{iso3.upper()}-matrix.json"'
    return response


GroupQuery = Annotated[
    str | None,
    Query(
        description="Regional group code, e.g. african; includes participants and observers.",
        json_schema_extra=enum("group"),
    ),
]
RegionQuery = Annotated[
    str | None,
    Query(
        description="M49 area code name at any level, e.g. africa, western_asia.",
        json_schema_extra=enum("m49_area"),
    ),
]
SearchQuery = Annotated[
    str | None,
    Query(
        max_length=100, description="Part of a name in any of the six UN languages, or an ISO code."
    ),
]
SortQuery = Annotated[
    str,
    Query(description="The order of the list.", json_schema_extra={"enum": list(SORT_KEYS)}),
]
OrderQuery = Annotated[Literal["asc", "desc"], Query(description="Sort order.")]


@dataclass(frozen=True)
class StateFilters:
    group: str | None
    region: str | None
    q: str | None
    sort: str
    order: str

    def listing(self, session: Session, viewer: Viewer) -> StateListing:
        return list_states(
            session,
            viewer=viewer,
            group=self.group,
            region=self.region,
            q=self.q,
            sort=self.sort,
            descending=self.order == "desc",
        )


async def state_filters(
    group: GroupQuery = None,
    region: RegionQuery = None,
    q: SearchQuery = None,
    sort: SortQuery = "name",
    order: OrderQuery = "asc",
) -> StateFilters:
    return StateFilters(group=group, region=region, q=q, sort=sort, order=order)


StateFiltersDep = Annotated[StateFilters, Depends(state_filters)]


@router.get("/states", summary="List States", response_model=Page[StateSummary], responses=ERRORS)
def states_list(
    session: SessionDep, viewer: ViewerDep, paging: PagingDep, filters: StateFiltersDep
) -> Response:
    """The UN Member States with their latest approved edition and coverage, filtered and sorted."""
    states = filters.listing(session, viewer)
    page = Page[StateSummary](
        **envelope(states.synthetic),
        items=paging.cut(states.items),
        total=len(states.items),
        page=paging.page,
        page_size=paging.page_size,
    )
    return json_model(page)


@router.get(
    "/states.csv", summary="List States as CSV", response_class=Response, responses=CSV_RESPONSE
)
def states_list_csv(session: SessionDep, viewer: ViewerDep, filters: StateFiltersDep) -> Response:
    """The same list as /states, every page, one row per State."""
    states = filters.listing(session, viewer)
    return csv_response(
        states_csv(states.items, synthetic=states.synthetic),
        filename="states.csv",
        synthetic=states.synthetic,
    )


@router.get("/states/{iso3}", summary="One State", response_model=StateRead, responses=ERRORS)
def state_detail(session: SessionDep, viewer: ViewerDep, iso3: Iso3Path) -> Response:
    """A State's names, regional memberships, M49 regions and headline figures."""
    return json_model(get_state(session, viewer=viewer, iso3=iso3))


@router.get(
    "/states/{iso3}/matrix", summary="A State's matrix", response_model=MatrixRead, responses=ERRORS
)
def state_matrix(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    iso3: Iso3Path,
    edition: EditionQuery = None,
) -> Response:
    """Every cell of the latest approved edition (or `edition`), by section, with its evidence.

    A cell is identified as `{field}:{weapon}:{column}`, e.g. `op2.manufacture:cw:legal_framework`;
    OP1 cells as `{field}:any:adherence`.
    """
    return matrix_response(request.scope, matrix_json(session, viewer, iso3, edition))


@router.get(
    "/states/{iso3}/matrix.json",
    summary="A State's matrix (file)",
    response_model=MatrixRead,
    responses=ERRORS,
)
def state_matrix_json(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    iso3: Iso3Path,
    edition: EditionQuery = None,
) -> Response:
    """The same as /matrix, named as a file to download."""
    return matrix_file_response(request.scope, matrix_json(session, viewer, iso3, edition), iso3)


@router.get(
    "/states/{iso3}/matrix.csv",
    summary="A State's matrix as CSV",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def state_matrix_csv(
    session: SessionDep, viewer: ViewerDep, iso3: Iso3Path, edition: EditionQuery = None
) -> Response:
    """One row per cell, with its mark, remark and evidence."""
    matrix = get_matrix(session, viewer=viewer, iso3=iso3, number=edition)
    name = f"{matrix.state.iso3}-matrix-edition-{matrix.edition.number}.csv"
    return csv_response(matrix_csv(matrix), filename=name, synthetic=matrix.synthetic)


@router.get(
    "/states/{iso3}/editions",
    summary="A State's editions",
    response_model=EditionList,
    responses=ERRORS,
)
def state_editions(
    session: SessionDep, viewer: ViewerDep, paging: PagingDep, iso3: Iso3Path
) -> Response:
    """The editions the caller may see, oldest first, each with its counts of marks."""
    return json_model(list_editions(session, viewer=viewer, iso3=iso3, paging=paging))


@router.get(
    "/states/{iso3}/editions.csv",
    summary="A State's editions as CSV",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def state_editions_csv(session: SessionDep, viewer: ViewerDep, iso3: Iso3Path) -> Response:
    editions = list_editions(session, viewer=viewer, iso3=iso3, paging=SUMMARY)
    return csv_response(
        editions_csv(editions),
        filename=f"{editions.state.iso3}-editions.csv",
        synthetic=editions.synthetic,
    )
