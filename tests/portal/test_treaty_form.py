"""The treaty status form of an OP1 treaty cell in the edition workspace (issue 12, item 6)."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.portal.test_workflow_pages import (
    Portal,
    browser,
    csrf,
    portal,  # noqa: F401  (the fixture)
    post_form,
    sign_in,
)
from un1540.models import AuditEvent

TREATY_CELL = "op1.cwc:any:adherence"
CELL_PATH = f"/states/GHA/editions/1/cells/{TREATY_CELL}"
TREATY_PATH = f"{CELL_PATH}/treaty"


def _expert_with_draft(portal: Portal) -> TestClient:  # noqa: F811
    expert = browser(portal)
    sign_in(expert, "expert@example.org")
    post_form(expert, "/states/GHA", "/states/GHA/editions", {"reason": "first matrix"})
    return expert


def _post(client: TestClient, data: dict[str, str]) -> tuple[int, str]:
    page = client.get(CELL_PATH)
    response = client.post(TREATY_PATH, data={"csrf_token": csrf(page.text), **data})
    return response.status_code, response.text


def test_an_expert_records_a_treaty_status_on_the_cell_page(portal: Portal) -> None:  # noqa: F811
    expert = _expert_with_draft(portal)
    page = expert.get(CELL_PATH).text
    assert f'action="{TREATY_PATH}"' in page
    assert "Not recorded" in page
    status, text = _post(
        expert,
        {
            "status": "ratified",
            "signed_on": "1993-01-14",
            "status_on": "1997-07-09",
            "asserted_by": "committee_finding",
            "reason": "OPCW list of States Parties",
        },
    )
    assert status == 200, text[:400]
    assert "Treaty status saved." in text
    assert "Ratified" in text
    assert "Committee finding" in text
    api_cell = expert.get(f"/api/v1/states/GHA/editions/1/cells/{TREATY_CELL}").json()
    assert api_cell["instrument"] == "cwc"
    assert api_cell["treaty"] == {
        "instrument": "cwc",
        "status": "ratified",
        "signed_on": "1993-01-14",
        "status_on": "1997-07-09",
        "asserted_by": "committee_finding",
    }
    with portal.sessions() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "cell.treaty_status")
        ).one()
        assert event.reason == "OPCW list of States Parties"
    # The form now shows what is recorded.
    again = expert.get(CELL_PATH).text
    assert 'value="1997-07-09"' in again
    assert '<option value="ratified" selected>' in again


def test_a_bad_treaty_status_is_shown_on_the_form_naming_the_field(portal: Portal) -> None:  # noqa: F811
    expert = _expert_with_draft(portal)
    status, text = _post(
        expert,
        {
            "status": "ratified",
            "status_on": "1992-12-31",
            "asserted_by": "state_report",
            "reason": "national report",
        },
    )
    assert status == 422
    assert 'id="treaty-error"' in text
    # Each field by its label on the form (web/portal/messages.py), the service's message kept.
    assert (
        "Date of ratification, accession or succession: 1992-12-31 is before the CWC opened "
        "for signature" in text
    )
    assert 'value="1992-12-31"' in text  # what was typed stays in the form
    status, text = _post(
        expert, {"status": "ratified", "asserted_by": "", "reason": "national report"}
    )
    assert status == 422
    assert "Asserted by: must be one of" in text
    status, text = _post(
        expert,
        {"status": "signed", "signed_on": "not a date", "asserted_by": "state_report"},
    )
    assert status == 422
    assert "Date of signature: is not a date (YYYY-MM-DD)" in text
    status, text = _post(
        expert,
        {"status": "not_party", "signed_on": "1993-01-14", "asserted_by": "state_report"},
    )
    assert status == 422
    assert "Status: a State that is not party has no treaty dates" in text
    api_cell = expert.get(f"/api/v1/states/GHA/editions/1/cells/{TREATY_CELL}").json()
    assert api_cell["treaty"] is None  # nothing was written


def test_the_form_is_only_on_treaty_cells_and_only_for_editors(portal: Portal) -> None:  # noqa: F811
    expert = _expert_with_draft(portal)
    other = "/states/GHA/editions/1/cells/op2.transfer:cw:enforcement"
    assert 'id="treaty-title"' not in expert.get(other).text
    page = expert.get(other)
    refused = expert.post(
        f"{other}/treaty",
        data={
            "csrf_token": csrf(page.text),
            "status": "not_party",
            "asserted_by": "state_report",
            "reason": "x",
        },
    )
    assert refused.status_code == 422
    assert "not an OP1 treaty cell" in refused.text
    poc = browser(portal)
    sign_in(poc, "poc@example.org")
    assert 'id="treaty-title"' not in poc.get(CELL_PATH).text
    no_csrf = expert.post(TREATY_PATH, data={"status": "not_party", "asserted_by": "state_report"})
    assert no_csrf.status_code == 403
