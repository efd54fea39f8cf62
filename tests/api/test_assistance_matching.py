"""Matching that is right (trust issue, item 4), through the API: accepted pairs are fixed in the
global assignment, off-topic and out-of-region offers are never suggested (nor announced to
their providers), the requester never sees an offer the experts rejected, and every suggestion
is explained in words."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import make_user
from un1540.services.accounts.actions import issue_token

REQUEST = {
    "title": "Chemical legislation and border control",
    "summary": "Help with the CWC implementing law.",
    "consent": "providers",
    "items": [
        {
            "description": "Penal provisions for chemical weapons",
            "fields": ["op2.manufacture", "op2.use", "op2.transport"],
            "weapons": ["cw"],
            "help_types": ["legislative_drafting", "training"],
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
            ("poc", "state_poc", "TCD", None),  # Chad: African Group, Africa
            ("opcw", "provider", None, "opcw"),
            ("iaea", "provider", None, "iaea"),
            ("unlirec", "provider", None, "unlirec"),
        ]:
            email = f"{name}@example.org"
            make_user(session, role=role, email=email, iso3=iso3, org=org)
            _, token = issue_token(session, email=email, scope="write", actor="tests")
            result[name] = {"Authorization": f"Bearer {token}"}
    return result


def _offer(client: TestClient, header: dict[str, str], **values: object) -> int:
    body = {"help_types": ["training"], "capacity": 1, **values}
    response = client.post("/api/v1/assistance/offers", json=body, headers=header)
    assert response.status_code == 201, response.text
    offer_id: int = response.json()["offer"]["id"]
    return offer_id


def _request(client: TestClient, headers: dict[str, dict[str, str]], title: str) -> int:
    response = client.post(
        "/api/v1/assistance/requests", json={**REQUEST, "title": title}, headers=headers["poc"]
    )
    assert response.status_code == 201, response.text
    request_id: int = response.json()["request"]["id"]
    return request_id


def _circulate(client: TestClient, headers: dict[str, dict[str, str]], request_id: int) -> None:
    for status in ("authenticated", "acknowledged", "circulated"):
        moved = client.post(
            f"/api/v1/assistance/requests/{request_id}/transitions",
            json={"to": status},
            headers=headers["expert"],
        )
        assert moved.status_code == 200, moved.text


def _suggested(client: TestClient, header: dict[str, str], request_id: int) -> list[int]:
    body = client.get(f"/api/v1/assistance/requests/{request_id}/suggestions", headers=header)
    assert body.status_code == 200, body.text
    return [s["offer_id"] for s in body.json()["items"][0]["suggestions"]]


def _judge(
    client: TestClient, header: dict[str, str], item_id: int, offer_id: int, verdict: str
) -> None:
    judged = client.post(
        "/api/v1/assistance/judgements",
        json={"item_id": item_id, "offer_id": offer_id, "verdict": verdict},
        headers=header,
    )
    assert judged.status_code == 201, judged.text


def _item_id(client: TestClient, header: dict[str, str], request_id: int) -> int:
    body = client.get(f"/api/v1/assistance/requests/{request_id}", headers=header).json()
    item_id: int = body["request"]["items"][0]["id"]
    return item_id


def test_an_accepted_pair_is_fixed_in_the_assignment_and_uses_the_capacity_once(
    empty_client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    client = empty_client
    # One offer of capacity 1 that fits both requests; the second request fits it better
    # (French), so left to itself the assignment would give the offer to the second request.
    offer = _offer(
        client,
        headers["opcw"],
        title="CWC legislation",
        fields=["op2.manufacture", "op2.use", "op2.transport"],
        weapons=["cw"],
        help_types=["legislative_drafting", "training"],
        languages=["en"],
    )
    first = _request(client, headers, "First")
    second = client.post(
        "/api/v1/assistance/requests",
        json={**REQUEST, "title": "Second", "items": [{**REQUEST["items"][0], "languages": []}]},
        headers=headers["poc"],
    ).json()["request"]["id"]
    for request_id in (first, second):
        _circulate(client, headers, request_id)
    item = _item_id(client, headers["expert"], first)
    _judge(client, headers["expert"], item, offer, "accept")
    assignment = client.post("/api/v1/assistance/assignment", headers=headers["expert"])
    assert assignment.status_code == 200, assignment.text
    body = assignment.json()
    assert [(p["item_id"], p["offer_id"]) for p in body["pairs"]] == [(item, offer)]
    assert body["pairs"][0]["accepted"] is True
    # The capacity was used once, by the accepted pair: the other item is left out as full.
    (left_out,) = body["unassigned"]
    assert left_out["request_id"] == second
    assert "full" in left_out["reason"]


def test_off_topic_offers_are_never_suggested_nor_announced(
    empty_client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    client = empty_client
    fitting = _offer(
        client,
        headers["opcw"],
        title="CWC legislation",
        fields=["op2.manufacture", "op2.use"],
        weapons=["cw"],
        help_types=["legislative_drafting"],
        languages=["fr"],
    )
    nuclear_only = _offer(
        client,
        headers["iaea"],
        title="Nuclear legislation",
        fields=["op2.manufacture", "op2.use", "op2.transport"],
        weapons=["nw"],
        help_types=["legislative_drafting", "training"],
        languages=["fr"],
        capacity=5,
    )
    no_field = _offer(
        client,
        headers["expert"],
        provider_name="A customs school",
        title="Border control training",
        fields=["op3cd.border_control"],
        weapons=["cw"],
        help_types=["legislative_drafting", "training"],
        languages=["fr"],
        capacity=5,
    )
    no_help = _offer(
        client,
        headers["expert"],
        provider_name="An equipment donor",
        title="Detection equipment",
        fields=["op2.manufacture", "op2.use", "op2.transport"],
        weapons=["cw"],
        help_types=["equipment"],
        languages=["fr"],
        capacity=5,
    )
    latin_american = _offer(
        client,
        headers["unlirec"],
        title="Regional centre: chemical legislation",
        fields=["op2.manufacture", "op2.use", "op2.transport"],
        weapons=["cw"],
        help_types=["legislative_drafting", "training"],
        regions=["latin_american_caribbean", "americas"],
        languages=["fr"],
        capacity=5,
    )
    request_id = _request(client, headers, "Chemical")
    _circulate(client, headers, request_id)
    suggested = _suggested(client, headers["expert"], request_id)
    assert suggested == [fitting]
    for off_topic in (nuclear_only, no_field, no_help, latin_american):
        assert off_topic not in suggested
    # Only the provider of the fitting offer was told of a match.
    told = {
        name: [
            n["kind"]
            for n in client.get("/api/v1/notifications", headers=headers[name]).json()["items"]
        ]
        for name in ("opcw", "iaea", "unlirec")
    }
    assert told == {"opcw": ["match"], "iaea": [], "unlirec": []}


def test_the_requester_never_sees_an_offer_the_experts_rejected(
    empty_client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    client = empty_client
    kept = _offer(
        client,
        headers["opcw"],
        title="CWC legislation",
        fields=["op2.manufacture"],
        weapons=["cw"],
        help_types=["legislative_drafting"],
    )
    rejected = _offer(
        client,
        headers["expert"],
        provider_name="A law firm",
        title="Chemical law review",
        fields=["op2.manufacture", "op2.use", "op2.transport"],
        weapons=["cw"],
        help_types=["legislative_drafting", "training"],
        languages=["fr"],
    )
    request_id = _request(client, headers, "Chemical")
    _circulate(client, headers, request_id)
    assert _suggested(client, headers["poc"], request_id) == [rejected, kept]
    _judge(
        client,
        headers["expert"],
        _item_id(client, headers["expert"], request_id),
        rejected,
        "reject",
    )
    assert _suggested(client, headers["expert"], request_id) == [kept]
    as_requester = client.get(
        f"/api/v1/assistance/requests/{request_id}/suggestions", headers=headers["poc"]
    ).json()
    assert [s["offer_id"] for s in as_requester["items"][0]["suggestions"]] == [kept]
    assert as_requester["items"][0]["suggestions"][0]["verdict"] is None  # judgements unseen


def test_every_suggestion_is_explained_in_words(
    empty_client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    client = empty_client
    offer = _offer(
        client,
        headers["opcw"],
        title="CWC legislation",
        fields=["op2.manufacture", "op2.use"],
        weapons=["cw"],
        help_types=["training"],
        languages=["fr", "en"],
        capacity=5,
    )
    request_id = client.post(
        "/api/v1/assistance/requests",
        json={
            **REQUEST,
            "title": "Chemical and biological",
            "items": [{**REQUEST["items"][0], "weapons": ["cw", "bw"]}],
        },
        headers=headers["poc"],
    ).json()["request"]["id"]
    _circulate(client, headers, request_id)
    other = _request(client, headers, "Another")
    _circulate(client, headers, other)
    _judge(client, headers["expert"], _item_id(client, headers["expert"], other), offer, "accept")
    _judge(client, headers["expert"], _item_id(client, headers["expert"], other), offer, "accept")
    body = client.get(
        f"/api/v1/assistance/requests/{request_id}/suggestions", headers=headers["poc"]
    ).json()
    (suggestion,) = body["items"][0]["suggestions"]
    assert suggestion["offer_id"] == offer
    assert suggestion["explanation"] == (
        "covers 2 of 3 requested fields, chemical only; offers training, not legislative "
        "drafting; works in French; capacity 4 of 5 left"
    )
    reasons = {reason["code"]: reason for reason in suggestion["reasons"]}
    assert reasons["fields"]["covered"] == ["op2.manufacture", "op2.use"]
    assert reasons["fields"]["missing"] == ["op2.transport"]
    assert reasons["weapons"]["covered"] == ["cw"]
    assert reasons["weapons"]["missing"] == ["bw"]
    assert reasons["help_types"]["covered"] == ["training"]
    assert reasons["languages"]["covered"] == ["fr"]
    assert (reasons["capacity"]["left"], reasons["capacity"]["total"]) == (4, 5)
