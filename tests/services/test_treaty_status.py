"""OP1 as structured data: treaty status, dates and who asserted it; counted like any field."""

from __future__ import annotations

import html
from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.api.helpers import assert_error, read_csv
from tests.factories import make_edition, make_user, waive_evidence_rules
from un1540.errors import Forbidden, InvalidData
from un1540.models import AuditEvent, CellDefinition, CellEntry, MatrixEdition, Origin
from un1540.reference.crosswalks import load_instruments, treaty_fields
from un1540.schemas.matrix import TreatyStatusInput
from un1540.services.accounts.actions import issue_token
from un1540.services.kernel.access import system_viewer
from un1540.services.matrix.actions.editions import approve_edition, open_draft, share_edition
from un1540.services.matrix.actions.treaties import set_treaty_status
from un1540.services.matrix.reads.fields import field_across_states
from un1540.services.matrix.reads.matrix import get_matrix

EXPERT = system_viewer("cli:tests")
SLUG = "un1540-matrix/reconstructed-2016"


def _status(**values: object) -> TreatyStatusInput:
    defaults: dict[str, object] = {"asserted_by": "state_report", "reason": "national report p. 3"}
    return TreatyStatusInput.model_validate({**defaults, **values})


def _publish(session: Session, iso3: str, number: int) -> None:
    share_edition(session, viewer=EXPERT, iso3=iso3, number=number, reason="for comment")
    waive_evidence_rules(session, viewer=EXPERT, iso3=iso3, number=number)
    approve_edition(session, viewer=EXPERT, iso3=iso3, number=number, reason="agreed")


def _chad_draft(session: Session) -> MatrixEdition:
    make_edition(session, iso3="TCD", approved_on=date(2015, 1, 1))
    return open_draft(session, viewer=EXPERT, iso3="TCD", reason="update")


def _treaty_columns(session: Session, edition_id: int, field: str) -> tuple[object, ...]:
    row = session.execute(
        select(CellEntry.treaty_status, CellEntry.signed_on, CellEntry.status_on)
        .join(CellDefinition, CellDefinition.id == CellEntry.cell_id)
        .where(CellEntry.edition_id == edition_id, CellDefinition.key == f"{field}:any:adherence")
    ).one()
    return tuple(row)


def test_the_treaty_fields_are_the_op1_rows_of_whole_instruments() -> None:
    fields = treaty_fields(SLUG)
    assert {code: i.code for code, i in fields.items()} == {
        "op1.npt": "npt",
        "op1.icsant": "icsant",
        "op1.cppnm": "cppnm",
        "op1.cppnm_2005": "cppnm_2005",
        "op1.ctbt": "ctbt",
        "op1.cwc": "cwc",
        "op1.bwc": "bwc",
        "op1.geneva_1925": "geneva_1925",
    }


def test_a_status_is_recorded_shown_in_the_matrix_and_carried_to_the_next_draft(
    session: Session,
) -> None:
    draft = _chad_draft(session)
    read = set_treaty_status(
        session,
        viewer=EXPERT,
        iso3="TCD",
        number=draft.number,
        field="op1.cwc",
        status=_status(status="ratified", signed_on=date(1993, 1, 13), status_on=date(2004, 2, 13)),
    )
    assert (read.instrument, read.status, read.status_on) == ("cwc", "ratified", date(2004, 2, 13))
    matrix = get_matrix(session, viewer=EXPERT, iso3="TCD", number=draft.number)
    op1 = next(s for s in matrix.sections if s.code == "op1")
    cwc = next(f for f in op1.fields if f.code == "op1.cwc").cells[0]
    assert cwc.treaty is not None
    assert (cwc.treaty.signed_on, cwc.treaty.asserted_by) == (date(1993, 1, 13), "state_report")
    assert next(f for f in op1.fields if f.code == "op1.npt").cells[0].treaty is None
    event = session.scalars(
        select(AuditEvent).where(AuditEvent.action == "cell.treaty_status")
    ).one()
    assert event.after is not None
    assert event.after["status"] == "ratified"
    assert event.reason == "national report p. 3"
    # Approved, then the next draft carries the status with the cell.
    _publish(session, "TCD", draft.number)
    following = open_draft(session, viewer=EXPERT, iso3="TCD", reason="next")
    assert _treaty_columns(session, following.id, "op1.cwc") == (
        "ratified",
        date(1993, 1, 13),
        date(2004, 2, 13),
    )


