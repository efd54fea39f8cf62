"""Security headers on every response, per page family; no-store on what is for one visitor;
HSTS and Secure cookies in production only; pages without inline scripts or styles."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import settings_for
from tests.factories import PASSWORD, make_user
from un1540.services.accounts.actions import issue_token
from un1540.settings import Environment
from un1540.web.app import create_app
from un1540.web.middleware import CONTENT_SECURITY_POLICY

PUBLIC_PAGES = {
    "home": "/",
    "states": "/states",
    "a State page": "/states/FRA",
    "a field": "/fields/op2.use",
    "dashboard": "/dashboard",
    "trends": "/trends",
    "priorities": "/priorities",
    "assistance": "/assistance",
    # The review (matplotlib charts as images) and the maps of /who-what-where are rendered
    # under the policy in Chromium: tests/browser/test_csp_in_chromium.py.
    "login": "/login",
    "API docs": "/api/docs",
    "API console": "/api/docs/console",
    "not found": "/no-such-page",
}
FILES = {
    "API JSON": "/api/v1/states",
    "CSV": "/api/v1/states.csv",
    "static": "/static/css/portal.css",
    "review styles": "/reports/review.css",
    "health": "/healthz",
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_STYLE = re.compile(r"<style\b|\sstyle=")


def assert_security_headers(response: object, where: str) -> None:
    headers = response.headers  # type: ignore[attr-defined]
    assert headers.get("content-security-policy") == CONTENT_SECURITY_POLICY, where
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert headers.get("x-content-type-options") == "nosniff", where
    assert headers.get("referrer-policy") == "strict-origin-when-cross-origin", where
    assert "camera=()" in headers.get("permissions-policy", ""), where
    assert headers.get("x-frame-options") == "DENY", where
    assert "server" not in headers, where
    assert "strict-transport-security" not in headers, where  # development


def sign_in(client: TestClient, email: str) -> None:
    page = client.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    data = {"email": email, "password": PASSWORD, "csrf_token": token.group(1), "next": "/account"}
    assert client.post("/login", data=data).status_code == 200


def test_every_page_family_carries_the_headers_and_no_inline_code(client: TestClient) -> None:
    """Old behaviour: no security header on any response; /api/docs had an inline script."""
    for family, path in {**PUBLIC_PAGES, **FILES}.items():
        response = client.get(path)
        assert response.status_code in (200, 404), (family, response.status_code)
        assert_security_headers(response, family)
        if family in PUBLIC_PAGES:
            assert INLINE_SCRIPT.findall(response.text) == [], family
            assert INLINE_STYLE.findall(response.text) == [], family
        # Anonymous visitors get public data: cacheable, except the sign-in form (its token).
        assert ("no-store" in response.headers.get("cache-control", "")) is (family == "login")


def test_private_responses_are_not_stored(client: TestClient, session: Session) -> None:
    make_user(session, role="expert", email="private@example.org")
    _, token = issue_token(session, email="private@example.org", scope="read", actor="t")
    api = client.get("/api/v1/states", headers={"Authorization": f"Bearer {token}"})
    assert api.headers["cache-control"] == "no-store"
    assert_security_headers(api, "API with a token")
    sign_in(client, "private@example.org")
    for path in ("/account", "/states/FRA", "/api/v1/me", "/api/v1/states.csv"):
        response = client.get(path)
        assert response.headers.get("cache-control") == "no-store", path
        assert_security_headers(response, path)
    assert "cache-control" not in client.get("/static/js/portal.js").headers


def test_production_adds_hsts_and_secure_host_only_cookies(
    engine: Engine, sessions: sessionmaker[Session]
) -> None:
    settings = settings_for(engine).model_copy(
        update={"env": Environment.production, "secret_key": "k" * 40}
    )
    with TestClient(create_app(settings, engine=engine, sessions=sessions)) as client:
        page = client.get("/login")
    assert page.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
    cookie = page.headers["set-cookie"]
    assert cookie.startswith("__Host-un1540_csrf=")
    for attribute in ("Secure", "HttpOnly", "SameSite=Lax", "Path=/"):
        assert attribute in cookie
    assert "Domain" not in cookie


@pytest.mark.parametrize("path", ["/login", "/api/docs", "/api/docs/console"])
def test_the_docs_page_and_forms_load_only_our_files(client: TestClient, path: str) -> None:
    html = client.get(path).text
    sources = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert sources
    assert all(s.startswith(("/", "?", "#")) for s in sources), sources


@pytest.mark.parametrize("workers", [1, 2])
def test_serve_asks_uvicorn_for_no_server_banner(
    empty_engine: Engine, backend: str, workers: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Old behaviour: every response said `server: uvicorn`. (uvicorn itself is not started:
    what `un1540 serve` asks of it is checked.)"""
    import uvicorn
    from typer.testing import CliRunner

    from un1540.cli import app as cli
    from un1540.settings import get_settings

    calls: list[dict[str, object]] = []
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: calls.append(options))
    monkeypatch.setenv("UN1540_DATABASE_URL", empty_engine.url.render_as_string(False))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["serve", "--workers", str(workers)])
    finally:
        get_settings.cache_clear()
    if backend == "sqlite" and workers > 1:  # refused before uvicorn is asked (docs/cli.md)
        from un1540.errors import InvalidParameter  # exit code 4 from the command line

        assert isinstance(result.exception, InvalidParameter), result.output
        assert calls == []
        return
    assert result.exit_code == 0, result.output
    assert len(calls) == 1
    assert calls[0]["server_header"] is False
