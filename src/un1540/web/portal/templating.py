"""The Jinja environment of the portal, its filters, and rendering helpers."""

from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from babel import Locale
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.templating import Jinja2Templates

from un1540.analytics.text import provisions
from un1540.errors import Problem
from un1540.models import Provision
from un1540.models.base import today
from un1540.reference.languages import LANGUAGE_NAMES, UN_LANGUAGES, change
from un1540.schemas.matrix import MATRIX_DISCLAIMER
from un1540.schemas.text import RULES as TEXT_RULES
from un1540.services.accounts.rules import may_manage_accounts
from un1540.services.kernel.actors import ROLE_LABELS
from un1540.services.kernel.instance import SYNTHETIC_NOTICE
from un1540.services.notifications.reads import unread_count
from un1540.web.auth import CSRF_FIELD, csrf_token, current_viewer, take_flashes
from un1540.web.i18n import N_, babel_locale, direction, gettext, language, ngettext, translated
from un1540.web.portal.labels import (
    cell_name,
    code_label,
    concept_label,
    field_label,
    label,
    state_name,
)
from un1540.web.portal.maps import MAP_NOTE
from un1540.web.portal.messages import where_label_filter
from un1540.web.portal.page_cache import CSRF_MARK, FLASHES_MARK, INBOX_MARK, deferred
from un1540.web.portal.sharing import canonical_url, citation, embed_snippet, share_card
from un1540.web.portal.terms import explain, term
from un1540.web.responses import synthetic_headers

TEMPLATES_DIR = Path(__file__).resolve().parents[1] / "templates"


# Numbers and dates in the locale's pattern, remembered: Babel takes some 50-100 us per call and
# a page of 193 States writes thousands of them, the same ones on every request (the result
# depends only on the value, the digits and the locale).
_FORMATTED = 1 << 16


def percent(value: float | None, digits: int = 0) -> str:
    """A share as a percentage in the locale's own pattern (e.g. "41 %" in French)."""
    if value is None:
        return "–"
    return _percent(value, digits, babel_locale())


@lru_cache(maxsize=_FORMATTED)
def _percent(value: float, digits: int, locale: str) -> str:
    pattern = Locale.parse(locale).percent_formats[None].pattern
    if digits:
        pattern = pattern.replace("#,##0", "#,##0." + "0" * digits, 1)
    return format_percent(value, format=pattern, locale=locale)


