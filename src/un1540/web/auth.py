"""Who is calling: a bearer token, a server-side session, or the public; and CSRF protection.

- API clients send `Authorization: Bearer <token>`; no cookie, no CSRF check. A read-scoped
  token may only read: any other method is refused here, for every route (`resolve_viewer`).
- The portal signs people in with a session kept in the database
  (services/accounts/sessions.py): the cookie holds only a random id. Logging out deletes the
  session, so the cookie stops working everywhere; so do a password change or reset, disabling
  the account, an administrator's "sign out everywhere", and the idle and absolute time limits.
- Every form that writes carries a CSRF token: the session's own once signed in; before that
  (the sign-in form) a random token in a cookie of its own that the form must repeat (double
  submit), so anonymous visitors cost no database work. Scripts calling the API with the session
  cookie send the session's token in the `X-CSRF-Token` header.
- Messages for the next page (flash) live with the server-side session.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import anyio.to_thread
from sqlalchemy.orm import Session
from starlette.datastructures import MutableHeaders
from starlette.requests import Request, cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from un1540.errors import Forbidden, Unauthenticated
from un1540.models import UserAccount
from un1540.services.accounts import sessions as web_sessions
from un1540.services.accounts.actions import sign_in_with_token
from un1540.services.accounts.sessions import OpenSession, SessionLimits
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.settings import Environment, Settings

SESSION_COOKIE, ANONYMOUS_CSRF_COOKIE = "un1540_session", "un1540_csrf"
# In production (HTTPS) the cookies take the __Host- prefix: Secure, Path=/ and no Domain, so
# no other host (a sibling subdomain) can plant or overwrite them.
HOST_PREFIX = "__Host-"
CSRF_FIELD, CSRF_HEADER = "csrf_token", "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_STATE = "un1540.auth"


@dataclass
class CookieSession:
    """The request's cookies as far as signing in goes, and what to send back."""

    secure: bool
    session_cookie: str
    csrf_cookie: str
    max_age: int
    token: str | None = None  # the session id the browser sent
    anonymous_csrf: str | None = None
    resolved: bool = False
    open: OpenSession | None = None
    personal: bool = False  # the response holds something for this visitor only
    outgoing: list[str] = field(default_factory=list)  # Set-Cookie values

    def set_cookie(self, name: str, value: str, max_age: int) -> None:
        attributes = [f"{name}={value}", "Path=/", "HttpOnly", "SameSite=Lax"]
        attributes.append(f"Max-Age={max_age}")
        if self.secure:
            attributes.append("Secure")
        self.outgoing = [c for c in self.outgoing if not c.startswith(f"{name}=")]
        self.outgoing.append("; ".join(attributes))

    def clear_cookie(self, name: str) -> None:
        self.set_cookie(name, '""', 0)


class SessionCookies:
    """Reads the session and CSRF cookies into the request and writes back the ones that
    changed; it does no database work (the session is looked up by `resolve_viewer`)."""

    def __init__(self, app: ASGIApp, *, settings: Settings) -> None:
        self.app = app
        production = settings.env is Environment.production
        prefix = HOST_PREFIX if production else ""
        self.secure = production
        self.session_cookie = prefix + SESSION_COOKIE
        self.csrf_cookie = prefix + ANONYMOUS_CSRF_COOKIE
        self.max_age = int(settings.session_max_hours * 3600)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        cookies: dict[str, str] = {}
        for name, value in scope["headers"]:
            if name == b"cookie":
                cookies.update(cookie_parser(value.decode("latin-1")))
        state = CookieSession(
            secure=self.secure,
            session_cookie=self.session_cookie,
            csrf_cookie=self.csrf_cookie,
            max_age=self.max_age,
            token=cookies.get(self.session_cookie) or None,
            anonymous_csrf=cookies.get(self.csrf_cookie) or None,
        )
        scope[_STATE] = state

        async def send_with_cookies(message: Message) -> None:
            if message["type"] == "http.response.start" and state.outgoing:
                headers = MutableHeaders(scope=message)
                for cookie in state.outgoing:
                    headers.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookies)


def cookie_session(request: Request) -> CookieSession:
    state: CookieSession | None = request.scope.get(_STATE)
    if state is None:
        raise RuntimeError("SessionCookies middleware is not installed")
    return state


def is_personal(scope: Scope) -> bool:
    """Whether the response to this request is for this visitor only (never to be cached by a
    browser or proxy): the caller sent credentials, or the page holds a token or message."""
    state: CookieSession | None = scope.get(_STATE)
    if state is not None and (state.token or state.personal or state.outgoing):
        return True
    return any(name == b"authorization" for name, _ in scope["headers"])


def has_credentials(scope: Scope) -> bool:
    """The request carries an API token or a session cookie (SessionCookies has run): only
    without either is the caller the public, before `resolve_viewer` looks anything up."""
    state: CookieSession | None = scope.get(_STATE)
    if state is None or state.token is not None:
        return True
    return any(name == b"authorization" for name, _ in scope["headers"])


def has_session(request: Request) -> bool:
    """The request belongs to a signed-in portal session (once `resolve_viewer` has run)."""
    state: CookieSession | None = request.scope.get(_STATE)
    return state is not None and state.open is not None


def _limits(request: Request) -> SessionLimits:
    settings: Settings = request.app.state.settings
    return SessionLimits(
        idle=timedelta(minutes=settings.session_idle_minutes),
        absolute=timedelta(hours=settings.session_max_hours),
    )


