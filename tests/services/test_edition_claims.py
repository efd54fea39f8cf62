"""Every write to an edition or its cells claims the edition first (claims.py): what another
request did between a writer's read and its write is seen, never overwritten.

Each race is forced, not hoped for: the first writer reads the edition in its own session and
keeps it (as a request does between its check and its write); another session then moves the
edition on and commits; the first writer then writes on what it read. Real databases, both
backends, each session on its own connection.
"""

from __future__ import annotations

from contextlib import nullcontext
from dataclasses import dataclass
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tests.factories import make_user
from un1540.db.engine import make_session_factory
from un1540.errors import Conflict
from un1540.models import AuditEvent, EditionStatus, Framework, Notification
from un1540.schemas.matrix import TreatyStatusInput
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.guards import hold_row
from un1540.services.matrix.actions import imports, reminders
from un1540.services.matrix.actions.cells import CellWrite, write_cells
from un1540.services.matrix.actions.claims import hold_editions
from un1540.services.matrix.actions.editions import (
    approve_edition,
    new_draft_edition,
    open_draft,
    share_edition,
)
from un1540.services.matrix.actions.imports import ImportedCell, import_cells
from un1540.services.matrix.actions.reminders import send_review_reminders
from un1540.services.matrix.inputs import CellChange
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.editions import entry_for, find_edition

CELLS = ("op2.use:bw:enforcement", "op2.use:cw:enforcement")


@dataclass
class Draft:
    sessions: sessionmaker[Session]
    expert: Viewer
    committee: Viewer
    number: int


@pytest.fixture
def shared_draft(fresh_engine: Engine) -> Draft:
    sessions = make_session_factory(fresh_engine)
    with sessions() as session, session.begin():
        expert = make_user(session, role="expert", email="claims-expert@example.org")
        committee = make_user(session, role="committee", email="claims-committee@example.org")
        number = open_draft(session, viewer=expert, iso3="TCD").number
    with sessions() as session:
        share_edition(session, viewer=expert, iso3="TCD", number=number, reason="for review")
    return Draft(sessions, expert, committee, number)


def _approve(draft: Draft, session: Session | None = None) -> None:
    """The Committee approves the draft, in `session` or in a session of its own."""
    with draft.sessions() if session is None else nullcontext(session) as approving:
        approve_edition(
            approving,
            viewer=draft.committee,
            iso3="TCD",
            number=draft.number,
            reason="approved before the State's deadline, for the test",
        )


def test_a_cell_write_on_an_edition_approved_meanwhile_is_refused(shared_draft: Draft) -> None:
    with shared_draft.sessions() as late:
        state, edition = find_edition(
            late, viewer=shared_draft.expert, iso3="TCD", number=shared_draft.number
        )
        assert edition.status is EditionStatus.shared  # what the late writer checked
        entry = entry_for(late, edition, CELLS[0])
        version = entry.revision
        _approve(shared_draft)  # published, frozen for ever
        change = CellChange(mark="X", remark="written after the approval", version=version)
        with pytest.raises(Conflict, match="no longer shared"):
            write_cells(
                late,
                edition=edition,
                state=state,
                writes=[CellWrite(entry.id, change, "late edit")],
                actor=shared_draft.expert.actor,
            )
    with shared_draft.sessions() as session:
        _, edition = find_edition(
            session, viewer=shared_draft.expert, iso3="TCD", number=shared_draft.number
        )
        assert edition.status is EditionStatus.approved
        entry = entry_for(session, edition, CELLS[0])
        assert (entry.revision, entry.remark) == (version, "")  # the frozen cell is untouched


def test_an_edition_approved_meanwhile_is_not_approved_twice(shared_draft: Draft) -> None:
    with shared_draft.sessions() as late:
        _, edition = find_edition(
            late, viewer=shared_draft.committee, iso3="TCD", number=shared_draft.number
        )
        assert edition.status is EditionStatus.shared
        _approve(shared_draft)
        # The late session still holds the edition as it read it (shared) ...
        with pytest.raises(Conflict, match="changed by another request meanwhile"):
            _approve(shared_draft, late)
    with shared_draft.sessions() as session:
        approvals = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "edition.approve",
                AuditEvent.entity_id == f"TCD/{shared_draft.number}",
            )
        )
        assert approvals == 1


def test_two_writers_of_one_edition_each_count_in_its_revision(shared_draft: Draft) -> None:
    sessions = shared_draft.sessions
    with sessions() as first, sessions() as second:
        read = []
        for session, cell in ((first, CELLS[0]), (second, CELLS[1])):
            state, edition = find_edition(
                session, viewer=shared_draft.expert, iso3="TCD", number=shared_draft.number
            )
            read.append((session, state, edition, entry_for(session, edition, cell)))
        revision = read[0][2].revision
        assert read[1][2].revision == revision  # both read the same edition revision
        for session, state, edition, entry in read:
            change = CellChange(mark="X", remark="edited", version=entry.revision)
            write_cells(
                session,
                edition=edition,
                state=state,
                writes=[CellWrite(entry.id, change, "edit")],
                actor=shared_draft.expert.actor,
            )
    with sessions() as session:
        _, edition = find_edition(
            session, viewer=shared_draft.expert, iso3="TCD", number=shared_draft.number
        )
        assert edition.revision == revision + 2  # neither increment lost


