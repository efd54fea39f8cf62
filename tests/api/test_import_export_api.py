"""Matrices as files from the API, and importing a file into a draft through it."""

from __future__ import annotations

import csv
import io

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import assert_error
from tests.factories import make_user
from un1540.services.accounts.actions import issue_token


def test_file_exports(client: TestClient, sessions: sessionmaker[Session]) -> None:
    for suffix, media in (
        ("xlsx", "spreadsheetml"),
        ("docx", "wordprocessingml"),
        ("pdf", "application/pdf"),
    ):
        response = client.get(f"/api/v1/states/FRA/matrix.{suffix}", params={"edition": 1})
        assert response.status_code == 200
        assert media in response.headers["content-type"]
        assert "synthetic-demo-FRA-matrix-edition-1" in response.headers["content-disposition"]
        assert response.headers["X-Synthetic-Data"] == "true"
    # Every State at once: signed-in accounts only (built in the background; inline here).
    assert_error(client.get("/api/v1/matrices.csv"), 401, "unauthenticated")
    with sessions() as session, session.begin():
        make_user(session, role="expert", email="exporter@example.org")
        _, token = issue_token(session, email="exporter@example.org", scope="read", actor="t")
    every = client.get("/api/v1/matrices.csv", headers={"Authorization": f"Bearer {token}"})
    assert every.status_code == 200
    rows = list(csv.DictReader(io.StringIO(every.text)))
    assert rows
    assert len(rows) % 341 == 0
    assert every.headers["X-Data-Version"]
    assert_error(client.get("/api/v1/states/TCD/matrix.xlsx"), 404, "not_found")


def test_import_through_the_api(
    empty_client: TestClient, empty_sessions: sessionmaker[Session]
) -> None:
    client = empty_client
    with empty_sessions() as session, session.begin():
        make_user(session, role="expert", email="importer@example.org")
        _, token = issue_token(session, email="importer@example.org", scope="write", actor="t")
        headers = {"Authorization": f"Bearer {token}"}
    opened = client.post("/api/v1/states/KIR/editions", headers=headers)
    number = opened.json()["edition"]["number"]
    body = b"iso3,cell,mark,remark\nKIR,op2.use:cw:legal_framework,X,Act 3\n"
    dry = client.post(
        f"/api/v1/states/KIR/editions/{number}/import",
        headers=headers,
        files={"file": ("kir.csv", body, "text/csv")},
    )
    assert dry.status_code == 200, dry.text
    assert dry.json()["dry_run"] is True
    assert [c["cell"] for c in dry.json()["states"][0]["changes"]] == ["op2.use:cw:legal_framework"]
    done = client.post(
        f"/api/v1/states/KIR/editions/{number}/import",
        headers=headers,
        data={"dry_run": "false"},
        files={"file": ("kir.csv", body, "text/csv")},
    )
    assert done.json()["changed"] == 1
    cell = client.get(
        f"/api/v1/states/KIR/editions/{number}/cells/op2.use:cw:legal_framework", headers=headers
    )
    assert (cell.json()["mark"], cell.json()["remark"]) == ("X", "Act 3")
    wrong = client.post(
        f"/api/v1/states/KIR/editions/{number}/import",
        headers=headers,
        data={"dry_run": "false"},
        files={
            "file": ("kir.csv", b"iso3,cell,mark\nKIR,op2.use:cw:legal_framework,Z\n", "text/csv")
        },
    )
    error = assert_error(wrong, 422, "invalid_data")
    assert error["problems"][0]["where"] == "line 2, column mark"
    # Clean up the shared database: discard needs an unshared draft, which this is.
    assert (
        client.delete(f"/api/v1/states/KIR/editions/{number}", headers=headers).status_code == 204
    )
