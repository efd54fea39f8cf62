"""The text policy at the API's doors: control characters are a named 422 on every backend (on
PostgreSQL a NUL used to be a 500), a form feed becomes a line break, and what was accepted
exports (a form feed used to fail the edition's XLSX and DOCX)."""

from __future__ import annotations

import io

import docx
import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import assert_error
from tests.factories import make_user
from un1540.services.accounts.actions import issue_token

CELL = "op2.use:nw:legal_framework"
NUL = "Act 12\x00"


@pytest.fixture
def tokens(empty_sessions: sessionmaker[Session]) -> dict[str, dict[str, str]]:
    headers = {}
    with empty_sessions() as session, session.begin():
        for name, role, iso3 in [
            ("expert", "expert", None),
            ("poc", "state_poc", "TCD"),
            ("committee", "committee", None),
        ]:
            email = f"{name}@example.org"
            make_user(session, role=role, email=email, iso3=iso3)
            _, token = issue_token(session, email=email, scope="write", actor="tests")
            headers[name] = {"Authorization": f"Bearer {token}"}
    return headers


def test_a_remark_with_a_control_character_is_refused_and_a_form_feed_is_a_line_break(
    empty_client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    client, expert = empty_client, tokens["expert"]
    opened = client.post("/api/v1/states/TCD/editions", json={"reason": "r"}, headers=expert)
    number = opened.json()["edition"]["number"]
    url = f"/api/v1/states/TCD/editions/{number}/cells/{CELL}"
    refused = client.patch(url, headers=expert, json={"mark": "X", "remark": NUL, "version": 1})
    error = assert_error(refused, 422, "invalid_parameter", "remark")
    assert "U+0000 (NUL) at character 7" in error["problems"][0]["message"]
    assert client.get(url, headers=expert).json()["version"] == 1  # nothing written

    pasted = "Penal Code art. 12\x0cpage 2: art. 13\r\n" + "x" * 9_960 + "\r\n"
    saved = client.patch(url, headers=expert, json={"mark": "X", "remark": pasted, "version": 1})
    assert saved.status_code == 200, saved.text
    assert saved.json()["remark"] == pasted.replace("\x0c", "\n").replace("\r\n", "\n")

    exported = client.get(
        "/api/v1/states/TCD/matrix.xlsx", params={"edition": number}, headers=expert
    )
    assert exported.status_code == 200, exported.text[:300]
    workbook = load_workbook(io.BytesIO(exported.content), read_only=True)
    values = [v for row in workbook["op2"].iter_rows(values_only=True) for v in row]
    assert any(isinstance(v, str) and v.startswith("Penal Code art. 12\npage 2") for v in values)
    word = client.get("/api/v1/states/TCD/matrix.docx", params={"edition": number}, headers=expert)
    assert word.status_code == 200
    assert "page 2: art. 13" in "\n".join(
        c.text
        for t in docx.Document(io.BytesIO(word.content)).tables
        for r in t.rows
        for c in r.cells
    )


def test_every_other_free_text_door_refuses_a_nul_by_name(
    empty_client: TestClient, tokens: dict[str, dict[str, str]]
) -> None:
    client, expert, poc = empty_client, tokens["expert"], tokens["poc"]
    assert_error(
        client.post("/api/v1/states/TCD/editions", json={"reason": NUL}, headers=expert),
        422,
        "invalid_parameter",
        "reason",
    )
    number = client.post("/api/v1/states/TCD/editions", headers=expert).json()["edition"]["number"]
    base = f"/api/v1/states/TCD/editions/{number}"
    assert client.post(f"{base}/share", headers=expert).status_code == 200
    assert_error(
        client.post(f"{base}/comments", headers=poc, json={"cell": CELL, "body": NUL}),
        422,
        "invalid_parameter",
        "body",
    )
    assert_error(
        client.post(
            f"{base}/proposals",
            headers=poc,
            json={"cell": CELL, "mark": "X", "remark": "ok", "reason": "see \x1b"},
        ),
        422,
        "invalid_parameter",
        "reason",
    )
    assert_error(
        client.post(f"{base}/agree", headers=poc, json={"reason": NUL}),
        422,
        "invalid_parameter",
        "reason",
    )
    assert_error(
        client.post(
            "/api/v1/assistance/requests",
            headers=poc,
            json={
                "title": NUL,
                "consent": "public",
                "items": [{"description": "d", "help_types": ["training"]}],
            },
        ),
        422,
        "invalid_parameter",
        "title",
    )
    assert_error(
        client.post(
            "/api/v1/funding/pledges",
            headers=expert,
            json={
                "kind": "pledge",
                "donor_name": "Fund",
                "amount": 1,
                "currency": "USD",
                "note": NUL,
            },
        ),
        422,
        "invalid_parameter",
        "note",
    )
    assert_error(
        client.post(
            "/api/v1/states/TCD/documents",
            headers=expert,
            data={"kind": "legislation", "title": NUL, "language": "en", "url": "https://x.org"},
        ),
        422,
        "invalid_parameter",
        "title",
    )
    # Addresses and codes too: a NUL is a named 422, never an error of the database.
    for address in ("/api/v1/states/F%00A", "/api/v1/states?group=%00", "/states?q=x%00"):
        response = client.get(address)
        assert response.status_code == 422, (address, response.status_code)
    assert_error(client.get("/api/v1/states?region=%00"), 422, "invalid_parameter", "address")
    assert_error(
        client.post(
            "/api/v1/assistance/requests",
            headers=poc,
            json={
                "state": "T\x00D",
                "title": "t",
                "consent": "public",
                "items": [{"description": "d", "help_types": ["training"]}],
            },
        ),
        422,
        "invalid_parameter",
        "state",
    )
    # Nothing of it was written: the edition holds no comment and no proposal.
    assert client.get(f"{base}/comments", headers=expert).json()["total"] == 0
    assert client.get(f"{base}/proposals", headers=expert).json()["total"] == 0
