"""Organisations' activities in the portal: the list with its filters, and the form an
organisation's contact (or the Committee side) records one with; a new activity's possible
duplication is said on the next page (docs/activities.md)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import HTMLResponse, Response

from un1540.errors import InvalidParameter, Unauthenticated
from un1540.reference.languages import N_
from un1540.reference.states import load_states
from un1540.schemas.activities import ACTIVITY_VISIBILITIES, DEFAULT_VISIBILITY, ActivityCreate
from un1540.schemas.assistance import DuplicationWarning
from un1540.services.activities.actions import record_activity
from un1540.services.activities.overlaps import activity_warnings
from un1540.services.activities.reads import (
    ActivityFilter,
    activity_facets,
    form_choices,
)
from un1540.services.activities.rules import activity_rules
from un1540.services.activities.shapes import activities_page as listed_activities
from un1540.web.auth import flash
from un1540.web.deps import PagingDep, SessionDep, ViewerDep
from un1540.web.i18n import gettext
from un1540.web.portal.facets import facet_links, state_label
from un1540.web.portal.forms import CsrfChecked, act, build
from un1540.web.portal.labels import field_label, label, state_name
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)
VISIBILITY_NAMES = {
    "public": N_("Everyone"),
    "states_and_providers": N_("States' and providers' accounts"),
    "owning_state_and_committee": N_("The Committee side and the State concerned"),
    "committee": N_("The Committee side only"),
}
CodeQuery = Annotated[str | None, Query(max_length=80)]
DateQuery = Annotated[date | None, Query(ge=date(1945, 1, 1), le=date(2100, 12, 31))]


@cache
def _english_names() -> dict[str, str]:
    return {state.iso3: state.short_name for state in load_states()}


def warning_text(warning: DuplicationWarning) -> str:
    """One duplication warning as a sentence in the reader's language."""
    others = [gettext("project %(id)s") % {"id": ident} for ident in warning.project_ids]
    others += [gettext("activity %(id)s") % {"id": ident} for ident in warning.activity_ids]
    others += [
        gettext("an activity by %(organisation)s")
        % {"organisation": text.removeprefix("an activity by ")}
        for text in warning.undisclosed
    ]
    return gettext("Possible duplication in %(state)s, %(field)s: %(providers)s (%(records)s).") % {
        "state": state_name(warning.iso3, _english_names().get(warning.iso3, warning.iso3)),
        "field": field_label(warning.field),
        "providers": " · ".join(dict.fromkeys(warning.providers)),
        "records": ", ".join(others),
    }


@router.get("/activities", response_class=HTMLResponse)
def activities_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    organisation: CodeQuery = None,
    state: CodeQuery = None,
    field: CodeQuery = None,
    weapon: CodeQuery = None,
    period_from: DateQuery = None,
    period_to: DateQuery = None,
) -> HTMLResponse:
    filters = ActivityFilter(
        organisation=organisation or None,
        state=state or None,
        field=field or None,
        weapon=weapon or None,
        period_from=period_from,
        period_to=period_to,
    )
    problems = []
    try:
        items, total = listed_activities(session, viewer=viewer, filters=filters, paging=paging)
    except InvalidParameter as error:  # show the page unfiltered, with the problem
        problems = error.problems
        filters = ActivityFilter()
        items, total = listed_activities(session, viewer=viewer, filters=filters, paging=paging)
    given = {key: value for key, value in filters.__dict__.items() if value is not None}
    may_record = "record_activity" in activity_rules.allowed(viewer, None)
    choices = form_choices(session, viewer=viewer)
    acronyms = dict(choices.all_organisations)
    labels: dict[str, Callable[[str], str]] = {
        "organisation": lambda code: acronyms.get(code) or code,
        "state": state_label,
        "field": field_label,
        "weapon": lambda code: label("weapon", code, choices.weapons.get(code) or code),
    }
    context = {
        # Each filter's values with their counts, as links (web/portal/facets.py).
        "facets": facet_links(
            "/activities",
            {**given, **({"state": filters.state.upper()} if filters.state else {})},
            activity_facets(session, viewer=viewer, filters=filters),
            {
                "organisation": gettext("Organisation"),
                "state": gettext("State"),
                "weapon": gettext("Weapon category"),
                "field": gettext("Matrix field"),
            },
            lambda facet, code: labels[facet](code),
        ),
        "items": items,
        "total": total,
        "page": paging.page,
        "pages": -(-total // paging.page_size),
        "page_size": paging.page_size,
        "filters": given,
        "query": urlencode({key: str(value) for key, value in given.items()}),
        "problems": problems,
        "choices": choices,
        "may_record": may_record,
        "visibilities": ACTIVITY_VISIBILITIES,
        "default_visibility": DEFAULT_VISIBILITY,
        "visibility_names": {code: gettext(name) for code, name in VISIBILITY_NAMES.items()},
    }
    return render(
        request,
        "activities/list.html",
        context,
        synthetic=any(item.synthetic for item in items),
        status_code=422 if problems else 200,
    )


@router.post("/activities")
def activity_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    organisation: Annotated[str, Form(max_length=40)] = "",
    state: Annotated[str, Form(max_length=3)] = "",
    programme: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    fields: Annotated[list[str] | None, Form(max_length=80)] = None,
    weapons: Annotated[list[str] | None, Form(max_length=10)] = None,
    start_on: Annotated[str, Form(max_length=20)] = "",
    end_on: Annotated[str, Form(max_length=20)] = "",
    visibility: Annotated[str, Form(max_length=40)] = DEFAULT_VISIBILITY,
) -> Response:
    def action() -> str:
        if viewer.user_id is None:  # say "sign in" before "the form is not complete"
            raise Unauthenticated("sign in to record an activity")
        data = build(
            ActivityCreate,
            organisation=organisation,
            state=state.upper(),
            programme=programme,
            description=description,
            fields=[code for code in fields or [] if code],
            weapons=[code for code in weapons or [] if code],
            start_on=start_on,
            end_on=end_on or None,
            visibility=visibility,
        )
        activity = record_activity(session, viewer=viewer, data=data)
        for warning in activity_warnings(session, viewer=viewer, activity=activity):
            flash(request, warning_text(warning), kind="warning")
        return gettext("Activity %(id)s recorded.") % {"id": activity.id}

    return act(request, "/activities", action)
