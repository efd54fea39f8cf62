"""Nothing anonymous costs the server: uploads are refused before they are read or stored,
bodies are capped at the door, and every State's matrices at once need an account and are
rate-limited (issue 15, item 4).

Spooled uploads go to a temporary folder of the test's own (tempfile.tempdir), so the tests
can count what an upload left behind there and under UN1540_FILES_DIR.
"""

from __future__ import annotations

import re
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import assert_error
from tests.conftest import settings_for
from tests.factories import PASSWORD, make_user
from un1540.services.accounts.actions import issue_token
from un1540.web.app import create_app

MB = 1_000_000
BIG = b"not a matrix, not a report; " * (1_500_000 // 28)  # 1.5 MB: spooled to disk
FORM = {"kind": "national_report", "title": "A report", "language": "en"}
IMPORT = "/states/FRA/editions/1/import"


@dataclass
class Door:
    client: TestClient
    tokens: dict[str, dict[str, str]]
    files: Path
    spool: Path

    def left_behind(self) -> list[Path]:
        return [p for p in (*self.files.rglob("*"), *self.spool.rglob("*")) if p.is_file()]


@pytest.fixture
def door(
    engine: Engine,
    sessions: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[Door]:
    spool = tmp_path / "spool"
    spool.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(spool))
    tokens = {}
    with sessions() as session, session.begin():
        for role, org in (("expert", None), ("provider", "iaea")):
            make_user(session, role=role, email=f"door-{role}@example.org", org=org)
            _, token = issue_token(
                session, email=f"door-{role}@example.org", scope="write", actor="t"
            )
            tokens[role] = {"Authorization": f"Bearer {token}"}
    settings = settings_for(engine).model_copy(
        update={"files_dir": tmp_path / "files", "max_upload_mb": 2, "export_requests_per_hour": 3}
    )
    app = create_app(settings, engine=engine, sessions=sessions)
    with TestClient(app, follow_redirects=False) as client:
        yield Door(client, tokens, tmp_path / "files", spool)


def _sign_in(client: TestClient, email: str) -> str:
    """Sign the portal client in; returns the session's CSRF token."""
    page = client.get("/login").text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert csrf is not None
    response = client.post(
        "/login", data={"email": email, "password": PASSWORD, "csrf_token": csrf.group(1)}
    )
    assert response.status_code == 303
    account = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/account").text)
    assert account is not None
    return account.group(1)


def test_refused_and_failed_uploads_leave_nothing_behind(door: Door) -> None:
    client, tokens = door.client, door.tokens
    upload = {"file": ("big.pdf", BIG, "application/pdf")}
    matrix = {"file": ("matrix.csv", BIG, "text/csv")}
    api_import = f"/api/v1{IMPORT}"
    # The API: anonymous, not allowed, allowed but invalid.
    for headers, status in (({}, 401), (tokens["provider"], 403), (tokens["expert"], 422)):
        response = client.post(
            "/api/v1/states/FRA/documents", data=FORM, files=upload, headers=headers
        )
        assert response.status_code == status, response.text
        response = client.post(api_import, data={"dry_run": "true"}, files=matrix, headers=headers)
        assert response.status_code == status, response.text
    # The portal: anonymous (with the CSRF token any visitor of /login gets; to an edition
    # that does not exist, the audit's case: the old code kept each file, then answered 404),
    # then an expert with a file that is not a matrix.
    visitor = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text)
    assert visitor is not None
    for edition in (IMPORT, "/states/FRA/editions/9/import"):
        posted = client.post(
            edition, files=matrix, data={"dry_run": "1", "csrf_token": visitor.group(1)}
        )
        assert posted.status_code == (401 if edition == IMPORT else 404)
    documents = client.post("/states/FRA/documents", files=upload, data=FORM)
    assert documents.headers["location"].startswith("/login")
    csrf = _sign_in(client, "door-expert@example.org")
    checked = client.post(IMPORT, files=matrix, data={"dry_run": "1", "csrf_token": csrf})
    assert checked.status_code == 422
    refused = client.post("/states/FRA/documents", files=upload, data={**FORM, "csrf_token": csrf})
    assert refused.status_code == 422  # the form again, as it was filled in, with the refusal
    assert 'id="form-errors"' in refused.text
    assert door.left_behind() == []


def test_the_caller_is_checked_before_the_body_is_read(door: Door) -> None:
    """A body that cannot be parsed: refused for who is calling before anything else."""
    broken = {"Content-Type": "multipart/form-data; boundary=nothing-here"}
    body = b"--not-the-boundary\r\nthis is not a form" * 1000
    anonymous = door.client.post("/api/v1/states/FRA/documents", content=body, headers=broken)
    assert_error(anonymous, 401, "unauthenticated")
    provider = door.client.post(
        "/api/v1/states/FRA/documents", content=body, headers=broken | door.tokens["provider"]
    )
    assert_error(provider, 403, "forbidden")
    hidden = door.client.post("/api/v1/states/TUR/editions/99/import", content=body, headers=broken)
    assert_error(hidden, 404, "not_found")  # an edition the caller cannot see: not found
    # Only an allowed caller's body is read, and found wanting.
    expert = door.client.post(
        "/api/v1/states/FRA/documents", content=body, headers=broken | door.tokens["expert"]
    )
    assert expert.status_code in (400, 422)
    assert door.left_behind() == []