def test_the_database_keeps_one_open_edition_per_state(shared_draft: Draft) -> None:
    """Two requests that both found no open edition (an import that waited for another's claim,
    a draft opened meanwhile) cannot both open one, even under a different number."""
    with shared_draft.sessions() as session:
        state, edition = find_edition(
            session, viewer=shared_draft.expert, iso3="TCD", number=shared_draft.number
        )
        framework = session.get(Framework, edition.framework_id)
        assert framework is not None
        refused = r"matrix_edition\.state_id|uq_matrix_edition_one_open"  # SQLite's, PostgreSQL's
        with pytest.raises(IntegrityError, match=refused):
            new_draft_edition(
                session, viewer=shared_draft.expert, state=state, source=None, framework=framework
            )
        session.rollback()
        # An approved edition is not open: once approved, the next draft may be opened.
        _approve(shared_draft, session)
        opened = open_draft(session, viewer=shared_draft.expert, iso3="TCD")
        assert opened.number == shared_draft.number + 1


def test_a_reminder_sent_meanwhile_is_not_sent_twice(
    shared_draft: Draft, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two reminder runs at once (the daily job and `un1540 notify reminders`): the late run
    selected the edition as not yet reminded; the other run reminds about it and commits before
    the late run writes. The late run leaves it (reminders.py holds the count it read)."""
    with shared_draft.sessions() as session, session.begin():
        make_user(session, role="state_poc", email="claims-poc@example.org", iso3="TCD")
        _, edition = find_edition(
            session, viewer=shared_draft.expert, iso3="TCD", number=shared_draft.number
        )
        assert edition.response_due_on is not None
        day = edition.response_due_on - timedelta(days=3)  # within the 14 days: "due" is sent
    raced: list[int] = []  # what the other run sent
    racing = [True]  # only once: the other run's own hold is the real one

    def hold_after_another_run(session: Session, record: object, *columns: object) -> None:
        if racing.pop() if racing else False:
            with shared_draft.sessions() as other:
                raced.append(send_review_reminders(other, on=day))
        hold_row(session, record, *columns)  # type: ignore[arg-type]

    monkeypatch.setattr(reminders, "hold_row", hold_after_another_run)
    with shared_draft.sessions() as late:
        assert send_review_reminders(late, on=day) == 0
    assert raced == [1]
    with shared_draft.sessions() as session:
        sent = session.scalars(
            select(AuditEvent.action).where(AuditEvent.entity_id == f"TCD/{shared_draft.number}")
        ).all()
        assert sent.count("edition.review_due") == 1
        told = session.scalar(
            select(func.count()).select_from(Notification).where(Notification.kind == "review_due")
        )
        assert told == 1  # the State's one point of contact, once
        _, edition = find_edition(
            session, viewer=shared_draft.expert, iso3="TCD", number=shared_draft.number
        )
        assert edition.reminders_sent == 1


def test_a_treaty_import_into_an_edition_approved_meanwhile_is_refused(
    shared_draft: Draft, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An import that changes only a treaty status (no mark, no remark) claims the edition too:
    approved between the import's reading and its writing, the import writes nothing."""
    treaty_cell = "op1.npt:any:adherence"
    with shared_draft.sessions() as late:
        _, edition = find_edition(
            late, viewer=shared_draft.expert, iso3="TCD", number=shared_draft.number
        )
        framework = late.get(Framework, edition.framework_id)
        assert framework is not None
        entry = entry_for(late, edition, treaty_cell)
        before = (entry.mark.value, entry.remark, entry.treaty_status, entry.revision)
        ratified = TreatyStatusInput(
            status="ratified",
            signed_on=date(1968, 7, 1),
            status_on=date(1971, 3, 10),
            asserted_by="state_report",
        )
        cells = [ImportedCell("TCD", treaty_cell, entry.mark.value, None, "line 2", ratified)]
        approve_first = [True]

        def hold_after_the_approval(session: Session, held: list[object]) -> None:
            if approve_first.pop() if approve_first else False:
                _approve(shared_draft)  # in a session of its own, committed
            hold_editions(session, held)  # type: ignore[arg-type]

        monkeypatch.setattr(imports, "hold_editions", hold_after_the_approval)
        with pytest.raises(Conflict, match="changed by another request meanwhile"):
            import_cells(
                late,
                viewer=shared_draft.expert,
                cells=cells,
                layout=framework_layout(late, framework),
                file_name="treaties.csv",
                only="TCD",
                edition=shared_draft.number,
                reason="treaty statuses from the depositary",
            )
        assert not approve_first  # the race happened, at the claim
    with shared_draft.sessions() as session:
        _, edition = find_edition(
            session, viewer=shared_draft.expert, iso3="TCD", number=shared_draft.number
        )
        assert edition.status is EditionStatus.approved
        entry = entry_for(session, edition, treaty_cell)
        assert (entry.mark.value, entry.remark, entry.treaty_status, entry.revision) == before
        imported = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(AuditEvent.action == "cell.treaty_status")
        )
        assert imported == 0
