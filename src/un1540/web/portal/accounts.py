"""Signing in and out, and the account page (password change, signing out everywhere, the
account's own API tokens)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from babel.dates import format_timedelta
from fastapi import APIRouter, Form, Path, Request
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540.errors import Conflict, InvalidData, NotFound, RateLimited, Un1540Error
from un1540.reference.languages import UN_LANGUAGES
from un1540.schemas.text import CODE, EMAIL
from un1540.services.accounts.actions import (
    change_password,
    issue_token,
    revoke_own_token,
    set_language,
    sign_in_with_password,
)
from un1540.services.accounts.credentials import MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH
from un1540.services.accounts.reads import account_of, tokens_of
from un1540.services.accounts.resets import (
    LinkState,
    complete_password_reset,
    request_password_reset,
    reset_link_state,
)
from un1540.services.accounts.sessions import sign_out_everywhere
from un1540.services.kernel.access import Viewer
from un1540.web.auth import client_address, flash, sign_in, sign_out
from un1540.web.deps import SessionDep, SettingsDep, ViewerDep
from un1540.web.i18n import N_, babel_locale, gettext
from un1540.web.params import RecordIdPath
from un1540.web.portal.forms import CsrfChecked, login_redirect
from un1540.web.portal.messages import refusal
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)
LANDING = "/inbox"  # where signing in leads unless the form says where to go back to


def _wait_message(seconds: int) -> str:
    """ "Try again in 30 seconds" (or minutes, rounded up), in the reader's language."""
    if seconds >= 120:
        seconds = (seconds + 59) // 60 * 60
    wait = format_timedelta(timedelta(seconds=seconds), threshold=2, locale=babel_locale())
    return gettext("Too many failed attempts; try again in %(wait)s.") % {"wait": wait}


