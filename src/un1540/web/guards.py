"""Checks that run before a route reads its request body: who is calling, and may they.

FastAPI reads and parses a route's form (spooling its files) before any dependency runs, so a
route that takes an upload would store an anonymous caller's file before refusing it. Routes of
a router made with `route_class=GuardedRoute` and marked `@guarded(check)` first resolve the
caller (token or session cookie, no body needed) and run `check(session, viewer, **path)`, a
service function that raises the refusal; only then is the body read. The path parameters are
validated with the route's own declarations first (types and bounds: an edition number at or
above 2^31 is a 422, as for any route, never an overflow in the check's query). The request
size itself is capped at the door (FastAPI's max_body_size, UN1540_MAX_UPLOAD_MB plus form
overhead).
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Any, TypeVar

import anyio.to_thread
from fastapi.dependencies.utils import request_params_to_args
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from sqlalchemy.orm import Session
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from un1540.errors import (
    Conflict,
    Forbidden,
    InvalidData,
    Unauthenticated,
)
from un1540.io.matrix_import import check_may_import
from un1540.services.documents.rules import check_may_register
from un1540.services.evidence.review import check_may_decide_on
from un1540.services.evidence.rules import check_may_suggest
from un1540.services.kernel.access import Viewer
from un1540.web.auth import check_api_csrf, flash, resolve_viewer
from un1540.web.portal.forms import login_redirect
from un1540.web.portal.messages import refusal

Check = Callable[..., None]  # (session, viewer, **path parameters); raises the refusal
F = TypeVar("F", bound=Callable[..., Any])
GUARD_ATTRIBUTE = "__un1540_guard__"


@dataclass(frozen=True)
class Guard:
    check: Check
    portal: bool  # a portal form (its CSRF token is in the body, checked after) or the API
    # Portal forms that redirect: a refusal becomes the sign-in page or a message on this page
    # (as `act` does after the body is read); otherwise the error itself is the answer.
    back: Callable[[Request], str] | None = None


def guarded(
    check: Check, *, portal: bool = False, back: Callable[[Request], str] | None = None
) -> Callable[[F], F]:
    """Mark a route: run `check` before its body is read (its router uses GuardedRoute)."""

    def mark(endpoint: F) -> F:
        setattr(endpoint, GUARD_ATTRIBUTE, Guard(check, portal or back is not None, back))
        return endpoint

    return mark


async def _refusal(request: Request, guard: Guard, parameters: dict[str, Any]) -> Response | None:
    session: Session = request.app.state.sessions()
    try:
        viewer: Viewer = await resolve_viewer(request, session)
        if not guard.portal:
            check_api_csrf(request)  # a header: no body needed
        await anyio.to_thread.run_sync(lambda: guard.check(session, viewer, **parameters))
    except Unauthenticated:
        if guard.back is None:
            raise
        return login_redirect(request)
    except (Forbidden, Conflict, InvalidData) as error:
        if guard.back is None:
            raise
        flash(request, refusal(error), kind="error")
        return RedirectResponse(guard.back(request), status_code=303)
    finally:
        session.close()
    return None


class GuardedRoute(APIRoute):
    """An APIRoute that runs its endpoint's guard, if marked, before reading the body."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()
        guard: Guard | None = getattr(self.endpoint, GUARD_ATTRIBUTE, None)
        if guard is None:
            return handler

        async def guarded_handler(request: Request) -> Response:
            # The path parameters as the route declares them (the endpoint would refuse the
            # same values with the same 422 after reading the body).
            parameters, errors = request_params_to_args(
                self.dependant.path_params, request.path_params
            )
            if errors:
                raise RequestValidationError(errors)
            refusal = await _refusal(request, guard, parameters)
            if refusal is not None:
                return refusal
            return await handler(request)

        return guarded_handler


def may_import(session: Session, viewer: Viewer, *, iso3: str, number: int, **_: object) -> None:
    """The guard of the matrix import routes (API and portal)."""
    check_may_import(session, viewer=viewer, iso3=iso3, edition=number)


def may_ask_for_suggestions(session: Session, viewer: Viewer, **_: object) -> None:
    """The guard of POST /api/v1/evidence/suggest: the caller before the provisions are read."""
    check_may_suggest(viewer)


def may_decide_on_suggestion(
    session: Session, viewer: Viewer, *, document_id: int, provision_id: int, **_: object
) -> None:
    """The guard of POST .../provisions/{pid}/suggestions/{sid}/decision."""
    check_may_decide_on(session, viewer, document_id=document_id, provision_id=provision_id)


def may_register_document(session: Session, viewer: Viewer, *, iso3: str, **_: object) -> None:
    """The guard of the document upload routes (API and portal)."""
    check_may_register(session, viewer=viewer, iso3=iso3)
