"""The one place where errors become HTTP responses: JSON under /api, HTML pages elsewhere."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException
from starlette.responses import Response

from un1540.db.engine import DatabaseError, database_unavailable
from un1540.errors import Problem, Un1540Error, text
from un1540.reference.languages import N_
from un1540.schemas.common import ErrorBody, ErrorResponse, ProblemRead
from un1540.web.portal.templating import render_error
from un1540.web.routes import allowed_methods

LOGGER = logging.getLogger("un1540.web")
HTTP_CODES = {
    400: "invalid_body",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    422: "invalid_parameter",
}


def wants_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or path == "/healthz"


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    problems: list[Problem],
    details: dict[str, Any] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    response = _error_body(request, status, code, message, problems, details)
    response.headers.update(headers or {})
    return response


def _error_body(
    request: Request,
    status: int,
    code: str,
    message: str,
    problems: list[Problem],
    details: dict[str, Any] | None,
) -> Response:
    if wants_json(request):
        body = ErrorResponse(
            error=ErrorBody(
                code=code,
                message=message,
                problems=[ProblemRead(where=p.where, message=p.message) for p in problems],
                details=details,
            )
        )
        return Response(body.model_dump_json(), status_code=status, media_type="application/json")
    return render_error(request, status=status, message=message, problems=problems)


def _where(location: tuple[object, ...]) -> str:
    """Where a refused value is, as the request names it: `weapons[0]`, `provisions[2].text`
    (not "body", "query" or "path", which say only how it came)."""
    parts = list(location)
    if len(parts) > 1 and parts[0] in ("body", "query", "path", "header", "cookie"):
        parts = parts[1:]  # ("body",) alone stays "body": the body itself is missing or wrong
    where = ""
    for part in parts:
        if isinstance(part, int):
            where += f"[{part}]"
        else:
            where += f".{part}" if where else str(part)
    return where or "request"


def _validation_problems(error: RequestValidationError) -> list[Problem]:
    return [
        Problem(_where(tuple(item.get("loc", ()))), item.get("msg", "invalid value"))
        for item in error.errors()
    ]


def _unreadable_body(error: RequestValidationError) -> bool:
    """The body is not JSON at all (400, as the API's description says), not a wrong value."""
    return any(item.get("type") == "json_invalid" for item in error.errors())


def install_error_handlers(app: FastAPI) -> None:
    async def on_domain_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, Un1540Error)
        response = error_response(
            request, error.status, error.code, error.message, error.problems, error.details
        )
        if error.details and "retry_after" in error.details:
            response.headers["Retry-After"] = str(error.details["retry_after"])
        return response

    async def on_validation_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, RequestValidationError)
        if _unreadable_body(error):
            problems = [
                Problem("body", item.get("msg", "") or "invalid JSON") for item in error.errors()
            ]
            return error_response(
                request, 400, "invalid_body", "the body is not valid JSON", problems
            )
        problems = _validation_problems(error)
        names = ", ".join(dict.fromkeys(p.where for p in problems))
        message = (
            f"invalid parameter {names}: {problems[0].message}" if problems else "invalid request"
        )
        return error_response(request, 422, "invalid_parameter", message, problems)

    async def on_http_error(request: Request, error: Exception) -> Response:
        assert isinstance(error, HTTPException)
        code = HTTP_CODES.get(error.status_code, "http_error")
        message = "no such page or resource" if error.status_code == 404 else str(error.detail)
        headers = dict(error.headers or {})
        if error.status_code == 405:
            # Every method the path answers, whichever of its routes refused this one (the
            # router names only the first), and HEAD wherever GET is.
            allowed = allowed_methods(request.app.routes, request.url.path)
            headers["Allow"] = ", ".join(allowed)
            if wants_json(request):  # API messages are English; the portal's page says "Error"
                message = f"{request.method} is not allowed here; use {' or '.join(allowed)}"
        if error.status_code == 413:
            limit = request.app.state.settings.max_request_bytes // 1_000_000
            message = text(
                N_(
                    "the request is larger than the server accepts (%(limit)s MB with the "
                    "form); it was refused before being read, and nothing of it was kept"
                ),
                limit=limit,
            )
        return error_response(request, error.status_code, code, message, [], headers=headers)

    async def on_database_error(request: Request, error: Exception) -> Response:
        if not database_unavailable(error):
            raise error  # a bug of ours: the unexpected-error handler answers 500
        LOGGER.warning("database unavailable on %s %s: %s", request.method, request.url.path, error)
        return error_response(
            request,
            503,
            "database_unavailable",
            "the database is unreachable or busy; try again shortly",
            [],
            headers={"Retry-After": "5"},
        )

    async def on_unexpected_error(request: Request, error: Exception) -> Response:
        # The traceback goes to the log; the client gets the same error shape as for any other.
        LOGGER.exception("unexpected error on %s %s", request.method, request.url.path)
        return error_response(request, 500, "internal_error", "an unexpected error occurred", [])

    app.add_exception_handler(Exception, on_unexpected_error)
    app.add_exception_handler(Un1540Error, on_domain_error)
    app.add_exception_handler(DatabaseError, on_database_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(HTTPException, on_http_error)
