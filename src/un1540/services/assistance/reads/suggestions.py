"""Suggestions for a request's items, and the global assignment: both rank through matching.py."""

from __future__ import annotations

import json
from dataclasses import replace

from sqlalchemy import Text, cast, select
from sqlalchemy.orm import Session

from un1540.analytics.matching import (
    accepted_pair,
    assign_candidates,
    candidate_table,
    pair_parts,
)
from un1540.errors import Forbidden
from un1540.models import AssistanceRequest, AssistanceRequestItem, Origin
from un1540.reference.languages import N_
from un1540.schemas.assistance import (
    AssignmentRead,
    SuggestionsRead,
    UnassignedItem,
)
from un1540.services.assistance.matching import ItemRow, consider, rank_offers
from un1540.services.assistance.parties import sees_suggestions
from un1540.services.assistance.reads.requests import get_request
from un1540.services.assistance.shapes import assigned_pair, item_suggestions
from un1540.services.kernel.access import COMMITTEE_SIDE, Viewer, require
from un1540.services.kernel.collector import collection_paused
from un1540.services.kernel.envelope import envelope

OPEN_FOR_ASSIGNMENT = ("circulated", "published")
_ITEM_LISTS = (
    AssistanceRequestItem.fields,
    AssistanceRequestItem.weapons,
    AssistanceRequestItem.help_types,
    AssistanceRequestItem.languages,
)


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
    with collection_paused():  # it builds some 100,000 objects that live until the answer
        return _assignment(session, viewer)


def open_item_rows(session: Session) -> list[ItemRow]:
    """Every item of the requests open for assignment, by id. Their lists (fields, weapons,
    kinds of help, languages) are read as JSON text and decoded as one document: one call of
    the JSON decoder rather than four a row."""
    rows = session.execute(
        select(
            AssistanceRequestItem.id,
            AssistanceRequestItem.request_id,
            AssistanceRequest.state_id,
            *(cast(column, Text) for column in _ITEM_LISTS),
        )
        .join(AssistanceRequest)
        .where(AssistanceRequest.status.in_(OPEN_FOR_ASSIGNMENT))
        .order_by(AssistanceRequestItem.id)
    ).all()
    width = len(_ITEM_LISTS)
    lists = json.loads("[" + ",".join(text for row in rows for text in row[3:]) + "]")
    return [
        ItemRow(row[0], row[1], row[2], *lists[width * number : width * (number + 1)])
        for number, row in enumerate(rows)
    ]


def _assignment(session: Session, viewer: Viewer) -> AssignmentRead:
    items = open_item_rows(session)
    considered = consider(session, viewer, items, judged=True)
    table = candidate_table(
        list(considered.needs.values()),
        list(considered.reaches.values()),
        considered.settings,
        considered.verdicts,
        limit=considered.method.candidates,
    )
    fixed = [
        max(
            (
                accepted_pair(considered.needs[key], considered.reaches[offer], considered.settings)
                for offer in offers
            ),
            key=lambda pair: (pair.score, -pair.offer),
        )
        for key, offers in sorted(considered.accepted.items())
    ]
    result = assign_candidates(table, considered.capacity_left, fixed, considered.verdicts)
    by_item = {item.id: item for item in items}
    pairs = [
        assigned_pair(
            replace(
                pair,
                parts=pair_parts(considered.needs[pair.item], considered.reaches[pair.offer]),
            ),
            by_item[pair.item].request_id,
            considered,
        )
        for pair in result.pairs
    ]
    counts = table.count_of()
    unassigned = [
        UnassignedItem(
            request_id=by_item[key].request_id,
            item_id=key,
            reason="no offer reaches the minimum score"
            if not counts[key]
            else "the offers that fit are full with better-scoring items",
        )
        for key in result.unassigned
    ]
    synthetic = any(o.origin is Origin.demo for o in considered.offers.values())
    return AssignmentRead(
        **envelope(synthetic),
        method=considered.method.slug,
        solver="linear programming (SciPy HiGHS; the bipartite problem gives whole solutions)",
        total_score=result.total_score,
        pairs=pairs,
        unassigned=unassigned,
    )
