"""The workflow through the API, signed in with bearer tokens."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import assert_error
from tests.factories import make_user
from un1540.services.accounts.actions import issue_token

CELL = "op2.use:nw:legal_framework"


@dataclass
class Tokens:
    expert: dict[str, str]
    committee: dict[str, str]
    poc: dict[str, str]
    other_poc: dict[str, str]
    reader: dict[str, str]


@pytest.fixture
def tokens(empty_sessions: sessionmaker[Session]) -> Tokens:
    headers = {}
    with empty_sessions() as session, session.begin():
        for name, role, iso3, scope in [
            ("expert", "expert", None, "write"),
            ("committee", "committee", None, "write"),
            ("poc", "state_poc", "TCD", "write"),
            ("other_poc", "state_poc", "NER", "write"),
            ("reader", "expert", None, "read"),
        ]:
            email = f"{name}@example.org"
            make_user(session, role=role, email=email, iso3=iso3)
            _, token = issue_token(session, email=email, scope=scope, actor="tests")
            headers[name] = {"Authorization": f"Bearer {token}"}
    return Tokens(**headers)


def test_the_workflow_end_to_end(empty_client: TestClient, tokens: Tokens) -> None:
    client = empty_client
    opened = client.post(
        "/api/v1/states/TCD/editions", json={"reason": "first matrix"}, headers=tokens.expert
    )
    assert opened.status_code == 201, opened.text
    number = opened.json()["edition"]["number"]
    assert opened.json()["edition"]["status"] == "draft"
    base = f"/api/v1/states/TCD/editions/{number}"

    cell = client.get(f"{base}/cells/{CELL}", headers=tokens.expert).json()
    edited = client.patch(
        f"{base}/cells/{CELL}",
        headers=tokens.expert,
        json={"mark": "X", "remark": "Penal Code art. 12", "version": cell["version"]},
    )
    assert edited.status_code == 200, edited.text
    assert (edited.json()["mark"], edited.json()["version"]) == ("X", cell["version"] + 1)
    stale = client.patch(
        f"{base}/cells/{CELL}",
        headers=tokens.expert,
        json={"mark": "?", "remark": "", "version": cell["version"]},
    )
    error = assert_error(stale, 409, "conflict")
    assert error["details"]["current"]["mark"] == "X"
    assert error["details"]["yours"]["mark"] == "?"

    assert client.get(base, headers=tokens.poc).status_code == 404  # not shared yet
    assert (
        client.post(f"{base}/share", headers=tokens.expert).json()["edition"]["status"] == "shared"
    )
    assert client.get(base, headers=tokens.poc).status_code == 200
    assert client.get(base, headers=tokens.other_poc).status_code == 404
    assert client.get(base).status_code == 404

    comment = client.post(
        f"{base}/comments", headers=tokens.poc, json={"cell": CELL, "body": "Amended in 2023."}
    )
    assert comment.status_code == 201, comment.text
    proposal = client.post(
        f"{base}/proposals",
        headers=tokens.poc,
        json={
            "cell": CELL,
            "mark": "X",
            "remark": "Penal Code art. 12 (2023)",
            "reason": "amended",
        },
    )
    assert proposal.status_code == 201, proposal.text
    blocked = client.post(f"{base}/approve", headers=tokens.committee)
    assert assert_error(blocked, 409, "conflict")["details"]["pending_proposals"] == 1
    decided = client.post(
        f"{base}/proposals/{proposal.json()['id']}/decision",
        headers=tokens.expert,
        json={"accept": True, "note": "thank you"},
    )
    assert decided.json()["status"] == "accepted"
    assert (
        client.get(f"{base}/cells/{CELL}", headers=tokens.expert).json()["remark"]
        == "Penal Code art. 12 (2023)"
    )
    assert client.post(f"{base}/agree", headers=tokens.poc).json()["edition"]["status"] == "agreed"
    # The accepted X cites no document: approval lists it until it is fixed or waived.
    refused = client.post(f"{base}/approve", headers=tokens.committee, json={"reason": "m. 120"})
    problems = assert_error(refused, 409, "conflict")["details"]["evidence_problems"]
    assert [(p["cell"], p["rule"]) for p in problems] == [(CELL, "x_requires_evidence")]
    waived = client.post(
        f"{base}/cells/{CELL}/waivers",
        headers=tokens.committee,
        json={"rule": "x_requires_evidence", "reason": "the Penal Code is cited in the remark"},
    )
    assert waived.status_code == 201, waived.text
    assert (waived.json()["unwaived"], waived.json()["waived"]) == (0, 1)
    approved = client.post(
        f"{base}/approve", headers=tokens.committee, json={"reason": "meeting 120"}
    )
    assert approved.json()["edition"]["status"] == "approved"

    public = client.get("/api/v1/states/TCD/matrix").json()
    assert public["edition"]["number"] == number
    assert client.get(f"{base}/comments").status_code == 200
    assert client.get(f"{base}/comments").json()["items"] == []  # never public
    assert client.get(f"{base}/comments", headers=tokens.poc).json()["total"] == 1
    history = client.get(f"/api/v1/states/TCD/cells/{CELL}/history", headers=tokens.poc).json()
    assert [e["mark"] for e in history["editions"]] == ["X"]
    assert [e["action"] for e in history["events"]] == [
        "cell.update",
        "cell.accept_proposal",
        "cell.waive_rule",
    ]
    assert client.get(f"/api/v1/states/TCD/cells/{CELL}/history").json()["events"] == []


def test_who_may_not_do_what(empty_client: TestClient, tokens: Tokens) -> None:
    client = empty_client
    assert_error(client.post("/api/v1/states/TCD/editions"), 401, "unauthenticated")
    assert_error(
        client.post("/api/v1/states/TCD/editions", headers=tokens.committee), 403, "forbidden"
    )
    assert_error(
        client.post("/api/v1/states/TCD/editions", headers=tokens.reader), 403, "forbidden"
    )
    assert_error(
        client.post("/api/v1/states/TCD/editions", headers={"Authorization": "Bearer nope"}),
        401,
        "unauthenticated",
    )
    assert_error(
        client.post("/api/v1/states/TCD/editions", headers={"Authorization": "Basic abc"}),
        401,
        "unauthenticated",
    )
    number = client.post("/api/v1/states/TCD/editions", headers=tokens.expert).json()["edition"][
        "number"
    ]
    assert_error(client.post("/api/v1/states/TCD/editions", headers=tokens.expert), 409, "conflict")
    base = f"/api/v1/states/TCD/editions/{number}"
    assert_error(
        client.post(f"{base}/approve", headers=tokens.committee), 409, "conflict"
    )  # never shared
    assert_error(
        client.post(f"{base}/share", headers=tokens.poc), 404, "not_found"
    )  # cannot see the draft
    cell = client.get(f"{base}/cells/{CELL}", headers=tokens.reader).json()  # read tokens read
    assert cell["version"] == 1
    assert_error(
        client.patch(
            f"{base}/cells/{CELL}",
            headers=tokens.reader,
            json={"mark": "X", "remark": "", "version": 1},
        ),
        403,
        "forbidden",
    )
    assert_error(
        client.patch(
            f"{base}/cells/{CELL}",
            headers=tokens.expert,
            json={"mark": "Q", "remark": "", "version": 1},
        ),
        422,
        "invalid_data",
        "mark",
    )
    assert_error(
        client.patch(
            f"{base}/cells/{CELL}",
            headers=tokens.expert,
            json={"mark": "X", "version": 1, "colour": "red"},
        ),
        422,
        "invalid_parameter",
    )
    assert_error(
        client.patch(
            f"{base}/cells/op2.nothing:nw:enforcement",
            headers=tokens.expert,
            json={"mark": "X", "remark": "", "version": 1},
        ),
        404,
        "not_found",
    )
    assert client.delete(base, headers=tokens.expert).status_code == 204
    assert_error(client.get(base, headers=tokens.expert), 404, "not_found")


def test_me(empty_client: TestClient, tokens: Tokens) -> None:
    assert_error(empty_client.get("/api/v1/me"), 401, "unauthenticated")
    me = empty_client.get("/api/v1/me", headers=tokens.poc).json()
    assert (me["email"], me["role"], me["state"], me["token_scope"]) == (
        "poc@example.org",
        "state_poc",
        "TCD",
        "write",
    )
