"""OP1 treaty status in the matrix files: exported in every format, read back by the import."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import docx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import make_user
from un1540.errors import InvalidData
from un1540.io.matrix_export import ExportFormat, export_matrices
from un1540.io.matrix_import import import_matrix_file
from un1540.models import AuditEvent
from un1540.schemas.matrix import TreatyStatusInput
from un1540.services.kernel.access import Viewer
from un1540.services.matrix.actions.editions import open_draft
from un1540.services.matrix.actions.treaties import set_treaty_status
from un1540.services.matrix.reads.matrix import get_matrix

CWC = "op1.cwc:any:adherence"
BWC = "op1.bwc:any:adherence"


def _draft_with_treaties(session: Session) -> tuple[Viewer, int]:
    """FRA's draft with the CWC ratified and the BWC signed (asserted differently)."""
    expert = make_user(session, role="expert")
    draft = open_draft(session, viewer=expert, iso3="FRA", reason="treaties")
    for field, status in (
        (
            "op1.cwc",
            {"status": "ratified", "signed_on": date(1993, 1, 13), "status_on": date(1995, 3, 2)},
        ),
        ("op1.bwc", {"status": "signed", "signed_on": date(1972, 4, 10)}),
    ):
        set_treaty_status(
            session,
            viewer=expert,
            iso3="FRA",
            number=draft.number,
            field=field,
            status=TreatyStatusInput.model_validate(
                {**status, "asserted_by": "organisation_information", "reason": "depositary"}
            ),
        )
    return expert, draft.number


def _treaties(session: Session, viewer: Viewer, number: int) -> dict[str, object]:
    matrix = get_matrix(session, viewer=viewer, iso3="FRA", number=number)
    return {
        c.id: c.treaty.model_dump(mode="json")
        for s in matrix.sections
        for f in s.fields
        for c in f.cells
        if c.treaty is not None
    }


def _export(session: Session, viewer: Viewer, number: int, fmt: ExportFormat) -> bytes:
    return export_matrices(session, viewer=viewer, iso3="FRA", fmt=fmt, edition=number).content


def _import(session: Session, viewer: Viewer, content: bytes, name: str, number: int) -> object:
    return import_matrix_file(
        session,
        viewer=viewer,
        content=content,
        file_name=name,
        only="FRA",
        dry_run=False,
        max_bytes=5_000_000,
        edition=number,
    )


def test_every_export_carries_the_treaty_status(session: Session) -> None:
    expert, number = _draft_with_treaties(session)
    rows = {
        row["cell"]: row
        for row in csv.DictReader(
            io.StringIO(_export(session, expert, number, ExportFormat.csv).decode())
        )
    }
    assert {k: rows[CWC][k] for k in ("treaty_status", "signed_on", "status_on")} == {
        "treaty_status": "ratified",
        "signed_on": "1993-01-13",
        "status_on": "1995-03-02",
    }
    assert rows[CWC]["asserted_by"] == "organisation_information"
    assert rows["op1.nwfz:any:adherence"]["treaty_status"] == ""  # not a treaty field
    assert rows["op2.use:nw:enforcement"]["treaty_status"] == ""
    as_json = json.loads(_export(session, expert, number, ExportFormat.json))
    op1 = next(s for s in as_json["sections"] if s["code"] == "op1")
    bwc = next(f for f in op1["fields"] if f["code"] == "op1.bwc")["cells"][0]["treaty"]
    assert (bwc["status"], bwc["signed_on"]) == ("signed", "1972-04-10")
    workbook = load_workbook(io.BytesIO(_export(session, expert, number, ExportFormat.xlsx)))
    sheet = list(workbook["op1"].iter_rows(values_only=True))
    start = sheet[1].index("treaty_status")
    assert sheet[1][start : start + 4] == ("treaty_status", "signed_on", "status_on", "asserted_by")
    cwc_row = next(row for row in sheet[3:] if row[4] == "op1.cwc")
    assert cwc_row[start : start + 4] == (
        "ratified",
        "1993-01-13",
        "1995-03-02",
        "organisation_information",
    )
    document = docx.Document(io.BytesIO(_export(session, expert, number, ExportFormat.docx)))
    texts = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    assert any(
        "Ratified 1995-03-02; signed 1993-01-13 (asserted by: Organisation information)" in t
        for t in texts
    )
    pdf = _export(session, expert, number, ExportFormat.pdf)
    assert pdf.startswith(b"%PDF")