def _database(request: Request) -> Session:
    session: Session | None = getattr(request.state, "db_session", None)
    if session is None:
        raise RuntimeError("no database session for this request (use SessionDep)")
    return session


def client_address(request: Request) -> str:
    """The caller's address (uvicorn puts a trusted proxy's X-Forwarded-For here)."""
    return request.client.host if request.client else ""


async def resolve_viewer(request: Request, session: Session) -> Viewer:
    """The caller, remembered on request.state for templates and CSRF checks.

    Looked up in the request's own session (one session per request, however the caller signs
    in); the lookup runs in a worker thread, as every query does. A request without a token or
    session cookie makes no query.
    """
    cached: Viewer | None = getattr(request.state, "viewer", None)
    if cached is not None:
        return cached
    request.state.db_session = session
    header = request.headers.get("authorization")
    state = cookie_session(request)
    if header is not None:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthenticated("send the API token as: Authorization: Bearer <token>")
        viewer = await anyio.to_thread.run_sync(sign_in_with_token, session, token.strip())
        if viewer is None:
            raise Unauthenticated("the API token is unknown or revoked, or its account is disabled")
        request.state.via_token = True
        if not viewer.can_write and request.method not in SAFE_METHODS:
            # The one place a token's scope is enforced: every door that writes gets here.
            raise Forbidden("a read-only (read) API token may only read; this request writes")
    elif state.token is not None:
        plain, limits = state.token, _limits(request)
        found = await anyio.to_thread.run_sync(
            lambda: web_sessions.resume_session(session, plain, limits=limits)
        )
        state.resolved, state.open = True, found
        if found is None:
            state.clear_cookie(state.session_cookie)  # ended or expired: forget it
        viewer = found.viewer if found is not None else PUBLIC
    else:
        viewer = PUBLIC
    state.resolved = True
    request.state.viewer = viewer
    return viewer


def sign_in(request: Request, user: UserAccount) -> None:
    """Start a new server-side session for the account (a new id: no session fixation); the
    one this browser had, if any, ends."""
    state = cookie_session(request)
    opened, plain = web_sessions.start_session(
        _database(request),
        user=user,
        limits=_limits(request),
        address=client_address(request),
        replacing=state.token,
    )
    state.open, state.token, state.resolved = opened, plain, True
    state.set_cookie(state.session_cookie, plain, state.max_age)
    if state.anonymous_csrf:
        state.clear_cookie(state.csrf_cookie)
        state.anonymous_csrf = None
    request.state.viewer = opened.viewer


def sign_out(request: Request) -> None:
    """End this browser's session: its row is deleted, so the cookie works nowhere any more."""
    state = cookie_session(request)
    if state.token is not None:
        web_sessions.end_session(_database(request), state.token)
    state.open, state.token = None, None
    state.clear_cookie(state.session_cookie)
    request.state.viewer = PUBLIC


def csrf_token(request: Request) -> str:
    """The token forms must carry: the session's, or before sign-in the visitor's cookie one."""
    state = cookie_session(request)
    state.personal = True
    if state.open is not None:
        return state.open.csrf_token
    if state.anonymous_csrf is None:
        state.anonymous_csrf = secrets.token_urlsafe(32)
        state.set_cookie(state.csrf_cookie, state.anonymous_csrf, 2 * 3600)
    return state.anonymous_csrf


def _matches(request: Request, sent: Any) -> bool:
    state = cookie_session(request)
    expected = state.open.csrf_token if state.open is not None else state.anonymous_csrf
    if not isinstance(expected, str) or not isinstance(sent, str) or not expected:
        return False
    return secrets.compare_digest(expected.encode(), sent.encode())


async def check_form_csrf(request: Request) -> None:
    """For portal forms: the hidden field must carry the session's (or sign-in form's) token.

    The viewer must be resolved first (web/portal/forms.py's CsrfChecked does that)."""
    if not cookie_session(request).resolved:
        raise RuntimeError("resolve the viewer before checking the form's CSRF token")
    form = await request.form()
    if not _matches(request, form.get(CSRF_FIELD)):
        raise Forbidden(
            "the form has expired or did not come from this site; reload the page and try again"
        )


def check_api_csrf(request: Request) -> None:
    """For API writes signed in by cookie: X-CSRF-Token must carry the session's token."""
    if getattr(request.state, "via_token", False):
        return
    if has_session(request) and not _matches(request, request.headers.get(CSRF_HEADER)):
        raise Forbidden(
            "send the session's CSRF token in the X-CSRF-Token header, or use an API token"
        )


def flash(request: Request, message: str, *, kind: str = "info") -> None:
    """A message for the next page (after a redirect); kind is info or error.

    Kept with the signed-in session; anonymous visitors have none, and see messages on the page
    itself (the sign-in form shows its errors there)."""
    state = cookie_session(request)
    if state.open is None:
        return
    state.open.flashes = web_sessions.add_flash(
        _database(request), session_id=state.open.id, kind=kind, message=message
    )


def take_flashes(request: Request) -> list[list[str]]:
    state: CookieSession | None = request.scope.get(_STATE)
    if state is None or state.open is None or not state.open.flashes:
        return []
    state.personal = True
    messages = web_sessions.take_flashes(_database(request), session_id=state.open.id)
    state.open.flashes = []
    return messages


def current_viewer(request: Request) -> Viewer:
    viewer: Viewer = getattr(request.state, "viewer", PUBLIC)
    return viewer
