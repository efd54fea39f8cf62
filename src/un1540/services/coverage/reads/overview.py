"""Headline totals of what the caller may see."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from un1540.models import EditionStatus, MatrixEdition, State
from un1540.schemas.overview import OverviewRead
from un1540.services.documents.reads import count_documents
from un1540.services.kernel.access import Viewer, edition_visible
from un1540.services.kernel.envelope import envelope
from un1540.services.matrix.counting import breakdown, counted_editions


def overview(session: Session, *, viewer: Viewer) -> OverviewRead:
    counted = counted_editions(session, viewer)
    total = breakdown(session, viewer, "global")
    tally = total.tallies.get("all")
    approved = session.scalar(
        select(func.count())
        .select_from(MatrixEdition)
        .where(MatrixEdition.status == EditionStatus.approved, edition_visible(viewer))
    )
    documents, demo_documents = count_documents(session, viewer=viewer)
    return OverviewRead(
        **envelope(any(edition.synthetic for edition in counted) or demo_documents),
        states=session.scalar(select(func.count()).select_from(State)) or 0,
        states_with_editions=len(counted),
        approved_editions=approved or 0,
        documents=documents or 0,
        measures=tally.measures if tally else 0,
        average_measures_per_state=total.average_measures_per_state("all") if tally else None,
        coverage=tally.coverage if tally else None,
        uncertain=tally.uncertain if tally else 0,
    )
