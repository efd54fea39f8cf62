"""The Jinja environment of the portal, its filters, and rendering helpers."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from un1540.errors import Problem
from un1540.schemas.matrix import MATRIX_DISCLAIMER
from un1540.services.instance import SYNTHETIC_NOTICE
from un1540.web.auth import CSRF_FIELD, csrf_token, current_viewer, take_flashes
from un1540.web.responses import synthetic_headers

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"
LOCALE = "en"  # The six-language interface arrives with the transparency issue.

MAP_NOTE = (
    "The boundaries and names shown and the designations used on this map do not imply "
    "official endorsement or acceptance by the United Nations."
)


def percent(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return format_percent(
        value, format="#,##0" + ("." + "0" * digits if digits else "") + "%", locale=LOCALE
    )


def number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return format_decimal(
        value, format="#,##0" + ("." + "0" * digits if digits else ""), locale=LOCALE
    )


def long_date(value: date | None) -> str:
    return format_date(value, format="long", locale=LOCALE) if value else "–"


MARK_LABELS = {
    "X": "measure recorded",
    "?": "uncertain",
    "NA": "not applicable",
    "": "no information",
}


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # gettext is wired now so the interface strings are ready for the six-language catalogues.
    environment.install_null_translations(newstyle=True)  # type: ignore[attr-defined]
    environment.filters.update(
        percent=percent,
        number=number,
        long_date=long_date,
        dict_merge=lambda base, extra: {**base, **extra},
    )
    environment.globals.update(
        csrf_token=csrf_token,
        take_flashes=take_flashes,
        current_viewer=current_viewer,
        CSRF_FIELD=CSRF_FIELD,
        MARK_LABELS=MARK_LABELS,
        MAP_NOTE=MAP_NOTE,
        MATRIX_DISCLAIMER=MATRIX_DISCLAIMER,
        SYNTHETIC_NOTICE=SYNTHETIC_NOTICE,
        lang=LOCALE,
        text_direction="ltr",
    )
    return environment


templates = Jinja2Templates(env=_environment())


def render(
    request: Request,
    template: str,
    context: dict[str, Any],
    *,
    synthetic: bool,
    status_code: int = 200,
) -> HTMLResponse:
    """Render a page; every page that shows data carries the synthetic banner and header."""
    return templates.TemplateResponse(
        request,
        template,
        {"synthetic": synthetic, **context},
        status_code=status_code,
        headers=synthetic_headers(synthetic),
    )


ERROR_TITLES = {
    404: "Not found",
    422: "Invalid request",
    409: "Conflict",
    503: "Service unavailable",
}


def render_error(
    request: Request, *, status: int, message: str, problems: list[Problem]
) -> HTMLResponse:
    return render(
        request,
        "errors/error.html",
        {
            "status": status,
            "title": ERROR_TITLES.get(status, "Error"),
            "message": message,
            "problems": problems,
        },
        synthetic=False,
        status_code=status,
    )
