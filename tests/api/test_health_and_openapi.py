"""/healthz, the OpenAPI document and the docs page."""

from __future__ import annotations

import re

import pytest
from alembic.script import ScriptDirectory
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.conftest import settings_for
from tests.factories import make_user
from un1540.db.engine import make_engine
from un1540.services.accounts.actions import issue_token
from un1540.web.app import create_app


def test_health_reports_the_database(client: TestClient, backend: str) -> None:
    response = client.get("/healthz")
    body = response.json()
    assert response.status_code == 200
    assert body["status"] == "ok"
    assert body["database"]["status"] == "ok"
    assert body["database"]["dialect"] == backend
    assert body["database"]["revision"] == body["database"]["head"]
    assert body["synthetic"] is True


def test_only_administrators_see_where_the_database_is(
    client: TestClient, session: Session, engine: Engine
) -> None:
    """Old behaviour: the database URL (or the SQLite file's path) was shown to anyone."""
    location = str(engine.url.database)
    anonymous = client.get("/healthz")
    assert "url" not in anonymous.json()["database"]
    assert location not in anonymous.text
    for role in ("expert", "admin"):
        make_user(session, role=role, email=f"{role}-health@example.org")
        _, token = issue_token(session, email=f"{role}-health@example.org", scope="read", actor="t")
        seen = client.get("/healthz", headers={"Authorization": f"Bearer {token}"}).json()
        assert ("url" in seen["database"]) is (role == "admin")
    assert location in seen["database"]["url"]


def test_the_migration_head_is_read_once_per_process(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Old behaviour: every /healthz parsed every migration script again (~20 ms of CPU)."""
    reads = []
    original = ScriptDirectory.from_config
    monkeypatch.setattr(
        ScriptDirectory, "from_config", lambda config: reads.append(1) or original(config)
    )
    for _ in range(3):
        assert client.get("/healthz").json()["database"]["status"] == "ok"
    assert len(reads) <= 1


def test_health_says_unavailable_when_the_database_is_unreachable(engine: Engine) -> None:
    settings = settings_for(engine)
    dead = make_engine("postgresql+psycopg://user:secret@127.0.0.1:1/nothing")
    with TestClient(create_app(settings, engine=dead)) as client:
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["database"]["status"] == "unreachable"
    assert "secret" not in response.text
    assert "url" not in body["database"]  # where the database is: administrators only
    assert "127.0.0.1" not in response.text


def test_openapi_documents_every_route_with_errors(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    expected = [
        "/api/v1/states",
        "/api/v1/states.csv",
        "/api/v1/states/{iso3}",
        "/api/v1/states/{iso3}/matrix",
        "/api/v1/states/{iso3}/matrix.json",
        "/api/v1/states/{iso3}/matrix.csv",
        "/api/v1/states/{iso3}/editions",
        "/api/v1/states/{iso3}/editions.csv",
        "/api/v1/frameworks",
        "/api/v1/frameworks.csv",
        "/api/v1/frameworks/{framework}/{version}",
        "/api/v1/fields/{code}",
        "/api/v1/fields/{code}.csv",
        "/api/v1/coverage",
        "/api/v1/coverage.csv",
        "/healthz",
    ]
    assert set(expected) <= set(paths)
    for path in expected:
        operation = paths[path]["get"]
        assert operation["summary"], path
        assert operation["tags"], path
        if path.startswith("/api/"):
            assert {"404", "422"} <= set(operation["responses"]), path
    assert "ErrorResponse" in spec["components"]["schemas"]


def test_docs_page_uses_only_local_assets(client: TestClient) -> None:
    html = client.get("/api/docs/console").text
    assert "/static/vendor/swagger-ui/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower()
    assert client.get("/static/vendor/swagger-ui/swagger-ui-bundle.js").status_code == 200


def test_the_api_reference_is_a_portal_page_with_every_operation(client: TestClient) -> None:
    """Old behaviour: /api/docs was Swagger UI alone (170+ serious axe-core violations, no
    `lang`, no way back to the portal)."""
    spec = client.get("/api/v1/openapi.json").json()
    operations = [
        (method.upper(), path)
        for path, item in spec["paths"].items()
        for method in ("get", "post", "put", "patch", "delete")
        if method in item
    ]
    html = client.get("/api/docs").text
    assert '<html lang="en"' in html
    assert 'href="/"' in html  # the portal's header and navigation
    assert 'href="/api/docs/console"' in html
    assert html.count('class="api-operation"') == len(operations)
    shown = re.findall(r'api-method-\w+">(\w+)</span> <code dir="ltr">([^<]+)</code>', html)
    assert sorted(shown) == sorted(operations)
    french = client.get("/api/docs?lang=fr").text
    assert "Référence de l'API" in french


def test_unknown_api_path_is_a_json_404(client: TestClient) -> None:
    response = client.get("/api/v1/nothing-here")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_head_is_answered_like_get(client: TestClient) -> None:
    for path in ("/", "/states/FRA", "/api/v1/states", "/healthz"):
        head = client.head(path)
        assert head.status_code == 200, path
        assert head.content == b""
        assert head.headers["content-type"] == client.get(path).headers["content-type"]
