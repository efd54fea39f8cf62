"""/api/v1/visits and the State profile: a visit from the State's invitation to its closure,
each step by the role the lifecycle names, bad input refused naming the field with nothing
written, the public summary only with the State's consent; the profile and its CSV."""

from __future__ import annotations

import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import assert_error, read_csv
from tests.factories import make_user
from un1540.models import AuditEvent, Visit
from un1540.services.accounts.actions import issue_token

ISO3 = "NGA"  # a demo State with approved editions (gaps to brief on)
DAY = datetime.now(UTC).date()


def ago(days: int) -> str:
    return (DAY - timedelta(days=days)).isoformat()


@pytest.fixture
def headers(sessions: sessionmaker[Session]) -> dict[str, dict[str, str]]:
    result = {}
    with sessions() as session, session.begin():
        for name, role, iso3 in [
            ("expert", "expert", None),
            ("committee", "committee", None),
            ("poc", "state_poc", ISO3),
            ("other_poc", "state_poc", "FRA"),
            ("provider", "provider", None),
        ]:
            email = f"visits-{name}@example.org"
            make_user(
                session,
                role=role,
                email=email,
                iso3=iso3,
                org="iaea" if role == "provider" else None,
            )
            _, token = issue_token(session, email=email, scope="write", actor="tests")
            result[name] = {"Authorization": f"Bearer {token}"}
    return result


def _step(client: TestClient, visit: int, who: dict[str, str], to: str, **body: str) -> dict:
    response = client.post(
        f"/api/v1/visits/{visit}/transitions", json={"to": to, **body}, headers=who
    )
    assert response.status_code == 200, response.text
    return response.json()["visit"]


def _invited(client: TestClient, headers: dict[str, dict[str, str]]) -> int:
    created = client.post(
        "/api/v1/visits",
        json={"state": ISO3, "invited_on": ago(60), "purpose": "Review of export controls"},
        headers=headers["poc"],
    )
    assert created.status_code == 201, created.text
    visit: int = created.json()["visit"]["id"]
    return visit


