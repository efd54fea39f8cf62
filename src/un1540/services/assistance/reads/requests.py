"""Requests for assistance, as the viewer may see them.

Who may see a request (docs/assistance.md): the Committee side always; the requesting State's
points of contact (or the requesting organisation's accounts) always; States' points of contact
and providers once it is circulated, if the requester consented to `providers` or `public`;
everyone once it is published, which needs the `public` consent.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, false, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from un1540.errors import InvalidData, NotFound, Problem, text
from un1540.models import AssistanceRequest, Role, State
from un1540.reference.languages import N_
from un1540.reference.lifecycles import lifecycle
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.paging import PageRequest

# The consents under which States' points of contact and providers see a circulated request
# (reference/assistance.yml); only such a request is announced to providers.
PROVIDER_CONSENTS = ("public", "providers")


def request_visible(viewer: Viewer) -> ColumnElement[bool]:
    """SQL: the requests this viewer may see (the rule at the top of this module)."""
    if viewer.is_committee_side:
        return true()
    own: ColumnElement[bool] = false()
    if viewer.state_id is not None:
        own = AssistanceRequest.state_id == viewer.state_id
    if viewer.organisation_id is not None:
        own = or_(own, AssistanceRequest.organisation_id == viewer.organisation_id)
    published = and_(
        AssistanceRequest.consent == "public", AssistanceRequest.published_at.is_not(None)
    )
    if viewer.role in (Role.state_poc, Role.provider):
        circulated = and_(
            AssistanceRequest.consent.in_(PROVIDER_CONSENTS),
            AssistanceRequest.circulated_at.is_not(None),
        )
        return or_(own, circulated, published)
    return published


def get_request(session: Session, *, viewer: Viewer, request_id: int) -> AssistanceRequest:
    request = session.scalars(
        select(AssistanceRequest)
        .options(selectinload(AssistanceRequest.items))
        .where(AssistanceRequest.id == request_id, request_visible(viewer))
    ).first()
    if request is None:
        raise NotFound(
            text(
                N_("no assistance request %(request_id)s that you may see"),
                request_id=request_id,
            )
        )
    return request


def list_requests(
    session: Session,
    *,
    viewer: Viewer,
    status: str | None = None,
    state: str | None = None,
    paging: PageRequest | None = None,
) -> tuple[list[AssistanceRequest], int]:
    """Requests this viewer may see, newest first."""
    statuses = lifecycle("assistance_request").statuses
    problems = []
    if status is not None and status not in statuses:
        problems.append(
            Problem(
                "status",
                text(
                    N_("must be one of %(statuses)s"),
                    statuses=", ".join(statuses),
                ),
            )
        )
    condition = request_visible(viewer)
    if state is not None:
        state_id = session.scalar(select(State.id).where(State.iso3 == state.upper()))
        if state_id is None:
            problems.append(
                Problem(
                    "state",
                    text(
                        N_("unknown State %(state)s"),
                        state=repr(state),
                    ),
                )
            )
        condition = and_(condition, AssistanceRequest.state_id == state_id)
    if problems:
        raise InvalidData(N_("invalid filter"), problems=problems)
    if status is not None:
        condition = and_(condition, AssistanceRequest.status == status)
    paging = paging or PageRequest()
    total = session.scalar(select(func.count()).select_from(AssistanceRequest).where(condition))
    rows = session.scalars(
        select(AssistanceRequest)
        .options(selectinload(AssistanceRequest.items))
        .where(condition)
        .order_by(AssistanceRequest.received_on.desc(), AssistanceRequest.id.desc())
        .offset((paging.page - 1) * paging.page_size)
        .limit(paging.page_size)
    ).all()
    return list(rows), total or 0
