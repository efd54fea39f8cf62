"""Suggestions for a request's items, experts' judgements, and the global assignment.

The arithmetic is `analytics/matching.py`; this module reads the requests, offers and
judgements the caller may see and writes judgements (Committee side only, audited).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from un1540.analytics.matching import (
    PART_NAMES,
    ItemNeed,
    OfferReach,
    Settings,
    Suggestion,
    assign,
    rank,
)
from un1540.errors import Forbidden, InvalidData, NotFound, Problem
from un1540.models import (
    AssistanceJudgement,
    AssistanceOffer,
    AssistanceProject,
    AssistanceRequest,
    AssistanceRequestItem,
    Origin,
    Role,
)
from un1540.models.base import today, utc_now
from un1540.reference.matching import MatchingMethod, load_matching_method
from un1540.schemas.assistance import (
    AssignedPair,
    AssignmentRead,
    ItemSuggestions,
    JudgementCreate,
    OfferSuggestion,
    ScorePart,
    SuggestionsRead,
    UnassignedItem,
)
from un1540.services.assistance.core import get_request, offer_visible
from un1540.services.kernel.access import COMMITTEE_SIDE, Viewer, require
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.notifications import notify_matches
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework

VERDICTS = ("accept", "reject", "unsure")
OPEN_FOR_ASSIGNMENT = ("circulated", "published")


def _settings(method: MatchingMethod) -> Settings:
    return Settings(
        weights=method.weights,
        accepted_bonus=method.accepted_bonus,
        minimum_score=method.minimum_score,
        candidates=method.candidates,
        required=method.required,
    )


def _need(item: AssistanceRequestItem) -> ItemNeed:
    request = item.request
    areas = set()
    if request.state is not None:
        areas = {request.state.electoral_group_code or "", request.state.m49_region_code}
    return ItemNeed(
        key=item.id,
        fields=frozenset(item.fields),
        weapons=frozenset(item.weapons),
        help_types=frozenset(item.help_types),
        languages=frozenset(item.languages),
        areas=frozenset(areas - {""}),
    )


def _judgements(session: Session) -> list[AssistanceJudgement]:
    return list(session.scalars(select(AssistanceJudgement)))


def _reaches(
    session: Session, offers: Sequence[AssistanceOffer], judgements: Sequence[AssistanceJudgement]
) -> list[OfferReach]:
    layout = framework_layout(session, default_framework(session))
    by_section: dict[str, set[str]] = {}
    for code, field in layout.fields.items():
        by_section.setdefault(field.section_code, set()).add(code)
    provider_of = {offer.id: offer.provider_key for offer in offers}
    for judgement in judgements:
        provider_of.setdefault(judgement.offer_id, judgement.offer.provider_key)
    accepted_per_offer = Counter(j.offer_id for j in judgements if j.verdict == "accept")
    accepted = Counter(provider_of[j.offer_id] for j in judgements if j.verdict == "accept")
    rejected = Counter(provider_of[j.offer_id] for j in judgements if j.verdict == "reject")
    # Projects delivered count in the provider's record too.
    for provider_key in session.scalars(
        select(AssistanceOffer.provider_key)
        .join(AssistanceProject, AssistanceProject.offer_id == AssistanceOffer.id)
        .where(AssistanceProject.status == "delivered")
    ):
        accepted[provider_key] += 1
    reaches = []
    for offer in offers:
        fields = set(offer.fields)
        for section in offer.sections:
            fields |= by_section.get(section, set())
        key = offer.provider_key
        reaches.append(
            OfferReach(
                key=offer.id,
                fields=frozenset(fields),
                weapons=frozenset(offer.weapons),
                help_types=frozenset(offer.help_types),
                languages=frozenset(offer.languages),
                regions=frozenset(offer.regions),
                capacity_left=max(0, offer.capacity - accepted_per_offer[offer.id]),
                record=(accepted[key] + 1) / (accepted[key] + rejected[key] + 2),
            )
        )
    return reaches


def _parts(suggestion: Suggestion, method: MatchingMethod) -> list[ScorePart]:
    total = sum(method.weights.values())
    return [
        ScorePart(
            code=name,
            name=method.names[name],
            value=suggestion.parts[name],
            weight=method.weights[name],
            points=method.weights[name] * suggestion.parts[name] / total,
        )
        for name in PART_NAMES
    ]


def _current_offers(session: Session, viewer: Viewer) -> list[AssistanceOffer]:
    return list(
        session.scalars(
            select(AssistanceOffer)
            .where(offer_visible(viewer))
            .where((AssistanceOffer.end_on.is_(None)) | (AssistanceOffer.end_on >= today()))
            .order_by(AssistanceOffer.id)
        )
    )


def suggestions_for(session: Session, *, viewer: Viewer, request_id: int) -> SuggestionsRead:
    """Each item's best offers, explained part by part (the Committee side and the requester)."""
    request = get_request(session, viewer=viewer, request_id=request_id)
    speaks = request.state_id is not None and request.state_id == viewer.state_id
    speaks = speaks or (
        request.organisation_id is not None and request.organisation_id == viewer.organisation_id
    )
    if not viewer.is_committee_side and not speaks:
        raise Forbidden("only the Committee side and the requester see suggestions")
    method = load_matching_method()
    offers = _current_offers(session, viewer)
    judgements = _judgements(session)
    # Judgements are Committee-only: the requester's ranking does not reveal them.
    verdicts = (
        {(j.item_id, j.offer_id): j.verdict for j in judgements} if viewer.is_committee_side else {}
    )
    ranked = rank(
        [_need(item) for item in request.items],
        _reaches(session, offers, judgements if viewer.is_committee_side else []),
        _settings(method),
        verdicts,
        limit=method.candidates,
    )
    by_id = {offer.id: offer for offer in offers}
    items = [
        ItemSuggestions(
            item_id=item.id,
            description=item.description,
            suggestions=[
                OfferSuggestion(
                    offer_id=s.offer,
                    title=by_id[s.offer].title,
                    provider=by_id[s.offer].provider_name,
                    score=s.score,
                    parts=_parts(s, method),
                    verdict=s.verdict,
                )
                for s in ranked[item.id]
            ],
        )
        for item in request.items
    ]
    synthetic = request.origin is Origin.demo or any(o.origin is Origin.demo for o in offers)
    return SuggestionsRead(
        **envelope(synthetic), method=method.slug, request_id=request.id, items=items
    )