def test_a_visit_from_invitation_to_closure(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    visit = _invited(client, headers)
    url = f"/api/v1/visits/{visit}"
    # Only the Committee accepts; an expert is refused, out of order is a conflict.
    assert_error(
        client.post(f"{url}/transitions", json={"to": "accepted"}, headers=headers["expert"]),
        403,
        "forbidden",
    )
    assert_error(
        client.post(f"{url}/transitions", json={"to": "conducted"}, headers=headers["committee"]),
        403,
        "forbidden",
    )
    assert_error(
        client.post(f"{url}/transitions", json={"to": "preparation"}, headers=headers["expert"]),
        409,
        "conflict",
    )
    assert_error(client.get(f"{url}/briefing", headers=headers["expert"]), 409, "conflict")
    accepted = _step(client, visit, headers["committee"], "accepted", on=ago(50))
    assert accepted["accepted_on"] == ago(50)
    _step(client, visit, headers["expert"], "preparation")
    added = client.post(
        f"{url}/participants",
        json={"kind": "organisation", "organisation": "iaea"},
        headers=headers["expert"],
    )
    assert added.json()["visit"]["participants"][0]["name"] == "International Atomic Energy Agency"
    briefing = client.get(f"{url}/briefing", headers=headers["poc"])
    assert briefing.status_code == 200, briefing.text
    body = briefing.json()
    assert body["synthetic"] is True  # the State's demo matrix is in it
    gaps = body["profile"]["matrix"]["gaps"]
    assert {gap["section"] for gap in gaps} >= {"op1", "op2"}
    assert sum(gap["blank"] for gap in gaps) == body["profile"]["matrix"]["blank"]
    # The sections of the other domains are gathered, as the State's contact may see them.
    assert body["profile"]["contacts"]["summary"]["state"]["iso3"] == ISO3
    assert body["profile"]["contacts"]["contacts"] is not None
    assert body["profile"]["reporting"]["state"]["iso3"] == ISO3
    assert "plans" in body["profile"]["action_plans"]
    docx_file = client.get(f"{url}/briefing.docx", headers=headers["expert"])
    assert docx_file.status_code == 200
    assert docx_file.content[:2] == b"PK"
    assert "briefing-visit" in docx_file.headers["content-disposition"]
    assert_error(client.get(f"{url}/briefing", headers=headers["other_poc"]), 404, "not_found")
    # Conducted: not before it was accepted (the field named, nothing written).
    early = client.post(
        f"{url}/transitions", json={"to": "conducted", "on": ago(55)}, headers=headers["expert"]
    )
    assert_error(early, 422, "invalid_data", where="on")
    assert client.get(url, headers=headers["expert"]).json()["visit"]["status"] == "preparation"
    done = _step(client, visit, headers["expert"], "conducted", on=ago(40), until=ago(38))
    assert (done["conducted_from"], done["conducted_to"]) == (ago(40), ago(38))
    # Findings per matrix field; an unknown field is refused naming it.
    unknown = client.post(
        f"{url}/findings", json={"field": "op9.nothing", "text": "x"}, headers=headers["expert"]
    )
    assert_error(unknown, 422, "invalid_data", where="field")
    found = client.post(
        f"{url}/findings",
        json={"field": "op3cd.border_control", "weapon": "nw", "text": "No detection at ports."},
        headers=headers["expert"],
    ).json()["visit"]["findings"]
    assert [f["field"] for f in found] == ["op3cd.border_control"]
    _step(client, visit, headers["expert"], "findings")
    # One step: the finding becomes an assistance request of the State, filed by the
    # clearinghouse's own action and tagged with the finding's field and weapon.
    followed = client.post(
        f"{url}/follow-ups",
        json={
            "finding": found[0]["id"],
            "kind": "assistance_request",
            "title": "Radiation detection at ports",
            "help_type": "equipment",
        },
        headers=headers["expert"],
    )
    assert followed.status_code == 200, followed.text
    follow_up = followed.json()["visit"]["follow_ups"][0]
    assert (follow_up["status"], follow_up["assistance_request_status"]) == ("open", "received")
    request = client.get(
        f"/api/v1/assistance/requests/{follow_up['assistance_request']}", headers=headers["poc"]
    ).json()["request"]
    assert request["requester"] == ISO3
    assert request["items"][0]["fields"] == ["op3cd.border_control"]
    assert request["items"][0]["weapons"] == ["nw"]
    # Or a measure of one of the State's action plans (which one: named, else refused).
    no_plan = client.post(
        f"{url}/follow-ups",
        json={"kind": "action_plan_measure", "title": "Add port controls to the action plan"},
        headers=headers["expert"],
    )
    assert_error(no_plan, 422, "invalid_data", where="plan")
    plan = client.post(
        f"/api/v1/states/{ISO3}/action-plans",
        json={
            "title": "Plan of the visited State",
            "submitted_on": ago(30),
            "period_from": ago(30),
            "period_to": (DAY + timedelta(days=700)).isoformat(),
        },
        headers=headers["poc"],
    )
    assert plan.status_code == 201, plan.text
    plan_id = plan.json()["plan"]["id"]
    measure = client.post(
        f"{url}/follow-ups",
        json={
            "finding": found[0]["id"],
            "kind": "action_plan_measure",
            "title": "Add port controls to the action plan",
            "plan": plan_id,
        },
        headers=headers["expert"],
    ).json()["visit"]["follow_ups"][1]
    assert measure["action_plan"] == plan_id
    added = client.get(f"/api/v1/action-plans/{plan_id}", headers=headers["poc"]).json()["plan"]
    (in_plan,) = [m for m in added["measures"] if m["id"] == measure["action_plan_measure"]]
    assert (in_plan["fields"], in_plan["weapons"]) == (["op3cd.border_control"], ["nw"])
    _step(client, visit, headers["expert"], "follow_up")
    closed = client.post(f"{url}/follow-ups/{measure['id']}/close", headers=headers["expert"])
    assert closed.json()["visit"]["follow_ups"][1]["status"] == "closed"
    assert_error(
        client.post(f"{url}/transitions", json={"to": "closed"}, headers=headers["expert"]),
        403,
        "forbidden",
    )
    last = _step(client, visit, headers["committee"], "closed")
    assert last["status"] == "closed"
    assert last["next_statuses"] == []
    # The profile gathers the visit and the request it led to.
    profile = client.get(f"/api/v1/states/{ISO3}/profile", headers=headers["poc"]).json()
    assert visit in [v["id"] for v in profile["visits"]]
    assert follow_up["assistance_request"] in [r["id"] for r in profile["requests"]]
    assert profile["contacts"]["contacts"] is not None  # the State sees its own contacts
    rows = read_csv(client.get(f"/api/v1/states/{ISO3}/profile.csv", headers=headers["poc"]))
    assert {"matrix", "matrix_gaps", "visit", "assistance_request"} <= {r["section"] for r in rows}


def test_bad_input_is_refused_naming_the_field_and_nothing_is_written(
    client: TestClient, headers: dict[str, dict[str, str]], session: Session
) -> None:
    before = session.scalar(select(func.count()).select_from(Visit))
    # The Committee side records an invitation only with the State's letter.
    no_letter = client.post("/api/v1/visits", json={"state": ISO3}, headers=headers["committee"])
    assert_error(no_letter, 422, "invalid_data", where="invitation")
    future = client.post(
        "/api/v1/visits",
        json={
            "state": ISO3,
            "invitation": "Note 12/2026",
            "invited_on": (DAY + timedelta(days=3)).isoformat(),
        },
        headers=headers["committee"],
    )
    assert_error(future, 422, "invalid_data", where="invited_on")
    assert_error(
        client.post(
            "/api/v1/visits", json={"state": "XXX", "invitation": "x"}, headers=headers["committee"]
        ),
        422,
        "invalid_data",
        where="state",
    )
    # A point of contact invites to their own State only; providers and the public not at all.
    assert_error(
        client.post("/api/v1/visits", json={"state": ISO3}, headers=headers["other_poc"]),
        403,
        "forbidden",
    )
    assert_error(
        client.post("/api/v1/visits", json={"state": ISO3}, headers=headers["provider"]),
        403,
        "forbidden",
    )
    assert_error(client.post("/api/v1/visits", json={"state": ISO3}), 401, "unauthenticated")
    assert session.scalar(select(func.count()).select_from(Visit)) == before
    visit = _invited(client, headers)
    accepted_early = client.post(
        f"/api/v1/visits/{visit}/transitions",
        json={"to": "accepted", "on": ago(61)},
        headers=headers["committee"],
    )
    assert_error(accepted_early, 422, "invalid_data", where="on")
    assert_error(
        client.post(
            f"/api/v1/visits/{visit}/transitions",
            json={"to": "nowhere"},
            headers=headers["committee"],
        ),
        422,
        "invalid_data",
    )
    assert (
        client.get(f"/api/v1/visits/{visit}", headers=headers["committee"]).json()["visit"][
            "status"
        ]
        == "invited"
    )


def test_the_public_reads_a_summary_only_with_the_states_consent(
    client: TestClient, headers: dict[str, dict[str, str]], session: Session
) -> None:
    visit = _invited(client, headers)
    url = f"/api/v1/visits/{visit}"
    _step(client, visit, headers["committee"], "accepted", on=ago(50))
    _step(client, visit, headers["expert"], "preparation")
    _step(client, visit, headers["expert"], "conducted", on=ago(40))
    client.post(
        f"{url}/findings",
        json={"field": "op2.use", "text": "SECRET-FINDING"},
        headers=headers["expert"],
    )
    _step(client, visit, headers["expert"], "findings")
    assert_error(client.get(url), 404, "not_found")
    assert_error(client.get(url, headers=headers["provider"]), 404, "not_found")
    assert_error(client.get(url, headers=headers["other_poc"]), 404, "not_found")
    written = client.post(
        f"{url}/summary", json={"text": "A constructive visit."}, headers=headers["expert"]
    )
    assert written.status_code == 200, written.text
    assert_error(client.get(url), 404, "not_found")  # written, not yet agreed
    # Only the State consents; the Committee side cannot do it for it.
    assert_error(
        client.post(f"{url}/consent", json={"consent": True}, headers=headers["committee"]),
        403,
        "forbidden",
    )
    # Consent is to the text read: without it, or to another text, nothing is recorded.
    assert_error(
        client.post(f"{url}/consent", json={"consent": True}, headers=headers["poc"]),
        422,
        "invalid_data",
        "summary",
    )
    stale = client.post(
        f"{url}/consent",
        json={"consent": True, "summary": "An earlier text."},
        headers=headers["poc"],
    )
    assert_error(stale, 409, "conflict")
    assert stale.json()["error"]["details"]["current_summary"] == "A constructive visit."
    assert_error(client.get(url), 404, "not_found")  # still not public
    agreed = client.post(
        f"{url}/consent",
        json={
            "consent": True,
            "summary": "A constructive visit.",
            "reason": "Agreed by the mission",
        },
        headers=headers["poc"],
    )
    assert agreed.status_code == 200, agreed.text
    public = client.get(url).json()["visit"]
    assert public["public_summary"] == "A constructive visit."
    assert public["restricted"] is True
    assert public["findings"] == []
    assert public["participants"] == []
    assert public["purpose"] is None
    assert "SECRET-FINDING" not in client.get(url).text
    assert "SECRET-FINDING" not in client.get(f"/api/v1/states/{ISO3}/profile").text
    assert_error(client.get(f"{url}/briefing"), 401, "unauthenticated")
    assert_error(client.get(f"{url}/briefing", headers=headers["provider"]), 403, "forbidden")
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "visit.consent", AuditEvent.entity_id == str(visit)
        )
    ).one()
    assert event.after is not None
    assert event.after["summary_consent"] is True
    assert event.reason == "Agreed by the mission"
    # A changed text needs the State's word again.
    client.post(f"{url}/summary", json={"text": "A changed summary."}, headers=headers["expert"])
    assert_error(client.get(url), 404, "not_found")


