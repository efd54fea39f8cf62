"""Holding a record while its writer acts on what it read (a status, a visibility, a date).

An action reads a record, checks a rule against it (the lifecycle allows this step from the
status read; a statement is published once) and writes. Two requests that read the same status
at the same moment both pass the check, and both write: two audited transitions from one status,
the second written over the first. `hold_row` closes that gap the way the matrix's editions are
claimed (services/matrix/actions/claims.py): one UPDATE that changes nothing and matches only
while the columns the rule read still hold the values read. Called after the rule's check and
before the action changes the record, it is the transaction's first write to it, so the record
is this transaction's until it ends (PostgreSQL's row lock, SQLite's one writer): the second
writer waits for the first, then finds the value changed and is refused (409), nothing written.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from un1540.errors import Conflict
from un1540.reference.languages import N_

CHANGED_MEANWHILE = N_("the record was changed by another request meanwhile; reload and try again")


def hold_row(session: Session, record: object, *columns: InstrumentedAttribute[Any]) -> None:
    """Claim `record`'s row while each of `columns` holds the value this transaction read on
    it (the value loaded, even if the record was changed in memory since); else Conflict."""
    state = inspect(record)
    mapper = state.mapper
    table = mapper.local_table
    conditions = [
        column == value for column, value in zip(mapper.primary_key, state.identity, strict=True)
    ]
    for attribute in columns:
        column = table.c[attribute.key]
        value = state.committed_state.get(attribute.key, getattr(record, attribute.key))
        conditions.append(column.is_(None) if value is None else column == value)
    key = mapper.primary_key[0]
    with session.no_autoflush:  # a change made in memory must not reach the row before the hold
        held = session.execute(
            update(table)
            .where(*conditions)
            .values({key: key})
            .execution_options(synchronize_session=False)
        )
    if held.rowcount != 1:  # type: ignore[attr-defined]
        raise Conflict(CHANGED_MEANWHILE)
