"""Defects schemathesis found (tests/api/test_fuzzing.py), each pinned by a plain test."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import assert_error, read_csv
from tests.factories import make_user
from un1540.models.base import today
from un1540.services.accounts.actions import issue_token

REQUEST = {
    "title": "Export control training",
    "consent": "public",
    "items": [{"description": "Training", "fields": ["op2.use"], "help_types": ["training"]}],
}


@pytest.fixture
def headers(empty_sessions: sessionmaker[Session]) -> dict[str, dict[str, str]]:
    result = {}
    with empty_sessions() as session, session.begin():
        for name, role, iso3, org in [
            ("expert", "expert", None, None),
            ("poc", "state_poc", "TCD", None),
            ("provider", "provider", None, "opcw"),
        ]:
            email = f"findings-{name}@example.org"
            make_user(session, role=role, email=email, iso3=iso3, org=org)
            _, token = issue_token(session, email=email, scope="write", actor="tests")
            result[name] = {"Authorization": f"Bearer {token}"}
    return result


def test_moving_back_to_the_initial_status_is_a_conflict_not_a_server_error(
    empty_client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    # No rule covered a lifecycle's initial status (received, planned): asking for it raised
    # KeyError (500). Nothing leads back there, and the answer says what is allowed next.
    client = empty_client
    created = client.post("/api/v1/assistance/requests", json=REQUEST, headers=headers["poc"])
    request_url = f"/api/v1/assistance/requests/{created.json()['request']['id']}"
    back = client.post(
        f"{request_url}/transitions", json={"to": "received"}, headers=headers["expert"]
    )
    error = assert_error(back, 409, "conflict")
    assert "allowed next: authenticated, closed" in error["message"]
    for status in ("authenticated", "acknowledged", "circulated"):
        client.post(f"{request_url}/transitions", json={"to": status}, headers=headers["expert"])
    offer = client.post(
        "/api/v1/assistance/offers",
        json={"title": "Training", "help_types": ["training"], "capacity": 1},
        headers=headers["provider"],
    ).json()["offer"]
    item = client.get(request_url, headers=headers["expert"]).json()["request"]["items"][0]
    pair = {"item_id": item["id"], "offer_id": offer["id"]}
    client.post(
        "/api/v1/assistance/judgements",
        json={**pair, "verdict": "accept"},
        headers=headers["expert"],
    )
    project = client.post("/api/v1/assistance/projects", json=pair, headers=headers["expert"])
    assert project.status_code == 201, project.text
    project_url = f"/api/v1/assistance/projects/{project.json()['project']['id']}"
    back = client.post(
        f"{project_url}/transitions", json={"to": "planned"}, headers=headers["provider"]
    )
    error = assert_error(back, 409, "conflict")
    assert "cannot become planned" in error["message"]
    # What a project or request may do next is unchanged: never back to where it began.
    shown = client.get(project_url, headers=headers["provider"]).json()["project"]
    assert "planned" not in shown["allowed_actions"]


@pytest.mark.parametrize("path", ["/api/v1/trends", "/api/v1/trends.csv"])
def test_a_far_future_end_does_not_ask_for_thousands_of_points(
    client: TestClient, path: str
) -> None:
    # to=9999-12-31 built a point at every year's end until then: about 8000 points, gigabytes
    # of memory and a minute per request (the live server reached 9 GB under the fuzzer).
    response = client.get(path, params={"from": "2004-05-01", "to": "9999-12-31", "by": "field"})
    assert response.status_code == 200, response.text
    if path.endswith(".csv"):
        dates = {row["on"] for row in read_csv(response)}
    else:
        dates = set(response.json()["dates"])
    assert "9999-12-31" in dates
    assert len(dates) <= today().year - 2004 + 2  # the year ends that have passed, and `to`
