"""The one "gather offers, rank" sequence: the offers a viewer may see that have not ended,
their reach (fields, capacity left, the provider's record), and each item's ranked suggestions.

The arithmetic is `analytics/matching.py`; the suggestions page and the notices sent when a
request is circulated rank through `rank_offers`; the global assignment gathers the same things
through `consider` and ranks them into arrays (`candidate_table`), the same offers and scores.

Judgements are the Committee side's. Every ranking counts them in what they make of an offer
(its capacity left after the pairs experts accepted, its provider's record); a pair an expert
rejected is never suggested to anyone, the requester included; only the Committee side's ranking
gives accepted pairs their bonus and shows the verdicts.
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
    GroupMembership,
    State,
)
from un1540.reference.matching import MatchingMethod, load_matching_method
from un1540.services.assistance.reads.offers import current_offers
from un1540.services.kernel.access import Viewer
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework


@dataclass(frozen=True)
class Considered:
    """What a ranking considers: the offers, their reach and capacity left, the items' needs,
    the verdicts that count and the pairs experts accepted."""

    method: MatchingMethod
    settings: Settings
    offers: dict[int, AssistanceOffer]
    capacity_left: dict[int, int]
    needs: dict[int, ItemNeed]
    reaches: dict[int, OfferReach]
    accepted: dict[int, list[int]]  # item -> the offers (among `offers`) experts accepted for it
    verdicts: dict[tuple[int, int], str]


@dataclass(frozen=True)
class Ranking(Considered):
    """Each item's suggestions (by item id), from the offers that were considered."""

    suggestions: dict[int, list[Suggestion]]

    @property
    def suggested_offers(self) -> list[AssistanceOffer]:
        suggested = {s.offer for ranked in self.suggestions.values() for s in ranked}
        return [offer for key, offer in self.offers.items() if key in suggested]


@dataclass(frozen=True)
class ItemRow:
    """What matching reads of a request item (and of its request: the requesting State)."""

    id: int
    request_id: int
    state_id: int | None
    fields: list[str]
    weapons: list[str]
    help_types: list[str]
    languages: list[str]


def item_rows(items: Sequence[AssistanceRequestItem]) -> list[ItemRow]:
    return [
        ItemRow(
            id=item.id,
            request_id=item.request_id,
            state_id=item.request.state_id,
            fields=item.fields,
            weapons=item.weapons,
            help_types=item.help_types,
            languages=item.languages,
        )
        for item in items
    ]


def rank_offers(
    session: Session, viewer: Viewer, items: Sequence[AssistanceRequestItem], *, judged: bool
) -> Ranking:
    """Rank the offers `viewer` may see for `items`. Verdicts count only when `judged` (they
    are the Committee side's: the requester's ranking shows none, and only leaves out the pairs
    experts rejected)."""
    considered = consider(session, viewer, item_rows(items), judged=judged)
    suggestions = rank(
        list(considered.needs.values()),
        list(considered.reaches.values()),
        considered.settings,
        considered.verdicts,
        limit=considered.method.candidates,
    )
    return Ranking(**vars(considered), suggestions=suggestions)


def consider(
    session: Session, viewer: Viewer, items: Sequence[ItemRow], *, judged: bool
) -> Considered:
    """What ranking `items` considers: the offers `viewer` may see, their reach, the items'
    needs, the verdicts that count (every one when `judged`, else only rejections), and the
    pairs experts accepted."""
    method = load_matching_method()
    settings = _settings(method)
    offers = current_offers(session, viewer)
    judgements = list(session.scalars(select(AssistanceJudgement)))
    reaches = _reaches(session, offers, judgements)
    needs = _needs(session, items)
    item_keys = {need.key for need in needs}
    verdicts = {
        (j.item_id, j.offer_id): j.verdict
        for j in judgements
        if j.item_id in item_keys and (judged or j.verdict == "reject")
    }
    offer_keys = {offer.id for offer in offers}
    accepted: dict[int, list[int]] = {}
    for (item_key, offer_key), verdict in sorted(verdicts.items()):
        if verdict == "accept" and offer_key in offer_keys:
            accepted.setdefault(item_key, []).append(offer_key)
    return Considered(
        method=method,
        settings=settings,
        offers={offer.id: offer for offer in offers},
        capacity_left={reach.key: reach.capacity_left for reach in reaches},
        needs={need.key: need for need in needs},
        reaches={reach.key: reach for reach in reaches},
        accepted=accepted,
        verdicts=verdicts,
    )


def _settings(method: MatchingMethod) -> Settings:
    return Settings(
        weights=method.weights,
        accepted_bonus=method.accepted_bonus,
        minimum_score=method.minimum_score,
        candidates=method.candidates,
        required=method.required,
    )


def _needs(session: Session, items: Sequence[ItemRow]) -> list[ItemNeed]:
    """What each item asks for; where: the requesting State's regional groups (electoral, and
    those it takes part in as a member or participant) and its M49 region, sub-region and
    intermediate region (none known for a regional organisation's request)."""
    state_ids = {item.state_id for item in items if item.state_id is not None}
    areas: dict[int, set[str]] = {}
    if state_ids:
        for state in session.execute(
            select(
                State.id,
                State.electoral_group_code,
                State.m49_region_code,
                State.m49_subregion_code,
                State.m49_intermediate_code,
            ).where(State.id.in_(state_ids))
        ):
            areas[state[0]] = {code for code in state[1:] if code}
        for state_id, group in session.execute(
            select(GroupMembership.state_id, GroupMembership.group_code).where(
                GroupMembership.state_id.in_(state_ids), GroupMembership.role != "observer"
            )
        ):
            areas[state_id].add(group)
    return [
        ItemNeed(
            key=item.id,
            fields=frozenset(item.fields),
            weapons=frozenset(item.weapons),
            help_types=frozenset(item.help_types),
            languages=frozenset(item.languages),
            areas=frozenset(areas.get(item.state_id or 0, ())),
        )
        for item in items
    ]


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
