"""Which editions count (the latest approved one of each State) and the cells they hold."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from un1540.analytics.coverage import Breakdown, CellFact, Tally, tally_by
from un1540.models import CellEntry, EditionStatus, Framework, MatrixEdition, Origin, State
from un1540.schemas.tallies import TallyRead
from un1540.services.access import Viewer, edition_visible, visible
from un1540.services.data_version import VersionedCache
from un1540.services.frameworks import framework_layout

COUNTING_BASIS = "the latest approved edition of each State that the caller may see"


@dataclass(frozen=True)
class CountedEdition:
    id: int
    state_id: int
    iso3: str
    number: int
    approved_on: date | None
    framework_id: int
    synthetic: bool


@dataclass(frozen=True)
class CountedCells:
    editions: dict[str, CountedEdition]  # by iso3
    facts: tuple[CellFact, ...]

    @property
    def synthetic(self) -> bool:
        return any(edition.synthetic for edition in self.editions.values())


_CACHE = VersionedCache()


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
    return _CACHE.get(
        session, ("latest", viewer.cache_key), lambda: _latest_approved(session, viewer, None)
    )


def tally_read(tally: Tally) -> TallyRead:
    return TallyRead(
        cells=tally.cells,
        measures=tally.measures,
        uncertain=tally.uncertain,
        not_applicable=tally.not_applicable,
        blank=tally.blank,
        applicable=tally.applicable,
        coverage=tally.coverage,
    )


def _compute(session: Session, viewer: Viewer) -> CountedCells:
    editions = latest_approved_editions(session, viewer)
    states = {
        state.iso3: state
        for state in session.scalars(select(State).where(State.iso3.in_(list(editions))))
    }
    layouts = {
        framework.id: framework_layout(session, framework)
        for framework in session.scalars(
            select(Framework).where(Framework.id.in_({e.framework_id for e in editions.values()}))
        )
    }
    by_edition_id = {edition.id: edition for edition in editions.values()}
    rows = session.execute(
        select(CellEntry.edition_id, CellEntry.cell_id, CellEntry.mark)
        .join(MatrixEdition, MatrixEdition.id == CellEntry.edition_id)
        .where(
            CellEntry.edition_id.in_(list(by_edition_id)),
            visible(CellEntry.visibility, viewer, MatrixEdition.state_id),
        )
    ).all()
    facts = []
    for edition_id, cell_id, mark in rows:
        edition = by_edition_id[edition_id]
        state = states[edition.iso3]
        cell = layouts[edition.framework_id].by_id[cell_id]
        facts.append(
            CellFact(
                state=edition.iso3,
                group=state.electoral_group_code,
                region=state.m49_region_code,
                section=cell.section_code,
                field=cell.field_code,
                column=cell.column,
                weapons=cell.weapons,
                mark=mark.value,
            )
        )
    return CountedCells(editions=editions, facts=tuple(facts))


def counted_cells(session: Session, viewer: Viewer) -> CountedCells:
    """The cells every coverage figure counts; recomputed only after a write."""
    return _CACHE.get(session, ("counted", viewer.cache_key), lambda: _compute(session, viewer))


def breakdown(session: Session, viewer: Viewer, dimension: str) -> Breakdown:
    """Counted cells tallied by one dimension (cached like counted_cells)."""

    def compute() -> Breakdown:
        return tally_by(counted_cells(session, viewer).facts, dimension)

    return _CACHE.get(session, ("breakdown", dimension, viewer.cache_key), compute)


def state_tallies(session: Session, viewer: Viewer) -> dict[str, Tally]:
    """Each State's tally over its counted edition."""
    return breakdown(session, viewer, "state").tallies
