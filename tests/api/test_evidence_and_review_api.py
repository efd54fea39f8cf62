"""Evidence rules and the State's review period through the API and the portal."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import assert_error
from tests.api.test_workflow_api import Tokens, tokens  # noqa: F401  (the fixture)
from tests.factories import PASSWORD, make_document, make_edition
from un1540.services.matrix.inputs import CellInput

CELL = "op2.use:nw:legal_framework"


def _shared(client: TestClient, tokens: Tokens) -> str:  # noqa: F811
    number = client.post("/api/v1/states/TCD/editions", headers=tokens.expert).json()["edition"][
        "number"
    ]
    base = f"/api/v1/states/TCD/editions/{number}"
    assert client.post(f"{base}/share", headers=tokens.expert).status_code == 200
    return base


def test_a_proposal_cites_documents_and_approval_records_its_basis(
    empty_client: TestClient,
    empty_sessions: sessionmaker[Session],
    tokens: Tokens,  # noqa: F811
) -> None:
    client = empty_client
    with empty_sessions() as session, session.begin():
        document = make_document(session, iso3="TCD", title="Penal Code 2023").id
    base = _shared(client, tokens)
    detail = client.get(base, headers=tokens.poc).json()
    assert detail["response_due_on"] is not None
    assert (detail["approval_basis"], detail["approval_basis_reason"]) == (None, "")
    bad = client.post(
        f"{base}/proposals",
        headers=tokens.poc,
        json={"cell": CELL, "mark": "X", "evidence": [{"document_id": 999_999, "page": "1"}]},
    )
    assert_error(bad, 422, "invalid_data", "evidence[1].document_id")
    proposal = client.post(
        f"{base}/proposals",
        headers=tokens.poc,
        json={
            "cell": CELL,
            "mark": "X",
            "remark": "Penal Code art. 12",
            "reason": "amended",
            "evidence": [{"document_id": document, "article": "12"}],
        },
    )
    assert proposal.status_code == 201, proposal.text
    assert proposal.json()["evidence"] == [
        {"document_id": document, "page": "", "article": "12", "paragraph": "", "quotation": ""}
    ]
    listed = client.get(f"{base}/proposals", headers=tokens.expert).json()["items"]
    assert listed[0]["evidence"][0]["article"] == "12"
    decided = client.post(
        f"{base}/proposals/{proposal.json()['id']}/decision",
        headers=tokens.expert,
        json={"accept": True},
    )
    assert decided.status_code == 200, decided.text
    cell = client.get(f"{base}/cells/{CELL}", headers=tokens.expert).json()
    assert [(e["document"]["id"], e["article"]) for e in cell["evidence"]] == [(document, "12")]
    assert client.get(f"{base}/evidence", headers=tokens.expert).json()["problems"] == []
    # Not agreed, before the deadline: a reason is required, and recorded.
    refused = client.post(f"{base}/approve", headers=tokens.committee)
    error = assert_error(refused, 422, "invalid_data", "reason")
    assert "the State has not agreed" in error["problems"][0]["message"]
    approved = client.post(
        f"{base}/approve", headers=tokens.committee, json={"reason": "Council meets Monday"}
    )
    assert approved.status_code == 200, approved.text
    public = client.get(base).json()  # approved: public, with its basis
    assert (public["approval_basis"], public["approval_basis_reason"]) == (
        "committee_reason",
        "Council meets Monday",
    )
    page = client.get(base.removeprefix("/api/v1") + "?lang=ar")
    assert page.status_code == 200
    assert 'dir="rtl"' in page.text
    assert "Council meets Monday" in page.text
    assert "قبل الموعد النهائي لرد الدولة" in page.text


def test_the_portal_proposal_form_cites_documents(
    empty_client: TestClient,
    empty_sessions: sessionmaker[Session],
    tokens: Tokens,  # noqa: F811
) -> None:
    client = empty_client
    with empty_sessions() as session, session.begin():
        document = make_document(session, iso3="TCD", title="Customs Act").id
    base = _shared(client, tokens)
    portal = base.removeprefix("/api/v1")
    login = client.get("/login").text
    token = re.search(r'name="csrf_token" value="([^"]+)"', login)
    assert token
    client.post(
        "/login",
        data={"email": "poc@example.org", "password": PASSWORD, "csrf_token": token.group(1)},
    )
    cell_page = client.get(f"{portal}/cells/{CELL}").text
    assert 'name="evidence-0-document"' in cell_page
    assert f'<option value="{document}">Customs Act' in cell_page
    assert "review period" not in cell_page
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', cell_page)
    assert csrf
    form = {
        "csrf_token": csrf.group(1),
        "mark": "X",
        "remark": "Customs Act s. 40",
        "reason": "in force",
        "evidence-0-document": str(document),
        "evidence-0-paragraph": "40",
        "evidence-1-document": "",
    }
    done = client.post(f"{portal}/cells/{CELL}/proposals", data=form)
    assert "Change proposed" in done.text
    assert "Cites: document" in done.text
    proposals = client.get(f"{base}/proposals").json()["items"]
    assert proposals[0]["evidence"][0]["paragraph"] == "40"
    bad = client.post(
        f"{portal}/cells/{CELL}/proposals",
        data={**form, "evidence-0-document": "not a number"},
    )
    assert "evidence" in bad.text
    assert "document_id" in bad.text
    workspace = client.get(portal).text
    assert 'id="response-due"' in workspace


def test_a_recorded_edition_shows_its_breaks_as_unchecked(
    empty_client: TestClient, empty_sessions: sessionmaker[Session]
) -> None:
    """A historical edition stays importable with an X without evidence; its public page says
    the rules were not checked, and the API lists the cell."""
    with empty_sessions() as session, session.begin():
        make_edition(session, iso3="TCD", cells=[CellInput(key=CELL, mark="X")])
    page = empty_client.get("/states/TCD/editions/1").text
    assert 'id="recorded-unchecked"' in page
    assert f"/states/TCD/editions/1/cells/{CELL}" in page
    assert 'action="/states/TCD/editions/1/cells/' not in page  # nothing to waive any more
    check = empty_client.get("/api/v1/states/TCD/editions/1/evidence").json()
    assert [(p["cell"], p["rule"], p["waived"]) for p in check["problems"]] == [
        (CELL, "x_requires_evidence", False)
    ]
    assert empty_client.get("/api/v1/states/TCD/editions/1").json()["approval_basis"] is None
