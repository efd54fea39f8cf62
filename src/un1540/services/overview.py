"""Headline totals of what the caller may see."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from un1540.analytics.coverage import tally_by
from un1540.models import Document, EditionStatus, MatrixEdition, State
from un1540.schemas.overview import OverviewRead
from un1540.services.access import Viewer, edition_visible, visible
from un1540.services.counting import counted_cells
from un1540.services.envelope import envelope


def overview(session: Session, *, viewer: Viewer) -> OverviewRead:
    counted = counted_cells(session, viewer)
    total = tally_by(counted.facts, "global")
    tally = total.tallies.get("all")
    approved = session.scalar(
        select(func.count())
        .select_from(MatrixEdition)
        .where(MatrixEdition.status == EditionStatus.approved, edition_visible(viewer))
    )
    documents = session.scalar(
        select(func.count())
        .select_from(Document)
        .where(visible(Document.visibility, viewer, Document.state_id))
    )
    return OverviewRead(
        **envelope(session),
        states=session.scalar(select(func.count()).select_from(State)) or 0,
        states_with_editions=len(counted.editions),
        approved_editions=approved or 0,
        documents=documents or 0,
        measures=tally.measures if tally else 0,
        average_measures_per_state=total.average_measures_per_state("all") if tally else None,
        coverage=tally.coverage if tally else None,
        uncertain=tally.uncertain if tally else 0,
    )