def test_csv_and_xlsx_round_trips_keep_the_treaty_status(session: Session) -> None:
    expert, number = _draft_with_treaties(session)
    before = _treaties(session, expert, number)
    assert {CWC, BWC} <= set(before)  # and the demo's own statuses
    for fmt in (ExportFormat.xlsx, ExportFormat.csv):
        content = _export(session, expert, number, fmt)
        report = _import(session, expert, content, f"fra.{fmt.value}", number)
        assert report.changed == 0  # type: ignore[attr-defined]
        assert _treaties(session, expert, number) == before
    # A change in the file is written and audited.
    content = _export(session, expert, number, ExportFormat.csv).decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    npt = next(row for row in rows if row["cell"] == "op1.npt:any:adherence")
    npt.update(
        treaty_status="acceded",
        signed_on="",
        status_on="1992-08-03",
        asserted_by="state_report",
    )
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    _import(session, expert, buffer.getvalue().encode(), "fra.csv", number)
    after = _treaties(session, expert, number)
    assert after["op1.npt:any:adherence"] == {
        "instrument": "npt",
        "status": "acceded",
        "signed_on": None,
        "status_on": "1992-08-03",
        "asserted_by": "state_report",
    }
    assert after[CWC] == before[CWC]
    events = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "cell.treaty_status",
            AuditEvent.entity_id == f"FRA/{number}/op1.npt:any:adherence",
        )
    ).all()
    assert len(events) == 1
    assert "fra.csv" in events[0].reason


def _csv_with(session: Session, viewer: Viewer, number: int, cell: str, **values: str) -> bytes:
    content = _export(session, viewer, number, ExportFormat.csv).decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    next(row for row in rows if row["cell"] == cell).update(values)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


@pytest.mark.parametrize(
    ("cell", "values", "column", "message"),
    [
        (CWC, {"treaty_status": "ratifyed"}, "treaty_status", "is not one of signed"),
        (CWC, {"status_on": "2 March 1995"}, "status_on", "is not a date (YYYY-MM-DD)"),
        (CWC, {"status_on": "1990-01-01"}, "status_on", "before the CWC opened for signature"),
        (CWC, {"asserted_by": "rumour"}, "asserted_by", "is not one of state_report"),
        (
            "op1.nwfz:any:adherence",
            {"treaty_status": "ratified", "status_on": "2000-01-01", "asserted_by": "state_report"},
            "treaty_status",
            "is not an OP1 treaty field",
        ),
    ],
)
def test_a_bad_treaty_status_in_a_csv_names_file_line_and_column(
    session: Session, cell: str, values: dict[str, str], column: str, message: str
) -> None:
    expert, number = _draft_with_treaties(session)
    before = _treaties(session, expert, number)
    content = _csv_with(session, expert, number, cell, **values)
    with pytest.raises(InvalidData) as caught:
        _import(session, expert, content, "fra.csv", number)
    problems = caught.value.problems
    assert any(
        p.where.startswith("fra.csv, line ")
        and p.where.endswith(f"column {column}")
        and message in p.message
        for p in problems
    ), problems
    assert _treaties(session, expert, number) == before  # nothing written


def test_a_bad_treaty_date_in_an_xlsx_names_sheet_row_and_column(session: Session) -> None:
    expert, number = _draft_with_treaties(session)
    workbook = load_workbook(io.BytesIO(_export(session, expert, number, ExportFormat.xlsx)))
    sheet = workbook["op1"]
    header = [cell.value for cell in sheet[2]]
    column = header.index("status_on") + 1
    row = next(r for r in range(4, sheet.max_row + 1) if sheet.cell(r, 5).value == "op1.cwc")
    sheet.cell(row, column).value = "1899-01-01"
    buffer = io.BytesIO()
    workbook.save(buffer)
    with pytest.raises(InvalidData) as caught:
        _import(session, expert, buffer.getvalue(), "fra.xlsx", number)
    letter = sheet.cell(row, column).column_letter
    assert any(
        p.where == f"sheet op1, row {row}, column {letter} (status_on)"
        and "before the CWC opened" in p.message
        for p in caught.value.problems
    ), caught.value.problems


