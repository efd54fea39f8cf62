"""The comprehensive review as a portal page, with its file downloads and data twin."""

from __future__ import annotations

from datetime import date
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, Response

from un1540.io.review_report import REPORT_CSS, review_page_body
from un1540.services.kernel.parameters import optional_date
from un1540.web.deps import SessionDep
from un1540.web.i18n import CurrentTranslations, babel_locale, language
from un1540.web.portal.labels import label
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)
# The Committee's 2016 comprehensive review covered 25 April 2011 to 24 April 2016.
DEFAULT_PERIOD = (date(2011, 4, 25), date(2016, 4, 24))


def review_body(session: Session, start: date, end: date) -> tuple[str, bool]:
    """The review page's body in the current language, and whether it is synthetic (also
    computed ahead by the server's warm-up, web/warm.py, for the default period)."""
    return review_page_body(
        session,
        start=start,
        end=end,
        language=language(),
        locale=babel_locale(),
        translations=CurrentTranslations,
        label=label,
    )


@router.get("/reports/review", response_class=HTMLResponse)
def review_page(
    request: Request,
    session: SessionDep,
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
) -> HTMLResponse:
    start = optional_date(date_from, "from") or DEFAULT_PERIOD[0]
    end = optional_date(date_to, "to") or DEFAULT_PERIOD[1]
    body, synthetic = review_body(session, start, end)
    context = {
        "start": start,
        "end": end,
        # The files in the page's language (the API's `lang`; English is its default).
        "query": urlencode(
            {"from": start.isoformat(), "to": end.isoformat()}
            | ({} if language() == "en" else {"lang": language()})
        ),
        "body": body,
    }
    return render(request, "reports/review.html", context, synthetic=synthetic)


@router.get("/reports/review.css")
def review_css() -> Response:
    """The report's own styles, shared with the PDF (a file, not an inline style)."""
    return Response(
        REPORT_CSS, media_type="text/css", headers={"Cache-Control": "public, max-age=3600"}
    )
