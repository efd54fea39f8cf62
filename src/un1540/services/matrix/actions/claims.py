"""Claiming an edition: every write to an edition or its cells holds the edition's row first.

A writer reads the edition, checks the rule (who may do this step now, which depends on the
status) and writes. Between the read and the write another request may move the edition on:
approve it while a cell edit is on its way (a cell of an edition published and "frozen for
ever" would change), share it while it is being discarded, approve it twice. So every writer
claims the edition before it writes: one UPDATE that changes nothing but matches only while
the edition is still in the status the writer read. The claim is the transaction's first write,
so from then on the edition is this transaction's until it ends (PostgreSQL's row lock, SQLite's
one writer): a second writer waits, then finds the status changed and is refused (409) instead
of writing on what it read before. The writer then reads the edition again and checks its rule
again, under the claim (pending proposals, evidence rules and the like are read after it).

Writers of many editions at once (`write_cells_many`, so an import too) claim them all in one
statement (`hold_editions`), which also adds the number of cells written to each edition's
revision in the database (not `revision += n` in Python, which lost one of two concurrent
increments).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from sqlalchemy import Table, bindparam, select, update
from sqlalchemy.orm import Session

from un1540.errors import Conflict, text
from un1540.models import MatrixEdition, State
from un1540.reference.languages import N_
from un1540.services.kernel.access import Viewer
from un1540.services.matrix.reads.editions import edition_state, find_edition
from un1540.services.matrix.rules import EDITION_RULES


def claim_edition(
    session: Session, *, viewer: Viewer, iso3: str, number: int, step: str
) -> tuple[State, MatrixEdition]:
    """Edition `number` of `iso3`, if the viewer may take `step` on it, claimed for this
    transaction and read again under the claim (the rule checked again on what it read)."""
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    # Refused before anything is written: who may not take the step never holds the edition.
    EDITION_RULES.check(viewer, edition_state(session, state, edition), step)
    hold_edition(session, state, edition)
    EDITION_RULES.check(viewer, edition_state(session, state, edition), step)
    return state, edition


def hold_edition(session: Session, state: State, edition: MatrixEdition) -> None:
    """Claim `edition` while it is in the status it was read in (else Conflict, nothing
    written), then read it again."""
    hold_editions(session, [(state, edition, 0)])
    session.refresh(edition)


def edition_moved(state: State, edition: MatrixEdition) -> Conflict:
    """The refusal when an edition left the status its writer read (another request moved it)."""
    return Conflict(
        text(
            N_(
                "edition %(number)s of %(iso3)s was changed by another request meanwhile (it "
                "is no longer %(status)s); nothing was written: reload and try again"
            ),
            number=edition.number,
            iso3=state.iso3,
            status=edition.status.value,
        )
    )


def hold_editions(session: Session, held: Sequence[tuple[State, MatrixEdition, int]]) -> None:
    """Claim every edition of `held` (state, edition, cells written) in one statement, in the
    order of their ids (two writers claiming many editions at once wait for each other, never
    deadlock), adding the cells written to each revision; Conflict naming the first edition that
    left the status it was read in."""
    ordered = sorted(held, key=lambda item: item[1].id)
    if not ordered:
        return
    # Flushed first, whatever the statement's autoflush: a status changed in memory must be
    # stored before the guard compares it with what is stored.
    session.flush()
    table = cast(Table, MatrixEdition.__table__)
    claimed = session.execute(
        update(table)
        .where(table.c.id == bindparam("e_id"), table.c.status == bindparam("e_status"))
        .values(revision=table.c.revision + bindparam("e_cells")),
        [
            {"e_id": edition.id, "e_status": edition.status, "e_cells": cells}
            for _, edition, cells in ordered
        ],
    )
    if claimed.rowcount != len(ordered):  # type: ignore[attr-defined]
        now = {
            edition_id: status
            for edition_id, status in session.execute(
                select(MatrixEdition.id, MatrixEdition.status).where(
                    MatrixEdition.id.in_([edition.id for _, edition, _ in ordered])
                )
            )
        }
        state, edition, _ = next(
            (item for item in ordered if now.get(item[1].id) is not item[1].status), ordered[0]
        )
        raise edition_moved(state, edition)
    for _, edition, cells in ordered:
        if cells:  # the revision is the database's now: read again when asked
            session.expire(edition, ["revision"])
