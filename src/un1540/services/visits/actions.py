"""Writing visits: the invitation, each step of the lifecycle with its dates, who takes part,
findings per matrix field, follow-up (an assistance request through the clearinghouse's own
action, or an action-plan measure), the public summary and the State's consent to it.

Each action validates everything first and names every problem (nothing is written when one
is found), checks the rule (kernel/rules.py via visits/rules.py), writes, and records its audit
event (entity `visit`, which raises the `visits` data scope)."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from un1540.errors import Conflict, Forbidden, InvalidData, Problem
from un1540.errors import text as text_message
from un1540.models import (
    Organisation,
    Origin,
    Role,
    State,
    Visit,
    VisitFinding,
    VisitFollowUp,
    VisitParticipant,
)
from un1540.models.base import today, utc_now
from un1540.reference.assistance import load_assistance_vocabulary
from un1540.reference.languages import N_
from un1540.schemas.action_plans import MeasureCreate
from un1540.schemas.assistance import AssistanceRequestCreate
from un1540.schemas.text import REASON, SUMMARY
from un1540.schemas.visits import (
    FOLLOW_UP_KINDS,
    PARTICIPANT_KINDS,
    ConsentInput,
    FindingInput,
    FollowUpInput,
    ParticipantInput,
    VisitCreate,
    VisitTransition,
)
from un1540.services.action_plans.actions import add_measure
from un1540.services.assistance.actions.requests import submit_request
from un1540.services.kernel.access import Viewer, speaks_for
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.guards import hold_row
from un1540.services.kernel.unit_of_work import action
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework
from un1540.services.visits.reads import get_visit
from un1540.services.visits.rules import VISITS, visit_rules, visit_start_rules

# What an invitation filed by the State's own point of contact says when it gives no reference.
OWN_INVITATION = "invitation sent by the State's point of contact through the system"


def _audit(
    session: Session,
    viewer: Viewer,
    visit: Visit,
    what: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    reason: str = "",
) -> None:
    record_event(
        session,
        actor=viewer.actor,
        action=f"visit.{what}",
        entity_type="visit",
        entity_id=str(visit.id),
        before=before,
        after={"state": visit.state.iso3, **(after or {})},
        reason=reason,
    )


def _summary_changed(current: str) -> Conflict:
    return Conflict(
        N_(
            "the summary was changed since you read it; nothing was recorded: read it again "
            "before agreeing to publish it"
        ),
        details={"current_summary": current},
    )


def _refuse(problems: list[Problem], message: str) -> None:
    if problems:
        raise InvalidData(
            text_message(
                N_("%(message)s; nothing was saved"),
                message=message,
            ),
            problems=problems,
        )


@action
def invite(
    session: Session, *, viewer: Viewer, data: VisitCreate, origin: Origin = Origin.entry
) -> Visit:
    """A State's invitation, recorded by its point of contact or, with the letter's reference,
    by the Committee side: the visit starts `invited`."""
    visit_start_rules.check(viewer, None, "invite")
    problems: list[Problem] = []
    state = session.scalars(select(State).where(State.iso3 == data.state.upper())).first()
    if state is None:
        problems.append(
            Problem(
                "state",
                text_message(
                    N_("unknown State %(state)s"),
                    state=repr(data.state),
                ),
            )
        )
    elif viewer.role is Role.state_poc and not speaks_for(viewer, state.id):
        raise Forbidden(N_("a point of contact may only invite the Committee to their own State"))
    invitation = data.invitation.strip()
    if not invitation:
        if viewer.role is Role.state_poc:
            invitation = OWN_INVITATION
        else:
            problems.append(
                Problem(
                    "invitation",
                    N_(
                        "required: the Committee visits a State only at its invitation; give the "
                        "reference of the State's letter"
                    ),
                )
            )
    invited_on = data.invited_on or today()
    if invited_on > today():
        problems.append(Problem("invited_on", N_("is in the future")))
    _refuse(problems, N_("the invitation is not valid"))
    assert state is not None
    visit = Visit(
        state=state,
        state_id=state.id,
        status=VISITS.initial,
        invitation=invitation,
        invited_on=invited_on,
        purpose=data.purpose.strip(),
        created_by=viewer.actor,
        origin=origin,
    )
    session.add(visit)
    session.flush()
    _audit(session, viewer, visit, "invite", after={"invited_on": invited_on.isoformat()})
    return visit


def _step_dates(visit: Visit, data: VisitTransition) -> tuple[list[Problem], dict[str, date]]:
    """The dates a step records, and every problem with them (named by the body's field)."""
    on = data.on or today()
    problems: list[Problem] = []
    if on > today():
        problems.append(Problem("on", N_("is in the future")))
    if on < visit.invited_on:
        problems.append(
            Problem(
                "on",
                text_message(
                    N_("is before the invitation (%(invited_on)s)"),
                    invited_on=visit.invited_on,
                ),
            )
        )
    dates: dict[str, date] = {}
    if data.until is not None and data.to != "conducted":
        problems.append(Problem("until", N_("only a conducted visit has a last day")))
    if data.to == "accepted":
        dates["accepted_on"] = on
    elif data.to == "conducted":
        until = data.until or on
        if visit.accepted_on is not None and on < visit.accepted_on:
            problems.append(
                Problem(
                    "on",
                    text_message(
                        N_(
                            "the visit cannot be conducted before it was accepted (%(accepted_on)s)"
                        ),
                        accepted_on=visit.accepted_on,
                    ),
                )
            )
        if until < on:
            problems.append(Problem("until", N_("ends before the visit started")))
        if until > today():
            problems.append(Problem("until", N_("is in the future")))
        dates |= {"conducted_from": on, "conducted_to": until}
    elif data.to == "closed":
        last = visit.conducted_to or visit.accepted_on
        if last is not None and on < last:
            problems.append(
                Problem(
                    "on",
                    text_message(
                        N_("the visit cannot close before %(last)s"),
                        last=last,
                    ),
                )
            )
        dates["closed_on"] = on
    return problems, dates


@action
def transition_visit(
    session: Session, *, viewer: Viewer, visit_id: int, data: VisitTransition
) -> Visit:
    """One step along the lifecycle (409 when out of order), with the dates it records."""
    visit = get_visit(session, viewer=viewer, visit_id=visit_id)
    if data.to not in VISITS.statuses or data.to == VISITS.initial:
        raise InvalidData(
            text_message(
                N_("unknown step %(to)s"),
                to=repr(data.to),
            ),
            problems=[
                Problem(
                    "to",
                    text_message(
                        N_("must be one of %(statuses)s"),
                        statuses=", ".join(list(VISITS.statuses)[1:]),
                    ),
                )
            ],
        )
    visit_rules.check(viewer, visit, data.to)
    problems, dates = _step_dates(visit, data)
    reason = REASON.check(data.reason, "reason", problems)
    _refuse(problems, N_("the visit was not moved"))
    hold_row(session, visit, Visit.status)  # still the status checked (guards.py)
    before = visit.status
    visit.status = data.to
    for name, value in dates.items():
        setattr(visit, name, value)
    visit.updated_at = utc_now()
    session.flush()
    _audit(
        session,
        viewer,
        visit,
        "transition",
        before={"status": before},
        after={"status": data.to, **{k: v.isoformat() for k, v in dates.items()}},
        reason=reason,
    )
    return visit


@action
def add_participant(
    session: Session, *, viewer: Viewer, visit_id: int, data: ParticipantInput
) -> VisitParticipant:
    visit = get_visit(session, viewer=viewer, visit_id=visit_id)
    visit_rules.check(viewer, visit, "add_participant")
    problems: list[Problem] = []
    if data.kind not in PARTICIPANT_KINDS:
        problems.append(
            Problem(
                "kind",
                text_message(
                    N_("must be one of %(participant_kinds)s"),
                    participant_kinds=", ".join(PARTICIPANT_KINDS),
                ),
            )
        )
    organisation = None
    if data.organisation:
        organisation = session.scalars(
            select(Organisation).where(Organisation.code == data.organisation)
        ).first()
        if organisation is None:
            problems.append(
                Problem(
                    "organisation",
                    text_message(
                        N_("unknown organisation %(organisation)s"),
                        organisation=repr(data.organisation),
                    ),
                )
            )
    elif data.kind == "organisation":
        problems.append(Problem("organisation", N_("required for an organisation")))
    name = data.name.strip() or (organisation.name if organisation else "")
    if not name:
        problems.append(Problem("name", N_("required")))
    _refuse(problems, N_("the participant was not added"))
    participant = VisitParticipant(
        visit_id=visit.id, kind=data.kind, name=name, organisation=organisation
    )
    visit.participants.append(participant)
    session.flush()
    _audit(session, viewer, visit, "participant", after={"kind": data.kind, "name": name})
    return participant


def _field_problems(session: Session, field: str, weapon: str | None) -> list[Problem]:
    layout = framework_layout(session, default_framework(session))
    problems = []
    if field not in layout.fields:
        problems.append(
            Problem(
                "field",
                text_message(
                    N_("no matrix field %(field)s"),
                    field=repr(field),
                ),
            )
        )
    if weapon and weapon not in layout.weapon_names:
        problems.append(
            Problem(
                "weapon",
                text_message(
                    N_("must be one of %(weapon_names)s"),
                    weapon_names=", ".join(layout.weapon_names),
                ),
            )
        )
    return problems


@action
def record_finding(
    session: Session, *, viewer: Viewer, visit_id: int, data: FindingInput
) -> VisitFinding:
    """What the visit found on one matrix field (experts, once the visit is conducted)."""
    visit = get_visit(session, viewer=viewer, visit_id=visit_id)
    visit_rules.check(viewer, visit, "record_finding")
    problems = _field_problems(session, data.field, data.weapon)
    if not data.text.strip():
        problems.append(Problem("text", N_("required")))
    _refuse(problems, N_("the finding was not recorded"))
    finding = VisitFinding(
        visit_id=visit.id,
        field_code=data.field,
        weapon=data.weapon or "",
        text=data.text.strip(),
        recorded_by=viewer.actor,
    )
    visit.findings.append(finding)
    session.flush()
    _audit(session, viewer, visit, "finding", after={"field": data.field, "finding": finding.id})
    return finding


@action
def add_follow_up(
    session: Session, *, viewer: Viewer, visit_id: int, data: FollowUpInput
) -> VisitFollowUp:
    """Turn a finding into an action in one step: an assistance request filed for the State
    through the clearinghouse's own `submit_request` (tagged with the finding's field and
    weapon), or an action-plan measure tracked here to closure."""
    visit = get_visit(session, viewer=viewer, visit_id=visit_id)
    visit_rules.check(viewer, visit, "add_follow_up")
    problems: list[Problem] = []
    if data.kind not in FOLLOW_UP_KINDS:
        problems.append(
            Problem(
                "kind",
                text_message(
                    N_("must be one of %(follow_up_kinds)s"),
                    follow_up_kinds=", ".join(FOLLOW_UP_KINDS),
                ),
            )
        )
    finding = None
    if data.finding is not None:
        finding = next((f for f in visit.findings if f.id == data.finding), None)
        if finding is None:
            problems.append(
                Problem(
                    "finding",
                    text_message(
                        N_("visit %(id)s has no finding %(finding)s"),
                        id=visit.id,
                        finding=data.finding,
                    ),
                )
            )
    if data.kind == "assistance_request" and not data.help_type:
        problems.append(Problem("help_type", N_("required for an assistance request")))
    if data.kind == "action_plan_measure" and data.plan is None:
        problems.append(
            Problem("plan", N_("required: the State's action plan the measure goes into"))
        )
    _refuse(problems, N_("the follow-up was not recorded"))
    request = None
    if data.kind == "assistance_request":
        assert data.help_type is not None
        try:
            filed = AssistanceRequestCreate.model_validate(
                {
                    "state": visit.state.iso3,
                    "title": data.title,
                    "summary": data.description,
                    "consent": data.consent or load_assistance_vocabulary().default_consent,
                    "items": [
                        {
                            "description": data.description or data.title,
                            "fields": [finding.field_code] if finding else [],
                            "weapons": [finding.weapon] if finding and finding.weapon else [],
                            "help_types": [data.help_type],
                        }
                    ],
                }
            )
        except ValidationError as error:
            raise InvalidData(
                N_("the assistance request is not valid; nothing was saved"),
                problems=[
                    Problem(".".join(str(part) for part in item["loc"]), item["msg"])
                    for item in error.errors()
                ],
            ) from None
        request = submit_request(session, viewer=viewer, data=filed, origin=visit.origin)
    measure = None
    if data.kind == "action_plan_measure":
        assert data.plan is not None
        measure = add_measure(
            session,
            viewer=viewer,
            iso3=visit.state.iso3,  # a plan of another State is not found
            plan_id=data.plan,
            data=MeasureCreate(
                title=data.title,
                description=data.description,
                fields=[finding.field_code] if finding else [],
                weapons=[finding.weapon] if finding and finding.weapon else [],
            ),
        )
    follow_up = VisitFollowUp(
        visit_id=visit.id,
        finding=finding,
        kind=data.kind,
        title=data.title.strip(),
        assistance_request=request,
        action_plan_measure=measure,
        created_by=viewer.actor,
    )
    visit.follow_ups.append(follow_up)
    session.flush()
    _audit(
        session,
        viewer,
        visit,
        "follow_up",
        after={
            "kind": data.kind,
            "follow_up": follow_up.id,
            "assistance_request": request.id if request else None,
            "action_plan_measure": measure.id if measure else None,
        },
    )
    return follow_up


@action
def close_follow_up(
    session: Session,
    *,
    viewer: Viewer,
    visit_id: int,
    follow_up_id: int,
    on: date | None = None,
) -> VisitFollowUp:
    """Close an action-plan measure (a request is closed through its own lifecycle)."""
    visit = get_visit(session, viewer=viewer, visit_id=visit_id)
    visit_rules.check(viewer, visit, "close_follow_up")
    follow_up = next((u for u in visit.follow_ups if u.id == follow_up_id), None)
    problems: list[Problem] = []
    closed_on = on or today()
    if follow_up is None:
        problems.append(
            Problem(
                "follow_up",
                text_message(
                    N_("visit %(id)s has no follow-up %(follow_up_id)s"),
                    id=visit.id,
                    follow_up_id=follow_up_id,
                ),
            )
        )
    elif follow_up.kind == "assistance_request":
        problems.append(
            Problem("follow_up", N_("a request is closed through its own lifecycle, not here"))
        )
    elif follow_up.status == "closed":
        problems.append(Problem("follow_up", N_("is already closed")))
    if closed_on > today():
        problems.append(Problem("on", N_("is in the future")))
    _refuse(problems, N_("the follow-up was not closed"))
    assert follow_up is not None
    hold_row(session, follow_up, VisitFollowUp.status)  # closed once (guards.py)
    follow_up.status = "closed"
    follow_up.closed_on = closed_on
    session.flush()
    _audit(session, viewer, visit, "close_follow_up", after={"follow_up": follow_up.id})
    return follow_up


@action
def write_summary(session: Session, *, viewer: Viewer, visit_id: int, text: str) -> Visit:
    """The Committee side's public summary. A changed text needs the State's consent again."""
    visit = get_visit(session, viewer=viewer, visit_id=visit_id)
    visit_rules.check(viewer, visit, "write_summary")
    problems: list[Problem] = []
    text = SUMMARY.check(text, "text", problems).strip()
    _refuse(problems, N_("the summary was not saved"))
    if text == visit.public_summary:
        return visit
    before = {"public_summary": visit.public_summary, "summary_consent": visit.summary_consent}
    visit.public_summary = text
    visit.summary_consent = False  # the State consents to a text, not to any text
    visit.updated_at = utc_now()
    session.flush()
    _audit(
        session,
        viewer,
        visit,
        "summary",
        before=before,
        after={"public_summary": text, "summary_consent": False},
    )
    return visit


@action
def consent_to_summary(
    session: Session, *, viewer: Viewer, visit_id: int, data: ConsentInput
) -> Visit:
    """The State's explicit consent (or its withdrawal) to publish the visit's summary;
    audited with who, when and why."""
    visit = get_visit(session, viewer=viewer, visit_id=visit_id)
    visit_rules.check(viewer, visit, "consent")
    problems: list[Problem] = []
    reason = REASON.check(data.reason, "reason", problems)
    if data.consent and data.summary is None:
        problems.append(
            Problem("summary", N_("give the summary you agree to publish, as you read it"))
        )
    _refuse(problems, N_("the consent was not recorded"))
    read = visit.public_summary
    if data.consent and (data.summary or "").strip() != read:
        raise _summary_changed(read)
    if data.consent == visit.summary_consent:
        return visit
    before = {"summary_consent": visit.summary_consent}
    consented_at = utc_now()
    # Written only while the summary and the consent are still those read: a summary changed
    # by the Committee side meanwhile is refused, not published on the State's word.
    written = session.execute(
        update(Visit)
        .where(
            Visit.id == visit.id,
            Visit.public_summary == read,
            Visit.summary_consent == visit.summary_consent,
        )
        .values(
            summary_consent=data.consent,
            summary_consent_by=viewer.actor,
            summary_consent_at=consented_at,
            updated_at=consented_at,
        )
        .execution_options(synchronize_session=False)
    )
    if written.rowcount != 1:  # type: ignore[attr-defined]
        session.refresh(visit)
        raise _summary_changed(visit.public_summary)
    session.refresh(visit)
    _audit(
        session,
        viewer,
        visit,
        "consent" if data.consent else "withdraw_consent",
        before=before,
        after={"summary_consent": data.consent, "public_summary": visit.public_summary},
        reason=reason,
    )
    return visit
