"""Progress computed from the matrix, shown beside the State's own report of a measure.

A measure is tied to matrix fields (and, optionally, weapon categories). Its matrix-derived
progress compares two of the State's approved editions that the reader may see: the one in force
when the plan was submitted (the latest approved on or before `submitted_on`; none if the State
had none) and the latest one approved after the submission. The measure "shows progress" when
one of its fields gained an X in that later edition, for one of its weapons (any weapon when the
measure names none): a (field, weapon) pair marked X there and not in the baseline. An OP1 cell
counts for every category its field applies to, as in the per-edition summaries
(services/matrix/summaries.py).

Only approved editions count (never a draft), read through the same visibility rule as every
matrix read (`kernel.access.edition_visible`, and each cell's own visibility), so a reader never
learns from a plan what the matrix would not show them. Two editions per State are read, and of
them only the cells marked X.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from datetime import date
from typing import Protocol

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.models import (
    CellEntry,
    EditionStatus,
    Framework,
    Mark,
    MatrixEdition,
)
from un1540.services.kernel.access import Viewer, edition_visible, visible
from un1540.services.kernel.cache import cached
from un1540.services.matrix.counting import ALL_STATES
from un1540.services.matrix.layout import framework_layout


@dataclass(frozen=True)
class EditionRef:
    id: int
    number: int
    approved_on: date
    framework_id: int


@dataclass(frozen=True)
class MatrixProgress:
    baseline_edition: int | None
    latest_edition: int | None
    latest_approved_on: date | None
    gained_fields: tuple[str, ...]

    @property
    def shows_progress(self) -> bool:
        return bool(self.gained_fields)


NO_PROGRESS = MatrixProgress(None, None, None, ())


class MeasureTies(Protocol):
    """What the progress of a measure reads: an ActionPlanMeasure, or a row of its columns."""

    @property
    def id(self) -> int: ...
    @property
    def fields(self) -> Sequence[str]: ...
    @property
    def weapons(self) -> Sequence[str]: ...


class PlanTies(Protocol):
    """What the progress of a plan's measures reads: an ActionPlan, or a row of its columns."""

    @property
    def id(self) -> int: ...
    @property
    def state_id(self) -> int: ...
    @property
    def submitted_on(self) -> date: ...
    @property
    def measures(self) -> Sequence[MeasureTies]: ...


def approved_editions(
    session: Session, viewer: Viewer, state_ids: Iterable[int]
) -> dict[int, list[EditionRef]]:
    """Each State's approved editions the viewer may see, oldest first."""
    ids = sorted(set(state_ids))
    found: dict[int, list[EditionRef]] = {state_id: [] for state_id in ids}
    if not ids:
        return found
    rows = session.execute(
        select(
            MatrixEdition.state_id,
            MatrixEdition.id,
            MatrixEdition.number,
            MatrixEdition.approved_on,
            MatrixEdition.framework_id,
        )
        .where(
            MatrixEdition.state_id.in_(ids),
            MatrixEdition.status == EditionStatus.approved,
            MatrixEdition.approved_on.is_not(None),
            edition_visible(viewer),
        )
        .order_by(MatrixEdition.state_id, MatrixEdition.number)
    ).all()
    for state_id, edition_id, number, approved_on, framework_id in rows:
        assert approved_on is not None  # selected so
        found[state_id].append(EditionRef(edition_id, number, approved_on, framework_id))
    return found


def _pair_editions(
    editions: Sequence[EditionRef], submitted_on: date
) -> tuple[EditionRef | None, EditionRef | None]:
    before = [edition for edition in editions if edition.approved_on <= submitted_on]
    after = [edition for edition in editions if edition.approved_on > submitted_on]
    return (before[-1] if before else None), (after[-1] if after else None)


def marked_pairs(
    session: Session, viewer: Viewer, editions: Iterable[EditionRef]
) -> dict[int, frozenset[tuple[str, str]]]:
    """For each edition, the (field, weapon) pairs it marks X in cells the viewer may see.

    Cached per set of editions and viewer: an approved edition's cells never change (cells are
    written only in open editions); its visibility changes with a `matrix_edition` event, which
    raises the `matrix` scope, and the layout with the `reference` scope."""
    wanted = {edition.id: edition for edition in editions}
    return cached(
        session,
        ("marked_pairs", tuple(sorted(wanted)), viewer.cache_key),
        depends_on=ALL_STATES,
        compute=lambda: _marked_pairs(session, viewer, wanted),
    )


def _marked_pairs(
    session: Session, viewer: Viewer, wanted: dict[int, EditionRef]
) -> dict[int, frozenset[tuple[str, str]]]:
    pairs: dict[int, set[tuple[str, str]]] = {edition_id: set() for edition_id in wanted}
    if not wanted:
        return {}
    layouts = {
        framework_id: framework_layout(session, session.get_one(Framework, framework_id))
        for framework_id in {edition.framework_id for edition in wanted.values()}
    }
    rows = session.execute(
        select(CellEntry.edition_id, CellEntry.cell_id)
        .join(MatrixEdition, MatrixEdition.id == CellEntry.edition_id)
        .where(
            CellEntry.edition_id.in_(sorted(wanted)),
            CellEntry.mark == Mark.measure,
            visible(CellEntry.visibility, viewer, MatrixEdition.state_id),
        )
    ).all()
    for edition_id, cell_id in rows:
        cell = layouts[wanted[edition_id].framework_id].by_id.get(cell_id)
        if cell is not None:
            pairs[edition_id].update((cell.field_code, weapon) for weapon in cell.weapons)
    return {edition_id: frozenset(marked) for edition_id, marked in pairs.items()}


def measure_progress(
    measure: MeasureTies,
    baseline: EditionRef | None,
    latest: EditionRef | None,
    pairs: Mapping[int, AbstractSet[tuple[str, str]]],
) -> MatrixProgress:
    if latest is None:
        return MatrixProgress(baseline.number if baseline else None, None, None, ())
    before = pairs.get(baseline.id, frozenset()) if baseline else frozenset()
    gained = pairs.get(latest.id, frozenset()) - before
    fields, weapons = set(measure.fields), set(measure.weapons)
    found = sorted(
        {
            field
            for field, weapon in gained
            if field in fields and (not weapons or weapon in weapons)
        }
    )
    return MatrixProgress(
        baseline.number if baseline else None, latest.number, latest.approved_on, tuple(found)
    )


def plans_progress(
    session: Session, viewer: Viewer, plans: Sequence[PlanTies]
) -> dict[int, MatrixProgress]:
    """The matrix-derived progress of every measure of these plans, by measure id."""
    editions = approved_editions(session, viewer, (plan.state_id for plan in plans))
    chosen = {plan.id: _pair_editions(editions[plan.state_id], plan.submitted_on) for plan in plans}
    needed = [edition for pair in chosen.values() for edition in pair if edition is not None]
    pairs = marked_pairs(session, viewer, needed)
    progress = {}
    for plan in plans:
        baseline, latest = chosen[plan.id]
        for measure in plan.measures:
            progress[measure.id] = measure_progress(measure, baseline, latest, pairs)
    return progress
