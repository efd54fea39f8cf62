"""Which editions count (the latest approved one of each State, or the one in force on a date)
and the cells they hold.

Two paths give the same figures (tests/services/test_summaries.py checks it on random
histories): the summaries of the editions in force (summaries.py: one row per State, what the
reads use), and the reference, every approved edition's marks as one matrix (`mark_matrix`,
what the summaries cannot answer: a cell dimension over part of the cells).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import numpy.typing as npt
from sqlalchemy import String, case, cast, func, select
from sqlalchemy.orm import Session

from un1540.analytics.coverage import Breakdown, Tally
from un1540.analytics.summaries import (
    CellFilter,
    SummaryBlock,
    answerable,
    tally_summaries,
)
from un1540.analytics.timeline import (
    DIMENSIONS,
    MARK_CODES,
    CellColumn,
    EditionRow,
    MarkMatrix,
    columns_where,
    in_force,
    mark_matrix_from_codes,
    tally_rows,
)
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
)
from un1540.reference.languages import N_
from un1540.schemas.tallies import TallyRead
from un1540.services.kernel.access import Viewer, edition_visible, visible
from un1540.services.kernel.cache import cached
from un1540.services.kernel.data_version import MATRIX, REFERENCE, state_scope
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.summaries import cell_columns, in_force_keys, in_force_summaries

COUNTING_BASIS = N_("the latest approved edition of each State that the caller may see")


@dataclass(frozen=True)
class CountedEdition:
    id: int
    state_id: int
    iso3: str
    number: int
    approved_on: date | None
    framework_id: int
    synthetic: bool


# What the counted editions of all States depend on: any State's matrix and the frameworks.
ALL_STATES = (MATRIX, REFERENCE)


def _latest_approved(
    session: Session, viewer: Viewer, state_ids: list[int] | None
) -> dict[str, CountedEdition]:
    approved = (MatrixEdition.status == EditionStatus.approved) & edition_visible(viewer)
    if state_ids is not None:
        approved = approved & MatrixEdition.state_id.in_(state_ids)
    latest = (
        select(MatrixEdition.state_id, func.max(MatrixEdition.number).label("number"))
        .where(approved)
        .group_by(MatrixEdition.state_id)
        .subquery()
    )
    rows = session.execute(
        select(
            MatrixEdition.id,
            MatrixEdition.state_id,
            State.iso3,
            MatrixEdition.number,
            MatrixEdition.approved_on,
            MatrixEdition.framework_id,
            MatrixEdition.origin,
        )
        .join(
            latest,
            (MatrixEdition.state_id == latest.c.state_id)
            & (MatrixEdition.number == latest.c.number),
        )
        .join(State, State.id == MatrixEdition.state_id)
    ).all()
    return {
        iso3: CountedEdition(
            id=edition_id,
            state_id=state_id,
            iso3=iso3,
            number=number,
            approved_on=approved_on,
            framework_id=framework_id,
            synthetic=origin is Origin.demo,
        )
        for edition_id, state_id, iso3, number, approved_on, framework_id, origin in rows
    }


def latest_approved_editions(
    session: Session, viewer: Viewer, state_ids: list[int] | None = None
) -> dict[str, CountedEdition]:
    """The latest approved edition of each State (or of the States given) the caller may see."""
    if state_ids is not None:
        return _latest_approved(session, viewer, state_ids)
    return cached(
        session,
        ("latest_approved", viewer.cache_key),
        depends_on=ALL_STATES,
        compute=lambda: _latest_approved(session, viewer, None),
    )


def tally_read(tally: Tally) -> TallyRead:
    # Built from our own counts, so pydantic's validation is skipped (it was a tenth of the
    # time of a whole review).
    return TallyRead.model_construct(
        cells=tally.cells,
        measures=tally.measures,
        uncertain=tally.uncertain,
        not_applicable=tally.not_applicable,
        blank=tally.blank,
        applicable=tally.applicable,
        coverage=tally.coverage,
    )


PACK = 8  # > every mark code, so cell id and code share one integer


def _unpack(rows: list[tuple[int, str]]) -> npt.NDArray[np.int64]:
    """(edition id, "packed,packed,...") rows as an array of (edition id, cell id, code)."""
    if not rows:
        return np.zeros((0, 3), dtype=np.int64)
    values = [np.array(text.split(","), dtype=np.int64) for _, text in rows]
    editions = np.repeat([edition_id for edition_id, _ in rows], [len(v) for v in values])
    packed = np.concatenate(values)
    return np.column_stack((editions, packed // PACK, packed % PACK))


def _load_matrix(session: Session, viewer: Viewer, state_id: int | None = None) -> MarkMatrix:
    approved = (MatrixEdition.status == EditionStatus.approved) & edition_visible(viewer)
    if state_id is not None:
        approved = approved & (MatrixEdition.state_id == state_id)
    edition_rows = session.execute(
        select(
            MatrixEdition.id,
            State.iso3,
            MatrixEdition.number,
            MatrixEdition.approved_on,
            State.electoral_group_code,
            State.m49_region_code,
            MatrixEdition.origin,
            MatrixEdition.framework_id,
        )
        .join(State, State.id == MatrixEdition.state_id)
        .where(approved)
        .order_by(State.iso3, MatrixEdition.number)
    ).all()
    # Evidence dates grouped in SQL: a date and how many X cells cite a document of that date.
    evidence: dict[int, list[date]] = {}
    for edition_id, issued_on, count in session.execute(
        select(CellEntry.edition_id, Document.issued_on, func.count())
        .join(Evidence, Evidence.cell_entry_id == CellEntry.id)
        .join(Document, Document.id == Evidence.document_id)
        .join(MatrixEdition, MatrixEdition.id == CellEntry.edition_id)
        .where(
            approved,
            CellEntry.mark == Mark.measure,
            Document.issued_on.is_not(None),
            visible(CellEntry.visibility, viewer, MatrixEdition.state_id),
            visible(Evidence.visibility, viewer, MatrixEdition.state_id),
            visible(Document.visibility, viewer, Document.state_id),
        )
        .group_by(CellEntry.edition_id, Document.issued_on)
    ):
        if issued_on is not None:  # also excluded in SQL; this tells the type checker
            evidence.setdefault(edition_id, []).extend([issued_on] * count)
    editions = [
        EditionRow(
            id=edition_id,
            state=iso3,
            number=number,
            approved_on=approved_on,
            group=group,
            region=region,
            synthetic=origin is Origin.demo,
            evidence_dates=tuple(sorted(evidence.get(edition_id, ()))),
        )
        for edition_id, iso3, number, approved_on, group, region, origin, _ in edition_rows
    ]
    framework_ids = {row[-1] for row in edition_rows}
    cells: list[CellColumn] = [
        cell
        for framework in session.scalars(select(Framework).where(Framework.id.in_(framework_ids)))
        for cell in cell_columns(framework_layout(session, framework))
    ]
    code = case(
        *((CellEntry.mark == Mark(mark), position) for position, mark in enumerate(MARK_CODES)),
        else_=len(MARK_CODES),
    )
    # One row per edition: its cells packed as "cell id x 8 + mark code" in a string. Building
    # a result row per cell would cost more than the query itself for a few hundred thousand.
    packed = func.aggregate_strings(cast(CellEntry.cell_id * PACK + code, String), ",")
    rows = session.execute(
        select(CellEntry.edition_id, packed)
        .join(MatrixEdition, MatrixEdition.id == CellEntry.edition_id)
        .where(approved, visible(CellEntry.visibility, viewer, MatrixEdition.state_id))
        .group_by(CellEntry.edition_id)
    ).all()
    codes = _unpack([(edition_id, text) for edition_id, text in rows])
    return mark_matrix_from_codes(cells, editions, codes)


def mark_matrix(session: Session, viewer: Viewer) -> MarkMatrix:
    """Every approved edition the caller may see, as marks; recomputed only after a write to a
    matrix or a framework. The reference path: it reads every cell of the whole history."""
    return cached(
        session,
        ("mark_matrix", viewer.cache_key),
        depends_on=ALL_STATES,
        compute=lambda: _load_matrix(session, viewer),
    )


def summaries_in_force(session: Session, viewer: Viewer, as_of: date | None = None) -> SummaryBlock:
    """The summary of each State's edition in force on `as_of` (one row per State), cached
    like the matrix."""
    return cached(
        session,
        ("summaries_in_force", as_of, viewer.cache_key),
        depends_on=ALL_STATES,
        compute=lambda: in_force_summaries(session, viewer, as_of),
    )


def counted_editions(
    session: Session, viewer: Viewer, as_of: date | None = None
) -> list[EditionRow]:
    """The edition of each State in force on `as_of` (the latest approved one when None)."""
    return list(summaries_in_force(session, viewer, as_of).editions)


def reference_counted_editions(
    session: Session, viewer: Viewer, as_of: date | None = None
) -> list[EditionRow]:
    """The same from every approved edition's marks (the reference path)."""
    matrix = _load_matrix(session, viewer)
    return [matrix.editions[row] for row in in_force(matrix, as_of)]


