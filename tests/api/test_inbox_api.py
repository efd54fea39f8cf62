"""GET /api/v1/inbox: the caller's own inbox (a read token suffices), paged per section; one
account's inbox never shows another's items; the public is refused."""

from __future__ import annotations

from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.api.helpers import assert_error
from tests.factories import make_user
from un1540.models import ActionPlan, ActionPlanMeasure, ActionPlanMilestone, State
from un1540.services.accounts.actions import issue_token
from un1540.services.inbox.reads import inbox
from un1540.services.kernel.access import Viewer


def _token(session: Session, *, iso3: str, email: str) -> tuple[Viewer, dict[str, str]]:
    viewer = make_user(session, role="state_poc", iso3=iso3, email=email)
    _, token = issue_token(session, email=email, scope="read", actor="tests")
    return viewer, {"Authorization": f"Bearer {token}"}


def _links(body: dict[str, Any]) -> set[str]:
    return {item["link"] for section in body["sections"] for item in section["items"]}


def test_each_account_reads_its_own_inbox_only(client: TestClient, session: Session) -> None:
    state_id = session.scalar(
        select(ActionPlan.state_id)
        .join(ActionPlanMeasure, ActionPlanMeasure.plan_id == ActionPlan.id)
        .join(ActionPlanMilestone, ActionPlanMilestone.measure_id == ActionPlanMeasure.id)
        .where(ActionPlanMilestone.status == "pending")
        .limit(1)
    )
    iso3 = session.scalar(select(State.iso3).where(State.id == state_id))
    assert iso3 is not None
    other_iso3 = "NER" if iso3 != "NER" else "TCD"
    viewer, mine = _token(session, iso3=iso3, email="mine@example.org")
    _, theirs = _token(session, iso3=other_iso3, email="theirs@example.org")

    body = client.get("/api/v1/inbox", headers=mine).json()
    assert body["role"] == "state_poc"
    keys = [section["key"] for section in body["sections"]]
    assert keys == ["shared", "deadlines", "requests", "milestones", "pledges"]
    milestones = next(s for s in body["sections"] if s["key"] == "milestones")
    assert milestones["total"] >= 1
    assert milestones["items"][0]["kind"] == "milestone"
    assert milestones["title"] == "Action plan milestones"
    # The same content as the portal's page (its first items, in its order, every total).
    page = inbox(session, viewer=viewer)
    assert [(s.key, s.total) for s in page.sections] == [
        (s["key"], s["total"]) for s in body["sections"]
    ]
    assert [i.link for i in page.sections[3].items] == [
        item["link"] for item in milestones["items"]
    ][: len(page.sections[3].items)]

    their_body = client.get("/api/v1/inbox", headers=theirs).json()
    plan_links = {link for link in _links(body) if link.startswith("/action-plans/")}
    assert plan_links
    assert plan_links.isdisjoint(_links(their_body))

    # Paged per section, and one section at a time.
    one = client.get(
        "/api/v1/inbox", params={"section": "milestones", "page_size": 1}, headers=mine
    ).json()
    assert [s["key"] for s in one["sections"]] == ["milestones"]
    assert one["sections"][0]["items"] == milestones["items"][:1]
    if milestones["total"] > 1:
        second = client.get(
            "/api/v1/inbox",
            params={"section": "milestones", "page_size": 1, "page": 2},
            headers=mine,
        ).json()
        assert second["sections"][0]["items"] == milestones["items"][1:2]
    assert_error(
        client.get("/api/v1/inbox", params={"section": "matches"}, headers=mine),
        404,
        "not_found",
    )
    assert client.get("/api/v1/inbox").status_code == 401
