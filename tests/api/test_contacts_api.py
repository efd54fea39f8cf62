"""/api/v1/contacts and /api/v1/trainings, and the portal's /contacts and /trainings: bad input
named with nothing written, the public summary without details, confirming in one step."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import assert_error
from tests.factories import make_user
from un1540.models.base import today
from un1540.reference.training import load_training_courses
from un1540.services.accounts.actions import issue_token

CONTACT: dict[str, Any] = {
    "state": "TCD",
    "name": "Amina Example",
    "role": "capital",
    "email": "amina@example.org",
    "phone": "+00 000 000 001",
    "designated_on": "2020-03-01",
    "account": "poc@example.org",
    "trainings": ["2018-addis-ababa"],
}


@pytest.fixture
def headers(empty_sessions: sessionmaker[Session]) -> dict[str, dict[str, str]]:
    result = {}
    with empty_sessions() as session, session.begin():
        for name, role, iso3 in [
            ("expert", "expert", None),
            ("poc", "state_poc", "TCD"),
            ("other", "state_poc", "NER"),
        ]:
            email = f"{name}@example.org"
            make_user(session, role=role, email=email, iso3=iso3)
            _, token = issue_token(session, email=email, scope="write", actor="tests")
            result[name] = {"Authorization": f"Bearer {token}"}
    return result


def test_bad_input_is_named_and_nothing_is_written(
    empty_client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    client, expert = empty_client, headers["expert"]
    tomorrow = (today() + timedelta(days=1)).isoformat()
    cases: list[tuple[dict[str, Any], int, str, str]] = [
        ({**CONTACT, "nickname": "x"}, 422, "invalid_parameter", "nickname"),
        ({**CONTACT, "confirmed_on": "2019-01-01"}, 422, "invalid_data", "confirmed_on"),
        ({**CONTACT, "designated_on": tomorrow}, 422, "invalid_data", "designated_on"),
        ({**CONTACT, "organisation": "iaea"}, 422, "invalid_data", "organisation"),
        ({**CONTACT, "state": ["TCD", "NER"]}, 422, "invalid_parameter", "state"),
        ({**CONTACT, "account": "other@example.org"}, 422, "invalid_data", "account"),
    ]
    for body, status, code, where in cases:
        assert_error(
            client.post("/api/v1/contacts", json=body, headers=expert), status, code, where
        )
    assert client.get("/api/v1/contacts", headers=expert).json()["total"] == 0
    created = client.post("/api/v1/contacts", json=CONTACT, headers=expert)
    assert created.status_code == 201, created.text
    again = client.post(
        "/api/v1/contacts", json={**CONTACT, "account": None}, headers=headers["poc"]
    )
    assert_error(again, 409, "conflict", "name")  # the same person for the same State
    contact = created.json()["contact"]
    url = f"/api/v1/contacts/{contact['id']}"
    assert_error(
        client.patch(url, json={"state": "NER"}, headers=expert), 422, "invalid_parameter", "state"
    )
    assert_error(
        client.patch(
            url, json={"designated_on": "2021-01-01", "confirmed_on": "2020-12-31"}, headers=expert
        ),
        422,
        "invalid_data",
        "confirmed_on",
    )
    assert_error(
        client.patch(url, json={"phone": "1", "revision": 9}, headers=expert), 409, "conflict"
    )
    unchanged = client.get(url, headers=expert).json()["contact"]
    assert (unchanged["phone"], unchanged["revision"]) == (CONTACT["phone"], 1)


def test_the_public_sees_how_many_and_since_when_the_state_sees_the_details(
    empty_client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    client = empty_client
    link = '<a href="/contacts?state=TCD">{}</a>'
    assert link.format(0) in client.get("/states/TCD").text  # cached for the public...
    contact = client.post("/api/v1/contacts", json=CONTACT, headers=headers["expert"]).json()[
        "contact"
    ]
    state_page = client.get("/states/TCD").text  # ... until a contact of Chad's is written
    assert link.format(1) in state_page
    assert "designated since March 1, 2020" in state_page
    assert contact["stale"] is True
    assert contact["account_linked"] is True
    assert contact["trainings"][0]["place"] == "Addis Ababa"
    for reader in (None, headers["other"]):
        listed = client.get("/api/v1/contacts?state=TCD", headers=reader).json()
        assert listed["items"] == []
        assert listed["summaries"] == [
            {
                "state": {"iso3": "TCD", "name": "Chad"},
                "organisation": None,
                "count": 1,
                "designated_since": "2020-03-01",
                "stale": 1,
            }
        ]
        assert client.get(f"/api/v1/contacts/{contact['id']}", headers=reader).status_code == 404
        page = client.get("/contacts?state=TCD", headers=reader).text
        assert "Chad" in page
        assert "amina@example.org" not in page
        assert "Amina" not in page
        trainings = client.get("/api/v1/trainings", headers=reader).json()
        course = next(c for c in trainings["items"] if c["code"] == "2018-addis-ababa")
        assert (course["participants_count"], course["participants"]) == (1, [])
    own = client.get("/api/v1/contacts?stale=true", headers=headers["poc"]).json()
    assert [item["email"] for item in own["items"]] == ["amina@example.org"]
    assert own["items"][0]["allowed_actions"] == ["edit", "confirm"]
    page = client.get("/contacts", headers=headers["poc"]).text
    assert 'class="stale warning"' in page
    assert "amina@example.org" in page


def test_the_contact_confirms_itself_in_one_step(
    empty_client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    client = empty_client
    contact = client.post("/api/v1/contacts", json=CONTACT, headers=headers["expert"]).json()[
        "contact"
    ]
    url = f"/api/v1/contacts/{contact['id']}/confirm"
    assert_error(client.post(url, headers=headers["other"]), 404, "not_found")
    assert_error(client.post(url), 404, "not_found")
    confirmed = client.post(url, json={"phone": "+00 000 000 002"}, headers=headers["poc"])
    assert confirmed.status_code == 200, confirmed.text
    body = confirmed.json()["contact"]
    assert (body["confirmed_on"], body["stale"], body["phone"]) == (
        today().isoformat(),
        False,
        "+00 000 000 002",
    )


def test_the_courses_are_sourced_reference_data(empty_client: TestClient) -> None:
    answer = empty_client.get("/api/v1/trainings")
    body = answer.json()
    assert body["synthetic"] is False
    assert answer.headers.get("X-Synthetic-Data") != "true"
    assert "real, sourced reference data" in body["reference_notice"]
    assert [c["code"] for c in body["items"]] == list(reversed(list(load_training_courses())))
    assert all(c["reference"] and c["source"] for c in body["items"])
    page = empty_client.get("/trainings").text
    assert "Reference data" in page
    assert "Xi&#39;an" in page
    assert "SC/13480" in page
