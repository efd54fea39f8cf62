"""/api/v1/events and /api/v1/statements: an event recorded by the Committee side, statements
submitted by each side for whom it may speak, published once (a second time is a 409), seen
before publication only by the Committee side and the side it speaks for, found by words in
their own language; bad input refused naming the field with nothing written."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import assert_error
from tests.factories import make_user
from un1540.models import Event, Statement
from un1540.services.accounts.actions import issue_token

ISO3 = "NGA"


@pytest.fixture
def headers(sessions: sessionmaker[Session]) -> dict[str, dict[str, str]]:
    result = {}
    with sessions() as session, session.begin():
        for name, role, iso3, org in [
            ("expert", "expert", None, None),
            ("committee", "committee", None, None),
            ("poc", "state_poc", ISO3, None),
            ("other_poc", "state_poc", "FRA", None),
            ("provider", "provider", None, "iaea"),
        ]:
            email = f"events-{name}@example.org"
            make_user(session, role=role, email=email, iso3=iso3, org=org)
            _, token = issue_token(session, email=email, scope="write", actor="tests")
            result[name] = {"Authorization": f"Bearer {token}"}
    return result


def _event(client: TestClient, who: dict[str, str], **extra: object) -> dict:
    body = {
        "kind": "workshop",
        "title": "Regional workshop on border controls",
        "starts_on": "2026-03-02",
        "ends_on": "2026-03-04",
        "place": "Abuja",
        "organisers": ["Group of Experts"],
        "audiences": ["states", "industry"],
        "participants": [
            {"kind": "state", "state": ISO3},
            {"kind": "organisation", "organisation": "iaea"},
            {"kind": "other", "name": "A customs academy"},
        ],
        **extra,
    }
    response = client.post("/api/v1/events", json=body, headers=who)
    assert response.status_code == 201, response.text
    event: dict = response.json()["event"]
    return event


def _statement(client: TestClient, who: dict[str, str], event: int, **extra: object) -> dict:
    body = {
        "event": event,
        "speaker": "Head of delegation",
        "on_behalf_state": ISO3,
        "language": "fr",
        "mode": "written",
        "text": "Notre délégation a renforcé les contrôles à l'exportation.",
        "topics": ["export_controls"],
        **extra,
    }
    response = client.post("/api/v1/statements", json=body, headers=who)
    assert response.status_code == 201, response.text
    statement: dict = response.json()["statement"]
    return statement


def test_an_event_with_a_statement_submitted_published_once_and_found(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    event = _event(client, headers["committee"], visibility="public")
    assert event["visibility"] == "public"
    assert [p["kind"] for p in event["participants"]] == ["state", "organisation", "other"]
    assert event["statements"] == []
    statement = _statement(client, headers["poc"], event["id"])
    assert statement["published"] is False
    assert statement["allowed_actions"] == []
    # Not public yet: the public and another State do not see it; the State and experts do.
    url = f"/api/v1/events/{event['id']}"
    assert client.get(url).json()["event"]["statements"] == []
    assert client.get(url, headers=headers["other_poc"]).json()["event"]["statements"] == []
    assert len(client.get(url, headers=headers["poc"]).json()["event"]["statements"]) == 1
    seen = client.get(url, headers=headers["expert"]).json()["event"]["statements"]
    assert seen[0]["allowed_actions"] == ["publish"]
    assert_error(client.get(f"/api/v1/statements/{statement['id']}"), 404, "not_found")
    # Words search published statements only.
    search = "/api/v1/statements?q=CONTROLES%20delegation"
    assert client.get(search, headers=headers["expert"]).json()["total"] == 0
    # Only experts and committee members publish; the State's own contact may not.
    publish = f"/api/v1/statements/{statement['id']}/publish"
    assert_error(client.post(publish, headers=headers["poc"]), 403, "forbidden")
    published = client.post(publish, headers=headers["expert"])
    assert published.status_code == 200, published.text
    assert published.json()["statement"]["published"] is True
    again = assert_error(client.post(publish, headers=headers["committee"]), 409, "conflict")
    assert "already published" in again["message"]
    # Now everyone sees it and finds it, case and accents aside, filtered by topic and language.
    assert client.get(url).json()["event"]["statements"][0]["id"] == statement["id"]
    found = client.get(search).json()
    assert [item["id"] for item in found["items"]] == [statement["id"]]
    assert client.get(f"{search}&topic=export_controls&language=fr").json()["total"] == 1
    assert client.get(f"{search}&language=en").json()["total"] == 0
    assert client.get(f"{search}&topic=financing").json()["total"] == 0
    assert client.get(f"/api/v1/statements?state={ISO3}&event={event['id']}").json()["total"] == 1


def test_who_may_speak_for_whom(
    client: TestClient, headers: dict[str, dict[str, str]], session: Session
) -> None:
    event = _event(client, headers["expert"], visibility="states_and_providers")
    before = session.scalar(select(func.count()).select_from(Statement))
    # A State's contact only for their own State; an organisation's account for its own.
    assert_error(
        client.post(
            "/api/v1/statements",
            json={
                "event": event["id"],
                "speaker": "x",
                "on_behalf_state": ISO3,
                "language": "en",
                "mode": "delivered",
            },
            headers=headers["other_poc"],
        ),
        403,
        "forbidden",
    )
    assert_error(
        client.post(
            "/api/v1/statements",
            json={
                "event": event["id"],
                "speaker": "x",
                "on_behalf_name": "A regional group",
                "language": "en",
                "mode": "delivered",
            },
            headers=headers["poc"],
        ),
        403,
        "forbidden",
    )
    assert session.scalar(select(func.count()).select_from(Statement)) == before
    made = _statement(
        client,
        headers["provider"],
        event["id"],
        on_behalf_state=None,
        on_behalf_organisation="iaea",
        language="en",
        text="We offer training.",
    )
    assert made["on_behalf_organisation"]["code"] == "iaea"
    # The organisation sees its own statement before publication; a State's contact does not.
    url = f"/api/v1/statements/{made['id']}"
    assert client.get(url, headers=headers["provider"]).status_code == 200
    assert_error(client.get(url, headers=headers["poc"]), 404, "not_found")
    # Only the Committee side records events.
    body = {"kind": "workshop", "title": "x", "starts_on": "2026-01-01"}
    assert_error(client.post("/api/v1/events", json=body, headers=headers["poc"]), 403, "forbidden")
    assert_error(client.post("/api/v1/events", json=body), 401, "unauthenticated")


def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    client: TestClient, headers: dict[str, dict[str, str]], session: Session
) -> None:
    events = session.scalar(select(func.count()).select_from(Event))
    error = assert_error(
        client.post(
            "/api/v1/events",
            json={
                "kind": "picnic",
                "title": "Bad",
                "starts_on": "2026-05-10",
                "ends_on": "2026-05-01",
                "audiences": ["martians"],
                "participants": [
                    {"kind": "state", "state": "XXX"},
                    {"kind": "organisation", "organisation": "nobody"},
                ],
            },
            headers=headers["expert"],
        ),
        422,
        "invalid_data",
    )
    where = {problem["where"] for problem in error["problems"]}
    assert where == {
        "kind",
        "ends_on",
        "audiences",
        "participants[0].state",
        "participants[1].organisation",
    }
    assert session.scalar(select(func.count()).select_from(Event)) == events
    hidden = _event(client, headers["expert"])  # the default: the Committee side only
    assert hidden["visibility"] == "committee"
    statements = session.scalar(select(func.count()).select_from(Statement))
    # An event the author cannot see, unknown topics and fields, a State that does not exist.
    error = assert_error(
        client.post(
            "/api/v1/statements",
            json={
                "event": hidden["id"],
                "speaker": "x",
                "on_behalf_state": ISO3,
                "language": "fr",
                "mode": "written",
                "text": "x",
            },
            headers=headers["poc"],
        ),
        422,
        "invalid_data",
    )
    assert [p["where"] for p in error["problems"]] == ["event"]
    error = assert_error(
        client.post(
            "/api/v1/statements",
            json={
                "event": hidden["id"],
                "speaker": "x",
                "on_behalf_state": "XXX",
                "language": "fr",
                "mode": "written",
                "topics": ["weather"],
                "fields": ["no.such.field"],
            },
            headers=headers["expert"],
        ),
        422,
        "invalid_data",
    )
    assert {p["where"] for p in error["problems"]} == {
        "on_behalf_state",
        "topics",
        "fields",
        "text",
    }
    assert session.scalar(select(func.count()).select_from(Statement)) == statements
    assert_error(client.get("/api/v1/statements?topic=weather"), 422, "invalid_parameter")
    assert_error(client.get("/api/v1/events?kind=picnic"), 422, "invalid_parameter")


def test_the_sourced_debate_of_2016_is_public_and_not_synthetic(client: TestClient) -> None:
    body = client.get("/api/v1/events?year=2016").json()
    assert body["synthetic"] is False
    (event,) = body["items"]
    assert (event["kind"], event["starts_on"], event["origin"]) == (
        "open_debate",
        "2016-12-15",
        "import",
    )
    assert "S/2016/1013" in [d["symbol"] for d in event["documents"]]
    assert "securitycouncilreport.org" in event["source"]
    assert "7837th meeting" in event["place"]