def test_an_organisations_page(client: TestClient) -> None:
    page = client.get("/api/v1/organisations/iaea")
    assert page.status_code == 200, page.text
    body = page.json()
    assert body["acronym"] == "IAEA"
    assert body["offers"], "the demo's IAEA offer"
    assert isinstance(body["contacts"], list)  # those the reader may see (none for the public)
    assert isinstance(body["trainings"], list)  # the courses it funded, is named in or attended
    assert_error(client.get("/api/v1/organisations/nothing_here"), 404, "not_found")


def test_the_briefing_opens_in_libreoffice(
    client: TestClient, headers: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if soffice is None:
        pytest.skip("LibreOffice (soffice) is not installed")
    visit = _invited(client, headers)
    _step(client, visit, headers["committee"], "accepted", on=ago(50))
    document = client.get(f"/api/v1/visits/{visit}/briefing.docx", headers=headers["expert"])
    path = tmp_path / "briefing.docx"
    path.write_bytes(document.content)
    subprocess.run(
        [
            soffice,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=120,
    )
    converted = tmp_path / "briefing.pdf"
    assert converted.exists()
    assert converted.read_bytes()[:5] == b"%PDF-"
    pdf = client.get(f"/api/v1/visits/{visit}/briefing.pdf", headers=headers["expert"])
    assert pdf.status_code == 200
    assert pdf.content[:5] == b"%PDF-"


def test_the_demo_has_a_synthetic_visit_at_every_stage(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    listed = client.get("/api/v1/visits?page_size=100", headers=headers["committee"]).json()
    demo = [v for v in listed["items"] if v["synthetic"]]
    assert listed["synthetic"] is True
    assert {v["status"] for v in demo} == {
        "invited",
        "accepted",
        "preparation",
        "conducted",
        "findings",
        "follow_up",
        "closed",
    }
    assert all(v["invitation"].startswith("[Synthetic]") for v in demo)
    assert all(f["text"].startswith("[Synthetic]") for v in demo for f in v["findings"])
    # The public reads only the summary the State agreed to, and says it is synthetic.
    public = client.get("/api/v1/visits").json()
    assert [v["status"] for v in public["items"]] == ["closed"]
    assert public["items"][0]["public_summary"].startswith("[Synthetic]")
    assert public["items"][0]["findings"] == []
    assert public["notice"]


def test_the_profile_gathers_contacts_reporting_and_action_plans_as_each_reader_may_see(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    """The public sees how many contacts and since when, never their details; the reporting
    status counts only public reports; unpublished plans only for the Committee side and the
    State. The same on the portal page."""
    with_contacts = next(
        row["state"]["iso3"]
        for row in client.get("/api/v1/contacts").json()["summaries"]
        if row["state"] and row["count"]
    )
    public = client.get(f"/api/v1/states/{with_contacts}/profile").json()
    assert public["contacts"]["summary"]["count"] > 0
    assert public["contacts"]["contacts"] is None
    assert public["reporting"]["status"]["status"] in ("reported", "never_reported")
    assert all(item["visibility"] == "public" for item in public["reporting"]["items"])
    assert all(plan["published"] for plan in public["action_plans"]["plans"])
    expert = client.get(f"/api/v1/states/{with_contacts}/profile", headers=headers["expert"])
    details = expert.json()["contacts"]["contacts"]
    assert details
    page = client.get(f"/states/{with_contacts}").text
    assert 'id="profile-contacts"' in page
    assert 'id="profile-reporting"' in page
    assert all(row["email"] not in page for row in details if row["email"])
    plans = client.get(f"/api/v1/states/{ISO3}/profile", headers=headers["poc"]).json()
    mine = plans["action_plans"]["plans"]
    seen = client.get(f"/api/v1/states/{ISO3}/profile").json()["action_plans"]["plans"]
    assert {p["id"] for p in seen} == {p["id"] for p in mine if p["published"]}


def test_an_organisation_page_lists_the_courses_it_took_part_in(client: TestClient) -> None:
    """Named among a course's funders or in its source note (as the OSCE is for the Kaliningrad
    course), or attended by its recorded contacts."""
    osce = client.get("/api/v1/organisations/osce")
    assert osce.status_code == 200, osce.text
    codes = [t["code"] for t in osce.json()["trainings"]]
    assert "2016-kaliningrad" in codes
    page = client.get("/organisations/osce").text
    assert 'href="/trainings#course-2016-kaliningrad"' in page
