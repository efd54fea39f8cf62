"""Rows -> the wire shapes of schemas/assistance.py: the only place the clearinghouse maps.

A request's and a project's shape says what the viewer may do with it now (`allowed_actions`,
from rules.py), so the portal's buttons and an API client ask the same rule as the guard.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from un1540.analytics.matching import PART_NAMES, Suggestion
from un1540.models import (
    AssistanceJudgement,
    AssistanceOffer,
    AssistanceProject,
    AssistanceRequest,
    AssistanceRequestItem,
    FundingEntry,
    Origin,
)
from un1540.models.base import today
from un1540.reference.matching import MatchingMethod
from un1540.schemas.assistance import (
    AssignedPair,
    AssistanceOfferRead,
    AssistanceProjectRead,
    AssistanceRequestItemRead,
    AssistanceRequestRead,
    FeedbackRead,
    FundingRead,
    ItemSuggestions,
    JudgementRead,
    LoopItem,
    LoopProject,
    MatchReason,
    MilestoneRead,
    OfferSuggestion,
    ScorePart,
    WhoWhatWhereRow,
)
from un1540.services.assistance.explain import reasons, sentence
from un1540.services.assistance.matching import Considered, Ranking
from un1540.services.assistance.parties import requester_name
from un1540.services.assistance.reads.funding import shown_project
from un1540.services.assistance.reads.projects import feedback_due
from un1540.services.assistance.reads.requests import list_requests
from un1540.services.assistance.rules import PROJECTS, REQUESTS, project_rules, request_rules
from un1540.services.kernel.access import Viewer, viewer_identity
from un1540.services.kernel.actors import actor_names
from un1540.services.kernel.cache import cached
from un1540.services.kernel.data_version import ASSISTANCE, REFERENCE
from un1540.services.kernel.paging import PageRequest
from un1540.services.matrix.layout import FrameworkLayout


def request_item_read(item: AssistanceRequestItem) -> AssistanceRequestItemRead:
    return AssistanceRequestItemRead(
        id=item.id,
        description=item.description,
        fields=item.fields,
        weapons=item.weapons,
        help_types=item.help_types,
        languages=item.languages,
        preferred_provider=item.preferred_provider,
        start_on=item.start_on,
        end_on=item.end_on,
    )


def request_read(request: AssistanceRequest, viewer: Viewer) -> AssistanceRequestRead:
    code, name = requester_name(request)
    return AssistanceRequestRead(
        id=request.id,
        requester=code,
        requester_name=name,
        title=request.title,
        summary=request.summary,
        received_on=request.received_on,
        status=request.status,
        next_statuses=list(REQUESTS.targets_from(request.status)),
        allowed_actions=request_rules.allowed(viewer, request),
        consent=request.consent,
        revision=request.revision,
        created_at=request.created_at,
        updated_at=request.updated_at,
        synthetic=request.origin is Origin.demo,
        items=[request_item_read(item) for item in request.items],
    )


def request_page(
    session: Session,
    *,
    viewer: Viewer,
    status: str | None,
    state: str | None,
    paging: PageRequest,
) -> tuple[list[AssistanceRequestRead], int]:
    """One page of the requests this viewer may see, shaped (`list_requests`, `request_read`),
    computed once per filters, page, day and viewer until the clearinghouse or reference data
    change (a matrix edit leaves it warm: it cost some 50-60 ms of CPU per request of the API's
    list right after a write, docs/performance.md). The whole viewer keys it, not only its
    cache_key: each request's allowed actions depend on who asks."""

    def compute() -> tuple[list[AssistanceRequestRead], int]:
        rows, total = list_requests(
            session, viewer=viewer, status=status, state=state, paging=paging
        )
        return [request_read(row, viewer) for row in rows], total

    key = ("assistance_request_page", status, state, paging.page, paging.page_size, today())
    return cached(
        session,
        (*key, *viewer_identity(viewer), viewer.actor, viewer.can_write),
        depends_on=(ASSISTANCE, REFERENCE),
        compute=compute,
    )


def offer_read(offer: AssistanceOffer) -> AssistanceOfferRead:
    if offer.state is not None:
        provider = offer.state.iso3
    elif offer.organisation is not None:
        provider = offer.organisation.code
    else:
        provider = ""
    return AssistanceOfferRead(
        id=offer.id,
        provider=provider,
        provider_name=offer.provider_name,
        title=offer.title,
        description=offer.description,
        fields=offer.fields,
        sections=offer.sections,
        weapons=offer.weapons,
        help_types=offer.help_types,
        regions=offer.regions,
        languages=offer.languages,
        capacity=offer.capacity,
        budget=offer.budget,
        currency=offer.currency,
        start_on=offer.start_on,
        end_on=offer.end_on,
        visibility=offer.visibility.value,
        synthetic=offer.origin is Origin.demo,
        created_at=offer.created_at,
    )


def judgement_read(judgement: AssistanceJudgement, actor: Callable[[str], str]) -> JudgementRead:
    """`actor` shows an actor to the reader (kernel/actors.py: `actor_names`)."""
    return JudgementRead(
        item_id=judgement.item_id,
        offer_id=judgement.offer_id,
        verdict=judgement.verdict,
        note=judgement.note,
        judged_by=actor(judgement.judged_by),
        judged_at=judgement.judged_at,
    )


