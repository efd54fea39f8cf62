"""Notifications: a circulated request tells the matching providers, a project's progress tells
both sides, and the e-mails reach a real SMTP server (aiosmtpd on loopback, started here)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.api.helpers import assert_error
from tests.conftest import Inbox, settings_for
from tests.factories import make_user
from un1540.db.engine import make_session_factory
from un1540.services.accounts.actions import issue_token
from un1540.web.app import create_app

REQUEST = {
    "title": "Border detection",
    "consent": "providers",
    "items": [
        {
            "description": "Portal monitors",
            "fields": ["op3cd.border_detection"],
            "help_types": ["equipment"],
        }
    ],
}


# A real database, not the test's rolled-back connection: the API's e-mail background task
# opens its own session while the request's session is still open. On one shared connection
# that session's commits are savepoints nested in the request's, undone when the request's
# session closes, so e-mails would be sent again; on a real database each commit stands.
@pytest.fixture
def mailing_client(fresh_engine: Engine, inbox: tuple[Inbox, int]) -> Iterator[TestClient]:
    settings = settings_for(fresh_engine).model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": inbox[1], "smtp_sender": "un1540@test"}
    )
    with TestClient(create_app(settings, engine=fresh_engine)) as client:
        yield client


@pytest.fixture
def headers(fresh_engine: Engine) -> dict[str, dict[str, str]]:
    result = {}
    with make_session_factory(fresh_engine)() as session, session.begin():
        for name, role, iso3, org in [
            ("expert", "expert", None, None),
            ("poc", "state_poc", "TCD", None),
            ("provider", "provider", None, "iaea"),
            ("other_provider", "provider", None, "opcw"),
        ]:
            email = f"{name}@example.org"
            make_user(session, role=role, email=email, iso3=iso3, org=org)
            _, token = issue_token(session, email=email, scope="write", actor="tests")
            result[name] = {"Authorization": f"Bearer {token}"}
    return result


def test_matches_and_project_progress_are_notified_in_the_api_and_by_email(
    mailing_client: TestClient, inbox: tuple[Inbox, int], headers: dict[str, dict[str, str]]
) -> None:
    client, (mailbox, _) = mailing_client, inbox
    offer = {
        "title": "Radiation detection",
        "fields": ["op3cd.border_detection"],
        "help_types": ["equipment"],
        "capacity": 2,
    }
    offer_id = client.post(
        "/api/v1/assistance/offers", json=offer, headers=headers["provider"]
    ).json()["offer"]["id"]
    unrelated = {
        **offer,
        "title": "Chemical training",
        "fields": ["op2.use"],
        "help_types": ["training"],
    }
    client.post("/api/v1/assistance/offers", json=unrelated, headers=headers["other_provider"])
    request = client.post(
        "/api/v1/assistance/requests", json=REQUEST, headers=headers["poc"]
    ).json()
    request_id = request["request"]["id"]
    for status in ("authenticated", "acknowledged", "circulated"):
        client.post(
            f"/api/v1/assistance/requests/{request_id}/transitions",
            json={"to": status},
            headers=headers["expert"],
        )
    mine = client.get("/api/v1/notifications", headers=headers["provider"]).json()
    assert [n["kind"] for n in mine["items"]] == ["match"]
    assert mine["unread"] == 1
    assert (
        client.get("/api/v1/notifications", headers=headers["other_provider"]).json()["total"] == 0
    )
    assert [m["To"] for m in mailbox.messages] == ["provider@example.org"]
    assert "matches your offer" in mailbox.messages[0]["Subject"]
    # A project delivered: both sides are told, and asked for feedback.
    item_id = request["request"]["items"][0]["id"]
    client.post(
        "/api/v1/assistance/judgements",
        json={"item_id": item_id, "offer_id": offer_id, "verdict": "accept"},
        headers=headers["expert"],
    )
    project = client.post(
        "/api/v1/assistance/projects",
        json={"item_id": item_id, "offer_id": offer_id},
        headers=headers["expert"],
    ).json()["project"]
    for status in ("in_delivery", "delivered"):
        client.post(
            f"/api/v1/assistance/projects/{project['id']}/transitions",
            json={"to": status},
            headers=headers["expert"],
        )
    kinds = [
        n["kind"]
        for n in client.get("/api/v1/notifications", headers=headers["poc"]).json()["items"]
    ]
    assert kinds == ["feedback_due", "project", "project"]
    subjects = [m["Subject"] for m in mailbox.messages if m["To"] == "poc@example.org"]
    assert any("feedback" in subject for subject in subjects)
    assert all(m["From"] == "un1540@test" for m in mailbox.messages)
    # Reading one, and nobody else's.
    first = client.get("/api/v1/notifications", headers=headers["poc"]).json()["items"][0]["id"]
    read = client.post(f"/api/v1/notifications/{first}/read", headers=headers["poc"])
    assert read.json()["read_at"] is not None
    assert_error(
        client.post(f"/api/v1/notifications/{first}/read", headers=headers["provider"]),
        404,
        "not_found",
    )
    assert_error(client.get("/api/v1/notifications"), 401, "unauthenticated")
    unread = client.get("/api/v1/notifications?unread=true", headers=headers["poc"]).json()
    assert unread["total"] == 2
    sent_before = len(mailbox.messages)
    # Nothing is sent twice.
    client.post(
        f"/api/v1/assistance/projects/{project['id']}/transitions",
        json={"to": "closed"},
        headers=headers["expert"],
    )
    new = mailbox.messages[sent_before:]
    assert {m["To"] for m in new} == {"poc@example.org", "provider@example.org"}
    assert all("closed" in m["Subject"] for m in new)