@dataclass(frozen=True)
class Selection:
    """Which cells and States a figure counts (None: all), e.g. for a map of one section."""

    section: str | None = None
    field: str | None = None
    weapon: str | None = None
    group: str | None = None
    state: str | None = None

    def keeps(self, edition: EditionRow) -> bool:
        return (self.group is None or edition.group == self.group) and (
            self.state is None or edition.state == self.state
        )

    def rows(self, matrix: MarkMatrix, as_of: date | None) -> list[int]:
        return [row for row in in_force(matrix, as_of) if self.keeps(matrix.editions[row])]

    def summaries(self, block: SummaryBlock) -> SummaryBlock:
        """The summaries of the States this selection counts."""
        if self.group is None and self.state is None:
            return block
        return block.select(
            [row for row, edition in enumerate(block.editions) if self.keeps(edition)]
        )

    def cell_filters(self) -> list[CellFilter]:
        """The cells it counts, as keys of the summaries' dimensions (none: all cells)."""
        return [
            CellFilter(dimension, code)
            for dimension, code in (
                ("section", self.section),
                ("field", self.field),
                ("weapon", self.weapon),
            )
            if code is not None
        ]

    def columns(self, matrix: MarkMatrix) -> list[int] | None:
        if self.section is None and self.field is None and self.weapon is None:
            return None
        return columns_where(
            matrix,
            sections=[self.section] if self.section else [],
            fields=[self.field] if self.field else [],
            weapons=[self.weapon] if self.weapon else [],
        )