def number(value: float | int | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return _number(value, digits, babel_locale())


@lru_cache(maxsize=_FORMATTED)
def _number(value: float | int, digits: int, locale: str) -> str:
    return format_decimal(
        value, format="#,##0" + ("." + "0" * digits if digits else ""), locale=locale
    )


def long_date(value: date | None) -> str:
    return _long_date(value, babel_locale()) if value else "–"


@lru_cache(maxsize=_FORMATTED)
def _long_date(value: date, locale: str) -> str:
    return format_date(value, format="long", locale=locale)


MARK_LABELS = {
    "X": N_("measure recorded"),
    "?": N_("uncertain"),
    "NA": N_("not applicable"),
    "": N_("no information"),
}


FIGURE_LICENCE = "CC BY 4.0"  # the open data's licence (io/datapackage.py)


def figure_credit(request: Request, synthetic: bool) -> Markup:
    """What a downloaded chart or map says under it (static/js/downloads.js): its source (this
    page), the date and the licence, and the synthetic notice when the data is synthetic; as
    JSON for a <script type="application/json"> element, in the reader's language."""
    credit = {
        "source": gettext("Source: un1540, the resolution 1540 information system, %(url)s")
        % {"url": str(request.url)},
        "date_licence": gettext("Downloaded on %(date)s. Licence: %(licence)s.")
        % {"date": long_date(today()), "licence": FIGURE_LICENCE},
        "notice": gettext(
            "Synthetic demo data: generated for demonstration. It is not the 1540 Committee's "
            "records and says nothing about any real State."
        )
        if synthetic
        else None,
        # The first column's name in a chart's or map's CSV download (downloads.js).
        "category": gettext("Category"),
        "state": gettext("State"),
    }
    text = json.dumps(credit, ensure_ascii=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def opening_words(provision: Provision) -> str:
    """An article without a title told apart in a list by its first words (as the library's
    paragraphs are), its label left out: 第一条 任何单位和个人… shows 任何单位和个人…"""
    body = provision.text
    if body.startswith(provision.label):
        body = body[len(provision.label) :]
    return provisions.opening_words(body.lstrip(" .:-–—\n"))


def actor(value: str | None) -> str:
    """An actor as a shape gives it (services/kernel/actors.py): a role label, translated, or a
    name the reader may see, as it is."""
    if not value:
        return ""
    return gettext(value) if value in ROLE_LABELS else value


def inbox_badge(request: Request) -> int | None:
    """The header's count of unread notifications (web/portal/inbox.py): one small count, for a
    signed-in reader only (the public's pages ask nothing), in the route's own session. None on
    error pages: they are rendered by the error handlers, on the event loop and perhaps after
    the request's session was closed (a query there would block the loop, and hold a connection
    nobody returns)."""
    viewer = current_viewer(request)
    session = getattr(request.state, "db_session", None)
    if viewer.user_id is None or session is None or getattr(request.state, "error_page", False):
        return None
    return unread_count(session, viewer=viewer)


def form_token(request: Request) -> str:
    """The CSRF token a form carries; a marker while the page is rendered for the cache, each
    request's own token substituted when served (web/portal/page_cache.py)."""
    return CSRF_MARK if deferred(request) else csrf_token(request)


def person_fragments(
    request: Request, *, inbox: bool, messages: list[list[str]]
) -> tuple[str, str]:
    """This request's inbox link and flashed messages, for a page served from the cache."""
    person = templates.env.get_template("_person.html").module
    inbox_html = str(person.inbox_link(inbox_badge(request))) if inbox else ""  # type: ignore[attr-defined]
    return inbox_html, str(person.flash_messages(messages))  # type: ignore[attr-defined]


def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(TEMPLATES_DIR),
        autoescape=select_autoescape(["html"]),
        extensions=["jinja2.ext.i18n", "jinja2.ext.do"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    # The request's language is a context variable: one environment serves every language.
    environment.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    environment.filters.update(
        percent=percent,
        number=number,
        long_date=long_date,
        actor=actor,
        dict_merge=lambda base, extra: {**base, **extra},
        change=change,
        translated=translated,  # a service's message (web/portal/messages.py)
        where_label=where_label_filter,
    )
    environment.globals.update(
        csrf_token=form_token,
        take_flashes=take_flashes,
        person_deferred=deferred,  # the per-request parts of a cached page (page_cache.py)
        INBOX_MARK=INBOX_MARK,
        FLASHES_MARK=FLASHES_MARK,
        current_viewer=current_viewer,
        inbox_badge=inbox_badge,
        may_manage_accounts=may_manage_accounts,
        CSRF_FIELD=CSRF_FIELD,
        MARK_LABELS=MARK_LABELS,
        MAP_NOTE=MAP_NOTE,
        MATRIX_DISCLAIMER=MATRIX_DISCLAIMER,
        SYNTHETIC_NOTICE=SYNTHETIC_NOTICE,
        LANGUAGE_NAMES=LANGUAGE_NAMES,
        label=label,
        code_label=code_label,
        field_label=field_label,
        concept_label=concept_label,
        cell_name=cell_name,
        opening_words=opening_words,
        state_name=state_name,
        term=term,
        explain=explain,
        figure_credit=figure_credit,
        share_card=share_card,  # web/portal/sharing.py
        citation=citation,
        canonical_url=canonical_url,
        embed_snippet=embed_snippet,
        # Each free-text field's maximum, for the forms' maxlength (schemas/text.py defines them).
        text_limits={name.lower(): rule.max_length for name, rule in TEXT_RULES.items()},
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
    code = language()
    return templates.TemplateResponse(
        request,
        template,
        {
            "synthetic": synthetic,
            "lang": code,
            "text_direction": direction(code),
            "language_links": language_links(request),
            **context,
        },
        status_code=status_code,
        headers=synthetic_headers(synthetic),
    )


ERROR_TITLES = {
    404: N_("Not found"),
    422: N_("Invalid request"),
    409: N_("Conflict"),
    503: N_("Service unavailable"),
}


def language_links(request: Request) -> list[tuple[str, str, str]]:
    """(code, name, URL of this page in that language) for the language switcher."""
    query = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    links = []
    for code in UN_LANGUAGES:
        links.append((code, LANGUAGE_NAMES[code], "?" + urlencode([*query, ("lang", code)])))
    return links


def render_error(
    request: Request, *, status: int, message: str, problems: list[Problem]
) -> HTMLResponse:
    request.state.error_page = True  # no inbox badge (inbox_badge)
    return render(
        request,
        "errors/error.html",
        {
            "status": status,
            "title": gettext(ERROR_TITLES.get(status, N_("Error"))),
            "message": translated(message),
            "problems": problems,
        },
        synthetic=False,
        status_code=status,
    )