def test_an_import_lists_treaty_changes_and_empty_treaty_columns_clear_the_status(
    session: Session,
) -> None:
    """Failed before this change: an import could not clear a recorded treaty status (empty
    columns meant "leave it") and its report did not list treaty changes at all."""
    expert, number = _draft_with_treaties(session)
    content = _csv_with(
        session,
        expert,
        number,
        BWC,
        treaty_status="",
        signed_on="",
        status_on="",
        asserted_by="",
    )
    dry = import_matrix_file(
        session,
        viewer=expert,
        content=content,
        file_name="fra.csv",
        only="FRA",
        dry_run=True,
        max_bytes=5_000_000,
        edition=number,
    )
    assert dry.treaty_changed == 1
    (listed,) = dry.states[0].treaty_changes
    assert (listed.cell, listed.after) == (BWC, None)
    assert listed.before == {
        "status": "signed",
        "signed_on": "1972-04-10",
        "status_on": None,
        "asserted_by": "organisation_information",
    }
    assert BWC in _treaties(session, expert, number)  # a dry run writes nothing
    report = _import(session, expert, content, "fra.csv", number)
    assert report.treaty_changed == 1  # type: ignore[attr-defined]
    after = _treaties(session, expert, number)
    assert BWC not in after
    assert CWC in after
    event = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "cell.treaty_status",
            AuditEvent.entity_id == f"FRA/{number}/{BWC}",
            AuditEvent.reason.contains("fra.csv"),
        )
    ).one()
    assert (event.before or {})["status"] == "signed"
    assert event.after is None
    # A file exported before the treaty columns existed leaves the statuses alone.
    rows = list(
        csv.DictReader(io.StringIO(_export(session, expert, number, ExportFormat.csv).decode()))
    )
    names = [
        name
        for name in rows[0]
        if name not in ("treaty_status", "signed_on", "status_on", "asserted_by")
    ]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=names, extrasaction="ignore")
    writer.writeheader()
    writer.writerows(rows)
    old = _import(session, expert, buffer.getvalue().encode(), "old.csv", number)
    assert old.treaty_changed == 0  # type: ignore[attr-defined]
    assert CWC in _treaties(session, expert, number)


def test_a_round_trip_writes_no_treaty_event(session: Session) -> None:
    expert, number = _draft_with_treaties(session)
    content = _export(session, expert, number, ExportFormat.xlsx)
    _import(session, expert, content, "fra.xlsx", number)
    imported = session.scalars(
        select(AuditEvent).where(
            AuditEvent.action == "cell.treaty_status", AuditEvent.reason.contains("fra.xlsx")
        )
    ).all()
    assert imported == []


def test_the_open_data_cells_carry_the_treaty_status(session: Session) -> None:
    from tests.factories import waive_evidence_rules
    from un1540.services.kernel.access import PUBLIC
    from un1540.services.matrix.actions.editions import approve_edition, share_edition
    from un1540.services.open_data.tables import public_dataset

    expert, number = _draft_with_treaties(session)
    share_edition(session, viewer=expert, iso3="FRA", number=number, reason="for comment")
    waive_evidence_rules(session, viewer=expert, iso3="FRA", number=number)
    committee = make_user(session, role="committee")
    approve_edition(session, viewer=committee, iso3="FRA", number=number, reason="agreed")
    table = public_dataset(session, viewer=PUBLIC).table("cells")
    names = [name for name, _, _ in table.columns]
    assert names[-4:] == ["treaty_status", "signed_on", "status_on", "asserted_by"]
    rows = {(row[0], row[1], row[2]): row for row in table.rows}
    assert rows[("FRA", number, CWC)][-4:] == [
        "ratified",
        date(1993, 1, 13),
        date(1995, 3, 2),
        "organisation_information",
    ]
    assert rows[("FRA", number, "op2.use:nw:enforcement")][-4:] == [None, None, None, None]
