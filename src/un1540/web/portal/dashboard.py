"""Dashboards: coverage over time, by weapon and section, maps per section, States side by side.

Every chart is drawn from the same service call as its data twin (the JSON and CSV links beside
it), so what is shown and what is downloaded cannot differ.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse

from un1540.errors import InvalidParameter, Problem
from un1540.models.base import today
from un1540.schemas.coverage import CoverageRead, TrendRead
from un1540.schemas.overview import MapPoint
from un1540.services.coverage.reads.coverage import (
    EARLIEST,
    compare_states,
    coverage_summary,
    coverage_trends,
    dimension_labels,
    parse_states,
)
from un1540.services.kernel.lookups import regional_groups
from un1540.services.kernel.paging import SUMMARY
from un1540.services.kernel.parameters import optional_date
from un1540.services.matrix.counting import Selection
from un1540.services.matrix.reads.states import list_states
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.i18n import gettext as _
from un1540.web.portal.charts import chart_json
from un1540.web.portal.labels import label, state_name
from un1540.web.portal.maps import map_json
from un1540.web.portal.reporting import dashboard_reporting
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)
FIRST_DAY = date(2006, 1, 1)  # before the first approved matrices


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


def bar_chart(result: CoverageRead, title: str, file: str) -> str:
    return chart_json(
        "bar",
        title,
        [label(result.by, row.key, row.label) for row in result.items],
        [{"name": title, "data": [_percent(row.tally.coverage) for row in result.items]}],
        file,
    )


def _point_label(on: date) -> str:
    return str(on.year) if (on.month, on.day) == (12, 31) else on.isoformat()


def line_chart(result: TrendRead, title: str, file: str) -> str:
    series = []
    for row in result.items:
        by_date = {point.on: point.tally.coverage for point in row.series}
        series.append(
            {
                "name": label(result.by, row.key, row.label),
                "data": [_percent(by_date.get(on)) for on in result.dates],
            }
        )
    return chart_json("line", title, [_point_label(on) for on in result.dates], series, file)


def _query(**values: object) -> str:
    return urlencode({key: value for key, value in values.items() if value is not None})


@router.get("/dashboard", response_class=HTMLResponse)
def dashboard_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    as_of_text: Annotated[str | None, Query(alias="as_of", max_length=10)] = None,
    section: Annotated[str, Query()] = "op3ab",
) -> HTMLResponse:
    as_of = optional_date(as_of_text, "as_of")
    if as_of is not None and as_of < EARLIEST:
        # Named as the reader set it: the trend's own `from`/`to` are not theirs to fix.
        raise InvalidParameter.naming(
            [
                Problem(
                    "as_of",
                    f"must be on or after {EARLIEST.isoformat()}, when resolution 1540 was adopted",
                )
            ]
        )
    end = as_of or today()
    day = as_of.isoformat() if as_of else None
    over_time = coverage_trends(
        session, viewer=viewer, start=min(FIRST_DAY, end), end=end, by="group"
    )
    by_weapon = coverage_summary(session, viewer=viewer, by="weapon", as_of=as_of, paging=SUMMARY)
    by_section = coverage_summary(session, viewer=viewer, by="section", as_of=as_of, paging=SUMMARY)
    selection = Selection(section=section)
    section_map = coverage_summary(
        session, viewer=viewer, by="state", as_of=as_of, selection=selection, paging=SUMMARY
    )
    names = {
        state.iso3: state_name(state.iso3, state.name)
        for state in list_states(session, viewer=viewer).items
    }
    by_state = {row.key: row.tally.coverage for row in section_map.items}
    points = [
        MapPoint(iso3=iso3, name=name, value=_percent(by_state.get(iso3)))
        for iso3, name in names.items()
    ]
    distribution = by_section.distribution
    trend_query = _query(by="group", **{"from": FIRST_DAY.isoformat(), "to": end.isoformat()})
    context = {
        "as_of": as_of,
        "map_section": section,
        "sections": dimension_labels(session, "section"),
        "over_time": over_time,
        "by_weapon": by_weapon,
        "by_section": by_section,
        "distribution": distribution,
        "ages": coverage_summary(session, viewer=viewer, as_of=end, paging=SUMMARY).ages,
        "charts": {
            "groups": line_chart(over_time, _("Coverage by regional group"), "coverage-by-group"),
            "weapons": bar_chart(by_weapon, _("Coverage by weapon category"), "coverage-by-weapon"),
            "sections": bar_chart(by_section, _("Coverage by section"), "coverage-by-section"),
            "histogram": chart_json(
                "bar",
                _("States by cells marked X"),
                list(distribution.histogram),
                [{"name": _("States"), "data": list(distribution.histogram.values())}],
                "states-by-cells-marked-x",
                unit="count",
            ),
        },
        "urls": {
            "groups": trend_query,
            "weapons": _query(by="weapon", as_of=day),
            "sections": _query(by="section", as_of=day),
            "states": _query(by="state", as_of=day),
            "map": _query(by="state", as_of=day, section=section),
        },
        "map_data": map_json(points, value_label=_("Cells of this section marked X (%)")),
        "reporting": dashboard_reporting(session, viewer, as_of),
    }
    return render(request, "dashboard/index.html", context, synthetic=over_time.synthetic)


@router.get("/trends", response_class=HTMLResponse)
def trends_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    date_from: Annotated[date, Query(alias="from")] = date(2011, 4, 25),
    date_to: Annotated[date | None, Query(alias="to")] = None,
    by: Annotated[
        Literal["global", "group", "region", "section", "weapon", "column"], Query()
    ] = "group",
) -> HTMLResponse:
    end = date_to or today()
    result = coverage_trends(
        session, viewer=viewer, start=date_from, end=end, by=by, paging=SUMMARY
    )
    query = _query(by=by, **{"from": date_from.isoformat(), "to": end.isoformat()})
    context = {
        "result": result,
        "by": by,
        "date_from": date_from,
        "date_to": end,
        "query": query,
        "chart_spec": line_chart(result, _("Coverage over time"), f"trends-by-{by}"),
    }
    return render(request, "dashboard/trends.html", context, synthetic=result.synthetic)


@router.get("/compare", response_class=HTMLResponse)
def compare_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    states: Annotated[str, Query(max_length=100)] = "",
    by: Annotated[Literal["section", "weapon", "column", "field"], Query()] = "section",
    as_of_text: Annotated[str | None, Query(alias="as_of", max_length=10)] = None,
) -> HTMLResponse:
    as_of = optional_date(as_of_text, "as_of")
    names = {
        state.iso3: state_name(state.iso3, state.name)
        for state in list_states(session, viewer=viewer).items
    }
    context: dict[str, Any] = {
        "states": states,
        "by": by,
        "as_of": as_of,
        "names": names,
        "groups": regional_groups(session),
        "result": None,
        "problems": [],
    }
    synthetic = False
    if states:
        try:
            codes = parse_states(states)
            result = compare_states(session, viewer=viewer, states=codes, by=by, as_of=as_of)
        except InvalidParameter as error:
            context["problems"] = error.problems
        else:
            keys: list[tuple[str, str]] = []
            for state in result.states:
                keys += [
                    (r.key, label(by, r.key, r.label))
                    for r in state.items
                    if r.key not in dict(keys)
                ]
            series = []
            for state in result.states:
                values = {row.key: row.tally.coverage for row in state.items}
                series.append(
                    {
                        "name": state_name(state.iso3, state.name),
                        "data": [_percent(values.get(key)) for key, _ in keys],
                    }
                )
            context.update(
                result=result,
                keys=keys,
                query=_query(states=",".join(codes), by=by, as_of=as_of),
                chart_spec=chart_json(
                    "bar",
                    _("States side by side"),
                    [label for _, label in keys],
                    series,
                    f"compare-{'-'.join(codes)}",
                ),
            )
            synthetic = result.synthetic
    status = 422 if context["problems"] else 200
    return render(
        request, "dashboard/compare.html", context, synthetic=synthetic, status_code=status
    )
