"""Who is calling: a bearer token, a signed session cookie, or the public; and CSRF protection.

- API clients send `Authorization: Bearer <token>`; no cookie, no CSRF check.
- The portal signs people in with a session cookie (signed by UN1540_SECRET_KEY). Every form that
  writes carries the session's CSRF token; scripts calling the API with that cookie send it in the
  `X-CSRF-Token` header.
- A session stops working when its account is disabled or its password changes.
"""

from __future__ import annotations

import secrets
from typing import Any

import anyio.to_thread
from sqlalchemy.orm import Session
from starlette.requests import Request

from un1540.errors import Forbidden, Unauthenticated
from un1540.models import UserAccount
from un1540.services.accounts.actions import sign_in_with_token
from un1540.services.accounts.reads import session_viewer
from un1540.services.kernel.access import PUBLIC, Viewer

SESSION_COOKIE = "un1540_session"
SESSION_MAX_AGE = 8 * 3600
USER_KEY, STAMP_KEY, CSRF_KEY, FLASH_KEY = "user_id", "stamp", "csrf", "flash"
CSRF_FIELD, CSRF_HEADER = "csrf_token", "x-csrf-token"


def has_session(request: Request) -> bool:
    return "session" in request.scope


async def resolve_viewer(request: Request, session: Session) -> Viewer:
    """The caller, remembered on request.state for templates and CSRF checks.

    Looked up in the request's own session (one session per request, however the caller signs
    in); the lookup runs in a worker thread, as every query does.
    """
    header = request.headers.get("authorization")
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("send the API token as: Authorization: Bearer <token>")
        viewer = await anyio.to_thread.run_sync(sign_in_with_token, session, token.strip())
        if viewer is None:
            raise Unauthenticated("the API token is unknown or revoked, or its account is disabled")
        request.state.via_token = True
    elif has_session(request) and request.session.get(USER_KEY):
        user_id, stamp = request.session[USER_KEY], request.session.get(STAMP_KEY, "")
        found = await anyio.to_thread.run_sync(
            lambda: session_viewer(session, user_id=user_id, stamp=stamp)
        )
        if found is None:
            request.session.clear()
        viewer = found or PUBLIC
    else:
        viewer = PUBLIC
    request.state.viewer = viewer
    return viewer


def sign_in(request: Request, user: UserAccount) -> None:
    request.session.clear()  # a new session for a new sign-in (no fixation)
    request.session.update(
        {
            USER_KEY: user.id,
            STAMP_KEY: user.password_changed_at.isoformat(),
            CSRF_KEY: secrets.token_urlsafe(32),
        }
    )


def sign_out(request: Request) -> None:
    request.session.clear()


def csrf_token(request: Request) -> str:
    """The session's CSRF token, created the first time a form needs one."""
    token: str | None = request.session.get(CSRF_KEY)
    if token is None:
        token = request.session[CSRF_KEY] = secrets.token_urlsafe(32)
    return token


def _matches(request: Request, sent: Any) -> bool:
    expected = request.session.get(CSRF_KEY) if has_session(request) else None
    if not isinstance(expected, str) or not isinstance(sent, str) or not expected:
        return False
    return secrets.compare_digest(expected, sent)


async def check_form_csrf(request: Request) -> None:
    """For portal forms: the hidden field must carry the session's token."""
    form = await request.form()
    if not _matches(request, form.get(CSRF_FIELD)):
        raise Forbidden(
            "the form has expired or did not come from this site; reload the page and try again"
        )


def check_api_csrf(request: Request) -> None:
    """For API writes signed in by cookie: X-CSRF-Token must carry the session's token."""
    if getattr(request.state, "via_token", False):
        return
    if (
        has_session(request)
        and request.session.get(USER_KEY)
        and not _matches(request, request.headers.get(CSRF_HEADER))
    ):
        raise Forbidden(
            "send the session's CSRF token in the X-CSRF-Token header, or use an API token"
        )


def flash(request: Request, message: str, *, kind: str = "info") -> None:
    """A message for the next page (after a redirect); kind is info or error."""
    request.session[FLASH_KEY] = [*request.session.get(FLASH_KEY, []), [kind, message]]


def take_flashes(request: Request) -> list[list[str]]:
    if not has_session(request):
        return []
    messages: list[list[str]] = request.session.pop(FLASH_KEY, [])
    return messages


def current_viewer(request: Request) -> Viewer:
    viewer: Viewer = getattr(request.state, "viewer", PUBLIC)
    return viewer
