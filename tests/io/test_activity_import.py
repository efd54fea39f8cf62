"""Importing organisations' activities from CSV: every problem with its file, row and column;
all or nothing; a dry run writes nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_user
from un1540.errors import Forbidden, InvalidData
from un1540.io.activity_import import import_activity_file
from un1540.models import AuditEvent, OrganisationActivity, Origin

HEADER = "organisation,state,programme,fields,weapons,start_on,end_on,visibility\n"
GOOD = (
    "iaea,tcd,Radiation detection,op3cd.border_detection,nw,2030-01-01,2030-12-31,\n"
    "opcw,NER,Legislation,op2.manufacture;op2.possess,,2030-02-01,,public\n"
)


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(OrganisationActivity)) or 0


def test_activities_are_imported_all_or_nothing_with_a_dry_run(session: Session) -> None:
    expert = make_user(session, role="expert")
    before = _count(session)
    with pytest.raises(InvalidData) as raised:
        import_activity_file(
            session,
            (
                HEADER
                + GOOD  # rows 2 and 3: valid, yet not written since the others are not
                + "nato_x,ZZZ,Something,op9.x,rw,2030-01-01,,\n"  # row 4
                + "wco,TCD,Customs,op3cd.transit,,2030-06-01,2030-01-01,everyone\n"  # row 5
                + "wco,TCD,,op3cd.transit,,yesterday,,\n"  # row 6
            ).encode(),
            file_name="activities.csv",
            viewer=expert,
        )
    problems = {p.where: p.message for p in raised.value.problems}
    assert problems["activities.csv, row 4, column organisation"] == (
        "unknown organisation 'nato_x'"
    )
    assert problems["activities.csv, row 4, column state"] == "unknown State 'ZZZ'"
    assert problems["activities.csv, row 4, column fields"] == "unknown matrix field: op9.x"
    assert problems["activities.csv, row 4, column weapons"].startswith(
        "unknown weapon category: rw"
    )
    assert problems["activities.csv, row 5, column end_on"] == (
        "the period ends (2030-01-01) before it starts (2030-06-01)"
    )
    assert problems["activities.csv, row 5, column visibility"].startswith(
        "unknown visibility 'everyone'"
    )
    assert "activities.csv, row 6, column programme" in problems
    assert "activities.csv, row 6, column start_on" in problems
    assert not any("row 2" in where or "row 3" in where for where in problems)
    assert _count(session) == before
    # The header is checked first.
    with pytest.raises(InvalidData) as wrong:
        import_activity_file(
            session, b"organisation,state,colour\n", file_name="bad.csv", viewer=expert
        )
    assert {(p.where, p.message) for p in wrong.value.problems} >= {
        ("bad.csv, header", "missing column programme"),
        ("bad.csv, header", "unknown column colour"),
    }
    # A dry run checks all and writes nothing; then the import writes every row.
    dry = import_activity_file(
        session, (HEADER + GOOD).encode(), file_name="activities.csv", viewer=expert, dry_run=True
    )
    assert (dry.rows, dry.states, dry.dry_run) == (2, 2, True)
    assert _count(session) == before
    done = import_activity_file(
        session, (HEADER + GOOD).encode(), file_name="activities.csv", viewer=expert
    )
    assert (done.rows, done.states) == (2, 2)
    rows = session.scalars(
        select(OrganisationActivity).order_by(OrganisationActivity.id.desc()).limit(2)
    ).all()
    first, second = sorted(rows, key=lambda row: row.id)
    assert (first.state.iso3, first.weapons, first.visibility.value) == (
        "TCD",
        ["nw"],
        "owning_state_and_committee",
    )
    assert (second.fields, second.weapons, second.end_on, second.visibility.value) == (
        ["op2.manufacture", "op2.possess"],
        [],
        None,
        "public",
    )
    assert {row.origin for row in rows} == {Origin.import_}
    assert session.scalar(
        select(func.count())
        .select_from(AuditEvent)
        .where(AuditEvent.action == "organisation_activity.import")
    )
    # Importing is for the Committee side.
    with pytest.raises(Forbidden):
        import_activity_file(
            session,
            (HEADER + GOOD).encode(),
            file_name="activities.csv",
            viewer=make_user(session, role="provider", org="iaea"),
        )