@pytest.mark.parametrize(
    ("field", "values", "where", "needle"),
    [
        (
            "op1.cwc",
            {"status": "ratified", "status_on": date(1992, 12, 31)},
            "status_on",
            "before the CWC opened for signature (or was adopted) on 1993-01-13",
        ),
        (
            "op1.bwc",
            {"status": "signed", "signed_on": date(1972, 4, 9)},
            "signed_on",
            "before the BWC opened",
        ),
        (
            "op1.icsant",
            {"status": "acceded", "status_on": date(2099, 1, 1)},
            "status_on",
            "in the future",
        ),
        ("op1.npt", {"status": "ratified"}, "status_on", "give the date the State ratified"),
        ("op1.npt", {"status": "signed"}, "signed_on", "a signature needs its date"),
        (
            "op1.npt",
            {"status": "not_party", "signed_on": date(1970, 1, 1)},
            "status",
            "not party has no treaty dates",
        ),
        (
            "op1.npt",
            {"status": "ratified", "signed_on": date(1970, 1, 1), "status_on": date(1969, 1, 1)},
            "status_on",
            "before the date of signature",
        ),
    ],
)
def test_a_bad_treaty_status_is_an_error_naming_the_field_and_nothing_is_written(
    session: Session, field: str, values: dict[str, object], where: str, needle: str
) -> None:
    draft = _chad_draft(session)
    with pytest.raises(InvalidData) as caught:
        set_treaty_status(
            session,
            viewer=EXPERT,
            iso3="TCD",
            number=draft.number,
            field=field,
            status=_status(**values),
        )
    assert any(p.where == where and needle in p.message for p in caught.value.problems), (
        caught.value.problems
    )
    assert "nothing was written" in caught.value.message
    assert _treaty_columns(session, draft.id, field) == (None, None, None)


def test_only_treaty_fields_take_a_status_and_only_experts_record_it(session: Session) -> None:
    draft = _chad_draft(session)
    with pytest.raises(InvalidData, match="not an OP1 treaty field"):
        set_treaty_status(
            session,
            viewer=EXPERT,
            iso3="TCD",
            number=draft.number,
            field="op1.nsg",
            status=_status(status="not_party"),
        )
    share_edition(session, viewer=EXPERT, iso3="TCD", number=draft.number, reason="comment")
    poc = make_user(session, role="state_poc", iso3="TCD")
    with pytest.raises(Forbidden):
        set_treaty_status(
            session,
            viewer=poc,
            iso3="TCD",
            number=draft.number,
            field="op1.cwc",
            status=_status(status="not_party"),
        )


def test_statuses_are_counted_and_compared_across_states(session: Session) -> None:
    # The demo States carry synthetic statuses of their own: count what the two add.
    base = field_across_states(session, viewer=EXPERT, code="op1.bwc")
    for iso3, status in (("TCD", "ratified"), ("NER", "acceded")):
        make_edition(session, iso3=iso3, approved_on=date(2015, 1, 1))
        draft = open_draft(session, viewer=EXPERT, iso3=iso3, reason="update")
        set_treaty_status(
            session,
            viewer=EXPERT,
            iso3=iso3,
            number=draft.number,
            field="op1.bwc",
            status=_status(
                status=status, status_on=date(2010, 5, 5), asserted_by="committee_finding"
            ),
        )
        _publish(session, iso3, draft.number)
    result = field_across_states(session, viewer=EXPERT, code="op1.bwc")
    rows = {row.state.iso3: row for row in result.items}
    assert rows["TCD"].treaty is not None
    assert rows["TCD"].treaty.status == "ratified"
    assert rows["NER"].treaty is not None
    assert rows["NER"].treaty.status == "acceded"
    assert result.treaty_counts["ratified"] == base.treaty_counts["ratified"] + 1
    assert result.treaty_counts["acceded"] == base.treaty_counts["acceded"] + 1
    assert sum(result.treaty_counts.values()) == result.total == base.total + 2
    assert result.treaty_counts["not_recorded"] == base.treaty_counts["not_recorded"]
    assert result.asserted_counts == {
        "state_report": base.asserted_counts["state_report"],
        "committee_finding": base.asserted_counts["committee_finding"] + 2,
        "organisation_information": base.asserted_counts["organisation_information"],
    }
    assert field_across_states(session, viewer=EXPERT, code="op2.use").treaty_counts == {}


