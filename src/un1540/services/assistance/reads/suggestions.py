"""Suggestions for a request's items, and the global assignment: both rank through matching.py."""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.analytics.matching import accepted_pair, assign, pair_parts
from un1540.errors import Forbidden
from un1540.models import AssistanceRequest, AssistanceRequestItem, Origin
from un1540.reference.languages import N_
from un1540.schemas.assistance import (
    AssignmentRead,
    SuggestionsRead,
    UnassignedItem,
)
from un1540.services.assistance.matching import ItemRow, rank_item_rows, rank_offers
from un1540.services.assistance.parties import sees_suggestions
from un1540.services.assistance.reads.requests import get_request
from un1540.services.assistance.shapes import assigned_pair, item_suggestions
from un1540.services.kernel.access import COMMITTEE_SIDE, Viewer, require
from un1540.services.kernel.envelope import envelope

OPEN_FOR_ASSIGNMENT = ("circulated", "published")


def suggestions_for(session: Session, *, viewer: Viewer, request_id: int) -> SuggestionsRead:
    """Each item's best offers, explained part by part (the Committee side and the requester)."""
    request = get_request(session, viewer=viewer, request_id=request_id)
    if not viewer.is_committee_side and not sees_suggestions(viewer, request):
        raise Forbidden(N_("only the Committee side and the requester see suggestions"))
    ranking = rank_offers(session, viewer, request.items, judged=viewer.is_committee_side)
    items = [item_suggestions(item, ranking) for item in request.items]
    synthetic = request.origin is Origin.demo or any(
        o.origin is Origin.demo for o in ranking.offers.values()
    )
    return SuggestionsRead(
        **envelope(synthetic), method=ranking.method.slug, request_id=request.id, items=items
    )


def global_assignment(session: Session, *, viewer: Viewer) -> AssignmentRead:
    """One offer (at most) for every open item, within each offer's capacity, best total. A pair
    an expert accepted is fixed in it (the best-scoring one, if an item has several) and uses
    its offer's capacity once: every accepted pair is already counted in the capacity left."""
    require(viewer, *COMMITTEE_SIDE, action=N_("compute the global assignment"))
    items = [
        ItemRow(*row)
        for row in session.execute(
            select(
                AssistanceRequestItem.id,
                AssistanceRequestItem.request_id,
                AssistanceRequest.state_id,
                AssistanceRequestItem.fields,
                AssistanceRequestItem.weapons,
                AssistanceRequestItem.help_types,
                AssistanceRequestItem.languages,
            )
            .join(AssistanceRequest)
            .where(AssistanceRequest.status.in_(OPEN_FOR_ASSIGNMENT))
            .order_by(AssistanceRequestItem.id)
        )
    ]
    ranking = rank_item_rows(session, viewer, items, judged=True, with_parts=False)
    candidates = ranking.suggestions
    fixed = [
        max(
            (
                accepted_pair(ranking.needs[key], ranking.reaches[offer], ranking.settings)
                for offer in offers
            ),
            key=lambda pair: (pair.score, -pair.offer),
        )
        for key, offers in sorted(ranking.accepted.items())
    ]
    result = assign(candidates, ranking.capacity_left, fixed)
    by_item = {item.id: item for item in items}
    pairs = [
        assigned_pair(
            replace(pair, parts=pair_parts(ranking.needs[pair.item], ranking.reaches[pair.offer])),
            by_item[pair.item].request_id,
            ranking,
        )
        for pair in result.pairs
    ]
    unassigned = [
        UnassignedItem(
            request_id=by_item[key].request_id,
            item_id=key,
            reason="no offer reaches the minimum score"
            if not candidates[key]
            else "the offers that fit are full with better-scoring items",
        )
        for key in result.unassigned
    ]
    synthetic = any(o.origin is Origin.demo for o in ranking.offers.values())
    return AssignmentRead(
        **envelope(synthetic),
        method=ranking.method.slug,
        solver="linear programming (SciPy HiGHS; the bipartite problem gives whole solutions)",
        total_score=result.total_score,
        pairs=pairs,
        unassigned=unassigned,
    )
