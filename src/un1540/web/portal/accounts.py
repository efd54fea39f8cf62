"""Signing in and out, and the account page (password change)."""

from __future__ import annotations

import time
from collections import defaultdict, deque
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540.errors import InvalidData
from un1540.services.accounts.actions import authenticate, change_password
from un1540.services.accounts.reads import account_of
from un1540.web.auth import flash, sign_in, sign_out
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.i18n import gettext
from un1540.web.portal.forms import CsrfChecked, login_redirect
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)


class LoginThrottle:
    """Failed sign-ins per e-mail address: after MAX_FAILURES within WINDOW seconds, wait."""

    MAX_FAILURES, WINDOW = 5, 15 * 60

    def __init__(self) -> None:
        self._failures: dict[str, deque[float]] = defaultdict(deque)

    def locked_for(self, email: str) -> int:
        """Seconds until the address may try again (0: now)."""
        attempts = self._failures[email]
        now = time.monotonic()
        while attempts and now - attempts[0] > self.WINDOW:
            attempts.popleft()
        if len(attempts) < self.MAX_FAILURES:
            return 0
        return int(self.WINDOW - (now - attempts[0])) + 1

    def failed(self, email: str) -> None:
        self._failures[email].append(time.monotonic())

    def succeeded(self, email: str) -> None:
        self._failures.pop(email, None)


def _safe_next(target: str | None) -> str:
    """Only a path on this site, never another site (open redirects)."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        return target
    return "/"


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
    key = email.strip().lower()
    throttle: LoginThrottle = request.app.state.login_throttle
    wait = throttle.locked_for(key)
    context = {"next": _safe_next(next), "email": email}
    if wait:
        minutes = (wait + 59) // 60
        error = f"Too many failed attempts for this address; try again in {minutes} minute(s)."
        return render(
            request,
            "accounts/login.html",
            context | {"error": error},
            synthetic=False,
            status_code=429,
        )
    user = authenticate(session, email=email, password=password)
    if user is None:
        throttle.failed(key)
        error = "The e-mail address or the password is not right, or the account is disabled."
        return render(
            request,
            "accounts/login.html",
            context | {"error": error},
            synthetic=False,
            status_code=401,
        )
    throttle.succeeded(key)
    sign_in(request, user)
    flash(request, gettext("Signed in as %(email)s.") % {"email": user.email})
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout")
def logout(request: Request, _: CsrfChecked) -> Response:
    sign_out(request)
    return RedirectResponse("/", status_code=303)


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    if viewer.user_id is None:
        return login_redirect(request)
    user = account_of(session, viewer)
    return render(request, "accounts/account.html", {"user": user}, synthetic=False)


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
            raise InvalidData("the password was not changed: the two new passwords differ")
        change_password(session, user=user, current=current_password, new=new_password)
    except InvalidData as error:
        details = "; ".join(p.message for p in error.problems)
        flash(request, error.message + (f" ({details})" if details else ""), kind="error")
        return RedirectResponse("/account", status_code=303)
    sign_in(request, user)  # keeps this session; every other one ends with the old password
    flash(
        request, gettext("Password changed. Other sessions of this account have been signed out.")
    )
    return RedirectResponse("/account", status_code=303)