def record_judgement(
    session: Session, *, viewer: Viewer, data: JudgementCreate
) -> AssistanceJudgement:
    """An expert's verdict on a pair; it replaces any earlier one and is audited."""
    require(viewer, *COMMITTEE_SIDE, action="judge a suggestion")
    if data.verdict not in VERDICTS:
        raise InvalidData(
            "unknown verdict",
            problems=[Problem("verdict", f"must be one of {', '.join(VERDICTS)}")],
        )
    item = session.get(AssistanceRequestItem, data.item_id)
    offer = session.get(AssistanceOffer, data.offer_id)
    if item is None or offer is None:
        raise NotFound("no such request item or offer")
    judgement = session.scalars(
        select(AssistanceJudgement).where(
            AssistanceJudgement.item_id == item.id, AssistanceJudgement.offer_id == offer.id
        )
    ).first()
    before = {"verdict": judgement.verdict} if judgement else None
    if judgement is None:
        judgement = AssistanceJudgement(item_id=item.id, offer_id=offer.id, judged_by=viewer.actor)
        session.add(judgement)
    judgement.verdict = data.verdict
    judgement.note = data.note
    judgement.judged_by = viewer.actor
    judgement.judged_at = utc_now()
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="assistance_judgement.record",
        entity_type="assistance_judgement",
        entity_id=f"{item.id}:{offer.id}",
        before=before,
        after={"verdict": data.verdict},
        reason=data.note,
    )
    return judgement


def global_assignment(session: Session, *, viewer: Viewer) -> AssignmentRead:
    """One offer (at most) for every open item, within each offer's capacity, best total."""
    require(viewer, *COMMITTEE_SIDE, action="compute the global assignment")
    method = load_matching_method()
    items = list(
        session.scalars(
            select(AssistanceRequestItem)
            .join(AssistanceRequest)
            .options(selectinload(AssistanceRequestItem.request))
            .where(AssistanceRequest.status.in_(OPEN_FOR_ASSIGNMENT))
            .order_by(AssistanceRequestItem.id)
        )
    )
    offers = _current_offers(session, viewer)
    judgements = _judgements(session)
    reaches = _reaches(session, offers, judgements)
    verdicts = {(j.item_id, j.offer_id): j.verdict for j in judgements}
    candidates = rank(
        [_need(item) for item in items],
        reaches,
        _settings(method),
        verdicts,
        limit=method.candidates,
    )
    result = assign(candidates, {reach.key: reach.capacity_left for reach in reaches})
    by_item = {item.id: item for item in items}
    by_offer = {offer.id: offer for offer in offers}
    pairs = [
        AssignedPair(
            request_id=by_item[pair.item].request_id,
            item_id=pair.item,
            offer_id=pair.offer,
            offer_title=by_offer[pair.offer].title,
            score=pair.score,
            parts=_parts(pair, method),
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
    synthetic = any(o.origin is Origin.demo for o in offers)
    return AssignmentRead(
        **envelope(synthetic),
        method=method.slug,
        solver="linear programming (SciPy HiGHS; the bipartite problem gives whole solutions)",
        total_score=result.total_score,
        pairs=pairs,
        unassigned=unassigned,
    )


def notify_circulated(session: Session, request: AssistanceRequest) -> int:
    """Tell the providers whose offers are among the best suggestions for a circulated request."""
    method = load_matching_method()
    committee = Viewer(role=Role.admin, actor="system: matching", user_id=0)
    offers = _current_offers(session, committee)
    judgements = _judgements(session)
    ranked = rank(
        [_need(item) for item in request.items],
        _reaches(session, offers, judgements),
        _settings(method),
        {(j.item_id, j.offer_id): j.verdict for j in judgements},
        limit=method.candidates,
    )
    suggested = {s.offer for suggestions in ranked.values() for s in suggestions}
    return notify_matches(session, request, [o for o in offers if o.id in suggested])