def _safe_next(target: str | None) -> str:
    """Only a path on this site, never another site (open redirects); from the home page (or
    none), the account's inbox: what awaits it (web/portal/inbox.py)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return LANDING if target == "/" else target
    return LANDING


@router.get("/login", response_class=HTMLResponse)
def login_page(request: Request, viewer: ViewerDep, next: str = "/") -> Response:
    if viewer.user_id is not None:
        return RedirectResponse(_safe_next(next), status_code=303)
    return render(
        request, "accounts/login.html", {"next": _safe_next(next), "email": ""}, synthetic=False
    )


@router.post("/login", response_class=HTMLResponse)
def login(
    request: Request,
    session: SessionDep,
    _: CsrfChecked,
    email: Annotated[str, Form(max_length=254)],
    password: Annotated[str, Form(max_length=1000)],
    next: Annotated[str, Form()] = "/",
) -> Response:
    context = {"next": _safe_next(next), "email": email}
    try:
        user = sign_in_with_password(
            session, email=email, password=password, address=client_address(request)
        )
    except RateLimited as refusal:
        response = render(
            request,
            "accounts/login.html",
            context | {"error": _wait_message(refusal.retry_after)},
            synthetic=False,
            status_code=429,
        )
        response.headers["Retry-After"] = str(refusal.retry_after)
        return response
    if user is None:
        error = gettext(
            "The e-mail address or the password is not right, or the account is disabled."
        )
        return render(
            request,
            "accounts/login.html",
            context | {"error": error},
            synthetic=False,
            status_code=401,
        )
    sign_in(request, user)
    flash(request, gettext("Signed in as %(email)s.") % {"email": user.email})
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, session: SessionDep, _: CsrfChecked) -> Response:
    sign_out(request)
    return RedirectResponse("/", status_code=303)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    if viewer.user_id is None:
        return login_redirect(request)
    return _account(request, session, viewer)


def _account(
    request: Request, session: Session, viewer: Viewer, *, new_token: str = ""
) -> HTMLResponse:
    user = account_of(session, viewer)
    context = {
        "user": user,
        "min_password": MIN_PASSWORD_LENGTH,
        "max_password": MAX_PASSWORD_LENGTH,
        "tokens": tokens_of(session, user),
        "new_token": new_token,
        "languages": UN_LANGUAGES,
    }
    response = render(request, "accounts/account.html", context, synthetic=False)
    response.headers["Cache-Control"] = "no-store"  # a new token is shown once, never cached
    return response


@router.post("/account/password")
def password_change(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    current_password: Annotated[str, Form(max_length=1000)],
    new_password: Annotated[str, Form(max_length=1000)],
    repeat_password: Annotated[str, Form(max_length=1000)],
) -> Response:
    if viewer.user_id is None:
        return login_redirect(request)
    user = account_of(session, viewer)
    try:
        if new_password != repeat_password:
            raise InvalidData(N_("the password was not changed: the two new passwords differ"))
        change_password(session, user=user, current=current_password, new=new_password)
    except InvalidData as error:
        flash(request, refusal(error, with_where=False), kind="error")
        return RedirectResponse("/account", status_code=303)
    sign_in(request, user)  # the change ended every session: this browser gets a new one
    flash(
        request, gettext("Password changed. Other sessions of this account have been signed out.")
    )
    return RedirectResponse("/account", status_code=303)


@router.post("/account/sign-out-everywhere")
def account_sign_out_everywhere(
    request: Request, session: SessionDep, viewer: ViewerDep, _: CsrfChecked
) -> Response:
    """End every session of your account (one left open on another computer, say); this
    browser stays signed in with a new session."""
    if viewer.user_id is None:
        return login_redirect(request)
    user = account_of(session, viewer)
    sign_out_everywhere(session, viewer=viewer, email=user.email)
    sign_in(request, user)
    flash(request, gettext("Every other session of this account has been signed out."))
    return RedirectResponse("/account", status_code=303)


def _error_text(error: Un1540Error) -> str:
    return refusal(error, with_where=False)


@router.post("/account/tokens", response_class=HTMLResponse)
def account_token_issue(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    label: Annotated[str, Form(max_length=200)] = "",
    scope: Annotated[str, Form(max_length=10)] = "read",
) -> Response:
    """Issue an API token for your own account: shown once on the page that answers."""
    if viewer.user_id is None:
        return login_redirect(request)
    user = account_of(session, viewer)
    if not label.strip():  # the portal asks what a token is for, so that its owner can tell
        flash(request, gettext("The token was not issued: say what it is for."), kind="error")
        return RedirectResponse("/account#tokens", status_code=303)
    try:
        plain = issue_token(
            session, email=user.email, scope=scope, actor=viewer.actor, label=label
        )[1]
    except (InvalidData, Conflict) as error:
        flash(request, _error_text(error), kind="error")
        return RedirectResponse("/account#tokens", status_code=303)
    return _account(request, session, viewer, new_token=plain)


@router.post("/account/tokens/{token_id}/revoke", response_class=HTMLResponse)
def account_token_revoke(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    token_id: RecordIdPath,
    confirm: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """Revoke one of your tokens, after a confirmation page: programs using it stop working."""
    if viewer.user_id is None:
        return login_redirect(request)
    user = account_of(session, viewer)
    token = next((t for t in tokens_of(session, user) if t.id == token_id), None)
    if token is None:
        raise NotFound(f"you have no token {token_id}")
    if confirm != "1":
        return render(request, "accounts/revoke_token.html", {"token": token}, synthetic=False)
    revoke_own_token(session, user=user, token_id=token_id, actor=viewer.actor)
    flash(request, gettext("The token %(prefix)s… is revoked.") % {"prefix": token.prefix})
    return RedirectResponse("/account#tokens", status_code=303)


@router.post("/account/language")
def account_language(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    language: Annotated[str, Form(max_length=2), CODE] = "",
) -> Response:
    """The language of your e-mails (and, from now on, of this browser's pages)."""
    if viewer.user_id is None:
        return login_redirect(request)
    user = account_of(session, viewer)
    try:
        set_language(session, user=user, language=language, actor=viewer.actor)
    except InvalidData as error:
        flash(request, _error_text(error), kind="error")
        return RedirectResponse("/account", status_code=303)
    flash(request, gettext("Your language is saved."))
    return RedirectResponse(f"/account?lang={user.language}", status_code=303)


# Forgotten passwords (services/accounts/resets.py). The reset link's token is in the path: its
# page sends no Referer anywhere, and is never cached.
ResetToken = Annotated[str, Path(min_length=1, max_length=200), CODE]


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@router.get("/password/forgot", response_class=HTMLResponse)
def password_forgot_page(request: Request) -> Response:
    return render(request, "accounts/forgot.html", {"email": "", "sent": False}, synthetic=False)


@router.post("/password/forgot", response_class=HTMLResponse)
def password_forgot(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    _: CsrfChecked,
    email: Annotated[str, Form(), EMAIL] = "",
) -> Response:
    """The same answer whether the e-mail has an account or not."""
    try:
        request_password_reset(
            session,
            email=email,
            address=client_address(request),
            link_base=settings.public_url or str(request.base_url),
            minutes=settings.password_reset_minutes,
        )
    except InvalidData as error:
        context = {"email": email, "sent": False, "error": _error_text_fields(error)}
        return render(request, "accounts/forgot.html", context, synthetic=False, status_code=422)
    except RateLimited as refusal:
        response = render(
            request,
            "accounts/forgot.html",
            {"email": email, "sent": False, "error": _wait_message(refusal.retry_after)},
            synthetic=False,
            status_code=429,
        )
        response.headers["Retry-After"] = str(refusal.retry_after)
        return response
    context = {"email": email, "sent": True, "minutes": settings.password_reset_minutes}
    return _private(render(request, "accounts/forgot.html", context, synthetic=False))


def _link_page(request: Request, state: LinkState, status_code: int) -> Response:
    return _private(
        render(
            request,
            "accounts/reset_link.html",
            {"state": state.value},
            synthetic=False,
            status_code=status_code,
        )
    )


_LINK_STATUS = {LinkState.unknown: 404, LinkState.used: 410, LinkState.expired: 410}


@router.get("/password/reset/{token}", response_class=HTMLResponse)
def password_reset_page(request: Request, session: SessionDep, token: ResetToken) -> Response:
    state = reset_link_state(session, token)
    if state is not LinkState.valid:
        return _link_page(request, state, _LINK_STATUS[state])
    context = {
        "token": token,
        "min_password": MIN_PASSWORD_LENGTH,
        "max_password": MAX_PASSWORD_LENGTH,
    }
    return _private(render(request, "accounts/reset.html", context, synthetic=False))


@router.post("/password/reset/{token}", response_class=HTMLResponse)
def password_reset(
    request: Request,
    session: SessionDep,
    _: CsrfChecked,
    token: ResetToken,
    new_password: Annotated[str, Form(max_length=1000)] = "",
    repeat_password: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    try:
        complete_password_reset(
            session, plain=token, new_password=new_password, repeat_password=repeat_password
        )
    except Conflict as error:
        state = LinkState((error.details or {}).get("link", LinkState.unknown.value))
        return _link_page(request, state, _LINK_STATUS.get(state, 409))
    except InvalidData as error:
        context = {
            "token": token,
            "min_password": MIN_PASSWORD_LENGTH,
            "max_password": MAX_PASSWORD_LENGTH,
            "error": _error_text_fields(error),
        }
        return _private(
            render(request, "accounts/reset.html", context, synthetic=False, status_code=422)
        )
    # Every session of the account has ended; its owner signs in with the new password.
    return _private(render(request, "accounts/reset_done.html", {}, synthetic=False))


def _error_text_fields(error: Un1540Error) -> str:
    details = "; ".join(
        f"{problem.where}: {problem.message}" if problem.where else problem.message
        for problem in error.problems
    )
    return error.message + (f" ({details})" if details else "")
