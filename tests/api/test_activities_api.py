"""/api/v1/activities and the portal's activity pages: recording with its duplication warnings,
what each reader sees, the errors naming their field, and the pages that list activities
(the organisation's, the State's, who does what where)."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import assert_error, read_csv
from tests.factories import make_user
from tests.portal.test_workflow_pages import csrf, sign_in
from tests.services.test_assistance import offer_data, request_data
from un1540.schemas.activities import ActivityCreate
from un1540.schemas.assistance import JudgementCreate
from un1540.services.accounts.actions import issue_token
from un1540.services.activities.actions import record_activity
from un1540.services.assistance.actions.judgements import record_judgement
from un1540.services.assistance.actions.offers import create_offer
from un1540.services.assistance.actions.requests import submit_request, transition_request

ACTIVITY = {
    "organisation": "opcw",
    "state": "TCD",
    "programme": "Chemical security workshop",
    "fields": ["op3cd.border_control"],
    "weapons": ["cw"],
    "start_on": "2030-01-01",
    "end_on": "2030-12-31",
    "visibility": "public",
}


@pytest.fixture
def headers(sessions: sessionmaker[Session]) -> dict[str, dict[str, str]]:
    result = {}
    with sessions() as session, session.begin():
        for name, role, org in [
            ("expert", "expert", None),
            ("wco", "provider", "wco"),
        ]:
            email = f"activities-{name}@example.org"
            make_user(session, role=role, email=email, org=org)
            _, token = issue_token(session, email=email, scope="write", actor="tests")
            result[name] = {"Authorization": f"Bearer {token}"}
    return result


def test_record_list_and_warn(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    first = client.post("/api/v1/activities", json=ACTIVITY, headers=headers["expert"])
    assert first.status_code == 201, first.text
    body = first.json()
    assert body["warnings"] == []
    public_id = body["activity"]["id"]
    restricted = ACTIVITY | {"organisation": "unodc", "programme": "RESTRICTED-UNODC-PLAN"}
    restricted |= {"visibility": "committee"}
    hidden = client.post("/api/v1/activities", json=restricted, headers=headers["expert"])
    assert hidden.status_code == 201, hidden.text
    hidden_id = hidden.json()["activity"]["id"]
    # The WCO on every weapon category at the same time: it overlaps both; the restricted one
    # is named only by its organisation.
    mine = ACTIVITY | {"organisation": "wco", "weapons": [], "programme": "Customs course"}
    created = client.post("/api/v1/activities", json=mine, headers=headers["wco"])
    assert created.status_code == 201, created.text
    own_id = created.json()["activity"]["id"]
    warnings = created.json()["warnings"]
    assert sorted(w["activity_ids"] for w in warnings) == sorted([[own_id, public_id], [own_id]])
    assert [w["undisclosed"] for w in warnings if w["undisclosed"]] == [
        ["an activity by United Nations Office on Drugs and Crime"]
    ]
    assert "RESTRICTED-UNODC-PLAN" not in created.text
    # Listing and filters; the restricted one is not the public's.
    listed = client.get("/api/v1/activities?state=TCD&weapon=cw").json()
    assert {item["id"] for item in listed["items"]} == {public_id, own_id}
    assert listed["synthetic"] is False
    assert client.get(f"/api/v1/activities/{hidden_id}").status_code == 404
    seen = client.get(f"/api/v1/activities/{hidden_id}", headers=headers["expert"])
    assert seen.json()["activity"]["programme"] == "RESTRICTED-UNODC-PLAN"
    demo = client.get("/api/v1/activities?state=FRA").json()
    assert demo["synthetic"] is True
    assert demo["items"]
    assert all(item["programme"].startswith("[Synthetic]") for item in demo["items"])
    assert_error(client.get("/api/v1/activities?weapon=rw"), 422, "invalid_parameter", "weapon")
    assert_error(
        client.get("/api/v1/activities?organisation=nobody"),
        422,
        "invalid_parameter",
        "organisation",
    )
    # Who does what where: the activities beside the projects, and the warnings across them.
    www = client.get("/api/v1/assistance/who-what-where", headers=headers["expert"]).json()
    assert {public_id, hidden_id, own_id} <= {a["id"] for a in www["activities"]}
    assert any(set(w["activity_ids"]) == {public_id, own_id} for w in www["warnings"])
    public_www = client.get("/api/v1/assistance/who-what-where").json()
    assert hidden_id not in {a["id"] for a in public_www["activities"]}
    assert "RESTRICTED-UNODC-PLAN" not in str(public_www)
    # The CSV holds the activities too, after the projects (it held projects only before).
    expert_csv = read_csv(
        client.get("/api/v1/assistance/who-what-where.csv", headers=headers["expert"])
    )
    listed = {int(r["activity_id"]) for r in expert_csv if r["kind"] == "activity"}
    assert {public_id, hidden_id, own_id} <= listed
    public_csv = read_csv(client.get("/api/v1/assistance/who-what-where.csv"))
    assert hidden_id not in {int(r["activity_id"]) for r in public_csv if r["kind"] == "activity"}


def test_bad_input_names_the_field(client: TestClient, headers: dict[str, dict[str, str]]) -> None:
    assert_error(client.post("/api/v1/activities", json=ACTIVITY), 401, "unauthenticated")
    backwards = ACTIVITY | {"start_on": "2030-06-01", "end_on": "2030-01-01"}
    assert_error(
        client.post("/api/v1/activities", json=backwards, headers=headers["expert"]),
        422,
        "invalid_data",
        "end_on",
    )
    unknown = ACTIVITY | {"organisation": "nobody", "state": "ZZZ", "weapons": ["rw"]}
    error = assert_error(
        client.post("/api/v1/activities", json=unknown, headers=headers["expert"]),
        422,
        "invalid_data",
    )
    assert {"organisation", "state", "weapons"} <= {p["where"] for p in error["problems"]}
    assert_error(
        client.post("/api/v1/activities", json=ACTIVITY, headers=headers["wco"]),
        403,
        "forbidden",
        "organisation",
    )
    assert client.get("/api/v1/activities?state=TCD").json()["total"] == 0  # nothing written


def test_the_portal_form_warns_and_the_pages_list_activities(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session, session.begin():
        make_user(session, role="provider", email="page-wco@example.org", org="wco")
        make_user(session, role="expert", email="page-expert@example.org")
    sign_in(client, "page-expert@example.org")
    page = client.get("/activities")
    # The form starts at the restrictive default: the Committee side and the State concerned.
    assert '<option value="owning_state_and_committee" selected>' in page.text
    form = {
        "csrf_token": csrf(page.text),
        "organisation": "opcw",
        "state": "TCD",
        "programme": "Chemical security workshop",
        "fields": "op3cd.border_control",
        "weapons": "cw",
        "start_on": "2030-01-01",
        "end_on": "2030-12-31",
        "visibility": "public",
    }
    done = client.post("/activities", data=form)
    assert done.status_code == 200, done.text[:300]
    assert "recorded." in done.text
    client.cookies.clear()
    sign_in(client, "page-wco@example.org")
    page = client.get("/activities")
    assert 'id="activity-form"' in page.text
    assert '<option value="wco">' in page.text
    assert '<option value="opcw">' not in page.text.split('id="activity-form"')[1]
    mine = form | {
        "csrf_token": csrf(page.text),
        "organisation": "wco",
        "programme": "Customs course",
        "weapons": "",
        "visibility": "owning_state_and_committee",
    }
    done = client.post("/activities", data=mine)
    assert "recorded." in done.text
    flashes = re.findall(r"flash-[a-z]+\">([^<]*)", done.text)
    assert any(text.startswith("Possible duplication in Chad, ") for text in flashes), flashes
    refused = client.post("/activities", data=form | {"csrf_token": csrf(done.text)})
    assert "not your organisation" in refused.text
    client.cookies.clear()
    # The public sees the public activity on the organisation's and the State's pages, not the
    # one seen only by the Committee side and the State concerned.
    organisation = client.get("/organisations/opcw").text
    assert "Chemical security workshop" in organisation
    state = client.get("/states/TCD").text
    assert "Chemical security workshop" in state
    assert "Customs course" not in state
    assert "Customs course" not in client.get("/organisations/wco").text
    www = client.get("/who-what-where").text
    assert "Chemical security workshop" in www
    # Its map counts the activities beside the projects (it counted projects only before).
    listed = client.get("/api/v1/assistance/who-what-where?page_size=100").json()
    expected = sum(r["iso3"] == "TCD" for r in listed["items"]) + sum(
        a["state"] == "TCD" for a in listed["activities"]
    )
    island = re.search(r'id="projects-map-data">(.*?)</script>', www, re.S)
    assert island is not None
    shown = {p["iso3"]: p["value"] for p in json.loads(island.group(1))["states"]}
    assert shown["TCD"] == expected
    assert expected > sum(r["iso3"] == "TCD" for r in listed["items"])
    assert client.get("/activities?lang=ar").status_code == 200
    assert client.get("/activities?weapon=rw").status_code == 422


def test_opening_a_project_returns_the_activities_it_may_duplicate(
    client: TestClient, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session, session.begin():
        people = {
            "poc": make_user(session, role="state_poc", iso3="TCD"),
            "iaea": make_user(session, role="provider", org="iaea"),
            "expert": make_user(session, role="expert", email="projects-expert@example.org"),
        }
        item = {**request_data().items[0].model_dump(), "fields": ["op3cd.border_detection"]}
        request = submit_request(
            session, viewer=people["poc"], data=request_data(title="Detectors", items=[item])
        )
        for status in ("authenticated", "acknowledged", "circulated"):
            transition_request(session, viewer=people["expert"], request_id=request.id, to=status)
        offer = create_offer(session, viewer=people["iaea"], data=offer_data(title="Detectors"))
        pair = {"item_id": request.items[0].id, "offer_id": offer.id}
        record_judgement(
            session, viewer=people["expert"], data=JudgementCreate(**pair, verdict="accept")
        )
        customs = record_activity(
            session,
            viewer=people["expert"],
            data=ActivityCreate.model_validate(
                ACTIVITY
                | {"organisation": "wco", "fields": ["op3cd.border_detection"]}
                | {"weapons": [], "visibility": "committee", "programme": "Customs"}
            ),
        ).id
        _, token = issue_token(
            session, email="projects-expert@example.org", scope="write", actor="tests"
        )
    opened = client.post(
        "/api/v1/assistance/projects",
        json=pair | {"start_on": "2030-03-01", "end_on": "2030-09-30"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert opened.status_code == 201, opened.text
    project_id = opened.json()["project"]["id"]
    [warning] = opened.json()["warnings"]
    assert (warning["project_ids"], warning["activity_ids"]) == ([project_id], [customs])
    assert warning["field"] == "op3cd.border_detection"
