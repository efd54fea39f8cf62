"""The one "gather offers, rank" sequence: the offers a viewer may see that have not ended,
their reach (fields, capacity left, the provider's record), and each item's ranked suggestions.

The arithmetic is `analytics/matching.py`; the suggestions page, the global assignment and the
notices sent when a request is circulated all rank through `rank_offers`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.analytics.matching import ItemNeed, OfferReach, Settings, Suggestion, rank
from un1540.models import (
    AssistanceJudgement,
    AssistanceOffer,
    AssistanceProject,
    AssistanceRequestItem,
)
from un1540.reference.matching import MatchingMethod, load_matching_method
from un1540.services.assistance.reads.offers import current_offers
from un1540.services.kernel.access import Viewer
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework


@dataclass(frozen=True)
class Ranking:
    """Each item's suggestions (by item id), from the offers that were considered."""

    method: MatchingMethod
    offers: dict[int, AssistanceOffer]
    capacity_left: dict[int, int]
    suggestions: dict[int, list[Suggestion]]

    @property
    def suggested_offers(self) -> list[AssistanceOffer]:
        suggested = {s.offer for ranked in self.suggestions.values() for s in ranked}
        return [offer for key, offer in self.offers.items() if key in suggested]


def rank_offers(
    session: Session, viewer: Viewer, items: Sequence[AssistanceRequestItem], *, judged: bool
) -> Ranking:
    """Rank the offers `viewer` may see for `items`. Judgements count only when `judged` (they
    are the Committee side's: a requester's ranking does not reveal them)."""
    method = load_matching_method()
    offers = current_offers(session, viewer)
    judgements = list(session.scalars(select(AssistanceJudgement))) if judged else []
    reaches = _reaches(session, offers, judgements)
    suggestions = rank(
        [_need(item) for item in items],
        reaches,
        _settings(method),
        {(j.item_id, j.offer_id): j.verdict for j in judgements},
        limit=method.candidates,
    )
    return Ranking(
        method=method,
        offers={offer.id: offer for offer in offers},
        capacity_left={reach.key: reach.capacity_left for reach in reaches},
        suggestions=suggestions,
    )


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
