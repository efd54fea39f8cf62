"""Commitments through the API: recorded, refused with the field named, moved on with a
fulfilment, filtered, and the outcome document as JSON, DOCX and PDF (with `as_of`)."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import docx
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import assert_error
from tests.factories import make_user
from un1540.models import Event, Origin, Visibility
from un1540.services.accounts.actions import issue_token

COMMITMENT = {
    "state": "GHA",
    "kind": "financial_pledge",
    "title": "A pledge to the trust fund",
    "announced_on": "2024-03-01",
    "target_date": "2025-03-01",
    "regions": ["african"],
    "announced_publicly": True,
}


def _setup(sessions: sessionmaker[Session]) -> tuple[dict[str, dict[str, str]], int]:
    tokens = {}
    with sessions() as session, session.begin():
        for name, role, iso3 in (("poc", "state_poc", "GHA"), ("other", "state_poc", "NER")):
            make_user(session, role=role, email=f"{name}@example.org", iso3=iso3)
            _, token = issue_token(session, email=f"{name}@example.org", scope="write", actor="t")
            tokens[name] = {"Authorization": f"Bearer {token}"}
        event = Event(
            kind="open_debate",
            title="Open debate",
            starts_on=date(2024, 3, 1),
            organisers=[],
            audiences=[],
            visibility=Visibility.public,
            origin=Origin.entry,
        )
        session.add(event)
        session.flush()
        return tokens, event.id


def test_commitments_and_the_outcome_through_the_api(
    empty_client: TestClient, empty_sessions: sessionmaker[Session]
) -> None:
    client = empty_client
    tokens, event = _setup(empty_sessions)
    body = {**COMMITMENT, "event": event}
    assert client.post("/api/v1/commitments", json=body).status_code == 401
    assert client.post("/api/v1/commitments", json=body, headers=tokens["other"]).status_code == 403
    assert_error(
        client.post(
            "/api/v1/commitments",
            json={**body, "target_date": "2024-01-01", "fields": ["op9.none"]},
            headers=tokens["poc"],
        ),
        422,
        "invalid_data",
        "target_date",
    )
    created = client.post("/api/v1/commitments", json=body, headers=tokens["poc"])
    assert created.status_code == 201, created.text
    commitment = created.json()["commitment"]
    assert commitment["visibility"] == "public"
    assert commitment["status"] == "announced"
    assert "delivered" in commitment["allowed_actions"]
    url = f"/api/v1/commitments/{commitment['id']}/transitions"
    assert_error(
        client.post(
            url,
            json={
                "to": "delivered",
                "effective_on": "2024-06-01",
                "fulfilments": [{"kind": "funding_entry", "record": 99999}],
            },
            headers=tokens["poc"],
        ),
        422,
        "invalid_data",
        "fulfilments[0].record",
    )
    moved = client.post(
        url, json={"to": "delivered", "effective_on": "2024-06-01"}, headers=tokens["poc"]
    )
    assert moved.status_code == 200, moved.text
    assert moved.json()["commitment"]["delivered_on"] == "2024-06-01"
    assert client.post(url, json={"to": "in_progress"}, headers=tokens["poc"]).status_code == 409
    listed = client.get("/api/v1/commitments", params={"state": "GHA", "status": "delivered"})
    assert [item["id"] for item in listed.json()["items"]] == [commitment["id"]]
    assert_error(
        client.get("/api/v1/commitments", params={"organisation": "nowhere"}),
        422,
        "invalid_parameter",
        "organisation",
    )
    outcome = f"/api/v1/events/{event}/outcome"
    before = client.get(outcome, params={"as_of": "2024-05-01"}).json()
    assert [item["status"] for item in before["items"]] == ["announced"]
    after = client.get(outcome).json()
    assert [item["status"] for item in after["items"]] == ["delivered"]
    word = client.get(outcome + ".docx", params={"as_of": "2024-05-01"})
    assert word.status_code == 200
    cells = [c.text for t in docx.Document(BytesIO(word.content)).tables for c in t._cells]
    assert "A pledge to the trust fund" in cells
    assert "Announced" in cells
    assert client.get(outcome + ".pdf").content.startswith(b"%PDF")
    assert client.get("/api/v1/events/99999/outcome").status_code == 404
    # The event itself lists the commitments announced at it (issue 11's interface).
    made = client.get(f"/api/v1/events/{event}").json()["event"]["commitments"]
    assert [(c["id"], c["status"]) for c in made] == [(commitment["id"], "delivered")]
    # The State's page lists the commitments it made (the public sees this public one).
    page = client.get("/states/GHA").text
    assert 'id="commitments-made"' in page
    assert "A pledge to the trust fund" in page
    assert "A pledge to the trust fund" in client.get(f"/events/{event}/outcome").text
    assert f'href="/events/{event}/outcome"' in client.get(f"/events/{event}").text
