"""Charts to embed in other sites: one chart per page, without the portal's header, navigation
or forms, from the public's data only (docs/transparency.md, "Sharing, citing, embedding").

Every embedded chart is read for the public (`PUBLIC`), whoever opens it: a signed-in reader's
browser shows the same chart as anyone's, so an embed code copied by an expert never carries
what only experts may see. The page may be framed by any site (web/middleware.py: these paths
alone allow `frame-ancestors *`); its figures, source, licence and the synthetic-data notice
are written in the page itself, under the chart.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse

from un1540.errors import InvalidParameter, Problem
from un1540.models.base import today
from un1540.services.coverage.reads.coverage import EARLIEST, coverage_summary, coverage_trends
from un1540.services.kernel.access import PUBLIC
from un1540.services.kernel.paging import SUMMARY
from un1540.services.kernel.parameters import optional_date
from un1540.web.deps import SessionDep
from un1540.web.i18n import gettext as _
from un1540.web.portal.dashboard import _query, bar_chart, line_chart
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)


def _as_of(text: str | None) -> date | None:
    as_of = optional_date(text, "as_of")
    if as_of is not None and as_of < EARLIEST:
        raise InvalidParameter.naming(
            [Problem("as_of", f"must be on or after {EARLIEST.isoformat()}")]
        )
    return as_of


@router.get("/embed/coverage", response_class=HTMLResponse)
def embed_coverage(
    request: Request,
    session: SessionDep,
    by: Annotated[Literal["weapon", "section"], Query()] = "weapon",
    as_of_text: Annotated[str | None, Query(alias="as_of", max_length=10)] = None,
) -> HTMLResponse:
    """Coverage by weapon category or by section, as on the dashboard, for the public."""
    as_of = _as_of(as_of_text)
    result = coverage_summary(session, viewer=PUBLIC, by=by, as_of=as_of, paging=SUMMARY)
    title = _("Coverage by weapon category") if by == "weapon" else _("Coverage by section")
    query = _query(by=by, as_of=as_of.isoformat() if as_of else None)
    context = {
        "title": title,
        "caption": title,
        "spec": bar_chart(result, title, f"coverage-by-{by}"),
        "json_url": f"/api/v1/coverage?{query}",
        "csv_url": f"/api/v1/coverage.csv?{query}",
        "page_url": "/dashboard" + (f"?as_of={as_of.isoformat()}" if as_of else ""),
        "as_of": as_of or today(),
    }
    return render(request, "embed/chart.html", context, synthetic=result.synthetic)


@router.get("/embed/trends", response_class=HTMLResponse)
def embed_trends(
    request: Request,
    session: SessionDep,
    date_from: Annotated[date, Query(alias="from")] = date(2011, 4, 25),
    date_to: Annotated[date | None, Query(alias="to")] = None,
    by: Annotated[
        Literal["global", "group", "region", "section", "weapon", "column"], Query()
    ] = "group",
) -> HTMLResponse:
    """Coverage over time, as on the trends page, for the public."""
    end = date_to or today()
    result = coverage_trends(
        session, viewer=PUBLIC, start=date_from, end=end, by=by, paging=SUMMARY
    )
    query = _query(by=by, **{"from": date_from.isoformat(), "to": end.isoformat()})
    title = _("Coverage over time")
    context = {
        "title": title,
        "caption": _("Share of applicable cells marked X on each date"),
        "spec": line_chart(result, title, f"trends-by-{by}"),
        "json_url": f"/api/v1/trends?{query}",
        "csv_url": f"/api/v1/trends.csv?{query}",
        "page_url": f"/trends?{query}",
        "as_of": end,
    }
    return render(request, "embed/chart.html", context, synthetic=result.synthetic)
