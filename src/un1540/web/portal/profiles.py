"""The State profile's sections on the State's page, and each organisation's page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.responses import HTMLResponse

from un1540.schemas.profiles import StateProfile
from un1540.services.profiles.reads import organisation_profile
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)
# The sections other domains add to the profile; a page shows each only once it is gathered.
WIRED = ("contacts", "reporting", "action_plans")


def wired_sections(profile: StateProfile) -> dict[str, Any]:
    """The wired sections as plain data (None: not gathered here, and not shown)."""
    dumped = profile.model_dump(mode="json", include=set(WIRED))
    return {key: dumped.get(key) for key in WIRED}


@router.get("/organisations/{organisation}", response_class=HTMLResponse)
def organisation_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    organisation: Annotated[str, Path(min_length=2, max_length=40, pattern="^[a-z0-9_]+$")],
) -> HTMLResponse:
    gathered = organisation_profile(session, viewer=viewer, code=organisation)
    return render(
        request,
        "profiles/organisation.html",
        {"organisation": gathered},
        synthetic=gathered.synthetic,
    )
