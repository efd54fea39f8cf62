"""The inbox (what awaits the signed-in account, by role: the landing page after sign-in), the
badge in every page's header, and the account's e-mail preferences (docs/inbox.md)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540.errors import InvalidData
from un1540.models.base import today
from un1540.services.inbox.reads import inbox
from un1540.services.notifications.actions import mark_all_read
from un1540.services.notifications.preferences import email_choices, set_email_topics
from un1540.web.auth import flash
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.i18n import gettext
from un1540.web.portal.forms import CsrfChecked, login_redirect
from un1540.web.portal.messages import refusal
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)
MAX_TOPICS = 50  # checkboxes on the e-mail preferences form


@router.get("/inbox", response_class=HTMLResponse)
def inbox_page(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    if viewer.user_id is None:
        return login_redirect(request)
    context = {"inbox": inbox(session, viewer=viewer), "today": today()}
    return render(request, "inbox/index.html", context, synthetic=False)


@router.post("/notifications/read")
def notifications_read_all(
    request: Request, session: SessionDep, viewer: ViewerDep, _: CsrfChecked
) -> Response:
    if viewer.user_id is None:
        return login_redirect(request)
    count = mark_all_read(session, viewer=viewer)
    flash(
        request,
        gettext("Notifications marked read: %(count)s.") % {"count": count},
    )
    return RedirectResponse("/notifications", status_code=303)


@router.get("/account/notifications", response_class=HTMLResponse)
def email_preferences_page(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    if viewer.user_id is None:
        return login_redirect(request)
    context = {"choices": email_choices(session, viewer=viewer)}
    return render(request, "inbox/email_preferences.html", context, synthetic=False)


@router.post("/account/notifications")
def email_preferences_save(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    by_email: Annotated[list[str] | None, Form(max_length=MAX_TOPICS)] = None,
) -> Response:
    if viewer.user_id is None:
        return login_redirect(request)
    try:
        set_email_topics(session, viewer=viewer, by_email=by_email or [])
    except InvalidData as error:
        flash(request, refusal(error, with_where=False), kind="error")
    else:
        flash(request, gettext("Your e-mail preferences are saved."))
    return RedirectResponse("/account/notifications", status_code=303)
