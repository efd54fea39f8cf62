"""The State profile's sections on the State's page, and each organisation's page."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Request
from starlette.responses import HTMLResponse

from un1540.reference.languages import N_
from un1540.schemas.profiles import StateProfile
from un1540.services.activities.reads import ActivityFilter
from un1540.services.activities.shapes import activities_page
from un1540.services.events.reads import statements_on_behalf
from un1540.services.profiles.reads import organisation_profile
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.i18n import gettext
from un1540.web.portal.action_plans import status_name
from un1540.web.portal.commitments import commitments_made
from un1540.web.portal.contacts import ROLE_NAMES
from un1540.web.portal.incidents import incident_names
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)
# The sections other domains add to the profile; a page shows each only once it is gathered.
WIRED = ("contacts", "reporting", "action_plans")


REPORT_KINDS = {
    "national_report": N_("National report"),
    "addendum": N_("Addendum"),
    "additional_information": N_("Additional information"),
}


def wired_sections(profile: StateProfile) -> dict[str, Any]:
    """The sections other domains add (contacts, reporting, action plans) as plain data, with
    their codes in the reader's language (None: not gathered here, and not shown)."""
    dumped = profile.model_dump(include=set(WIRED))
    sections = {key: dumped.get(key) for key in WIRED}
    contacts = sections.get("contacts")
    if contacts and contacts.get("contacts"):
        for row in contacts["contacts"]:
            row["role_name"] = gettext(ROLE_NAMES.get(row["role"], row["role"]))
    reporting = sections.get("reporting")
    if reporting:
        for row in reporting["items"]:
            row["kind_name"] = gettext(REPORT_KINDS.get(row["kind"], row["kind"]))
    plans = profile.action_plans
    sections["action_plans"] = (
        None
        if plans is None
        else [
            {
                "title": plan.title,
                "page": plan.page,
                "submitted_on": plan.submitted_on,
                "period_from": plan.period_from,
                "period_to": plan.period_to,
                "published": plan.published,
                "counts": [
                    (status_name(code), count)
                    for code, count in plan.measure_counts.items()
                    if count
                ],
                "measures": plan.measures,
                "progress": plan.measures_showing_progress,
                "overdue": plan.overdue_milestones,
            }
            for plan in plans.plans
        ]
    )
    sections["incident_names"] = incident_names()
    return sections


@router.get("/organisations/{organisation}", response_class=HTMLResponse)
def organisation_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    organisation: Annotated[str, Path(min_length=2, max_length=40, pattern="^[a-z0-9_]+$")],
) -> HTMLResponse:
    gathered = organisation_profile(session, viewer=viewer, code=organisation)
    activities, activities_total = activities_page(
        session, viewer=viewer, filters=ActivityFilter(organisation=organisation)
    )
    return render(
        request,
        "profiles/organisation.html",
        {
            "organisation": gathered,
            "activities": activities,
            "activities_total": activities_total,
            "incident_names": incident_names(),
            "statements": statements_on_behalf(session, viewer=viewer, organisation=organisation),
            "made": commitments_made(session, viewer, organisation=gathered.code),
            "made_link": f"/commitments?organisation={gathered.code}",
        },
        synthetic=gathered.synthetic or any(a.synthetic for a in activities),
    )
