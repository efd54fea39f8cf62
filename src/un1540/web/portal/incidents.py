"""The incident register in the portal: the list with filters, the trends chart with its caveat,
and the form for those who may record (docs/incidents.md)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import HTMLResponse, Response

from un1540.errors import InvalidParameter, Unauthenticated
from un1540.reference.incidents import load_incident_vocabulary
from un1540.schemas.incidents import IncidentCreate
from un1540.services.incidents.actions import record_incident
from un1540.services.incidents.reads import (
    FIRST_YEAR,
    LAST_YEAR,
    IncidentFilter,
    incident_facets,
    incident_trends,
    list_incidents,
    regions,
)
from un1540.services.incidents.rules import incident_rules
from un1540.services.incidents.shapes import incident_read, trends_read
from un1540.web.deps import PagingDep, SessionDep, ViewerDep
from un1540.web.i18n import gettext, language
from un1540.web.portal.charts import chart_json
from un1540.web.portal.facets import facet_links
from un1540.web.portal.forms import CsrfChecked, act, build
from un1540.web.portal.labels import label
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)
YearQuery = Annotated[int | None, Query(ge=FIRST_YEAR, le=LAST_YEAR)]
CodeQuery = Annotated[str | None, Query(max_length=40)]
VOCABULARIES = ("categories", "kinds", "groupings", "sources", "confirmation")


def _names() -> dict[str, dict[str, str]]:
    """Each vocabulary's codes -> names in the page's language (reference/incidents.yml)."""
    vocabulary = load_incident_vocabulary()
    code = language()
    names = {
        name: {key: term.in_language(code) for key, term in getattr(vocabulary, name).items()}
        for name in VOCABULARIES
    }
    names["classes"] = {
        key: term.in_language(code)
        for category in vocabulary.categories.values()
        for key, term in category.classes.items()
    }
    return names


def incident_names() -> dict[str, dict[str, str]]:
    """The vocabularies' names in the page's language, for the State and organisation pages."""
    return _names()


def _chart(trends: Any, names: dict[str, dict[str, str]]) -> str:
    years = [item.key for item in trends.by_year]
    series = [
        {
            "name": names["categories"].get(category, category),
            "data": [trends.by_year_and_category.get(year, {}).get(category, 0) for year in years],
        }
        for category in names["categories"]
        if any(category in counts for counts in trends.by_year_and_category.values())
    ]
    return chart_json(
        "line",
        gettext("Incidents by year and material category"),
        years,
        series,
        "incident-trends",
        unit="count",
    )


@router.get("/incidents", response_class=HTMLResponse)
def incidents_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    year_from: YearQuery = None,
    year_to: YearQuery = None,
    category: CodeQuery = None,
    kind: CodeQuery = None,
    region: CodeQuery = None,
) -> HTMLResponse:
    filters = IncidentFilter(
        year_from=year_from,
        year_to=year_to,
        category=category or None,
        kind=kind or None,
        region=region or None,
    )
    given = {key: value for key, value in filters.__dict__.items() if key != "state"}
    problems = []
    try:
        rows, total = list_incidents(session, viewer=viewer, filters=filters, paging=paging)
        trends = trends_read(incident_trends(session, filters=filters))
    except InvalidParameter as error:  # show the page unfiltered, with the problem
        problems = error.problems
        filters = IncidentFilter()
        rows, total = list_incidents(session, viewer=viewer, filters=filters, paging=paging)
        trends = trends_read(incident_trends(session, filters=filters))
    counts = incident_facets(session, viewer=viewer, filters=filters)
    items = [incident_read(row) for row in rows]
    names = _names()
    vocabulary = load_incident_vocabulary()
    query = urlencode(
        {key: value for key, value in given.items() if value is not None and not problems}
    )
    context = {
        "items": items,
        "total": total,
        "page": paging.page,
        "pages": -(-total // paging.page_size),
        "page_size": paging.page_size,
        "trends": trends,
        "caveat": vocabulary.caveat.in_language(language()),
        "chart_spec": _chart(trends, names),
        "names": names,
        "classes_by_category": {
            code: list(item.classes) for code, item in vocabulary.categories.items()
        },
        "regions": regions(session),
        "filters": given,
        "problems": problems,
        "query": query,
        "may_record": "record_incident" in incident_rules.allowed(viewer, None),
        "region_label": lambda code: label("region", code, code),
        # Each filter's values with their counts, as links (web/portal/facets.py).
        "facets": facet_links(
            "/incidents",
            {key: value for key, value in given.items() if not problems},
            counts,
            {
                "category": gettext("Material category"),
                "kind": gettext("Kind"),
                "region": gettext("Region"),
            },
            lambda facet, code: (
                label("region", code, code)
                if facet == "region"
                else names["categories" if facet == "category" else "kinds"].get(code, code)
            ),
        ),
    }
    return render(
        request,
        "incidents/list.html",
        context,
        synthetic=trends.synthetic or any(item.synthetic for item in items),
        status_code=422 if problems else 200,
    )


def _codes(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


@router.post("/incidents")
def incident_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    occurred_on: Annotated[str, Form(max_length=20)] = "",
    reported_on: Annotated[str, Form(max_length=20)] = "",
    states: Annotated[str, Form(max_length=200)] = "",
    category: Annotated[str, Form(max_length=40)] = "",
    material_class: Annotated[str, Form(max_length=40)] = "",
    kind: Annotated[str, Form(max_length=40)] = "",
    grouping: Annotated[str, Form(max_length=40)] = "undetermined",
    source: Annotated[str, Form(max_length=40)] = "",
    organisation: Annotated[str, Form(max_length=40)] = "",
    confirmation: Annotated[str, Form(max_length=40)] = "unconfirmed",
    summary: Annotated[str, Form()] = "",
    fields: Annotated[str, Form(max_length=2000)] = "",
    restricted: Annotated[str, Form(max_length=10)] = "",
    share_with_state: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    def action() -> str:
        if viewer.user_id is None:  # say "sign in" before "the form is not complete"
            raise Unauthenticated("sign in to record an incident")
        data = build(
            IncidentCreate,
            occurred_on=occurred_on,
            reported_on=reported_on or None,
            states=[code.upper() for code in _codes(states)],
            category=category,
            material_class=material_class,
            kind=kind,
            grouping=grouping,
            source=source,
            organisation=organisation or None,
            confirmation=confirmation,
            summary=summary,
            fields=_codes(fields) or None,
            restricted=bool(restricted),
            share_with_state=bool(share_with_state),
        )
        incident = record_incident(session, viewer=viewer, data=data)
        return gettext("Incident %(id)s recorded.") % {"id": incident.id}

    return act(request, "/incidents", action)
