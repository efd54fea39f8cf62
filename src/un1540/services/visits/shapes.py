"""Visits -> their wire shapes (schemas/visits.py), as the reader may see them."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from un1540.models import Origin, Visit
from un1540.schemas.matrix import StateRef
from un1540.schemas.visits import FindingRead, FollowUpRead, ParticipantRead, VisitRead
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.actors import actor_names
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework
from un1540.services.visits.reads import is_restricted
from un1540.services.visits.rules import VISITS, visit_rules


def field_names(session: Session) -> dict[str, str]:
    layout = framework_layout(session, default_framework(session))
    return {code: info.name for code, info in layout.fields.items()}


def follow_up_status(kind: str, status: str, request_status: str | None) -> str:
    """A follow-up filed as a request is closed when its request is; others by their own."""
    if kind == "assistance_request" and request_status is not None:
        return "closed" if request_status == "closed" else "open"
    return status


def visit_read(
    visit: Visit, viewer: Viewer, actor: Callable[[str], str], names: dict[str, str]
) -> VisitRead:
    restricted = is_restricted(visit, viewer)
    consented = visit.summary_consent and bool(visit.public_summary.strip())
    full = not restricted
    return VisitRead(
        id=visit.id,
        state=StateRef(iso3=visit.state.iso3, name=visit.state.short_name),
        status=visit.status,
        status_name=VISITS.statuses[visit.status],
        invited_on=visit.invited_on,
        accepted_on=visit.accepted_on,
        conducted_from=visit.conducted_from,
        conducted_to=visit.conducted_to,
        closed_on=visit.closed_on,
        public_summary=visit.public_summary if (full or consented) else None,
        summary_consent=visit.summary_consent,
        restricted=restricted,
        invitation=visit.invitation if full else None,
        purpose=visit.purpose if full else None,
        participants=[
            ParticipantRead(
                id=p.id,
                kind=p.kind,
                name=p.name,
                organisation=p.organisation.code if p.organisation else None,
            )
            for p in visit.participants
        ]
        if full
        else [],
        findings=[
            FindingRead(
                id=f.id,
                field=f.field_code,
                field_name=names.get(f.field_code, f.field_code),
                weapon=f.weapon,
                text=f.text,
                recorded_by=actor(f.recorded_by),
                recorded_at=f.recorded_at,
            )
            for f in visit.findings
        ]
        if full
        else [],
        follow_ups=[
            FollowUpRead(
                id=u.id,
                finding=u.finding_id,
                kind=u.kind,
                title=u.title,
                status=follow_up_status(
                    u.kind, u.status, u.assistance_request.status if u.assistance_request else None
                ),
                assistance_request=u.assistance_request_id,
                assistance_request_status=u.assistance_request.status
                if u.assistance_request
                else None,
                action_plan=u.action_plan_measure.plan_id if u.action_plan_measure else None,
                action_plan_measure=u.action_plan_measure_id,
                action_plan_measure_status=u.action_plan_measure.status
                if u.action_plan_measure
                else None,
                closed_on=u.closed_on,
            )
            for u in visit.follow_ups
        ]
        if full
        else [],
        next_statuses=list(VISITS.targets_from(visit.status)) if full else [],
        allowed_actions=visit_rules.allowed(viewer, visit),
        synthetic=visit.origin is Origin.demo,
    )


def visit_reads(session: Session, viewer: Viewer, visits: list[Visit]) -> list[VisitRead]:
    actor = actor_names(
        session, viewer, [f.recorded_by for visit in visits for f in visit.findings]
    )
    names = field_names(session)
    return [visit_read(visit, viewer, actor, names) for visit in visits]
