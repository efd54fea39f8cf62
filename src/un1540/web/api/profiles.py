"""/api/v1: a State's profile (JSON and CSV) and an organisation's page, everything gathered."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from starlette.responses import Response

from un1540.io.profile_csv import profile_csv
from un1540.schemas.profiles import OrganisationProfile, StateProfile
from un1540.services.profiles.reads import organisation_profile, state_profile
from un1540.web.api.common import ERRORS, Iso3Path
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.responses import csv_response, json_model

router = APIRouter(tags=["States"])
OrganisationPath = Annotated[
    str,
    Path(
        min_length=2,
        max_length=40,
        pattern="^[a-z0-9_]+$",
        description="The organisation's code, e.g. iaea.",
    ),
]


@router.get(
    "/states/{iso3}/profile",
    summary="Everything about one State",
    response_model=StateProfile,
    responses=ERRORS,
)
def state_profile_json(session: SessionDep, viewer: ViewerDep, iso3: Iso3Path) -> Response:
    """Matrix with its gaps, editions, documents, visits, assistance requests, projects and
    funding received, as you may see them. `contacts`, `reporting` and `action_plans` are null
    where this instance does not gather them."""
    return json_model(state_profile(session, viewer=viewer, iso3=iso3))


@router.get(
    "/states/{iso3}/profile.csv",
    summary="Everything about one State, as CSV",
    response_class=Response,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV."}, **ERRORS},
)
def state_profile_csv(session: SessionDep, viewer: ViewerDep, iso3: Iso3Path) -> Response:
    """One row per record: section, id, title, status, date, detail."""
    profile = state_profile(session, viewer=viewer, iso3=iso3)
    return csv_response(
        profile_csv(profile),
        filename=f"profile-{profile.state.iso3}.csv",
        synthetic=profile.synthetic,
    )


@router.get(
    "/organisations/{organisation}",
    summary="One organisation: its offers, projects, funding, requests and visits",
    response_model=OrganisationProfile,
    responses=ERRORS,
)
def organisation_json(
    session: SessionDep, viewer: ViewerDep, organisation: OrganisationPath
) -> Response:
    return json_model(organisation_profile(session, viewer=viewer, code=organisation))