def score_parts(suggestion: Suggestion, method: MatchingMethod) -> list[ScorePart]:
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


def pair_reasons(pair: Suggestion, ranking: Considered) -> list[MatchReason]:
    return reasons(
        ranking.needs[pair.item], ranking.reaches[pair.offer], ranking.offers[pair.offer].capacity
    )


def offer_suggestion(suggestion: Suggestion, ranking: Ranking) -> OfferSuggestion:
    offer = ranking.offers[suggestion.offer]
    why = pair_reasons(suggestion, ranking)
    return OfferSuggestion(
        offer_id=suggestion.offer,
        title=offer.title,
        provider=offer.provider_name,
        score=suggestion.score,
        parts=score_parts(suggestion, ranking.method),
        reasons=why,
        explanation=sentence(why),
        verdict=suggestion.verdict,
    )


def item_suggestions(item: AssistanceRequestItem, ranking: Ranking) -> ItemSuggestions:
    return ItemSuggestions(
        item_id=item.id,
        description=item.description,
        suggestions=[offer_suggestion(s, ranking) for s in ranking.suggestions[item.id]],
    )


def assigned_pair(pair: Suggestion, request_id: int, ranking: Considered) -> AssignedPair:
    why = pair_reasons(pair, ranking)
    return AssignedPair(
        request_id=request_id,
        item_id=pair.item,
        offer_id=pair.offer,
        offer_title=ranking.offers[pair.offer].title,
        score=pair.score,
        parts=score_parts(pair, ranking.method),
        reasons=why,
        explanation=sentence(why),
        accepted=pair.verdict == "accept" and pair.offer in ranking.accepted.get(pair.item, ()),
    )


def project_read(
    project: AssistanceProject, viewer: Viewer, actor: Callable[[str], str]
) -> AssistanceProjectRead:
    """`actor` shows an actor to the reader (kernel/actors.py); `project_reads` looks them up."""
    request = project.request
    return AssistanceProjectRead(
        id=project.id,
        request_id=project.request_id,
        item_id=project.item_id,
        offer_id=project.offer_id,
        title=project.title,
        status=project.status,
        next_statuses=list(PROJECTS.targets_from(project.status)),
        allowed_actions=project_rules.allowed(viewer, project),
        recipient=request.state.iso3 if request.state else request.requester_key.split(":")[-1],
        provider=project.offer.provider_name,
        fields=list(project.item.fields),
        start_on=project.start_on,
        end_on=project.end_on,
        milestones=[
            MilestoneRead(id=m.id, title=m.title, due_on=m.due_on, done_on=m.done_on)
            for m in project.milestones
        ],
        feedback=[
            FeedbackRead(
                side=f.side,
                rating=f.rating,
                text=f.text,
                given_by=actor(f.given_by),
                given_at=f.given_at,
            )
            for f in project.feedback
        ],
        feedback_due=feedback_due(project),
        synthetic=project.origin is Origin.demo,
    )


def project_reads(
    session: Session, viewer: Viewer, projects: list[AssistanceProject]
) -> list[AssistanceProjectRead]:
    """The projects' shapes, the actors of their feedback looked up at once."""
    actor = actor_names(session, viewer, [f.given_by for p in projects for f in p.feedback])
    return [project_read(project, viewer, actor) for project in projects]


def funding_read(entry: FundingEntry, shown_projects: set[int]) -> FundingRead:
    """The entry; its project only when it is among `shown_projects` (those the reader may see)."""
    return FundingRead(
        id=entry.id,
        kind=entry.kind,
        donor=entry.donor_key.split(":", 1)[-1],
        donor_name=entry.donor_name,
        amount=entry.amount,
        currency=entry.currency,
        made_on=entry.made_on,
        due_on=entry.due_on,
        earmark_region=entry.earmark_region,
        earmark_area=entry.earmark_area,
        project_id=shown_project(entry, shown_projects),
        note=entry.note,
        synthetic=entry.origin is Origin.demo,
    )


def who_what_where_row(project: AssistanceProject, layout: FrameworkLayout) -> WhoWhatWhereRow:
    """Provider x State x areas of one project (its item's fields, and their sections)."""
    request, offer = project.request, project.offer
    requester = request.state.iso3 if request.state else request.requester_key.split(":")[-1]
    requester_name = request.state.short_name if request.state else requester
    fields = list(project.item.fields)
    sections = sorted({layout.fields[f].section_code for f in fields if f in layout.fields})
    return WhoWhatWhereRow(
        provider=offer.provider_key.split(":", 1)[-1],
        provider_name=offer.provider_name,
        iso3=requester,
        state=requester_name,
        areas=fields,
        sections=sections,
        project_id=project.id,
        project=project.title,
        status=project.status,
    )


def loop_item(item: AssistanceRequestItem) -> LoopItem:
    return LoopItem(
        request_id=item.request_id,
        request_title=item.request.title,
        request_status=item.request.status,
        received_on=item.request.received_on,
        item_id=item.id,
        description=item.description,
    )


def loop_project(project: AssistanceProject) -> LoopProject:
    return LoopProject(
        project_id=project.id,
        item_id=project.item_id,
        title=project.title,
        provider=project.offer.provider_name,
        status=project.status,
        milestones_done=sum(1 for m in project.milestones if m.done_on is not None),
        milestones=len(project.milestones),
    )
