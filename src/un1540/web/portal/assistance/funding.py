"""Funding in the portal: pledges and contributions, totals, and the form with earmarks."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response

from un1540.errors import InvalidData, InvalidParameter, Problem, Unauthenticated
from un1540.models import Origin
from un1540.reference.states import load_m49_areas, load_regional_groups
from un1540.schemas.assistance import (
    FundingCreate,
)
from un1540.schemas.text import CODE
from un1540.services.assistance.actions.funding import record_funding
from un1540.services.assistance.reads.funding import (
    FundingFilter,
    funding_entries,
    funding_facets,
    funding_totals,
    project_choices,
)
from un1540.services.assistance.rules import (
    clearinghouse_rules,
)
from un1540.services.assistance.shapes import funding_read
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.i18n import gettext
from un1540.web.portal.facets import facet_links
from un1540.web.portal.forms import CsrfChecked, act, build
from un1540.web.portal.labels import field_label, label
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)


def _earmark_regions() -> list[tuple[str, str]]:
    """The regional groups and the M49 regions a donor may earmark to, named in the page's
    language."""
    groups, _ = load_regional_groups()
    return [(code, label("group", code, group.name)) for code, group in groups.items()] + [
        (code, label("region", code, area.name))
        for code, area in load_m49_areas().items()
        if area.level == "region"
    ]


def _earmark_areas(session: Session) -> list[tuple[str, str]]:
    """The sections and fields of the current framework, each section followed by its fields."""
    choices = []
    for section in framework_layout(session, default_framework(session)).sections:
        choices.append((section.code, label("section", section.code, section.title)))
        choices.extend(
            (field.code, f"· {field.code}: {field_label(field.code)}") for field in section.fields
        )
    return choices


@router.get("/funding", response_class=HTMLResponse)
def funding_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    kind: Annotated[str, Query(max_length=20), CODE] = "",
    currency: Annotated[str, Query(max_length=3), CODE] = "",
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
) -> HTMLResponse:
    filters = FundingFilter(kind=kind or None, currency=currency.upper() or None, year=year)
    problems: list[Problem] = []
    try:
        entries = funding_entries(session, viewer=viewer, filters=filters)
    except InvalidParameter as error:  # the page unfiltered, with the problem
        problems = error.problems
        filters = FundingFilter()
        entries = funding_entries(session, viewer=viewer)
    given = {key: value for key, value in filters.__dict__.items() if value is not None}
    kinds = {"pledge": gettext("Pledged"), "contribution": gettext("Contributed")}
    projects = project_choices(session, viewer)  # the projects a donor may earmark to
    shown = {project.id for project in projects}
    by_donor, by_recipient = funding_totals(entries, shown)
    context = {
        # Each filter's values with their counts, as links (web/portal/facets.py).
        "facets": facet_links(
            "/funding",
            given,
            funding_facets(session, viewer=viewer, filters=filters),
            {"kind": gettext("Kind"), "currency": gettext("Currency"), "year": gettext("Year")},
            lambda facet, code: kinds.get(code, code) if facet == "kind" else code,
            chronological={"year"},
        ),
        "problems": problems,
        "projects": projects,
        "region_choices": _earmark_regions(),
        "area_choices": _earmark_areas(session),
        "may_fund": "record_funding" in clearinghouse_rules.allowed(viewer, None),
        "entries": [funding_read(e, shown) for e in entries],
        "by_donor": by_donor,
        "by_recipient": by_recipient,
    }
    synthetic = any(e.origin is Origin.demo for e in entries)
    return render(request, "funding/index.html", context, synthetic=synthetic)


@router.post("/funding")
def funding_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    kind: Annotated[str, Form(max_length=20)],
    amount: Annotated[str, Form(max_length=30)],
    currency: Annotated[str, Form(max_length=3)],
    donor_name: Annotated[str, Form()] = "",
    made_on: Annotated[str, Form(max_length=10)] = "",
    due_on: Annotated[str, Form(max_length=10)] = "",
    earmark_region: Annotated[str, Form(max_length=40)] = "",
    earmark_area: Annotated[str, Form(max_length=100)] = "",
    project_id: Annotated[str, Form(max_length=12)] = "",
    note: Annotated[str, Form()] = "",
) -> Response:
    def action() -> str:
        if viewer.user_id is None:  # say "sign in" before "the form is not complete"
            raise Unauthenticated("sign in to record funding")
        problems: list[Problem] = []
        try:
            value = float(amount.replace(",", "").strip())
        except ValueError:
            value = 0.0
            problems.append(Problem("amount", f"{amount!r} is not a number"))
        try:
            day = date.fromisoformat(made_on) if made_on.strip() else None
        except ValueError:
            day = None
            problems.append(Problem("made_on", f"{made_on!r} is not a date (YYYY-MM-DD)"))
        try:
            due = date.fromisoformat(due_on) if due_on.strip() else None
        except ValueError:
            due = None
            problems.append(Problem("due_on", f"{due_on!r} is not a date (YYYY-MM-DD)"))
        project = int(project_id) if project_id.strip().isdigit() else None
        if project_id.strip() and project is None:
            problems.append(Problem("project_id", f"{project_id!r} is not a project number"))
        if problems:
            raise InvalidData(
                "the funding entry is not valid; nothing was saved", problems=problems
            )
        data = build(
            FundingCreate,
            kind=kind,
            amount=value,
            currency=currency,
            donor_name=donor_name,
            made_on=day,
            due_on=due,
            earmark_region=earmark_region.strip(),
            earmark_area=earmark_area.strip(),
            project_id=project,
            note=note,
        )
        record_funding(session, viewer=viewer, data=data)
        return gettext("Funding recorded.")

    return act(request, "/funding", action)
