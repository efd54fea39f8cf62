"""Projects: an accepted match at work, with milestones, delivery and feedback from both sides.

A project is opened from a pair an expert accepted; opening it marks the request `matched`, and
the request follows its projects: `in_delivery` when one starts, `delivered` when all are
delivered, `feedback_received` when every delivered project has both sides' feedback. A change
of status tells both sides (notifications, and e-mails once the change is committed).
"""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import Conflict, InvalidData, NotFound, Problem, text
from un1540.models import (
    AssistanceJudgement,
    AssistanceOffer,
    AssistanceProject,
    AssistanceRequest,
    AssistanceRequestItem,
    Origin,
    ProjectFeedback,
    ProjectMilestone,
    Role,
)
from un1540.models.base import today, utc_now
from un1540.reference.languages import N_
from un1540.schemas.assistance import (
    AssistanceProjectCreate,
    FeedbackInput,
    MilestoneDone,
    MilestoneInput,
)
from un1540.schemas.text import REASON
from un1540.services.assistance.actions.requests import transition_request
from un1540.services.assistance.notices import notify_project
from un1540.services.assistance.reads.projects import SIDES, get_project
from un1540.services.assistance.rules import (
    FEEDBACK_GIVERS,
    OPEN_FOR_PROJECTS,
    PROJECTS,
    REQUESTS,
    clearinghouse_rules,
    feedback_action,
    mover_refusal,
    project_rules,
)
from un1540.services.kernel.access import COMMITTEE_SIDE, Viewer, require, system_viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.guards import hold_row
from un1540.services.kernel.unit_of_work import action


def _audit(
    session: Session, viewer: Viewer, action: str, project: AssistanceProject, **after: object
) -> None:
    record_event(
        session,
        actor=viewer.actor,
        action=f"assistance_project.{action}",
        entity_type="assistance_project",
        entity_id=str(project.id),
        after=dict(after),
    )


def _advance_request(
    session: Session, viewer: Viewer, request: AssistanceRequest, to: str, why: str
) -> None:
    """Move the request along its lifecycle when its projects do: forwards only, step by step,
    from circulation on and never from closed; publication is the requester's consent, never
    implied by a project, so that step is passed by."""
    order = list(REQUESTS.statuses)
    here = order.index(request.status)
    if request.status in REQUESTS.final or here < order.index("circulated"):
        return
    for status in order[here + 1 : order.index(to) + 1]:
        if status != "published":
            transition_request(session, viewer=viewer, request_id=request.id, to=status, reason=why)


@action
def open_project(
    session: Session,
    *,
    viewer: Viewer,
    data: AssistanceProjectCreate,
    origin: Origin = Origin.entry,
) -> AssistanceProject:
    """Open a project from an accepted pair (experts and the Committee)."""
    clearinghouse_rules.check(viewer, None, "open_project")
    item = session.get(AssistanceRequestItem, data.item_id)
    offer = session.get(AssistanceOffer, data.offer_id)
    if item is None or offer is None:
        raise NotFound(N_("no such request item or offer"))
    accepted = session.scalar(
        select(AssistanceJudgement.id).where(
            AssistanceJudgement.item_id == item.id,
            AssistanceJudgement.offer_id == offer.id,
            AssistanceJudgement.verdict == "accept",
        )
    )
    if accepted is None:
        raise Conflict(N_("accept this pair first (POST /api/v1/assistance/judgements)"))
    if item.request.status not in OPEN_FOR_PROJECTS:
        raise Conflict(
            text(
                N_("request %(request_id)s is %(status)s: it cannot start a project"),
                request_id=item.request_id,
                status=item.request.status,
            )
        )
    problems = []
    if data.start_on and data.end_on and data.end_on < data.start_on:
        problems.append(Problem("end_on", N_("ends before it starts")))
    if problems:
        raise InvalidData(N_("the project is not valid; nothing was saved"), problems=problems)
    existing = session.scalar(
        select(AssistanceProject.id).where(
            AssistanceProject.item_id == item.id, AssistanceProject.offer_id == offer.id
        )
    )
    if existing is not None:
        raise Conflict(
            text(
                N_("duplicate submission: project %(existing)s serves this pair"),
                existing=existing,
            )
        )
    project = AssistanceProject(
        request_id=item.request_id,
        item_id=item.id,
        offer_id=offer.id,
        title=data.title.strip() or offer.title,
        status=PROJECTS.initial,
        start_on=data.start_on,
        end_on=data.end_on,
        created_by=viewer.actor,
        origin=origin,
        milestones=[
            ProjectMilestone(position=position, title=m.title, due_on=m.due_on)
            for position, m in enumerate(data.milestones)
        ],
    )
    session.add(project)
    session.flush()
    _audit(session, viewer, "open", project, item=item.id, offer=offer.id, title=project.title)
    _advance_request(session, viewer, item.request, "matched", f"project {project.id} opened")
    return project


