"""The API reference as a portal page, drawn on the server from the OpenAPI document.

It replaces Swagger UI as `/api/docs`: Swagger UI failed axe-core with 170+ serious violations
(contrast, nested controls, no `lang`) and left the portal behind. The interactive console is
kept at `/api/docs/console` for those who want to try calls, linked from this page.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from starlette.responses import HTMLResponse

from un1540.web.portal.templating import render, templates

router = APIRouter(include_in_schema=False)

METHODS = ("get", "post", "put", "patch", "delete")


@dataclass(frozen=True)
class Parameter:
    name: str
    where: str  # path | query | header
    required: bool
    type: str
    description: str


@dataclass(frozen=True)
class Operation:
    anchor: str
    method: str
    path: str
    summary: str
    description: str
    parameters: tuple[Parameter, ...]
    body: str  # the request body's schema name, or ""
    responses: tuple[tuple[str, str], ...]  # (status, description)


@dataclass(frozen=True)
class Tag:
    name: str
    anchor: str
    operations: tuple[Operation, ...]


def _type_of(schema: dict[str, Any]) -> str:
    """A short type name for a parameter's schema (anyOf with null reads as optional)."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    if "anyOf" in schema:
        kinds = [_type_of(s) for s in schema["anyOf"] if s.get("type") != "null"]
        return " | ".join(kinds)
    kind = str(schema.get("type", ""))
    if kind == "array":
        return f"array of {_type_of(schema.get('items', {}))}"
    if "enum" in schema:
        return " | ".join(str(value) for value in schema["enum"])
    return kind


def _body(operation: dict[str, Any]) -> str:
    content = operation.get("requestBody", {}).get("content", {})
    for media in content.values():
        schema = media.get("schema", {})
        return _type_of(schema) or "object"
    return ""


def _anchor(text: str) -> str:
    return "".join(c if c.isalnum() else "-" for c in text.lower()).strip("-")


def reference_of(document: dict[str, Any]) -> tuple[Tag, ...]:
    """The document's operations grouped by their first tag, in the document's order."""
    grouped: dict[str, list[Operation]] = {}
    for path, item in document.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            tag = (operation.get("tags") or ["Other"])[0]
            parameters = tuple(
                Parameter(
                    name=p["name"],
                    where=p["in"],
                    required=bool(p.get("required")),
                    type=_type_of(p.get("schema", {})),
                    description=p.get("description", ""),
                )
                for p in operation.get("parameters", [])
            )
            responses = tuple(
                (str(code), str(answer.get("description", "")))
                for code, answer in operation.get("responses", {}).items()
            )
            grouped.setdefault(tag, []).append(
                Operation(
                    anchor=_anchor(f"{method} {path}"),
                    method=method.upper(),
                    path=path,
                    summary=operation.get("summary", ""),
                    description=operation.get("description", ""),
                    parameters=parameters,
                    body=_body(operation),
                    responses=responses,
                )
            )
    return tuple(
        Tag(name=name, anchor=_anchor(f"tag {name}"), operations=tuple(operations))
        for name, operations in grouped.items()
    )


@cache
def _reference(app: FastAPI) -> tuple[Tag, ...]:
    return reference_of(app.openapi())


@router.get("/api/docs", response_class=HTMLResponse)
def api_reference(request: Request) -> HTMLResponse:
    """Every operation of the API, grouped as the OpenAPI document groups them."""
    app: FastAPI = request.app
    context = {"tags": _reference(app), "openapi_url": "/api/v1/openapi.json"}
    return render(request, "api/reference.html", context, synthetic=False)


@router.get("/api/docs/console", response_class=HTMLResponse)
def api_console(request: Request) -> HTMLResponse:
    """Swagger UI from our own static files, started by a static script (no inline script):
    the portal never loads anything from a CDN."""
    return templates.TemplateResponse(
        request, "api/docs.html", {"openapi_url": "/api/v1/openapi.json"}
    )