EVERYTHING = Selection()


def breakdown(
    session: Session,
    viewer: Viewer,
    dimension: str,
    as_of: date | None = None,
    selection: Selection = EVERYTHING,
) -> Breakdown:
    """The counted cells tallied by one dimension (cached like the matrix)."""
    key = ("breakdown", dimension, as_of, selection, viewer.cache_key)
    return cached(
        session,
        key,
        depends_on=ALL_STATES,
        compute=lambda: summary_breakdown(session, viewer, dimension, as_of, selection),
    )


def summary_breakdown(
    session: Session,
    viewer: Viewer,
    dimension: str,
    as_of: date | None = None,
    selection: Selection = EVERYTHING,
) -> Breakdown:
    """The counted cells tallied by one dimension from the summaries of the editions in force,
    or, for what they cannot answer, from the reference path."""
    filters = selection.cell_filters()
    if not answerable(dimension, filters):
        matrix = mark_matrix(session, viewer)
        return tally_rows(
            matrix, selection.rows(matrix, as_of), dimension, selection.columns(matrix)
        )
    rows = selection.summaries(summaries_in_force(session, viewer, as_of))
    return tally_summaries(rows, dimension, filters[0] if filters else None)


def keys_in_force(
    session: Session, viewer: Viewer, dates: tuple[date, ...]
) -> tuple[bool, dict[str, frozenset[str]]]:
    """For the editions in force on any of `dates`: whether one is synthetic, and the keys of
    each dimension `breakdown` (all cells, all States) would tally on one of the dates, without
    tallying (one statement for all the dates; cached like the matrix)."""

    def compute() -> tuple[bool, dict[str, frozenset[str]]]:
        synthetic, keys = in_force_keys(session, viewer, dates, DIMENSIONS)
        return synthetic, {dimension: frozenset(found) for dimension, found in keys.items()}

    return cached(
        session,
        ("keys_in_force", dates, viewer.cache_key),
        depends_on=ALL_STATES,
        compute=compute,
    )


def reference_breakdown(
    session: Session,
    viewer: Viewer,
    dimension: str,
    as_of: date | None = None,
    selection: Selection = EVERYTHING,
) -> Breakdown:
    """The same as `breakdown` from every approved edition's marks, uncached: the reference
    the summaries are tested against."""
    matrix = _load_matrix(session, viewer)
    return tally_rows(matrix, selection.rows(matrix, as_of), dimension, selection.columns(matrix))


def state_tallies(session: Session, viewer: Viewer) -> dict[str, Tally]:
    """Each State's tally over its counted edition."""
    return breakdown(session, viewer, "state").tallies


def state_tally(session: Session, viewer: Viewer, state: State) -> Tally | None:
    """One State's tally over its counted edition (None without one), the same as its entry in
    state_tallies, but computed from that State's editions alone: a State's page depends on its
    own records only, and stays cached while other States are written."""

    def compute() -> Tally | None:
        matrix = _load_matrix(session, viewer, state.id)
        return tally_rows(matrix, in_force(matrix), "state").tallies.get(state.iso3)

    return cached(
        session,
        ("state_tally", state.iso3, viewer.cache_key),
        depends_on=(state_scope(state.iso3), REFERENCE),
        compute=compute,
    )
