"""Administrators' accounts pages: the list (search, pages), creating an account, and each
account's page (its role, disabling or enabling it, signing it out everywhere, sending it a
password reset link). Every write is one action of services/accounts/management.py and
resets.py; who may is the rule of services/accounts/rules.py, asked by the guard (before a
form is read), by these pages and by the actions alike."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540.errors import Conflict, InvalidData, NotFound, Un1540Error
from un1540.reference.languages import UN_LANGUAGES
from un1540.schemas.text import CODE, DISPLAY_NAME, EMAIL, SEARCH_QUERY
from un1540.services.accounts.management import (
    Invitation,
    account_by_id,
    account_choices,
    change_role,
    create_account,
    list_accounts,
    set_account_active,
)
from un1540.services.accounts.resets import send_reset_link
from un1540.services.accounts.rules import check_may_manage_accounts
from un1540.services.accounts.sessions import count_sessions, sign_out_everywhere
from un1540.services.kernel.paging import MAX_PAGE, PageRequest
from un1540.settings import Settings
from un1540.web.auth import flash
from un1540.web.deps import SessionDep, SettingsDep, ViewerDep
from un1540.web.guards import GuardedRoute, guarded
from un1540.web.i18n import gettext
from un1540.web.params import RecordIdPath
from un1540.web.portal.forms import CsrfChecked, login_redirect
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False, route_class=GuardedRoute)
PAGE_SIZE = 25
LIST = "/admin/accounts"


def link_base(request: Request, settings: Settings) -> str:
    """Where the links sent by e-mail lead: the configured public address, else this request's."""
    return settings.public_url or str(request.base_url)


def error_text(error: Un1540Error) -> str:
    """The error with every problem and the field it names."""
    details = "; ".join(
        f"{problem.where}: {problem.message}" if problem.where else problem.message
        for problem in error.problems
    )
    return error.message + (f" ({details})" if details else "")


def _refused(request: Request) -> str:
    """Where a refused caller (signed in, not an administrator) is sent with the message."""
    return "/account"


@router.get(LIST, response_class=HTMLResponse)
def accounts_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    q: Annotated[str, Query(), SEARCH_QUERY] = "",
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> Response:
    if viewer.user_id is None:
        return login_redirect(request)
    paging = PageRequest(page=page, page_size=PAGE_SIZE)
    found = list_accounts(session, viewer=viewer, query=q, paging=paging)
    context: dict[str, Any] = {
        "accounts": found.accounts,
        "total": found.total,
        "q": q,
        "page": paging.page,
        "pages": -(-found.total // PAGE_SIZE),
        "choices": account_choices(session, viewer=viewer),
        "languages": UN_LANGUAGES,
    }
    response = render(request, "accounts/admin_list.html", context, synthetic=False)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post(LIST)
@guarded(check_may_manage_accounts, back=_refused)
def account_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    _: CsrfChecked,
    email: Annotated[str, Form(), EMAIL] = "",
    name: Annotated[str, Form(), DISPLAY_NAME] = "",
    role: Annotated[str, Form(max_length=20), CODE] = "",
    state: Annotated[str, Form(max_length=3), CODE] = "",
    organisation: Annotated[str, Form(max_length=40), CODE] = "",
    language: Annotated[str, Form(max_length=2), CODE] = "en",
) -> Response:
    """Create an account; its owner is e-mailed a link to choose their password."""
    try:
        user = create_account(
            session,
            viewer=viewer,
            email=email,
            role=role,
            state_iso3=state or None,
            organisation_code=organisation or None,
            display_name=name,
            language=language,
            invite=Invitation(link_base(request, settings), settings.password_reset_minutes),
        )
    except (InvalidData, Conflict) as error:
        flash(request, error_text(error), kind="error")
        return RedirectResponse(LIST, status_code=303)
    flash(
        request,
        gettext("Account %(email)s created; a link to choose a password was sent to it.")
        % {"email": user.email},
    )
    return RedirectResponse(f"{LIST}/{user.id}", status_code=303)


