"""Recording a whole approved edition at once: from an import of approved matrices, and the demo."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from un1540.analytics.coverage import Tally
from un1540.errors import InvalidData, Problem, text
from un1540.models import (
    CellEntry,
    Document,
    EditionStatus,
    Evidence,
    Framework,
    Mark,
    MatrixEdition,
    Origin,
    State,
    Visibility,
)
from un1540.models.base import today
from un1540.reference.crosswalks import treaty_fields
from un1540.reference.languages import N_
from un1540.schemas.text import NOTE, REMARK
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.kernel.unit_of_work import action
from un1540.services.matrix.actions.treaties import treaty_problems
from un1540.services.matrix.inputs import MARK_VALUES, CellInput
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.summaries import write_summary


def _check_cells(
    session: Session,
    framework: Framework,
    state: State,
    cells: list[CellInput],
    approved_on: date | None = None,
) -> list[Problem]:
    layout = framework_layout(session, framework)
    treaties = treaty_fields(layout.slug)
    problems: list[Problem] = []
    seen: set[str] = set()
    document_ids = {e.document_id for cell in cells for e in cell.evidence}
    documents = {
        doc.id: doc
        for doc in session.scalars(select(Document).where(Document.id.in_(document_ids)))
    }
    for index, cell in enumerate(cells, start=1):
        where = f"cell {index} ({cell.key})"
        if cell.key not in layout.by_key:
            problems.append(
                Problem(
                    where,
                    text(
                        N_("no such cell in framework %(slug)s"),
                        slug=layout.slug,
                    ),
                )
            )
        if cell.key in seen:
            problems.append(Problem(where, N_("duplicate cell")))
        seen.add(cell.key)
        if cell.mark not in MARK_VALUES:
            problems.append(
                Problem(
                    where,
                    text(
                        N_("mark %(mark)s is not one of X, ?, NA or blank"),
                        mark=repr(cell.mark),
                    ),
                )
            )
        if cell.treaty is not None:
            field_code, _, rest = cell.key.partition(":")
            instrument = treaties.get(field_code)
            if instrument is None or rest != "any:adherence":
                problems.append(Problem(f"{where}.treaty", N_("not an OP1 treaty cell")))
            else:
                found = treaty_problems(instrument, cell.treaty, on=approved_on or today())
                problems += [Problem(f"{where}.{p.where}", p.message) for p in found]
        for evidence in cell.evidence:
            document = documents.get(evidence.document_id)
            if document is None:
                problems.append(
                    Problem(
                        where,
                        text(
                            N_("evidence cites unknown document %(document_id)s"),
                            document_id=evidence.document_id,
                        ),
                    )
                )
            elif document.state_id not in (None, state.id):
                problems.append(
                    Problem(
                        where,
                        text(
                            N_("document %(id)s belongs to another State"),
                            id=document.id,
                        ),
                    )
                )
    return problems


def _checked_texts(cells: list[CellInput], problems: list[Problem]) -> list[CellInput]:
    """The cells with their remarks and evidence through the text policy."""
    checked = []
    for index, cell in enumerate(cells, start=1):
        where = f"cell {index} ({cell.key})"
        remark = REMARK.check(cell.remark, f"{where}.remark", problems)
        evidence = [
            item.checked(f"{where}.evidence[{number}]", problems)
            for number, item in enumerate(cell.evidence, start=1)
        ]
        checked.append(replace(cell, remark=remark, evidence=evidence))
    return checked


def _treaty_columns(cell: CellInput | None) -> dict[str, object]:
    """The treaty columns of a recorded cell entry (every row has them: one bulk insert)."""
    treaty = cell.treaty if cell is not None else None
    if treaty is None:
        return {"treaty_status": None, "signed_on": None, "status_on": None, "asserted_by": None}
    return {
        "treaty_status": treaty.status,
        "signed_on": treaty.signed_on,
        "status_on": treaty.status_on,
        "asserted_by": treaty.asserted_by,
    }


@action
def record_approved_edition(
    session: Session,
    *,
    iso3: str,
    framework: Framework,
    approved_on: date,
    cells: list[CellInput],
    origin: Origin,
    actor: str,
    note: str = "",
    visibility: Visibility = Visibility.public,
) -> MatrixEdition:
    """Record a whole approved edition as the State's next edition (cells not given are blank).

    For importing approved matrices and for the demo. Validates everything first and writes
    nothing if anything is wrong; the caller's transaction commits the edition and its audit event.
    """
    state = state_by_iso3(session, iso3)
    problems = _check_cells(session, framework, state, cells, approved_on)
    cells = _checked_texts(cells, problems)
    note = NOTE.check(note, "note", problems)
    previous = session.execute(
        select(func.max(MatrixEdition.number), func.max(MatrixEdition.approved_on)).where(
            MatrixEdition.state_id == state.id
        )
    ).one()
    if approved_on > today():
        problems.append(Problem("approved_on", N_("is in the future")))
    if previous[1] is not None and approved_on < previous[1]:
        problems.append(
            Problem(
                "approved_on",
                text(
                    N_("is before the previous edition's (%(previous)s)"),
                    previous=previous[1],
                ),
            )
        )
    if problems:
        raise InvalidData(
            text(
                N_("the edition for %(iso3)s is not valid; nothing was written"),
                iso3=state.iso3,
            ),
            problems=problems,
        )

    layout = framework_layout(session, framework)
    edition = MatrixEdition(
        state_id=state.id,
        framework_id=framework.id,
        number=(previous[0] or 0) + 1,
        status=EditionStatus.approved,
        approved_on=approved_on,
        note=note,
        origin=origin,
        visibility=visibility,
    )
    session.add(edition)
    session.flush()
    given = {cell.key: cell for cell in cells}
    marks = [
        MARK_VALUES[given[info.key].mark] if info.key in given else Mark.blank
        for info in layout.cells
    ]
    rows = [
        {
            "edition_id": edition.id,
            "cell_id": info.id,
            "mark": mark,
            "remark": given[info.key].remark if info.key in given else "",
            "revision": 1,
            "visibility": Visibility.public,
            **_treaty_columns(given.get(info.key)),
        }
        for info, mark in zip(layout.cells, marks, strict=True)
    ]
    entry_ids = session.scalars(
        insert(CellEntry).returning(CellEntry.id, sort_by_parameter_order=True), rows
    ).all()
    evidence_rows = [
        {
            "cell_entry_id": entry_id,
            "document_id": e.document_id,
            "page": e.page,
            "article": e.article,
            "paragraph": e.paragraph,
            "quotation": e.quotation,
            "visibility": Visibility.public,
        }
        for entry_id, info in zip(entry_ids, layout.cells, strict=True)
        if info.key in given
        for e in given[info.key].evidence
    ]
    if evidence_rows:
        session.execute(insert(Evidence), evidence_rows)
    public = Visibility.public.value
    write_summary(
        session,
        edition,
        [(info.id, mark.value, public) for info, mark in zip(layout.cells, marks, strict=True)],
    )
    tally = Tally()
    for mark in marks:
        tally.add(mark.value)
    record_event(
        session,
        actor=actor,
        action="edition.record_approved",
        entity_type="matrix_edition",
        entity_id=f"{state.iso3}/{edition.number}",
        after={
            "framework": layout.slug,
            "approved_on": approved_on.isoformat(),
            "origin": origin.value,
            "cells": tally.cells,
            "measures": tally.measures,
            "evidence": len(evidence_rows),
        },
    )
    return edition
