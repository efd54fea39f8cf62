"""/reporting: every State's reporting status on a date, the timeline of first reports, the map
and the States that have never reported (docs/reporting.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse

from un1540.errors import InvalidParameter, Problem
from un1540.models.base import today
from un1540.schemas.overview import MapPoint
from un1540.schemas.reporting import ReportingList, ReportingTimeline
from un1540.services.documents.actions import RESOLUTION_ADOPTED
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.lookups import m49_regions, regional_groups
from un1540.services.kernel.parameters import optional_date
from un1540.services.reporting.reads import reporting_status, reporting_timeline
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.i18n import gettext as _
from un1540.web.portal.charts import chart_json
from un1540.web.portal.labels import label, state_name
from un1540.web.portal.maps import map_json
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)


def timeline_chart(timeline: ReportingTimeline, file: str) -> str:
    """States that had reported at the end of each year, in all and by regional group."""
    categories = [str(point.on.year) for point in timeline.points]
    series: list[dict[str, Any]] = [
        {"name": _("All States"), "data": [point.reported for point in timeline.points]}
    ]
    for code, name in sorted(timeline.groups.items(), key=lambda item: item[1]):
        series.append(
            {
                "name": label("group", code, name),
                "data": [point.by_group.get(code, 0) for point in timeline.points],
            }
        )
    return chart_json(
        "line", _("States that have reported, over time"), categories, series, file, unit="count"
    )


def reporting_map(status: ReportingList) -> str:
    points = [
        MapPoint(
            iso3=item.iso3,
            name=state_name(item.iso3, item.name),
            value=item.years_since_last_report,
        )
        for item in status.items
    ]
    years = [p.value for p in points if p.value is not None]
    return map_json(
        points,
        value_label=_("Years since the latest report"),
        maximum=max([*years, 1.0]),
        percent=False,
        no_data=_("never reported"),
    )


@router.get("/reporting", response_class=HTMLResponse)
def reporting_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    as_of_text: Annotated[str | None, Query(alias="as_of", max_length=10)] = None,
    group: Annotated[str | None, Query(max_length=40)] = None,
    region: Annotated[str | None, Query(max_length=40)] = None,
) -> HTMLResponse:
    problems: list[Problem] = []
    group, region = group or None, region or None
    try:
        as_of = optional_date(as_of_text, "as_of")
        status = reporting_status(session, viewer=viewer, as_of=as_of, group=group, region=region)
    except InvalidParameter as error:  # the form again, with the problem, for today and all
        problems = error.problems
        as_of, group, region = None, None, None
        status = reporting_status(session, viewer=viewer)
    timeline = reporting_timeline(session, viewer=viewer, to=status.as_of)
    query = urlencode(
        {
            key: value
            for key, value in (
                ("as_of", as_of_text if as_of else None),
                ("group", group),
                ("region", region),
            )
            if value
        }
    )
    context = {
        "status": status,
        "timeline": timeline,
        "as_of": as_of,
        "group": group,
        "region": region,
        "groups": regional_groups(session),
        "regions": m49_regions(session),
        "problems": problems,
        "query": query,
        "timeline_query": urlencode({"to": status.as_of.isoformat()}),
        "never_reported": [item for item in status.items if item.status == "never_reported"],
        "timeline_spec": timeline_chart(timeline, f"reporting-timeline-{status.as_of.isoformat()}"),
        "map_data": reporting_map(status),
    }
    return render(
        request,
        "reporting/index.html",
        context,
        synthetic=status.synthetic or timeline.synthetic,
        status_code=422 if problems else 200,
    )


def dashboard_reporting(session: Session, viewer: Viewer, as_of: date | None) -> dict[str, Any]:
    """The dashboard's reporting section: States that have reported on the dashboard's date
    (brought within the resolution's lifetime), over time and by regional group and region."""
    on = min(max(as_of, RESOLUTION_ADOPTED), today()) if as_of else None
    status = reporting_status(session, viewer=viewer, as_of=on)
    timeline = reporting_timeline(session, viewer=viewer, to=status.as_of)
    day = status.as_of.isoformat()
    regions = status.by_region
    return {
        "status": status,
        "query": urlencode({"as_of": day}),
        "timeline_query": urlencode({"to": day}),
        "timeline_chart": timeline_chart(timeline, f"reporting-timeline-{day}"),
        "region_chart": chart_json(
            "bar",
            _("States that have reported, by region (%)"),
            [label("region", row.key, row.label) for row in regions],
            [
                {
                    "name": _("States that have reported"),
                    "data": [
                        None if row.share_reported is None else round(row.share_reported * 100, 1)
                        for row in regions
                    ],
                }
            ],
            f"reporting-by-region-{day}",
        ),
        "synthetic": status.synthetic or timeline.synthetic,
    }
