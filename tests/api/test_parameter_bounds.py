"""Every integer a client sends is bounded: ids, edition numbers, pages, counts and amounts.

An id or page at or past 2^31 overflowed PostgreSQL's integer columns (2^63 SQLite's) and
answered 500. Now every integer path, query, form and body parameter, on the API and the
portal, declares bounds that fit the column, and a number out of range answers 422 naming it.
"""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Union

import pytest
from fastapi._compat import ModelField
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from pydantic import TypeAdapter
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import make_user
from un1540.schemas.common import MAX_AMOUNT, MAX_RECORD_ID
from un1540.services.accounts.actions import issue_token
from un1540.settings import Settings
from un1540.web.app import create_app

OUT_OF_RANGE = [2**31, 2**63]  # PostgreSQL's int4 and SQLite's int64 overflow
# Values for the string path parameters, so that only the integer under test is wrong.
SAMPLE_PATH_VALUES = {
    "iso3": "FRA",
    "cell": "op2.manufacture:cw:legal_framework",
    "code": "op2.manufacture",
    "framework": "1540-matrix",
    "version": "2024",
    "name": "cells.csv",
    "transition": "share",
}


def _fields(dependant: Dependant, kinds: tuple[str, ...]) -> list[ModelField]:
    """The parameters of a route and of every dependency it has, of these kinds."""
    found = [field for kind in kinds for field in getattr(dependant, kind)]
    for dependency in dependant.dependencies:
        found += _fields(dependency, kinds)
    return found


@dataclass(frozen=True)
class Route:
    path: str
    methods: frozenset[str]
    dependant: Dependant


def _app_routes() -> list[Route]:
    """Every route of the app (API and portal) with its full path, however routers nest."""
    app = create_app(Settings(database_url="sqlite://", jobs_inline=True))
    found = []
    for route in app.routes:
        contexts = (
            route.effective_route_contexts()
            if hasattr(route, "effective_route_contexts")
            else [route]
        )
        for context in contexts:
            original = getattr(context, "original_route", context)
            if isinstance(original, APIRoute):
                found.append(Route(context.path, frozenset(context.methods), original.dependant))
    return found


def _is_int(annotation: Any) -> bool:
    if annotation is int:
        return True
    if typing.get_origin(annotation) in (Union, types.UnionType):
        return any(_is_int(arg) for arg in typing.get_args(annotation))
    return False


def _unbounded_numbers(schema: dict[str, Any], where: str) -> Iterator[str]:
    """Every integer or number in a JSON schema (its $defs included) lacking either bound."""
    definitions = schema.get("$defs", {})

    def walk(node: Any, path: str) -> Iterator[str]:
        if isinstance(node, dict):
            if node.get("type") in ("integer", "number"):
                low = "minimum" in node or "exclusiveMinimum" in node
                high = "maximum" in node or "exclusiveMaximum" in node
                if not (low and high) or node.get("maximum", 0) > max(MAX_RECORD_ID, MAX_AMOUNT):
                    yield f"{where}{path}"
            for key, value in node.items():
                if key != "$defs":
                    yield from walk(value, f"{path}/{key}")
        elif isinstance(node, list):
            for index, value in enumerate(node):
                yield from walk(value, f"{path}/{index}")

    yield from walk(schema, "")
    for name, definition in definitions.items():
        yield from walk(definition, f"#{name}")


def test_every_number_a_client_sends_is_bounded_on_the_api_and_the_portal() -> None:
    unbounded = []
    for route in _app_routes():
        kinds = ("path_params", "query_params", "header_params", "cookie_params", "body_params")
        for field in _fields(route.dependant, kinds):
            info = field.field_info
            schema = TypeAdapter(typing.Annotated[info.annotation, info]).json_schema()
            unbounded += _unbounded_numbers(schema, f"{route.path} {field.name}")
    assert unbounded == []


def _integer_parameters(route: Route) -> list[tuple[str, str]]:
    return [
        (kind.removesuffix("_params"), field.alias)
        for kind in ("path_params", "query_params")
        for field in _fields(route.dependant, (kind,))
        if _is_int(field.field_info.annotation)
    ]


def _cases() -> list[Any]:
    cases = []
    for route in _app_routes():
        for location, name in _integer_parameters(route):
            for method in sorted(route.methods - {"HEAD"}):
                cases.append(
                    pytest.param(
                        route.path, method, location, name, id=f"{method} {route.path} {name}"
                    )
                )
    return cases


