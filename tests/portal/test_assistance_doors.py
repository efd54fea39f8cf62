"""The same assistance action through the API and through the portal tells the same people the
same things, in the portal and by e-mail (aiosmtpd on loopback): the notifications and their
e-mails are the action's own after-commit effects, never a door's. The portal also keeps the
reason given for moving a project, as the API does."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select

from tests.conftest import Inbox, settings_for
from tests.factories import make_user
from tests.portal.test_workflow_pages import csrf, sign_in
from un1540.db.engine import make_session_factory
from un1540.models import AuditEvent, Notification, UserAccount
from un1540.services.accounts.actions import issue_token
from un1540.services.kernel.access import account_viewer
from un1540.services.notifications.topics import render
from un1540.web.app import create_app

# What one step told whom: (recipient, "notification: kind" or "e-mail", subject), numbers as N.
Told = list[tuple[str, str, str]]

OFFER = {
    "title": "Radiation detection",
    "fields": ["op3cd.border_detection"],
    "help_types": ["equipment"],
    "capacity": 2,
}


def request_body(received_on: str) -> dict[str, Any]:
    """Twin requests: the same title (so the same notices), filed on different days."""
    return {
        "title": "Border detection",
        "received_on": received_on,
        "consent": "providers",
        "items": [
            {
                "description": "Portal monitors",
                "fields": ["op3cd.border_detection"],
                "help_types": ["equipment"],
            }
        ],
    }


@pytest.fixture
def doors(
    fresh_engine: Engine, inbox: tuple[Inbox, int]
) -> tuple[TestClient, TestClient, dict[str, dict[str, str]]]:
    """An API client, a portal browser signed in as the expert, and the API tokens; both doors
    on one application whose sessions send e-mail through the loopback server."""
    settings = settings_for(fresh_engine).model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": inbox[1], "smtp_sender": "un1540@test"}
    )
    app = create_app(settings, engine=fresh_engine)
    tokens = {}
    with make_session_factory(fresh_engine)() as session, session.begin():
        for name, role, iso3, org in [
            ("expert", "expert", None, None),
            ("poc", "state_poc", "TCD", None),
            ("provider", "provider", None, "iaea"),
        ]:
            email = f"{name}@example.org"
            make_user(session, role=role, email=email, iso3=iso3, org=org)
            _, token = issue_token(session, email=email, scope="write", actor="tests")
            tokens[name] = {"Authorization": f"Bearer {token}"}
    portal = TestClient(app, follow_redirects=True)
    sign_in(portal, "expert@example.org")
    return TestClient(app), portal, tokens


def told(engine: Engine, inbox: Inbox, step: Callable[[], object]) -> Told:
    """Run `step`; what it told whom, by notification and by e-mail, in a comparable order."""
    sessions = make_session_factory(engine)
    with sessions() as session:
        before = session.scalar(select(Notification.id).order_by(Notification.id.desc())) or 0
    sent_before = len(inbox.messages)
    step()
    with sessions() as session:
        rows = session.execute(
            select(UserAccount, Notification)
            .join(UserAccount, UserAccount.id == Notification.user_id)
            .where(Notification.id > before)
        ).all()
        # Each as its reader is told it (the renderer the portal, the API and e-mail use).
        written = [
            (account.email, told.notification.kind, told.subject)
            for account, notification in rows
            for told in render(session, account_viewer(account), [notification])
        ]
        assert len(written) == len(rows), "a notification its reader may not read"
    numbered = re.compile(r"\d+")
    result = [
        (email, f"notification: {kind}", numbered.sub("N", subject))
        for email, kind, subject in written
    ]
    result += [
        (str(m["To"]), "e-mail", numbered.sub("N", str(m["Subject"])))
        for m in inbox.messages[sent_before:]
    ]
    return sorted(result)


def each_notice_mailed_once(result: Told) -> None:
    notices = sorted((who, subject) for who, how, subject in result if how != "e-mail")
    mails = sorted(
        (who, subject.removeprefix("[unN] ")) for who, how, subject in result if how == "e-mail"
    )
    assert mails == notices


def test_the_portal_and_the_api_tell_the_same_people_the_same_things(
    doors: tuple[TestClient, TestClient, dict[str, dict[str, str]]],
    inbox: tuple[Inbox, int],
    fresh_engine: Engine,
) -> None:
    api, portal, tokens = doors
    mailbox = inbox[0]
    offer_id = api.post("/api/v1/assistance/offers", json=OFFER, headers=tokens["provider"]).json()[
        "offer"
    ]["id"]
    twins = [
        api.post(
            "/api/v1/assistance/requests", json=request_body(day), headers=tokens["poc"]
        ).json()["request"]
        for day in ("2026-03-01", "2026-03-02")
    ]
    by_api, by_portal = twins
    projects: dict[str, int] = {}

    def api_request_step(status: str) -> Callable[[], object]:
        return lambda: api.post(
            f"/api/v1/assistance/requests/{by_api['id']}/transitions",
            json={"to": status},
            headers=tokens["expert"],
        ).raise_for_status()

    def api_project_step(status: str, reason: str) -> Callable[[], object]:
        return lambda: api.post(
            f"/api/v1/assistance/projects/{projects['api']}/transitions",
            json={"to": status, "reason": reason},
            headers=tokens["expert"],
        ).raise_for_status()

    def portal_form(page: str, action: str, data: dict[str, str]) -> Callable[[], object]:
        def submit() -> None:
            token = csrf(portal.get(page).text)
            response = portal.post(action, data={"csrf_token": token, **data})
            assert response.status_code == 200, response.text[:300]
            assert 'class="flash flash-error"' not in response.text, response.text[:2000]

        return submit

    for status in ("authenticated", "acknowledged", "circulated"):
        through_api = told(fresh_engine, mailbox, api_request_step(status))
        request_page = f"/assistance/requests/{by_portal['id']}"
        through_portal = told(
            fresh_engine,
            mailbox,
            portal_form(request_page, f"{request_page}/transitions", {"to": status}),
        )
        assert through_portal == through_api, status
        each_notice_mailed_once(through_api)
    # Circulating told the provider whose offer is suggested, in the portal and by e-mail.
    assert [(who, how) for who, how, _ in through_api] == [
        ("provider@example.org", "e-mail"),
        ("provider@example.org", "notification: match"),
    ]
    assert all(
        subject.endswith("matches your offer: Border detection") for *_, subject in through_api
    )

    # A project for each twin, opened and moved through each door.
    for door, request in (("api", by_api), ("portal", by_portal)):
        pair = {"item_id": request["items"][0]["id"], "offer_id": offer_id}
        api.post(
            "/api/v1/assistance/judgements",
            json={**pair, "verdict": "accept"},
            headers=tokens["expert"],
        ).raise_for_status()
        if door == "api":
            made = api.post("/api/v1/assistance/projects", json=pair, headers=tokens["expert"])
            projects[door] = made.json()["project"]["id"]
        else:
            request_page = f"/assistance/requests/{request['id']}"
            token = csrf(portal.get(request_page).text)
            opened = portal.post(
                "/assistance/projects",
                data={"csrf_token": token, "request_id": str(request["id"]), **pair},
            )
            found = re.search(r"/assistance/projects/(\d+)", str(opened.url))
            assert found, opened.url
            projects[door] = int(found.group(1))

    for status in ("in_delivery", "delivered", "closed"):
        reason = f"step to {status}"
        through_api = told(fresh_engine, mailbox, api_project_step(status, reason))
        project_page = f"/assistance/projects/{projects['portal']}"
        through_portal = told(
            fresh_engine,
            mailbox,
            portal_form(
                project_page, f"{project_page}/transitions", {"to": status, "reason": reason}
            ),
        )
        assert through_portal == through_api, status
        each_notice_mailed_once(through_api)
        if status == "delivered":
            delivered = through_api
        assert {recipient for recipient, how, _ in through_api if how == "e-mail"} == {
            "poc@example.org",
            "provider@example.org",
        }
    # Delivery asked both sides for their feedback.
    assert (
        "poc@example.org",
        "notification: feedback_due",
        "Your feedback on project N is due",
    ) in (delivered)
    # The portal keeps the reason, as the API does.
    with make_session_factory(fresh_engine)() as session:
        reasons = {
            event.entity_id: event.reason
            for event in session.scalars(
                select(AuditEvent).where(AuditEvent.action == "assistance_project.transition")
            )
            if event.after == {"status": "closed"}
        }
    assert reasons == {
        str(projects["api"]): "step to closed",
        str(projects["portal"]): "step to closed",
    }
