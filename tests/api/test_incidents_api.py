"""/api/v1/incidents and the /incidents page: recording, the record a reader may see, and the
trends (JSON and CSV) with their caveat and, when demo records are counted, the synthetic notice."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import assert_error, read_csv
from tests.factories import make_user
from tests.portal.test_workflow_pages import csrf, sign_in
from un1540.services.accounts.actions import issue_token

INCIDENT = {
    "occurred_on": "2023-02-03",
    "states": ["TCD"],
    "category": "chemical",
    "material_class": "precursor",
    "kind": "illicit_trafficking",
    "source": "state_reported",
    "confirmation": "confirmed",
    "summary": "Precursors seized at a border crossing",
}


@pytest.fixture
def headers(empty_sessions: sessionmaker[Session]) -> dict[str, dict[str, str]]:
    result = {}
    with empty_sessions() as session, session.begin():
        for name, role, org in [("expert", "expert", None), ("provider", "provider", "opcw")]:
            email = f"{name}@example.org"
            make_user(session, role=role, email=email, org=org)
            _, token = issue_token(session, email=email, scope="write", actor="tests")
            result[name] = {"Authorization": f"Bearer {token}"}
    return result


def test_record_then_read_and_count_a_restricted_incident(
    empty_client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    client = empty_client
    created = client.post("/api/v1/incidents", json=INCIDENT, headers=headers["expert"])
    assert created.status_code == 201, created.text
    incident = created.json()["incident"]
    assert incident["fields"][:2] == ["op3cd.border_control", "op3cd.border_detection"]
    secret = INCIDENT | {
        "kind": "theft",
        "source": "organisation",
        "restricted": True,
        "summary": "Restricted by the reporter",
    }
    mine = client.post("/api/v1/incidents", json=secret, headers=headers["provider"])
    assert mine.status_code == 201, mine.text
    hidden = mine.json()["incident"]["id"]
    assert mine.json()["incident"]["organisation"] == "opcw"
    assert client.get(f"/api/v1/incidents/{hidden}").status_code == 404
    assert client.get(f"/api/v1/incidents/{hidden}", headers=headers["expert"]).status_code == 200
    listed = client.get("/api/v1/incidents").json()
    assert [item["id"] for item in listed["items"]] == [incident["id"]]
    trends = client.get("/api/v1/incidents/trends").json()
    assert (trends["total"], trends["restricted"], trends["synthetic"]) == (2, 1, False)
    assert trends["by_kind"] == [
        {"key": "theft", "count": 1},
        {"key": "illicit_trafficking", "count": 1},
    ]
    assert "reporting practice" in trends["caveat"]
    rows = read_csv(client.get("/api/v1/incidents/trends.csv"))
    assert "data_notice" not in rows[0]
    assert rows[0] == {"dimension": "total", "key": "", "count": "2", "caveat": trends["caveat"]}
    duplicate = client.post("/api/v1/incidents", json=INCIDENT, headers=headers["expert"])
    assert_error(duplicate, 409, "conflict")
    future = client.post(
        "/api/v1/incidents",
        json=INCIDENT | {"occurred_on": "2999-01-01"},
        headers=headers["expert"],
    )
    assert_error(future, 422, "invalid_data", "occurred_on")
    page = client.get("/incidents")
    assert page.status_code == 200
    assert "Precursors seized" in page.text
    assert "Restricted by the reporter" not in page.text
    assert 'id="incident-caveat"' in page.text
    assert 'id="incident-form"' not in page.text  # the public may not record


def test_demo_incidents_make_the_trends_synthetic(client: TestClient) -> None:
    trends = client.get("/api/v1/incidents/trends").json()
    assert trends["synthetic"] is True
    assert trends["total"] > 0
    rows = read_csv(client.get("/api/v1/incidents/trends.csv"))
    assert rows[0]["data_notice"].startswith("SYNTHETIC")
    listed = client.get("/api/v1/incidents?page_size=100").json()
    assert all(item["summary"].startswith("[Synthetic]") for item in listed["items"])
    assert all(not item["restricted"] for item in listed["items"])
    assert_error(client.get("/api/v1/incidents?kind=robbery"), 422, "invalid_parameter", "kind")
    assert client.get("/incidents?lang=ar").status_code == 200


def test_the_page_offers_the_form_to_an_expert_and_records(
    empty_client: TestClient, empty_sessions: sessionmaker[Session]
) -> None:
    with empty_sessions() as session, session.begin():
        make_user(session, role="expert", email="page-expert@example.org")
    client = empty_client
    sign_in(client, "page-expert@example.org")
    page = client.get("/incidents")
    assert 'id="incident-form"' in page.text
    form = {
        "csrf_token": csrf(page.text),
        "occurred_on": "2022-09-10",
        "states": "tcd, ner",
        "category": "biological",
        "material_class": "toxin",
        "kind": "attempted_acquisition",
        "source": "open_source",
        "confirmation": "confirmed",
        "summary": "Attempt to buy a toxin online",
        "restricted": "1",
    }
    done = client.post("/incidents", data=form)
    assert done.status_code == 200, done.text[:300]  # followed back to the page
    assert "recorded." in done.text
    assert "Attempt to buy a toxin online" in done.text  # the expert sees restricted records
    again = client.post("/incidents", data=form | {"csrf_token": csrf(done.text)})
    assert "same date, State, material and kind" in again.text
    assert client.get("/api/v1/incidents").json()["total"] == 1  # the session is the expert's
    client.cookies.clear()
    assert client.get("/api/v1/incidents").json()["total"] == 0  # restricted: not the public's
    assert client.get("/api/v1/incidents/trends").json()["restricted"] == 1  # but counted