@action
def move_project(
    session: Session, *, viewer: Viewer, project_id: int, to: str, reason: str = ""
) -> AssistanceProject:
    """planned -> in_delivery -> delivered -> closed (experts, the Committee, or the provider)."""
    require(viewer, Role.provider, *COMMITTEE_SIDE, action=N_("move a project"))
    project = get_project(session, viewer=viewer, project_id=project_id)
    if to not in PROJECTS.statuses:
        refusal = mover_refusal(viewer, project)  # who may not move it is told so first
        if refusal is not None:
            raise refusal
        raise InvalidData(
            N_("unknown status"),
            problems=[
                Problem(
                    "to",
                    text(
                        N_("must be one of %(statuses)s"),
                        statuses=", ".join(PROJECTS.statuses),
                    ),
                )
            ],
        )
    project_rules.check(viewer, project, to)
    reason = REASON.require(reason, "reason", message=N_("the project was not moved"))
    hold_row(session, project, AssistanceProject.status)  # still the status checked (guards.py)
    before = project.status
    project.status = to
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="assistance_project.transition",
        entity_type="assistance_project",
        entity_id=str(project.id),
        before={"status": before},
        after={"status": to},
        reason=reason,
    )
    notify_project(session, project)
    _sync_request(session, project.request)
    return project


def _sync_request(session: Session, request: AssistanceRequest) -> None:
    """The request follows its projects (the system acts, so the audit says so)."""
    projects = list(
        session.scalars(select(AssistanceProject).where(AssistanceProject.request_id == request.id))
    )
    system = system_viewer("system: project progress")
    live = [p for p in projects if p.status != "closed"]
    if any(p.status in ("in_delivery", "delivered") for p in live):
        _advance_request(session, system, request, "in_delivery", "a project is in delivery")
    if live and all(p.status == "delivered" for p in live):
        _advance_request(session, system, request, "delivered", "every project is delivered")
        if all({f.side for f in p.feedback} >= set(SIDES) for p in live):
            _advance_request(
                session, system, request, "feedback_received", "both sides gave feedback"
            )


@action
def add_milestone(
    session: Session, *, viewer: Viewer, project_id: int, data: MilestoneInput
) -> ProjectMilestone:
    require(viewer, Role.provider, *COMMITTEE_SIDE, action=N_("plan a milestone"))
    project = get_project(session, viewer=viewer, project_id=project_id)
    project_rules.check(viewer, project, "add_milestone")
    milestone = ProjectMilestone(
        project_id=project.id,
        position=len(project.milestones),
        title=data.title,
        due_on=data.due_on,
    )
    project.milestones.append(milestone)
    session.flush()
    _audit(session, viewer, "milestone", project, milestone=milestone.id, title=data.title)
    return milestone


@action
def complete_milestone(
    session: Session, *, viewer: Viewer, project_id: int, milestone_id: int, data: MilestoneDone
) -> ProjectMilestone:
    require(viewer, Role.provider, *COMMITTEE_SIDE, action=N_("record a delivery"))
    project = get_project(session, viewer=viewer, project_id=project_id)
    project_rules.check(viewer, project, "complete_milestone")
    milestone = next((m for m in project.milestones if m.id == milestone_id), None)
    if milestone is None:
        raise NotFound(
            text(
                N_("project %(project_id)s has no milestone %(milestone_id)s"),
                project_id=project_id,
                milestone_id=milestone_id,
            )
        )
    done_on = data.done_on or today()
    if done_on > today():
        raise InvalidData(
            N_("a delivery cannot be in the future"),
            problems=[Problem("done_on", N_("is in the future"))],
        )
    milestone.done_on = done_on
    session.flush()
    _audit(
        session, viewer, "delivered", project, milestone=milestone.id, done_on=done_on.isoformat()
    )
    return milestone


@action
def give_feedback(
    session: Session, *, viewer: Viewer, project_id: int, data: FeedbackInput
) -> ProjectFeedback:
    """The recipient's or the provider's say on a project in delivery or delivered."""
    require(viewer, *FEEDBACK_GIVERS, action=N_("give feedback"))
    project = get_project(session, viewer=viewer, project_id=project_id)
    problems = []
    if data.side not in SIDES:
        problems.append(Problem("side", N_("must be recipient or provider")))
    if not 1 <= data.rating <= 5:
        problems.append(Problem("rating", N_("must be from 1 to 5")))
    if problems:
        raise InvalidData(N_("the feedback is not valid; nothing was saved"), problems=problems)
    project_rules.check(viewer, project, feedback_action(data.side))
    feedback = ProjectFeedback(
        project_id=project.id,
        side=data.side,
        rating=data.rating,
        text=data.text,
        given_by=viewer.actor,
        given_at=utc_now(),
    )
    project.feedback.append(feedback)
    session.flush()
    _audit(session, viewer, "feedback", project, side=data.side, rating=data.rating)
    _sync_request(session, project.request)
    return feedback
