"""Risk notes' coverage by region, checked against a small case counted by hand, through the
service, the API and the pages (one database set-up for all)."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import make_document, make_edition
from un1540.models.base import today
from un1540.reference.states import load_states
from un1540.services.coverage.risks import risk_coverage
from un1540.services.kernel.access import PUBLIC
from un1540.services.matrix.inputs import CellInput, EvidenceInput


def _x(session: Session, iso3: str, key: str) -> CellInput:
    document = make_document(session, iso3=iso3, issued_on=date(2009, 3, 1))
    return CellInput(key=key, mark="X", evidence=[EvidenceInput(document_id=document.id, page="2")])


def _small_case(session: Session) -> None:
    """online_payments answers with op2.finance and op3cd.financing: 2 fields x 3 weapon
    categories x 2 columns = 12 cells per State (cells not given are blank)."""
    make_edition(
        session,
        iso3="TCD",
        approved_on=date(2012, 5, 1),
        cells=[_x(session, "TCD", "op2.finance:nw:legal_framework")],
    )  # Africa, with measures
    make_edition(
        session,
        iso3="NGA",
        approved_on=date(2013, 5, 1),
        cells=[CellInput(key="op3cd.financing:cw:enforcement", mark="?")],
    )  # Africa: "?" is not a measure
    make_edition(
        session,
        iso3="KEN",
        approved_on=date(2020, 1, 10),
        cells=[_x(session, "KEN", "op3cd.financing:bw:legal_framework")],
    )  # Africa, only from 2020
    make_edition(
        session,
        iso3="FRA",
        approved_on=date(2011, 1, 1),
        cells=[_x(session, "FRA", "op2.transfer:nw:legal_framework")],
    )  # Europe: a measure, but not in the note's fields
    make_edition(
        session,
        iso3="BRA",
        approved_on=date(2014, 1, 1),
        cells=[CellInput(key="op2.finance:cw:legal_framework", mark="NA")],
    )  # Americas: one cell not applicable


def _members(region: str) -> int:
    return sum(1 for state in load_states() if state.m49_region == region)


def test_coverage_by_region_matches_the_hand_count(
    empty_session: Session, empty_client: TestClient
) -> None:
    _small_case(empty_session)
    result = risk_coverage(empty_session, viewer=PUBLIC, as_of=date(2016, 1, 1))
    note = next(item for item in result.items if item.id == "online_payments")
    rows = {row.region: row for row in note.regions}
    assert [f.code for f in note.fields] == ["op2.finance", "op3cd.financing"]
    africa = rows["africa"]
    assert (africa.states, africa.counted, africa.with_measures) == (_members("africa"), 2, 1)
    assert africa.share == 0.5
    assert not africa.thin
    assert (africa.tally.cells, africa.tally.measures, africa.tally.uncertain) == (24, 1, 1)
    assert africa.tally.coverage == 1 / 24
    europe, americas = rows["europe"], rows["americas"]
    assert (europe.counted, europe.with_measures, europe.share, europe.thin) == (1, 0, 0.0, True)
    assert (americas.counted, americas.tally.not_applicable, americas.tally.applicable) == (
        1,
        1,
        11,
    )
    assert rows["asia"].counted == 0
    assert rows["asia"].share is None
    assert not rows["asia"].thin
    assert (note.overall.counted, note.overall.with_measures, note.overall.share) == (4, 1, 0.25)
    assert note.overall.states == 193
    # FRA's measure counts for the notes that name op2.transfer, not for this one.
    transfers = next(item for item in result.items if item.id == "intangible_transfers")
    assert {r.region: r.with_measures for r in transfers.regions}["europe"] == 1
    # On a later date KEN's edition is in force too; before any edition, nothing is counted.
    later = risk_coverage(
        empty_session, viewer=PUBLIC, as_of=date(2021, 1, 1), note_id="online_payments"
    )
    (later_note,) = later.items
    africa_later = {row.region: row for row in later_note.regions}["africa"]
    assert (africa_later.counted, africa_later.with_measures) == (3, 2)
    early = risk_coverage(empty_session, viewer=PUBLIC, as_of=date(2005, 1, 1))
    assert all(item.overall.counted == 0 for item in early.items)

    # The API gives the same figures, today by default, and names bad input.
    answer = empty_client.get("/api/v1/risks?as_of=2016-01-01").json()
    assert answer["version"] == result.version
    assert answer["as_of"] == "2016-01-01"
    api_note = next(item for item in answer["items"] if item["id"] == "online_payments")
    assert {r["region"]: r["with_measures"] for r in api_note["regions"]}["africa"] == 1
    assert "not the risk" in answer["caveat"]
    assert empty_client.get("/api/v1/risks").json()["as_of"] == today().isoformat()
    one = empty_client.get("/api/v1/risks/logistics?as_of=2016-01-01").json()
    assert [item["id"] for item in one["items"]] == ["logistics"]
    assert empty_client.get("/api/v1/risks/no_such_note").status_code == 404
    # Any date is valid: before resolution 1540 no State is counted and every share is null.
    before = empty_client.get("/api/v1/risks?as_of=2000-01-01").json()
    assert all(item["overall"]["counted"] == 0 for item in before["items"])
    assert all(row["share"] is None for item in before["items"] for row in item["regions"])
    bad_date = empty_client.get("/api/v1/risks?as_of=2016-13-01")
    assert bad_date.status_code == 422
    assert "as_of" in bad_date.text

    # The page: the region-by-risk table with thin cells marked, the caveat, links to fields.
    page = empty_client.get("/risks?as_of=2016-01-01")
    assert page.status_code == 200
    assert 'id="risks-caveat"' in page.text
    assert "not the risk" in page.text
    assert 'class="num risk-thin"' in page.text
    assert "/fields/op3cd.financing" in page.text
    assert "/risks/online_payments?as_of=2016-01-01" in page.text
    detail = empty_client.get("/risks/online_payments?as_of=2016-01-01")
    assert detail.status_code == 200
    assert "S/2016/1013" in detail.text
    french = empty_client.get("/risks?lang=fr")
    assert "Biologie de synthèse" in french.text
    assert "Transferts immatériels" in french.text
    assert empty_client.get("/risks/no_such_note").status_code == 404
