"""/api/v1/assistance: a request filed, moved along its lifecycle and published; offers."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import assert_error, read_csv
from tests.factories import make_edition, make_user
from un1540.services.accounts.actions import issue_token
from un1540.services.matrix.inputs import CellInput

REQUEST = {
    "title": "Legislative drafting for the chemical area",
    "summary": "Help to draft the CWC implementing law.",
    "consent": "public",
    "items": [
        {
            "description": "Review of the draft penal provisions",
            "fields": ["op2.manufacture", "op2.use"],
            "weapons": ["cw"],
            "help_types": ["legislative_drafting"],
            "languages": ["fr"],
        }
    ],
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
            email = f"{name}@example.org"
            make_user(session, role=role, email=email, iso3=iso3, org=org)
            _, token = issue_token(session, email=email, scope="write", actor="tests")
            result[name] = {"Authorization": f"Bearer {token}"}
    return result


def test_a_request_from_filing_to_publication(
    empty_client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    client = empty_client
    created = client.post("/api/v1/assistance/requests", json=REQUEST, headers=headers["poc"])
    assert created.status_code == 201, created.text
    request = created.json()["request"]
    assert (request["requester"], request["status"]) == ("TCD", "received")
    assert request["next_statuses"] == ["authenticated", "closed"]
    assert request["allowed_actions"] == ["update"]  # the requester corrects, experts move it
    url = f"/api/v1/assistance/requests/{request['id']}"
    assert_error(client.get(url), 404, "not_found")  # not yet public
    as_expert = client.get(url, headers=headers["expert"]).json()["request"]
    assert as_expert["allowed_actions"] == ["update", "authenticated", "closed"]
    for status in ("authenticated", "acknowledged", "circulated"):
        moved = client.post(f"{url}/transitions", json={"to": status}, headers=headers["expert"])
        assert moved.status_code == 200, moved.text
    assert client.get(url, headers=headers["provider"]).status_code == 200  # circulated
    illegal = client.post(f"{url}/transitions", json={"to": "delivered"}, headers=headers["expert"])
    assert_error(illegal, 409, "conflict")
    client.post(f"{url}/transitions", json={"to": "published"}, headers=headers["expert"])
    public = client.get(url).json()["request"]
    assert public["status"] == "published"
    assert public["allowed_actions"] == []  # the public may do nothing with it
    assert public["items"][0]["fields"] == ["op2.manufacture", "op2.use"]
    listed = client.get("/api/v1/assistance/requests?status=published").json()
    assert [item["id"] for item in listed["items"]] == [request["id"]]
    stale = client.patch(url, json={"title": "x", "revision": 1}, headers=headers["poc"])
    assert_error(stale, 409, "conflict")
    fresh = client.patch(
        url, json={"summary": "Updated", "revision": public["revision"]}, headers=headers["poc"]
    )
    assert fresh.json()["request"]["summary"] == "Updated"


def test_bad_requests_name_every_problem(
    empty_client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    client = empty_client
    bad = {**REQUEST, "consent": "world", "items": [{**REQUEST["items"][0], "weapons": ["x"]}]}
    error = assert_error(
        client.post("/api/v1/assistance/requests", json=bad, headers=headers["poc"]),
        422,
        "invalid_data",
    )
    assert {p["where"] for p in error["problems"]} == {"consent", "items[0].weapons"}
    assert_error(client.post("/api/v1/assistance/requests", json=REQUEST), 401, "unauthenticated")
    unknown_key = {**REQUEST, "colour": "blue"}
    assert_error(
        client.post("/api/v1/assistance/requests", json=unknown_key, headers=headers["poc"]),
        422,
        "invalid_parameter",
    )
    assert_error(client.get("/api/v1/assistance/requests?status=lost"), 422, "invalid_data")
    client.post("/api/v1/assistance/requests", json=REQUEST, headers=headers["poc"])
    again = client.post("/api/v1/assistance/requests", json=REQUEST, headers=headers["poc"])
    assert_error(again, 409, "conflict")


def test_offers_are_published_and_listed(
    empty_client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    client = empty_client
    offer = {
        "title": "Chemical legislation review",
        "fields": ["op2.manufacture"],
        "weapons": ["cw"],
        "help_types": ["legislative_drafting"],
        "regions": ["africa"],
        "languages": ["en", "fr"],
        "capacity": 5,
        "budget": 40000,
        "currency": "eur",
    }
    created = client.post("/api/v1/assistance/offers", json=offer, headers=headers["provider"])
    assert created.status_code == 201, created.text
    body = created.json()["offer"]
    assert (body["provider"], body["currency"], body["capacity"]) == ("opcw", "EUR", 5)
    listed = client.get("/api/v1/assistance/offers").json()
    assert [item["title"] for item in listed["items"]] == ["Chemical legislation review"]
    negative = {**offer, "title": "Other", "capacity": -2, "budget": -1}
    error = assert_error(  # out of the bounds the OpenAPI document declares
        client.post("/api/v1/assistance/offers", json=negative, headers=headers["provider"]),
        422,
        "invalid_parameter",
    )
    assert {p["where"] for p in error["problems"]} == {"capacity", "budget"}
    text_amount = {**offer, "title": "Other", "budget": "a lot"}
    assert_error(
        client.post("/api/v1/assistance/offers", json=text_amount, headers=headers["provider"]),
        422,
        "invalid_parameter",
        "budget",
    )


def _offer(client: TestClient, header: dict[str, str], **values: object) -> int:
    body = {"help_types": ["training"], "capacity": 1, **values}
    response = client.post("/api/v1/assistance/offers", json=body, headers=header)
    assert response.status_code == 201, response.text
    offer_id: int = response.json()["offer"]["id"]
    return offer_id


def _circulated_request(
    client: TestClient, headers: dict[str, dict[str, str]], title: str, received_on: str = ""
) -> int:
    body = {**REQUEST, "title": title, **({"received_on": received_on} if received_on else {})}
    request_id: int = client.post(
        "/api/v1/assistance/requests", json=body, headers=headers["poc"]
    ).json()["request"]["id"]
    for status in ("authenticated", "acknowledged", "circulated"):
        client.post(
            f"/api/v1/assistance/requests/{request_id}/transitions",
            json={"to": status},
            headers=headers["expert"],
        )
    return request_id


def test_suggestions_judgements_and_the_global_assignment(
    empty_client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    client = empty_client
    good = _offer(
        client,
        headers["provider"],
        title="CWC legislation",
        fields=["op2.manufacture", "op2.use"],
        weapons=["cw"],
        help_types=["legislative_drafting"],
        languages=["fr"],
    )
    nuclear = _offer(
        client,
        headers["expert"],
        title="Nuclear security training",
        provider_name="A training centre",
        weapons=["nw"],
        help_types=["training"],
        regions=["asia_pacific"],
    )
    first = _circulated_request(client, headers, "First")
    second = _circulated_request(client, headers, "Second")
    url = f"/api/v1/assistance/requests/{first}/suggestions"
    body = client.get(url, headers=headers["expert"]).json()
    (item,) = body["items"]
    assert item["suggestions"][0]["offer_id"] == good
    parts = {part["code"]: part["value"] for part in item["suggestions"][0]["parts"]}
    assert parts["fields"] == 1.0
    assert parts["help_types"] == 1.0
    assert sum(p["points"] for p in item["suggestions"][0]["parts"]) == pytest.approx(
        item["suggestions"][0]["score"]
    )
    assert nuclear not in [s["offer_id"] for s in item["suggestions"]]  # below the minimum
    assert client.get(url, headers=headers["poc"]).status_code == 200  # the requester
    assert_error(client.get(url, headers=headers["provider"]), 403, "forbidden")
    # Both requests want the same offer, which takes one item: the assignment gives it once.
    assignment = client.post("/api/v1/assistance/assignment", headers=headers["expert"]).json()
    assert [pair["offer_id"] for pair in assignment["pairs"]] == [good]
    assert len(assignment["unassigned"]) == 1
    assert "full" in assignment["unassigned"][0]["reason"]
    # A rejected pair is never suggested again.
    judged = client.post(
        "/api/v1/assistance/judgements",
        json={"item_id": item["item_id"], "offer_id": good, "verdict": "reject", "note": "no"},
        headers=headers["expert"],
    )
    assert judged.status_code == 201, judged.text
    again = client.get(url, headers=headers["expert"]).json()["items"][0]["suggestions"]
    assert good not in [s["offer_id"] for s in again]
    assert_error(
        client.post(
            "/api/v1/assistance/judgements",
            json={"item_id": item["item_id"], "offer_id": good, "verdict": "maybe"},
            headers=headers["expert"],
        ),
        422,
        "invalid_data",
    )
    assert_error(
        client.post("/api/v1/assistance/assignment", headers=headers["poc"]), 403, "forbidden"
    )
    assert second != first


def test_the_loop_from_gap_to_project_to_the_changed_edition(
    empty_client: TestClient,
    empty_sessions: sessionmaker[Session],
    headers: dict[str, dict[str, str]],
) -> None:
    client = empty_client
    with empty_sessions() as session, session.begin():
        make_edition(
            session,
            iso3="TCD",
            approved_on=date(2015, 1, 1),
            cells=[CellInput(key="op2.manufacture:cw:legal_framework", mark="")],
        )
    offer_id = _offer(
        client,
        headers["provider"],
        title="CWC legislation",
        fields=["op2.manufacture", "op2.use"],
        weapons=["cw"],
        help_types=["legislative_drafting"],
    )
    request_id = _circulated_request(client, headers, "Chemical legislation", "2026-01-10")
    item_id = client.get(
        f"/api/v1/assistance/requests/{request_id}", headers=headers["expert"]
    ).json()["request"]["items"][0]["id"]
    project_body = {"item_id": item_id, "offer_id": offer_id, "milestones": [{"title": "Draft"}]}
    refused = client.post(
        "/api/v1/assistance/projects", json=project_body, headers=headers["expert"]
    )
    assert_error(refused, 409, "conflict")  # the pair must be accepted first
    client.post(
        "/api/v1/assistance/judgements",
        json={"item_id": item_id, "offer_id": offer_id, "verdict": "accept"},
        headers=headers["expert"],
    )
    created = client.post(
        "/api/v1/assistance/projects", json=project_body, headers=headers["expert"]
    )
    assert created.status_code == 201, created.text
    project = created.json()["project"]
    request_url = f"/api/v1/assistance/requests/{request_id}"
    assert (
        client.get(request_url, headers=headers["expert"]).json()["request"]["status"] == "matched"
    )
    project_url = f"/api/v1/assistance/projects/{project['id']}"
    moved = client.post(
        f"{project_url}/transitions", json={"to": "in_delivery"}, headers=headers["provider"]
    )
    assert moved.status_code == 200, moved.text
    # The provider may move, plan and deliver, and give the provider's feedback, not the other.
    assert moved.json()["project"]["allowed_actions"] == [
        "delivered",
        "closed",
        "add_milestone",
        "complete_milestone",
        "feedback_provider",
    ]
    as_recipient = client.get(project_url, headers=headers["poc"]).json()["project"]
    assert as_recipient["allowed_actions"] == ["feedback_recipient"]
    assert (
        client.get(request_url, headers=headers["expert"]).json()["request"]["status"]
        == "in_delivery"
    )
    milestone = project["milestones"][0]["id"]
    done = client.post(f"{project_url}/milestones/{milestone}/done", headers=headers["provider"])
    assert done.json()["project"]["milestones"][0]["done_on"] is not None
    client.post(f"{project_url}/transitions", json={"to": "delivered"}, headers=headers["expert"])
    assert (
        client.get(request_url, headers=headers["expert"]).json()["request"]["status"]
        == "delivered"
    )
    assert client.get(project_url, headers=headers["expert"]).json()["project"]["feedback_due"] == [
        "recipient",
        "provider",
    ]
    wrong_side = client.post(
        f"{project_url}/feedback", json={"side": "provider", "rating": 4}, headers=headers["poc"]
    )
    assert_error(wrong_side, 403, "forbidden")
    for side, who in (("recipient", "poc"), ("provider", "provider")):
        given = client.post(
            f"{project_url}/feedback",
            json={"side": side, "rating": 4, "text": "ok"},
            headers=headers[who],
        )
        assert given.status_code == 201, given.text
    assert client.get(request_url, headers=headers["expert"]).json()["request"]["status"] == (
        "feedback_received"
    )
    with empty_sessions() as session, session.begin():
        make_edition(
            session,
            iso3="TCD",
            approved_on=date(2026, 6, 1),
            cells=[CellInput(key="op2.manufacture:cw:legal_framework", mark="X")],
        )
    loop = client.get(
        "/api/v1/states/TCD/fields/op2.manufacture/loop", headers=headers["expert"]
    ).json()
    assert [e["changed"] for e in loop["editions"]] == [False, True]
    assert [r["request_id"] for r in loop["requests"]] == [request_id]
    assert loop["projects"][0]["status"] == "delivered"
    assert "changed in edition" in loop["summary"]
    rows = client.get("/api/v1/assistance/who-what-where", headers=headers["expert"]).json()[
        "items"
    ]
    assert [(r["provider"], r["iso3"], r["areas"]) for r in rows] == [
        ("opcw", "TCD", ["op2.manufacture", "op2.use"])
    ]
    csv_rows = read_csv(
        client.get("/api/v1/assistance/who-what-where.csv", headers=headers["expert"])
    )
    assert csv_rows[0]["sections"] == "op2"
    # Funding: a pledge and what was paid of it, earmarked to the project.
    for kind, amount in (("pledge", 100000), ("contribution", 60000)):
        entry = client.post(
            "/api/v1/funding/pledges",
            json={"kind": kind, "amount": amount, "currency": "usd", "project_id": project["id"]},
            headers=headers["provider"],
        )
        assert entry.status_code == 201, entry.text
    # The request was never published: the public sees the money but not whom it serves.
    assert client.get("/api/v1/funding/pledges").json()["by_recipient"] == []
    funding = client.get("/api/v1/funding/pledges", headers=headers["expert"]).json()
    (donor,) = funding["by_donor"]
    assert (donor["key"], donor["pledged"], donor["contributed"], donor["outstanding"]) == (
        "organisation:opcw",
        100000,
        60000,
        40000,
    )
    assert funding["by_recipient"][0]["key"] == "TCD"
    negative = client.post(
        "/api/v1/funding/pledges",
        json={"kind": "contribution", "amount": -5, "currency": "EUR"},
        headers=headers["provider"],
    )
    error = assert_error(negative, 422, "invalid_parameter")  # below the declared minimum
    assert {p["where"] for p in error["problems"]} == {"amount"}
    bad = client.post(
        "/api/v1/funding/pledges",
        json={"kind": "contribution", "amount": 5, "currency": "XYZ", "made_on": "2999-01-01"},
        headers=headers["provider"],
    )
    error = assert_error(bad, 422, "invalid_data")
    assert {p["where"] for p in error["problems"]} == {"currency", "made_on"}


def test_a_public_pledge_never_reveals_a_confidential_project(
    empty_client: TestClient,
    headers: dict[str, dict[str, str]],
    empty_sessions: sessionmaker[Session],
) -> None:
    client = empty_client
    from un1540.schemas.assistance import (
        AssistanceOfferCreate,
        AssistanceProjectCreate,
        AssistanceRequestCreate,
        JudgementCreate,
    )
    from un1540.services.assistance.actions.judgements import record_judgement
    from un1540.services.assistance.actions.offers import create_offer
    from un1540.services.assistance.actions.projects import open_project
    from un1540.services.assistance.actions.requests import submit_request, transition_request
    from un1540.services.kernel.access import Viewer

    with empty_sessions() as session, session.begin():
        people: dict[str, Viewer] = {
            "poc": make_user(session, role="state_poc", iso3="NER"),
            "expert": make_user(session, role="expert"),
            "provider": make_user(session, role="provider", org="iaea"),
        }
        request = submit_request(
            session,
            viewer=people["poc"],
            data=AssistanceRequestCreate.model_validate({**REQUEST, "consent": "committee"}),
        )
        for status in ("authenticated", "acknowledged", "circulated"):
            transition_request(session, viewer=people["expert"], request_id=request.id, to=status)
        offer = create_offer(
            session,
            viewer=people["provider"],
            data=AssistanceOfferCreate(
                title="Drafting help", fields=["op2.use"], help_types=["training"], capacity=1
            ),
        )
        pair = {"item_id": request.items[0].id, "offer_id": offer.id}
        record_judgement(
            session, viewer=people["expert"], data=JudgementCreate(**pair, verdict="accept")
        )
        project = open_project(
            session, viewer=people["expert"], data=AssistanceProjectCreate(**pair)
        ).id
    made = client.post(
        "/api/v1/funding/pledges",
        json={
            "kind": "pledge",
            "amount": 500,
            "currency": "USD",
            "donor_name": "A foundation",
            "project_id": project,
        },
        headers=headers["expert"],
    )
    assert made.status_code == 201, made.text
    assert made.json()["project_id"] == project
    committee_view = client.get("/api/v1/funding/pledges", headers=headers["expert"]).json()
    assert [i["project_id"] for i in committee_view["items"]] == [project]
    assert [r["key"] for r in committee_view["by_recipient"]] == ["NER"]
    public_view = client.get("/api/v1/funding/pledges").json()
    assert [(i["donor_name"], i["project_id"]) for i in public_view["items"]] == [
        ("A foundation", None)
    ]
    assert public_view["by_recipient"] == []
    page = client.get("/funding").text
    assert "A foundation" in page
    assert f"/assistance/projects/{project}" not in page
    assert "Niger" not in page


def test_a_request_starts_for_the_committee_and_widening_needs_confirm(
    empty_client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    client = empty_client
    without_consent = {key: value for key, value in REQUEST.items() if key != "consent"}
    created = client.post(
        "/api/v1/assistance/requests", json=without_consent, headers=headers["poc"]
    )
    assert created.status_code == 201, created.text
    request = created.json()["request"]
    assert request["consent"] == "committee"
    url = f"/api/v1/assistance/requests/{request['id']}"
    widen = {"consent": "public", "revision": request["revision"]}
    assert_error(client.patch(url, json=widen, headers=headers["poc"]), 422, "invalid_data")
    assert_error(
        client.post(f"{url}/consent", json=widen, headers=headers["poc"]),
        422,
        "invalid_data",
        where="confirm",
    )
    confirmed = client.post(
        f"{url}/consent", json={**widen, "confirm": True}, headers=headers["poc"]
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["request"]["consent"] == "public"
