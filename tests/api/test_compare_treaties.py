"""Comparing States shows their OP1 treaty status, in the API and on the compare page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_user, waive_evidence_rules
from tests.io.test_treaty_io import _draft_with_treaties
from un1540.services.matrix.actions.editions import approve_edition, share_edition

TREATY_FIELDS = [
    "op1.npt",
    "op1.icsant",
    "op1.cppnm",
    "op1.cppnm_2005",
    "op1.ctbt",
    "op1.cwc",
    "op1.bwc",
    "op1.geneva_1925",
]


def _publish_france(session: Session) -> int:
    expert, number = _draft_with_treaties(session)
    share_edition(session, viewer=expert, iso3="FRA", number=number, reason="for comment")
    waive_evidence_rules(session, viewer=expert, iso3="FRA", number=number)
    committee = make_user(session, role="committee")
    approve_edition(session, viewer=committee, iso3="FRA", number=number, reason="agreed")
    return number


def test_compare_lists_each_states_treaty_status(session: Session, client: TestClient) -> None:
    number = _publish_france(session)
    body = client.get("/api/v1/compare?states=FRA,NGA,TCD").json()
    france, nigeria, chad = body["states"]
    assert france["edition"] == number
    assert [item["field"] for item in france["treaties"]] == TREATY_FIELDS
    cwc = next(item for item in france["treaties"] if item["field"] == "op1.cwc")
    assert cwc["instrument"] == "cwc"
    assert cwc["treaty"] == {
        "instrument": "cwc",
        "status": "ratified",
        "signed_on": "1993-01-13",
        "status_on": "1995-03-02",
        "asserted_by": "organisation_information",
    }
    bwc = next(item for item in france["treaties"] if item["field"] == "op1.bwc")
    assert bwc["treaty"]["status"] == "signed"
    assert [item["field"] for item in nigeria["treaties"]] == TREATY_FIELDS
    assert chad["treaties"] == []  # no edition counted
    page = client.get("/compare?states=FRA,NGA")
    assert page.status_code == 200
    table = page.text.split('id="compare-treaties"', 1)[1].split("</table>", 1)[0]
    assert "Ratified" in table
    assert "Organisation information" in table
    assert table.count("<tr>") == 1 + len(TREATY_FIELDS)
    french = client.get("/compare?states=FRA,NGA&lang=fr").text
    assert "Ratification" in french.split('id="compare-treaties"', 1)[1]