def test_a_guarded_route_bounds_its_path_before_its_guard_queries(door: Door) -> None:
    """The guard runs before the body is read, but after the path is validated as the route
    declares it: an edition number beyond the database's integers (2^31 on PostgreSQL, 2^63 on
    SQLite) is a 422 naming `number`, never an overflow in the guard's query (a 500, found by
    schemathesis on PostgreSQL); a State code that is not one is refused the same way."""
    matrix = {"file": ("matrix.csv", BIG, "text/csv")}
    for number in (2**31, 2**63, 0, "x"):
        for headers in ({}, door.tokens["expert"]):
            response = door.client.post(
                f"/api/v1/states/FRA/editions/{number}/import",
                data={"dry_run": "true"},
                files=matrix,
                headers=headers,
            )
            assert_error(response, 422, "invalid_parameter", "number")
    assert_error(
        door.client.post("/api/v1/states/FRANCE/editions/1/import", files=matrix),
        422,
        "invalid_parameter",
        "iso3",
    )
    csrf = _sign_in(door.client, "door-expert@example.org")
    for path in ("import", "import/apply"):
        portal = door.client.post(
            f"/states/FRA/editions/{2**31}/{path}",
            files=matrix,
            data={"dry_run": "1", "digest": "0" * 64, "csrf_token": csrf},
        )
        assert portal.status_code == 422, portal.text
    assert door.left_behind() == []


def test_oversized_bodies_are_refused_at_the_door(door: Door) -> None:
    too_big = b"x" * (3 * MB + 1)  # the limit: 2 MB of file plus 1 MB of form
    for headers in ({}, door.tokens["expert"]):
        response = door.client.post(
            "/api/v1/states/FRA/documents",
            data=FORM,
            files={"file": ("huge.pdf", too_big, "application/pdf")},
            headers=headers,
        )
        assert_error(response, 413, "payload_too_large")
        portal = door.client.post(IMPORT, files={"file": ("huge.csv", too_big, "text/csv")})
        assert portal.status_code == 401  # the portal checks the caller first, body unread
    # A signed-in reader of the portal gets the portal's page, in their language, not the API's
    # JSON (before session 26: {"error": {"code": "payload_too_large", ...}} with no way back).
    csrf = _sign_in(door.client, "door-expert@example.org")
    for language, words in (("fr", "3 Mo"), ("en", "larger than the server accepts (3 MB")):
        page = door.client.post(
            f"/states/FRA/documents?lang={language}",
            data={**FORM, "csrf_token": csrf},
            files={"file": ("huge.pdf", too_big, "application/pdf")},
        )
        assert page.status_code == 413
        assert page.headers["content-type"].startswith("text/html")
        assert words in page.text, page.text[-2000:]
    # A file over the 2 MB limit in a body under the door's: the form comes back as it was
    # filled in, with the refusal beside it, in the reader's language (review of session 28: a
    # bare error page, the title lost).
    over = b"z" * (2 * MB + 500)
    page = door.client.post(
        "/states/FRA/documents?lang=fr",
        data={**FORM, "title": "Mon rapport", "csrf_token": csrf},
        files={"file": ("gros.pdf", over, "application/pdf")},
    )
    door.client.get("/states/FRA/documents?lang=en")  # the language stays with the session
    assert page.status_code == 422
    refusal = page.text.split('id="form-errors"', 1)[1].split("</div>", 1)[0]
    assert "gros.pdf" in refusal
    assert "2 Mo" in refusal, refusal
    assert 'value="Mon rapport"' in page.text
    assert door.left_behind() == []
    door.client.cookies.clear()  # anonymous again for what follows

    def chunks() -> Iterator[bytes]:  # streamed, without a Content-Length
        for _ in range(4):
            yield b"y" * MB

    multipart = {"Content-Type": "multipart/form-data; boundary=b"}
    # Anonymous: refused before any of it is read; allowed: refused once it passes the limit.
    anonymous = door.client.post(
        "/api/v1/states/FRA/documents", content=chunks(), headers=multipart
    )
    assert_error(anonymous, 401, "unauthenticated")
    streamed = door.client.post(
        "/api/v1/states/FRA/documents",
        content=chunks(),
        headers=multipart | door.tokens["expert"],
    )
    assert_error(streamed, 413, "payload_too_large")
    json_body = door.client.post(
        "/api/v1/assistance/requests",
        content=b'{"title": "' + b"z" * (3 * MB) + b'"}',
        headers={"Content-Type": "application/json"} | door.tokens["expert"],
    )
    assert_error(json_body, 413, "payload_too_large")
    assert door.left_behind() == []


def test_every_states_matrices_need_an_account_and_are_rate_limited(door: Door) -> None:
    client, tokens = door.client, door.tokens
    assert_error(client.get("/api/v1/matrices.csv"), 401, "unauthenticated")
    assert "/api/v1/matrices." not in client.get("/downloads").text  # no link for the public
    for _ in range(3):
        response = client.get("/api/v1/matrices.csv", headers=tokens["expert"])
        assert response.status_code == 200
        assert "iso3,edition" in response.text.splitlines()[0]
    limited = client.get("/api/v1/matrices.csv", headers=tokens["expert"])
    assert_error(limited, 429, "rate_limited")
    assert 0 < int(limited.headers["Retry-After"]) <= 3600
    # Counted per account: a provider still may, and gets the build made for providers.
    response = client.get("/api/v1/matrices.csv", headers=tokens["provider"])
    assert response.status_code == 200
    assert response.headers["X-Data-Version"]
    # One State's matrix stays public.
    assert client.get("/api/v1/states/FRA/matrix.csv").status_code == 200
    # The portal lists every State's matrices for a signed-in account.
    _sign_in(client, "door-provider@example.org")
    page = client.get("/downloads").text
    assert "/api/v1/matrices.csv" in page
    assert "every-state-title" in page
