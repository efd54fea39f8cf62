"""The OpenAPI document: what FastAPI derives from the routes, plus what it cannot know.

One place adds to every operation the error answers it can really give, read from what the
route depends on (the caller's identity, a body, parameters), with the one error envelope;
declares the bearer token; bounds `page_size` by this instance's setting; and links the
operations that create a record to those that read and change it (for clients and for
schemathesis' stateful tests).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi

from un1540.settings import Settings
from un1540.web.deps import get_viewer, get_writer
from un1540.web.routes import iter_routes

ERROR_REF = {"$ref": "#/components/schemas/ErrorResponse"}
BEARER = "bearerToken"

# The error answers, by status, with the reason each is given.
ERROR_REASONS = {
    400: "The body could not be read (not valid JSON, UTF-8 or form data).",
    401: "The `Authorization` header is malformed or its token unknown, revoked or disabled; "
    "for a write, sign in or send an API token.",
    403: "Your role or token scope does not allow this, or the CSRF token is missing.",
    404: "Unknown, or not visible to you.",
    409: "Not allowed in the record's current state, a stale version, or a concurrent change "
    "(reload and try again).",
    413: "The body is larger than the server accepts (`UN1540_MAX_UPLOAD_MB` plus 1 MB of "
    "form); it was refused before being read, and nothing of it was kept.",
    422: "A parameter or a field of the body is invalid; `problems` names each.",
    503: "The database is unreachable or busy; try again shortly.",
}


def _dependency_calls(dependant: Dependant) -> Iterator[Callable[..., Any]]:
    for dependency in dependant.dependencies:
        if dependency.call is not None:
            yield dependency.call
        yield from _dependency_calls(dependency)


def _has_fields(dependant: Dependant, *kinds: str) -> bool:
    if any(getattr(dependant, kind) for kind in kinds):
        return True
    return any(_has_fields(dependency, *kinds) for dependency in dependant.dependencies)


def error_statuses(dependant: Dependant) -> set[int]:
    """The error statuses a route can answer, from what it depends on."""
    calls = set(_dependency_calls(dependant))
    statuses = {503}  # any route that reaches the database
    if get_viewer in calls or get_writer in calls:
        statuses.add(401)
    if get_writer in calls:
        statuses |= {401, 403, 404, 409, 422}
    if _has_fields(dependant, "path_params"):
        statuses.add(404)
    if _has_fields(dependant, "path_params", "query_params", "header_params", "body_params"):
        statuses.add(422)
    if _has_fields(dependant, "body_params"):
        statuses |= {400, 413}  # web/middleware.py BodyLimit refuses any body over the limit
    return statuses


def _link(operation_id: str, description: str, **parameters: str) -> dict[str, Any]:
    return {"operationId": operation_id, "description": description, "parameters": parameters}


def _links(operations: dict[tuple[str, str], dict[str, Any]]) -> None:
    """Links from each create to the operations on what it created."""
    ids = {key: operation["operationId"] for key, operation in operations.items()}

    def add(
        source: tuple[str, str], status: str, targets: dict[str, tuple[str, str]], **params: str
    ) -> None:
        # A route renamed away drops its links rather than the whole document (the links are
        # pinned by tests/api/test_http_conformance.py).
        response = operations.get(source, {}).get("responses", {}).get(status)
        if response is None:
            return
        links = response.setdefault("links", {})
        for name, target in targets.items():
            if target not in ids:
                continue
            wanted = {key: value for key, value in params.items() if "{" + key + "}" in target[1]}
            links[name] = _link(ids[target], "The record just created.", **wanted)

    api = "/api/v1"
    request = f"{api}/assistance/requests/{{request_id}}"
    add(
        ("post", f"{api}/assistance/requests"),
        "201",
        {
            "GetRequest": ("get", request),
            "UpdateRequest": ("patch", request),
            "MoveRequest": ("post", f"{request}/transitions"),
            "RequestSuggestions": ("get", f"{request}/suggestions"),
        },
        request_id="$response.body#/request/id",
    )
    project = f"{api}/assistance/projects/{{project_id}}"
    add(
        ("post", f"{api}/assistance/projects"),
        "201",
        {
            "GetProject": ("get", project),
            "MoveProject": ("post", f"{project}/transitions"),
            "PlanMilestone": ("post", f"{project}/milestones"),
            "GiveFeedback": ("post", f"{project}/feedback"),
        },
        project_id="$response.body#/project/id",
    )
    add(
        ("post", f"{api}/incidents"),
        "201",
        {"GetIncident": ("get", f"{api}/incidents/{{incident_id}}")},
        incident_id="$response.body#/incident/id",
    )
    edition = f"{api}/states/{{iso3}}/editions/{{number}}"
    add(
        ("post", f"{api}/states/{{iso3}}/editions"),
        "201",
        {
            "GetEdition": ("get", edition),
            "DiscardEdition": ("delete", edition),
            "ShareEdition": ("post", f"{edition}/share"),
            "EditCell": ("patch", f"{edition}/cells/{{cell}}"),
            "ListComments": ("get", f"{edition}/comments"),
            "ListProposals": ("get", f"{edition}/proposals"),
        },
        iso3="$request.path.iso3",
        number="$response.body#/edition/number",
    )
    add(
        ("post", f"{edition}/proposals"),
        "201",
        {"DecideProposal": ("post", f"{edition}/proposals/{{proposal_id}}/decision")},
        iso3="$request.path.iso3",
        number="$request.path.number",
        proposal_id="$response.body#/id",
    )
    document = f"{api}/documents/{{document_id}}"
    add(
        ("post", f"{api}/states/{{iso3}}/documents"),
        "201",
        {"GetDocument": ("get", document), "GetDocumentFile": ("get", f"{document}/file")},
        document_id="$response.body#/document/id",
    )


def build_openapi(app: FastAPI, settings: Settings) -> dict[str, Any]:
    schema = get_openapi(
        title=app.title,
        version=app.version,
        openapi_version=app.openapi_version,
        description=app.description,
        routes=app.routes,
        tags=app.openapi_tags,
    )
    components = schema.setdefault("components", {})
    components.setdefault("securitySchemes", {})[BEARER] = {
        "type": "http",
        "scheme": "bearer",
        "description": "An API token (`un1540 users token`); reads work without one.",
    }
    operations: dict[tuple[str, str], dict[str, Any]] = {}
    for info in iter_routes(app.routes):
        route = info.api_route
        path = re.sub(r"\{(\w+):\w+\}", r"{\1}", info.path)  # "{id:int}" is "{id}" there
        path_item = schema["paths"].get(path)
        if route is None or path_item is None:
            continue
        calls = set(_dependency_calls(route.dependant))
        for method in info.methods:
            operation = path_item.get(method.lower())
            if operation is None:
                continue
            operations[(method.lower(), path)] = operation
            responses = operation["responses"]
            for status in sorted(error_statuses(route.dependant)):
                if str(status) not in responses:
                    responses[str(status)] = {
                        "description": ERROR_REASONS[status],
                        "content": {"application/json": {"schema": ERROR_REF}},
                    }
            if get_writer in calls:
                operation["security"] = [{BEARER: []}]
            elif get_viewer in calls:
                operation["security"] = [{}, {BEARER: []}]  # anonymous, or with a token
            for parameter in operation.get("parameters", []):
                if parameter["name"] == "page_size" and parameter["in"] == "query":
                    _bound_page_size(parameter["schema"], settings.page_size_max)
    _links(operations)
    return schema


def _bound_page_size(schema: dict[str, Any], maximum: int) -> None:
    for option in schema.get("anyOf", [schema]):
        if option.get("type") == "integer":
            option["maximum"] = maximum


def install_openapi(app: FastAPI, settings: Settings) -> None:
    """Serve the completed document at the app's openapi_url (built once, on first request).

    Once per process: building it costs about 1.5 s of CPU, and readers arriving together
    (the API reference, /api/docs and openapi.json, in threads) wait for the first instead of
    each building it (16 at once took 28 s on 2 cores: benchmarks/portal_routes.py)."""
    lock = threading.Lock()

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            with lock:
                if app.openapi_schema is None:
                    app.openapi_schema = build_openapi(app, settings)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