def test_the_treaty_status_route_and_pages(client: TestClient, session: Session) -> None:
    make_user(session, role="expert", email="treaty-expert@example.org")
    _, token = issue_token(session, email="treaty-expert@example.org", scope="write", actor="t")
    headers = {"Authorization": f"Bearer {token}"}
    draft = _chad_draft(session)
    url = f"/api/v1/states/TCD/editions/{draft.number}/treaties/op1.cwc"
    bad = client.put(
        url,
        json={
            "status": "ratified",
            "status_on": "1990-01-01",
            "asserted_by": "state_report",
            "reason": "x",
        },
        headers=headers,
    )
    assert_error(bad, 422, "invalid_data", "status_on")
    good = client.put(
        url,
        json={
            "status": "ratified",
            "signed_on": "1993-01-13",
            "status_on": "2004-02-13",
            "asserted_by": "organisation_information",
            "reason": "OPCW information",
        },
        headers=headers,
    )
    assert good.status_code == 200, good.text
    _publish(session, "TCD", draft.number)
    matrix = client.get("/api/v1/states/TCD/matrix").json()
    op1 = next(s for s in matrix["sections"] if s["code"] == "op1")
    cwc = next(f for f in op1["fields"] if f["code"] == "op1.cwc")["cells"][0]
    assert cwc["treaty"]["status"] == "ratified"
    rows = {r["iso3"]: r for r in read_csv(client.get("/api/v1/fields/op1.cwc.csv"))}
    assert (rows["TCD"]["treaty_status"], rows["TCD"]["status_on"]) == ("ratified", "2004-02-13")
    assert rows["TCD"]["asserted_by"] == "organisation_information"
    assert "treaty_status" not in read_csv(client.get("/api/v1/fields/op2.use.csv"))[0]
    page = html.unescape(client.get("/states/TCD?lang=en").text)
    assert "Ratified February 13, 2004; signed January 13, 1993" in page
    assert "Organisation information" in page
    field_page = html.unescape(client.get("/fields/op1.cwc?lang=fr").text)
    assert "Statut à l'égard du traité dans l'ensemble des États" in field_page
    assert "Ratification 13 février 2004" in field_page
    assert load_instruments()["cwc"].opened == date(1993, 1, 13)
    assert (
        session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "cell.treaty_status")
        )
        == 1
    )


def test_a_recorded_edition_refuses_a_treaty_status_before_the_treaty_opened(
    session: Session,
) -> None:
    from un1540.services.matrix.actions.recorded_editions import record_approved_edition
    from un1540.services.matrix.inputs import CellInput
    from un1540.services.matrix.reads.frameworks import default_framework

    framework = default_framework(session)
    editions = session.scalar(select(func.count()).select_from(MatrixEdition))
    for key, treaty, where in (
        (
            "op1.cwc:any:adherence",
            _status(status="acceded", status_on=date(1990, 1, 1)),
            "cell 1 (op1.cwc:any:adherence).status_on",
        ),
        (
            "op1.cwc:any:adherence",
            _status(status="ratified", status_on=date(2012, 1, 1)),  # after the edition
            "cell 1 (op1.cwc:any:adherence).status_on",
        ),
        (
            "op2.use:nw:enforcement",
            _status(status="not_party"),
            "cell 1 (op2.use:nw:enforcement).treaty",
        ),
    ):
        with pytest.raises(InvalidData) as caught:
            record_approved_edition(
                session,
                iso3="TCD",
                framework=framework,
                approved_on=date(2010, 6, 1),
                cells=[CellInput(key=key, mark="X", treaty=treaty)],
                origin=Origin.import_,
                actor="tests",
            )
        assert [p.where for p in caught.value.problems] == [where]
    assert session.scalar(select(func.count()).select_from(MatrixEdition)) == editions
