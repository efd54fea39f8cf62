"""Importing incidents from CSV: every problem with its file, row and column; all or nothing;
a dry run writes nothing (on SQLite and PostgreSQL, as every database test)."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_user
from un1540.errors import InvalidData
from un1540.io.incident_import import import_incident_file
from un1540.models import AuditEvent, Incident, Origin
from un1540.services.kernel.access import PUBLIC

HEADER = (
    "occurred_on,reported_on,states,category,material_class,kind,source,organisation,fields,"
    "restricted\n"
)
GOOD = "2022-04-05,2022-04-09,FRA;NGA,radioactive,sealed_source,theft,state_reported,,,false\n"


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Incident)) or 0


def _problems(session: Session, text: str) -> dict[str, str]:
    expert = make_user(session, role="expert", email=f"expert-{_count(session)}-{len(text)}@x.org")
    before = _count(session)
    with pytest.raises(InvalidData) as raised:
        import_incident_file(session, text.encode(), file_name="incidents.csv", viewer=expert)
    assert _count(session) == before  # nothing written
    return {problem.where: problem.message for problem in raised.value.problems}


def test_every_problem_names_its_row_and_column_and_nothing_is_written(
    empty_session: Session,
) -> None:
    problems = _problems(
        empty_session,
        HEADER
        + GOOD  # row 2: valid, yet not written since other rows are not
        + "2022-04-05,,FRA,radioactive,sealed_source,theft,state_reported,,,false\n"  # row 3
        + "2022-05-01,2022-04-01,ZZZ,plutonic,x,robbery,gossip,,,maybe\n"  # row 4
        + "2999-01-01,,TCD,chemical,precursor,use,organisation,,op9.x,no\n"  # row 5
        + "yesterday,,TCD,chemical,precursor,use,state_reported,,,\n",  # row 6
    )
    assert problems["incidents.csv, row 3"] == (
        "duplicate of row 2 (same date, State, material and kind)"
    )
    assert problems["incidents.csv, row 4, column restricted"] == "'maybe' is not true or false"
    assert problems["incidents.csv, row 4, column states"] == "unknown State 'ZZZ'"
    assert problems["incidents.csv, row 4, column category"].startswith("unknown category")
    assert problems["incidents.csv, row 4, column kind"].startswith("unknown kind 'robbery'")
    assert problems["incidents.csv, row 4, column source"].startswith("unknown source")
    assert problems["incidents.csv, row 4, column reported_on"] == "is before occurred_on"
    assert problems["incidents.csv, row 5, column occurred_on"] == "is in the future"
    assert problems["incidents.csv, row 5, column organisation"] == (
        "name the reporting organisation"
    )
    assert problems["incidents.csv, row 5, column fields"] == "unknown matrix field 'op9.x'"
    assert "incidents.csv, row 6, column occurred_on" in problems


def test_the_header_and_the_file_itself_are_checked(empty_session: Session) -> None:
    wrong = _problems(empty_session, "occurred_on,states,colour\n2022-01-01,FRA,red\n")
    assert wrong["incidents.csv, header"] in {"missing column category", "unknown column colour"}
    assert _problems(empty_session, HEADER) == {"incidents.csv": "no data rows"}
    assert _problems(empty_session, "") == {"incidents.csv": "the file is empty"}


def test_a_dry_run_then_the_import_then_a_duplicate_of_what_is_recorded(
    empty_session: Session,
) -> None:
    expert = make_user(empty_session, role="expert")
    text = (HEADER + GOOD).encode()
    dry = import_incident_file(
        empty_session, text, file_name="incidents.csv", viewer=expert, dry_run=True
    )
    assert (dry.rows, dry.states, dry.dry_run) == (1, 2, True)
    assert _count(empty_session) == 0
    done = import_incident_file(empty_session, text, file_name="incidents.csv", viewer=expert)
    assert (done.rows, done.states) == (1, 2)
    incident = empty_session.scalars(select(Incident)).one()
    assert incident.origin is Origin.import_
    assert incident.fields[0] == "op3ab.secure_storage"  # theft's default fields
    event = empty_session.scalars(
        select(AuditEvent).where(AuditEvent.action == "incident.import")
    ).one()
    assert event.after == {"rows": 1, "states": 2}
    again = _problems(empty_session, HEADER + GOOD.replace("FRA;NGA", "NGA"))
    assert again["incidents.csv, row 2, column occurred_on"].startswith(
        "an incident with the same date, State, material and kind"
    )


def test_only_the_committee_side_imports(empty_session: Session) -> None:
    provider = make_user(empty_session, role="provider", org="iaea")
    for viewer in (PUBLIC, provider):
        with pytest.raises(Exception, match=r"sign in|may import"):
            import_incident_file(
                empty_session, (HEADER + GOOD).encode(), file_name="x.csv", viewer=viewer
            )
