"""The library through its doors: a law uploaded through the API is read and split, its
provisions listed, found by /api/v1/search and by the portal's /search, laws like this; a law
that cannot be read is refused with nothing stored."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.analytics.test_provisions import CHINESE, FRENCH
from tests.conftest import settings_for
from tests.factories import make_user
from un1540.services.accounts.actions import issue_token
from un1540.web.app import create_app


@pytest.fixture
def setup(
    empty_engine: Engine, empty_sessions: sessionmaker[Session], tmp_path: Path
) -> tuple[TestClient, dict[str, str]]:
    with empty_sessions() as session, session.begin():
        make_user(session, role="expert", email="expert@example.org")
        _, token = issue_token(session, email="expert@example.org", scope="write", actor="t")
    settings = settings_for(empty_engine).model_copy(update={"files_dir": tmp_path / "files"})
    client = TestClient(create_app(settings, engine=empty_engine, sessions=empty_sessions))
    return client, {"Authorization": f"Bearer {token}"}


def _upload(client: TestClient, headers: dict[str, str], iso3: str, name: str, text: str):  # type: ignore[no-untyped-def]
    return client.post(
        f"/api/v1/states/{iso3}/documents",
        headers=headers,
        data={
            "kind": "legislation",
            "title": f"Law {name}",
            "language": name.split(".")[0],
            "visibility": "public",
        },
        files={"file": (name, text.encode(), "text/plain")},
    )


def test_a_law_uploaded_is_split_searched_and_compared(
    setup: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = setup
    chinese = _upload(client, headers, "CHN", "zh.txt", CHINESE)
    assert chinese.status_code == 201, chinese.text
    french = _upload(client, headers, "FRA", "fr.txt", FRENCH)
    assert french.status_code == 201
    law = chinese.json()["document"]["id"]
    provisions = client.get(f"/api/v1/documents/{law}/provisions").json()
    assert provisions["text_status"] == "ready"
    by_number = {p["number"]: p for p in provisions["items"]}
    assert by_number["34"]["refers_to"][0] == {
        "kind": "penalty_for",
        "provision_id": by_number["12"]["id"],
        "label": "第十二条",
    }
    assert by_number["12"]["page"] == 1
    found = client.get("/api/v1/search", params={"q": "许可制度"}).json()
    assert found["items"][0]["provision_label"] == "第十二条"
    assert any(s["match"] and s["text"] == "许可" for s in found["items"][0]["snippet"])
    assert client.get("/api/v1/search", params={"q": "许可", "state": "FRA"}).json()["total"] == 0
    # Session 28's trial: filters that can find nothing say why.
    for params, where in (
        ({"state": "XXX"}, "state"),
        ({"issued_from": "2020-01-01", "issued_to": "2019-01-01"}, "issued_from"),
    ):
        refused = client.get("/api/v1/search", params={"q": "许可", **params})
        assert refused.status_code == 422, refused.text
        assert where in {p["where"] for p in refused.json()["error"]["problems"]}
    french_article = client.get(
        f"/api/v1/documents/{french.json()['document']['id']}/provisions"
    ).json()["items"][1]
    similar = client.get(f"/api/v1/provisions/{french_article['id']}/similar").json()
    assert similar["items"]
    assert all(item["state"] == "CHN" for item in similar["items"])
    page = client.get("/search", params={"q": "armes chimiques"})
    assert page.status_code == 200
    assert "<mark>armes</mark>" in page.text
    document_page = client.get(f"/documents/{law}", params={"provision": by_number["12"]["id"]})
    assert "第十二条" in document_page.text
    assert "Law fr.txt" in document_page.text
    assert 'action="/search"' in client.get("/").text  # the search box of every page


def test_an_unreadable_law_is_refused_and_nothing_is_stored(
    setup: tuple[TestClient, dict[str, str]],
) -> None:
    client, headers = setup
    response = client.post(
        "/api/v1/states/FRA/documents",
        headers=headers,
        data={"kind": "legislation", "title": "Broken", "language": "fr"},
        files={"file": ("law.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
    )
    assert response.status_code == 422
    assert "damaged" in response.text
    assert client.get("/api/v1/states/FRA/documents", headers=headers).json()["total"] == 0
