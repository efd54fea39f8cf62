"""National reports and other documents: registering them with a file, seeing them, citing them."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import assert_error, read_csv
from tests.conftest import settings_for
from tests.factories import make_document, make_user
from un1540.db.engine import make_session_factory
from un1540.services.accounts.actions import issue_token
from un1540.web.app import create_app

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def setup(
    empty_engine: Engine, empty_sessions: sessionmaker[Session], tmp_path: Path
) -> tuple[TestClient, dict[str, dict[str, str]], Path]:
    headers = {}
    with empty_sessions() as session, session.begin():
        for name, role, iso3 in [
            ("poc", "state_poc", "KEN"),
            ("expert", "expert", None),
            ("other", "state_poc", "UGA"),
            ("provider", "provider", None),
        ]:
            email = f"{name}@example.org"
            make_user(
                session, role=role, email=email, iso3=iso3, org="eu" if role == "provider" else None
            )
            _, token = issue_token(session, email=email, scope="write", actor="t")
            headers[name] = {"Authorization": f"Bearer {token}"}
    settings = settings_for(empty_engine).model_copy(
        update={"files_dir": tmp_path / "files", "max_upload_mb": 1}
    )
    return (
        TestClient(create_app(settings, engine=empty_engine, sessions=empty_sessions)),
        headers,
        tmp_path / "files",
    )


def _form(**fields: str) -> dict[str, str]:
    return {
        "kind": "national_report",
        "title": "First national report",
        "language": "en",
        "issued_on": "2005-03-01",
        **fields,
    }


def test_a_point_of_contact_files_a_national_report(
    setup: tuple[TestClient, dict[str, dict[str, str]], Path],
) -> None:
    client, headers, files_dir = setup
    response = client.post(
        "/api/v1/states/KEN/documents",
        headers=headers["poc"],
        data=_form(visibility="public"),  # chosen: the default is the State and the Committee
        files={"file": ("report.pdf", PDF, "application/pdf")},
    )
    assert response.status_code == 201, response.text
    document = response.json()["document"]
    assert (document["kind"], document["state"], document["visibility"]) == (
        "national_report",
        "KEN",
        "public",
    )
    assert document["file"]["size"] == len(PDF)
    assert (
        files_dir / document["file"]["sha256"][:2] / document["file"]["sha256"]
    ).read_bytes() == PDF
    download = client.get(document["file"]["url"])
    assert download.status_code == 200
    assert download.content == PDF
    assert download.headers["content-type"] == "application/pdf"
    listed = client.get("/api/v1/states/KEN/documents").json()
    assert [d["title"] for d in listed["items"]] == ["First national report"]
    assert read_csv(client.get("/api/v1/states/KEN/documents.csv"))[0]["file_name"] == "report.pdf"


def test_restricted_documents_stay_private(
    setup: tuple[TestClient, dict[str, dict[str, str]], Path],
) -> None:
    client, headers, _ = setup
    created = client.post(
        "/api/v1/states/KEN/documents",
        headers=headers["poc"],
        data=_form(
            title="Draft action plan", kind="action_plan", visibility="owning_state_and_committee"
        ),
        files={"file": ("plan.pdf", PDF, "application/pdf")},
    ).json()["document"]
    assert client.get("/api/v1/states/KEN/documents").json()["total"] == 0
    assert client.get("/api/v1/states/KEN/documents", headers=headers["other"]).json()["total"] == 0
    assert (
        client.get("/api/v1/states/KEN/documents", headers=headers["expert"]).json()["total"] == 1
    )
    assert_error(client.get(f"/api/v1/documents/{created['id']}"), 404, "not_found")
    assert_error(client.get(f"/api/v1/documents/{created['id']}/file"), 404, "not_found")
    assert (
        client.get(f"/api/v1/documents/{created['id']}/file", headers=headers["poc"]).status_code
        == 200
    )


@pytest.mark.parametrize(
    ("fields", "file", "where"),
    [
        ({}, ("empty.pdf", b"", "application/pdf"), "file"),
        ({}, ("photo.pdf", b"\x89PNG\r\n\x1a\n....", "application/pdf"), "file"),
        ({}, ("tool.exe", b"MZ\x90\x00", "application/octet-stream"), "file"),
        ({}, ("big.pdf", b"%PDF-" + b"x" * 1_100_000, "application/pdf"), "file"),
        ({"kind": "poem"}, ("report.pdf", PDF, "application/pdf"), "kind"),
        ({"language": "1"}, ("report.pdf", PDF, "application/pdf"), "language"),
        ({"issued_on": "2999-01-01"}, ("report.pdf", PDF, "application/pdf"), "issued_on"),
        # A report on resolution 1540 older than the resolution (adopted 28 April 2004).
        ({"issued_on": "2004-04-27"}, ("report.pdf", PDF, "application/pdf"), "issued_on"),
        (
            {"issued_on": "2003-12-01", "kind": "addendum"},
            ("report.pdf", PDF, "application/pdf"),
            "issued_on",
        ),
        ({"url": "ftp://example.org/x"}, None, "url"),
        ({}, None, "file"),
    ],
)
def test_bad_documents_are_refused_whole(
    setup: tuple[TestClient, dict[str, dict[str, str]], Path],
    fields: dict[str, str],
    file: tuple[str, bytes, str] | None,
    where: str,
) -> None:
    client, headers, files_dir = setup
    response = client.post(
        "/api/v1/states/KEN/documents",
        headers=headers["expert"],
        data=_form(**fields),
        files={"file": file} if file else None,
    )
    assert_error(response, 422, "invalid_data", where)
    assert (
        client.get("/api/v1/states/KEN/documents", headers=headers["expert"]).json()["total"] == 0
    )
    assert not files_dir.exists() or not any(files_dir.rglob("*"))


def test_who_may_register_documents(
    setup: tuple[TestClient, dict[str, dict[str, str]], Path],
) -> None:
    client, headers, _ = setup
    file = {"file": ("report.pdf", PDF, "application/pdf")}
    assert_error(
        client.post("/api/v1/states/KEN/documents", data=_form(), files=file),
        401,
        "unauthenticated",
    )
    assert_error(
        client.post(
            "/api/v1/states/KEN/documents", headers=headers["other"], data=_form(), files=file
        ),
        403,
        "forbidden",
    )
    assert_error(
        client.post(
            "/api/v1/states/KEN/documents", headers=headers["provider"], data=_form(), files=file
        ),
        403,
        "forbidden",
    )


def test_a_states_documents_are_paged_in_the_api_and_the_portal(fresh_engine: Engine) -> None:
    with make_session_factory(fresh_engine)() as session:
        for number in range(51):
            make_document(session, iso3="TCD", title=f"Report {number:02d}")
    client = TestClient(create_app(settings_for(fresh_engine), engine=fresh_engine))
    first = client.get("/api/v1/states/TCD/documents").json()
    assert (first["total"], len(first["items"]), first["page_size"]) == (51, 50, 50)
    second = client.get("/api/v1/states/TCD/documents?page=2").json()
    assert len(second["items"]) == 1
    assert {item["title"] for item in first["items"] + second["items"]} == {
        f"Report {number:02d}" for number in range(51)
    }
    page_one = client.get("/states/TCD/documents").text
    assert page_one.count("Report ") == 50
    assert 'href="?page=2"' in page_one
    page_two = client.get("/states/TCD/documents?page=2").text
    assert page_two.count("Report ") == 1
    assert '<span aria-current="page">2</span>' in page_two
    assert len(read_csv(client.get("/api/v1/states/TCD/documents.csv"))) == 51


def test_an_upload_starts_restricted_and_widens_only_when_confirmed(
    setup: tuple[TestClient, dict[str, dict[str, str]], Path],
) -> None:
    client, headers, _ = setup
    created = client.post(
        "/api/v1/states/KEN/documents",
        headers=headers["poc"],
        data=_form(),  # no visibility: the State and the Committee
        files={"file": ("report.pdf", PDF, "application/pdf")},
    ).json()["document"]
    assert created["visibility"] == "owning_state_and_committee"
    url = f"/api/v1/documents/{created['id']}"
    assert_error(client.get(url), 404, "not_found")
    unconfirmed = client.post(
        f"{url}/visibility", headers=headers["poc"], json={"visibility": "public"}
    )
    error = assert_error(unconfirmed, 422, "invalid_data")
    assert [p["where"] for p in error["problems"]] == ["confirm"]
    assert_error(client.get(url), 404, "not_found")
    assert (
        client.post(
            f"{url}/visibility",
            headers=headers["provider"],
            json={"visibility": "public", "confirm": True},
        ).status_code
        == 404
    )
    widened = client.post(
        f"{url}/visibility",
        headers=headers["poc"],
        json={"visibility": "public", "confirm": True, "reason": "published"},
    )
    assert widened.status_code == 200, widened.text
    assert widened.json()["document"]["visibility"] == "public"
    assert client.get(url).status_code == 200