def _url(path: str, location: str, name: str, value: int) -> str:
    def fill(match: re.Match[str]) -> str:
        parameter = match.group(1)
        if parameter == name:
            return str(value)
        return SAMPLE_PATH_VALUES.get(parameter, "1")

    url = re.sub(r"\{(\w+)(?::int)?\}", fill, path)  # {id:int}: a convertor, still an id
    return f"{url}?{name}={value}" if location == "query" else url


def test_every_route_with_an_integer_parameter_is_covered() -> None:
    # The cases below are built from the routes themselves; this pins that they find the ids.
    covered = {(path, name) for path, _, _, name in (case.values for case in _cases())}
    assert ("/api/v1/documents/{document_id}", "document_id") in covered
    assert ("/assistance/requests/{request_id}", "request_id") in covered
    assert ("/api/v1/states", "page") in covered
    assert ("/states/{iso3}", "edition") in covered
    assert len(covered) > 60


@pytest.fixture
def expert(sessions: sessionmaker[Session]) -> dict[str, str]:
    """An expert's API token: the writes get past their rules to where the numbers are used."""
    with sessions() as session, session.begin():
        make_user(session, role="expert", email="bounds-expert@example.org")
        _, token = issue_token(
            session, email="bounds-expert@example.org", scope="write", actor="tests"
        )
    return {"Authorization": f"Bearer {token}"}


def test_an_out_of_range_integer_answers_422_naming_it_on_every_route(
    client: TestClient, expert: dict[str, str]
) -> None:
    # The portal's forms need the session's CSRF token to get as far as checking parameters.
    login = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', login.text)
    assert token is not None
    failures = []
    for case in _cases():
        path, method, location, name = case.values
        for value in OUT_OF_RANGE:
            url = _url(path, location, name, value)
            form = {"csrf_token": token.group(1)} if method != "GET" else None
            api = path.startswith("/api/")
            response = client.request(method, url, data=form, headers=expert if api else None)
            if api:
                named = response.status_code == 422 and name in {
                    problem["where"] for problem in response.json()["error"]["problems"]
                }
            else:
                named = response.status_code == 422 and f"<strong>{name}</strong>" in response.text
            if not named:
                failures.append(f"{method} {url}: {response.status_code} {response.text[:200]}")
    assert failures == []


@pytest.mark.parametrize(
    ("path", "method", "body", "field"),
    [
        (
            "/api/v1/assistance/judgements",
            "POST",
            {"item_id": 2**31, "offer_id": 1, "verdict": "accept"},
            "item_id",
        ),
        ("/api/v1/assistance/projects", "POST", {"item_id": 1, "offer_id": 2**63}, "offer_id"),
        ("/api/v1/assistance/requests/1", "PATCH", {"revision": 2**31}, "revision"),
        (
            "/api/v1/funding/pledges",
            "POST",
            {"kind": "pledge", "amount": 10, "currency": "EUR", "project_id": 2**31},
            "project_id",
        ),
        (
            "/api/v1/funding/pledges",
            "POST",
            {"kind": "pledge", "amount": 1e300, "currency": "EUR"},
            "amount",
        ),
        (
            "/api/v1/assistance/offers",
            "POST",
            {"title": "t", "help_types": ["training"], "capacity": 2**31},
            "capacity",
        ),
        (
            "/api/v1/assistance/projects/1/feedback",
            "POST",
            {"side": "recipient", "rating": 2**63},
            "rating",
        ),
        (
            "/api/v1/states/FRA/editions/1/cells/op2.manufacture:cw:legal_framework",
            "PATCH",
            {"mark": "X", "version": 1, "evidence": [{"document_id": 2**31}]},
            "evidence[0].document_id",  # by its path in the body (session 28)
        ),
    ],
)
def test_an_out_of_range_number_in_a_body_answers_422_naming_it(
    client: TestClient,
    expert: dict[str, str],
    path: str,
    method: str,
    body: dict[str, Any],
    field: str,
) -> None:
    response = client.request(method, path, json=body, headers=expert)
    assert response.status_code == 422, response.text
    assert field in {problem["where"] for problem in response.json()["error"]["problems"]}
