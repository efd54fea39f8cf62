"""HTTP as clients expect it: 405 with `Allow` for a method a path does not answer, 503 when the
database cannot answer, and an OpenAPI document that declares every error an operation gives."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlalchemy.exc import DBAPIError

from un1540.db.engine import database_unavailable
from un1540.settings import Settings
from un1540.web.app import create_app
from un1540.web.routes import iter_routes

OFFICE = "application/vnd.openxmlformats-officedocument"
SAMPLES = {
    "iso3": "FRA",
    "cell": "op2.manufacture:cw:legal_framework",
    "code": "op2.manufacture",
    "name": "cells.csv",
    "transition": "share",
    "path": "css/app.css",
}


def _concrete(path: str) -> str:
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda match: SAMPLES.get(match.group(1), "1"), path)


@pytest.fixture(scope="module")
def routing() -> Iterator[TestClient]:
    """The app without a database: routing, methods and the OpenAPI document need none."""
    with TestClient(create_app(Settings(database_url="sqlite://", jobs_inline=True))) as client:
        yield client


def test_an_undeclared_method_answers_405_with_allow_on_every_route(routing: TestClient) -> None:
    routes = list(iter_routes(routing.app.routes))  # type: ignore[attr-defined]
    assert len(routes) > 100  # the API and the portal
    wrong = []
    for route in routes:
        url = _concrete(route.path)
        response = routing.request("TRACE", url)
        allowed = {method.strip() for method in response.headers.get("allow", "").split(",")}
        if (
            response.status_code != 405
            or not route.methods <= allowed
            or "TRACE" in allowed
            or ("HEAD" in allowed) != ("GET" in allowed)
        ):
            wrong.append(f"TRACE {url}: {response.status_code} Allow: {sorted(allowed)}")
    assert wrong == []


@pytest.mark.parametrize(
    ("method", "url", "allow"),
    [
        # Paths several routes share: the header names every method, not the first route's.
        ("PUT", "/api/v1/assistance/requests", "GET, HEAD, POST"),
        ("PUT", "/api/v1/states/FRA/editions/1", "GET, HEAD, DELETE"),
        ("DELETE", "/api/v1/states/FRA/editions", "GET, HEAD, POST"),
        ("OPTIONS", "/api/v1/states", "GET, HEAD"),  # not a CORS preflight (no Origin)
        ("POST", "/healthz", "GET, HEAD"),
        ("POST", "/api/v1/openapi.json", "GET, HEAD"),
        ("PATCH", "/api/docs", "GET, HEAD"),
        # The portal, and the static files mounted under it.
        ("GET", "/states/FRA/editions/1/share", "POST"),
        ("PUT", "/login", "GET, HEAD, POST"),
        ("POST", "/static/css/app.css", "GET, HEAD"),
        ("DELETE", "/static/no-such-file.css", "GET, HEAD"),
    ],
)
def test_allow_names_every_method_of_the_path(
    routing: TestClient, method: str, url: str, allow: str
) -> None:
    response = routing.request(method, url)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    if url.startswith("/api/"):
        error = response.json()["error"]
        assert error["code"] == "method_not_allowed"
        assert method in error["message"]


def test_a_cors_preflight_is_still_answered(routing: TestClient) -> None:
    response = routing.options(
        "/api/v1/states",
        headers={"Origin": "https://example.org", "Access-Control-Request-Method": "GET"},
    )
    assert response.status_code == 200
    assert "GET" in response.headers["access-control-allow-methods"]


def test_an_unreachable_database_answers_503_with_retry_after() -> None:
    dead = "postgresql+psycopg://user:secret@127.0.0.1:1/nothing"
    with TestClient(create_app(Settings(database_url=dead, jobs_inline=True))) as client:
        api = client.get("/api/v1/states/FRA")
        page = client.get("/states/FRA")
    assert api.status_code == 503
    assert api.headers["retry-after"] == "5"
    assert api.json()["error"]["code"] == "database_unavailable"
    assert "secret" not in api.text
    assert page.status_code == 503
    assert page.headers["content-type"].startswith("text/html")


def test_every_operation_declares_the_errors_it_can_give(routing: TestClient) -> None:
    spec = routing.get("/api/v1/openapi.json").json()
    missing = []
    for path, item in spec["paths"].items():
        for method, operation in item.items():
            declared = set(operation["responses"])
            expected = {"503"}
            if "{" in path:
                expected |= {"404", "422"}
            if "requestBody" in operation:
                expected |= {"400", "422"}
            if operation.get("security") == [{"bearerToken": []}]:  # the writes
                expected |= {"401", "403", "404", "409", "422"}
            if expected - declared:
                missing.append(f"{method.upper()} {path}: {sorted(expected - declared)}")
            for status, response in operation["responses"].items():
                if int(status) >= 400 and path != "/healthz":  # its 503 says why, as its 200
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorResponse"}, (path, status)
    assert missing == []
    assert spec["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"


@pytest.mark.parametrize(
    ("path", "media_type"),
    [
        (
            "/api/v1/states/{iso3}/matrix.xlsx",
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        ),
        (
            "/api/v1/states/{iso3}/matrix.docx",
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("/api/v1/states/{iso3}/matrix.pdf", "application/pdf"),
        ("/api/v1/matrices.json", "application/json"),
        ("/api/v1/matrices.csv", "text/csv"),
        ("/api/v1/states.csv", "text/csv"),
        ("/api/v1/reports/review.pdf", "application/pdf"),
        ("/api/v1/downloads/{name}", "application/zip"),
        ("/api/v1/documents/{document_id}/file", "application/pdf"),
    ],
)
def test_files_declare_their_real_media_type(
    routing: TestClient, path: str, media_type: str
) -> None:
    spec = routing.get("/api/v1/openapi.json").json()
    assert media_type in spec["paths"][path]["get"]["responses"]["200"]["content"]


def test_page_size_is_bounded_by_this_instances_setting() -> None:
    app = create_app(Settings(database_url="sqlite://", page_size_max=120, jobs_inline=True))
    spec = app.openapi()
    (page_size,) = [
        parameter
        for parameter in spec["paths"]["/api/v1/states"]["get"]["parameters"]
        if parameter["name"] == "page_size"
    ]
    assert page_size["schema"]["anyOf"][0]["maximum"] == 120


def test_creates_link_to_what_they_created(routing: TestClient) -> None:
    paths = routing.get("/api/v1/openapi.json").json()["paths"]
    ids = {op["operationId"]: (m, p) for p, item in paths.items() for m, op in item.items()}

    def links(method: str, path: str, status: str = "201") -> dict[str, tuple[str, str]]:
        found = paths[path][method]["responses"][status].get("links", {})
        return {name: ids[link["operationId"]] for name, link in found.items()}

    api = "/api/v1"
    assert links("post", f"{api}/assistance/requests")["GetRequest"] == (
        "get",
        f"{api}/assistance/requests/{{request_id}}",
    )
    assert len(links("post", f"{api}/assistance/projects")) == 4
    assert links("post", f"{api}/incidents")["GetIncident"] == (
        "get",
        f"{api}/incidents/{{incident_id}}",
    )
    edition = links("post", f"{api}/states/{{iso3}}/editions")
    assert edition["ShareEdition"] == ("post", f"{api}/states/{{iso3}}/editions/{{number}}/share")
    assert "DecideProposal" in links("post", f"{api}/states/{{iso3}}/editions/{{number}}/proposals")
    assert "GetDocumentFile" in links("post", f"{api}/states/{{iso3}}/documents")
    created = paths[f"{api}/states/{{iso3}}/editions"]["post"]["responses"]["201"]
    assert created["links"]["GetEdition"]["parameters"] == {
        "iso3": "$request.path.iso3",
        "number": "$response.body#/edition/number",
    }


def test_only_an_unavailable_or_busy_database_is_a_503(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'busy.sqlite3'}"
    holder, waiter = create_engine(url), create_engine(url, connect_args={"timeout": 0})
    with holder.connect() as held:
        held.exec_driver_sql("CREATE TABLE t (x INTEGER PRIMARY KEY)")
        held.commit()
        held.exec_driver_sql("BEGIN IMMEDIATE")  # holds the write lock
        with waiter.connect() as other, pytest.raises(DBAPIError) as busy:
            other.exec_driver_sql("INSERT INTO t VALUES (1)")
        held.exec_driver_sql("INSERT INTO t VALUES (1)")
        held.commit()
        with waiter.connect() as other, pytest.raises(DBAPIError) as duplicate:
            other.exec_driver_sql("INSERT INTO t VALUES (1)")
        with waiter.connect() as other, pytest.raises(DBAPIError) as bug:
            other.exec_driver_sql("SELECT * FROM no_such_table")
    assert database_unavailable(busy.value)  # busy past its timeout: try again later
    assert not database_unavailable(duplicate.value)  # the unit of work's business (409)
    assert not database_unavailable(bug.value)  # a bug of ours: 500
    holder.dispose()
    waiter.dispose()
