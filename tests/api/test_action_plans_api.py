"""Action plans through the API and the portal: create, read with progress, change, add measures
and milestones, move them (409 out of order), what an unpublished plan shows to whom."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import assert_error
from tests.factories import make_user
from tests.portal.test_workflow_pages import Portal, browser, csrf, portal, sign_in  # noqa: F401
from un1540.services.accounts.actions import issue_token

PLAN = {
    "title": "Plan 2020-2024",
    "submitted_on": "2020-02-01",
    "period_from": "2020-01-01",
    "period_to": "2024-12-31",
    "partners": ["UNLIREC", "Group of Experts"],
    "measures": [
        {
            "title": "Border detection equipment",
            "fields": ["op3cd.border_detection"],
            "weapons": ["nw"],
            "owner_agency": "Customs",
            "milestones": [{"title": "Procurement", "due_on": "2021-06-30"}],
        }
    ],
}


def _tokens(sessions: sessionmaker[Session]) -> dict[str, dict[str, str]]:
    found = {}
    with sessions() as session, session.begin():
        for name, role, iso3 in (
            ("poc", "state_poc", "GHA"),
            ("other", "state_poc", "NER"),
            ("expert", "expert", None),
            ("committee", "committee", None),
        ):
            make_user(session, role=role, email=f"{name}@example.org", iso3=iso3)
            _, token = issue_token(session, email=f"{name}@example.org", scope="write", actor="t")
            found[name] = {"Authorization": f"Bearer {token}"}
    return found


def test_plan_through_the_api(
    empty_client: TestClient, empty_sessions: sessionmaker[Session]
) -> None:
    client, tokens = empty_client, _tokens(empty_sessions)
    base = "/api/v1/states/GHA/action-plans"
    assert client.post(base, json=PLAN).status_code == 401
    assert client.post(base, json=PLAN, headers=tokens["committee"]).status_code == 403
    assert client.post(base, json=PLAN, headers=tokens["other"]).status_code == 403
    bad = {**PLAN, "period_to": "2019-01-01"}
    assert_error(
        client.post(base, json=bad, headers=tokens["poc"]), 422, "invalid_data", "period_to"
    )
    created = client.post(base, json=PLAN, headers=tokens["poc"])
    assert created.status_code == 201, created.text
    plan = created.json()["plan"]
    url = f"{base}/{plan['id']}"
    assert plan["measure_counts"]["planned"] == 1
    assert plan["measures"][0]["matrix"]["shows_progress"] is False
    assert_error(client.post(base, json=PLAN, headers=tokens["expert"]), 409, "conflict")
    # Unpublished: the State, the experts and the Committee see it; nobody else.
    for who, status in (("poc", 200), ("expert", 200), ("committee", 200), ("other", 404)):
        assert client.get(url, headers=tokens[who]).status_code == status, who
    assert client.get(url).status_code == 404
    assert client.get(base).json()["total"] == 0
    assert client.get(f"/api/v1/action-plans/{plan['id']}").status_code == 404
    measure = plan["measures"][0]
    step = f"{url}/measures/{measure['id']}/transitions"
    assert_error(client.post(step, json={"to": "done"}, headers=tokens["poc"]), 409, "conflict")
    moved = client.post(step, json={"to": "in_progress", "progress": 25}, headers=tokens["poc"])
    assert moved.json()["plan"]["measures"][0]["status"] == "in_progress"
    added = client.post(
        f"{url}/measures",
        json={"title": "Export law", "fields": ["op3cd.export_control_law"]},
        headers=tokens["expert"],
    )
    assert added.status_code == 201, added.text
    milestone = client.post(
        f"{url}/measures/{measure['id']}/milestones",
        json={"title": "Training", "due_on": "2019-06-30"},
        headers=tokens["expert"],
    )
    assert_error(milestone, 422, "invalid_data", "due_on")
    milestone_id = measure["milestones"][0]["id"]
    done = client.post(
        f"{url}/milestones/{milestone_id}/transitions", json={"to": "done"}, headers=tokens["poc"]
    )
    assert done.json()["plan"]["measures"][0]["milestones"][0]["status"] == "done"
    published = client.patch(
        url, json={"published": True, "revision": plan["revision"]}, headers=tokens["poc"]
    )
    assert published.status_code == 200, published.text
    assert client.get(url).status_code == 200
    assert client.get("/api/v1/action-plans?state=GHA").json()["total"] == 1
    stale = client.patch(
        url, json={"title": "x", "revision": plan["revision"]}, headers=tokens["poc"]
    )
    assert_error(stale, 409, "conflict")


def test_plan_in_the_portal(portal: Portal) -> None:  # noqa: F811
    expert = browser(portal)
    sign_in(expert, "expert@example.org")
    page = expert.get("/action-plans/new")
    created = expert.post(
        "/action-plans",
        data={
            "csrf_token": csrf(page.text),
            "state": "GHA",
            "title": "Ghana's plan",
            "submitted_on": "2021-01-10",
            "period_from": "2021-01-01",
            "period_to": "2025-12-31",
            "partners": "UNODA\nAU",
        },
    )
    assert created.status_code == 200, created.text[:500]
    assert "Ghana&#39;s plan" in created.text
    assert 'id="plan-unpublished"' in created.text
    plan_path = str(created.url.path)
    added = expert.post(
        f"{plan_path}/measures",
        data={
            "csrf_token": csrf(created.text),
            "title": "Licensing",
            "fields": "op1.npt",
            "weapons": "cw",
        },
    )
    assert "does not apply to cw" in added.text
    added = expert.post(
        f"{plan_path}/measures",
        data={"csrf_token": csrf(added.text), "title": "Licensing", "fields": "op3cd.licensing"},
    )
    assert "Measure added." in added.text
    assert "No edition approved since" in added.text
    public = TestClient(expert.app)
    assert public.get(plan_path).status_code == 404
    assert "Ghana" not in public.get("/action-plans").text
    poc = browser(portal)
    sign_in(poc, "poc@example.org")
    assert poc.get(plan_path).status_code == 200
    listing = poc.get("/action-plans?status=planned")
    assert "Ghana&#39;s plan" in listing.text
