"""Offers of assistance, as the viewer may see them (by the offer's visibility)."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, joinedload

from un1540.models import AssistanceOffer
from un1540.models.base import today
from un1540.services.kernel.access import Viewer, visible
from un1540.services.kernel.paging import PageRequest


def offer_visible(viewer: Viewer) -> ColumnElement[bool]:
    return visible(AssistanceOffer.visibility, viewer)


def list_offers(
    session: Session, *, viewer: Viewer, paging: PageRequest | None = None
) -> tuple[list[AssistanceOffer], int]:
    paging = paging or PageRequest()
    condition = offer_visible(viewer)
    total = session.scalar(select(func.count()).select_from(AssistanceOffer).where(condition))
    rows = session.scalars(
        select(AssistanceOffer)
        .where(condition)
        # The shape names each offer's State or organisation: load them with the page, not
        # one statement per offer.
        .options(joinedload(AssistanceOffer.state), joinedload(AssistanceOffer.organisation))
        .order_by(AssistanceOffer.created_at.desc(), AssistanceOffer.id.desc())
        .offset(paging.offset)
        .limit(paging.page_size)
    ).all()
    return list(rows), total or 0


def current_offers(session: Session, viewer: Viewer) -> list[AssistanceOffer]:
    """The offers this viewer may see that have not ended: those matching may suggest."""
    return list(
        session.scalars(
            select(AssistanceOffer)
            .where(offer_visible(viewer))
            .where((AssistanceOffer.end_on.is_(None)) | (AssistanceOffer.end_on >= today()))
            .order_by(AssistanceOffer.id)
        )
    )