@router.get(LIST + "/{account_id}", response_class=HTMLResponse)
def account_admin_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    account_id: RecordIdPath,
) -> Response:
    if viewer.user_id is None:
        return login_redirect(request)
    user = account_by_id(session, viewer, account_id)
    context: dict[str, Any] = {
        "account": user,
        "sessions": count_sessions(session, user.id),
        "choices": account_choices(session, viewer=viewer),
        "minutes": settings.password_reset_minutes,
        "is_self": user.id == viewer.user_id,
    }
    response = render(request, "accounts/admin_account.html", context, synthetic=False)
    response.headers["Cache-Control"] = "no-store"
    return response


@router.post(LIST + "/{account_id}/role")
@guarded(check_may_manage_accounts, back=_refused)
def account_role(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    account_id: RecordIdPath,
    role: Annotated[str, Form(max_length=20), CODE] = "",
    state: Annotated[str, Form(max_length=3), CODE] = "",
    organisation: Annotated[str, Form(max_length=40), CODE] = "",
) -> Response:
    back = f"{LIST}/{account_id}"
    try:
        user = change_role(
            session,
            viewer=viewer,
            account_id=account_id,
            role=role,
            state_iso3=state or None,
            organisation_code=organisation or None,
        )
    except (InvalidData, Conflict) as error:
        flash(request, error_text(error), kind="error")
        return RedirectResponse(back, status_code=303)
    flash(request, gettext("The role of %(email)s is saved.") % {"email": user.email})
    if user.id == viewer.user_id:  # one's own sessions ended with the change
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(back, status_code=303)


@router.post(LIST + "/{account_id}/active", response_class=HTMLResponse)
@guarded(check_may_manage_accounts, back=_refused)
def account_active(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    account_id: RecordIdPath,
    active: Annotated[str, Form(max_length=1)] = "",
    confirm: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """Disable (after a confirmation page) or enable an account."""
    back = f"{LIST}/{account_id}"
    user = account_by_id(session, viewer, account_id)
    enable = active == "1"
    if not enable and confirm != "1":
        return render(request, "accounts/admin_disable.html", {"account": user}, synthetic=False)
    try:
        set_account_active(session, viewer=viewer, email=user.email, active=enable)
    except (InvalidData, Conflict, NotFound) as error:
        flash(request, error_text(error), kind="error")
        return RedirectResponse(back, status_code=303)
    message = (
        gettext("Account %(email)s enabled.")
        if enable
        else gettext("Account %(email)s disabled; its sessions ended and its tokens are revoked.")
    )
    flash(request, message % {"email": user.email})
    return RedirectResponse(back, status_code=303)


@router.post(LIST + "/{account_id}/sign-out")
@guarded(check_may_manage_accounts, back=_refused)
def account_sign_out(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    account_id: RecordIdPath,
) -> Response:
    user = account_by_id(session, viewer, account_id)
    ended = sign_out_everywhere(session, viewer=viewer, email=user.email)
    flash(
        request,
        gettext("%(count)s session(s) of %(email)s ended.") % {"count": ended, "email": user.email},
    )
    if user.id == viewer.user_id:
        return RedirectResponse("/login", status_code=303)
    return RedirectResponse(f"{LIST}/{account_id}", status_code=303)


@router.post(LIST + "/{account_id}/reset-link")
@guarded(check_may_manage_accounts, back=_refused)
def account_reset_link(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    _: CsrfChecked,
    account_id: RecordIdPath,
) -> Response:
    back = f"{LIST}/{account_id}"
    try:
        user = send_reset_link(
            session,
            viewer=viewer,
            account_id=account_id,
            link_base=link_base(request, settings),
            minutes=settings.password_reset_minutes,
        )
    except (InvalidData, Conflict) as error:
        flash(request, error_text(error), kind="error")
        return RedirectResponse(back, status_code=303)
    flash(
        request,
        gettext("A link to set a new password was sent to %(email)s.") % {"email": user.email},
    )
    return RedirectResponse(back, status_code=303)
