"""Who is told of what in action plans (docs/action-plans.md): a milestone still pending after
its due date is "overdue"; the State's points of contact and the experts are told once, by a
notification and an e-mail (services/notifications), about the plan, which only those who may
see it are ever shown.

The check runs as a job (`OVERDUE_TASK`, services/kernel/jobs.py) on the day it is given (the
clock is the caller's: `un1540 notify overdue-milestones --on`, a daily timer, or a test); each
milestone is notified once (`overdue_notified_on`), so running it twice a day tells nothing twice.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from un1540.models import (
    ActionPlan,
    ActionPlanMeasure,
    ActionPlanMilestone,
    Role,
    State,
    UserAccount,
)
from un1540.models.base import today
from un1540.reference.languages import N_
from un1540.services.action_plans.reads import plan_visible
from un1540.services.action_plans.rules import MEASURES
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.jobs import JobRun, defer_job, job_task
from un1540.services.kernel.unit_of_work import action
from un1540.services.notifications.actions import notify
from un1540.services.notifications.reads import active_accounts
from un1540.services.notifications.topics import Topic, Wording, register_topic

OVERDUE_TASK = "action_plans.overdue_milestones"
SYSTEM_ACTOR = "system: action plan milestones"
PLAN_PAGE = "/action-plans/{id}"
PLAN_LINK = "/api/v1/action-plans/{id}"

OVERDUE = Wording(
    subject=N_("A milestone of action plan %(id)s is overdue"),
    body=N_(
        "A milestone of the action plan of %(state)s, %(title)s, was due on %(due_on)s and is "
        "not done."
    ),
    link=PLAN_LINK,
    page=PLAN_PAGE,
)
# "Deadline near" (services/inbox/deadlines.py): a pending milestone falls due soon.
DUE = Wording(
    subject=N_("A milestone of action plan %(id)s is due on %(due_on)s"),
    body=N_(
        "A milestone of the action plan of %(state)s, %(title)s, is due on %(due_on)s. Please "
        "record its progress on the plan's page."
    ),
    link=PLAN_LINK,
    page=PLAN_PAGE,
)


def _plan_ids(viewer: Viewer) -> Select[int]:
    return select(ActionPlan.id).where(plan_visible(viewer))


def _plan_facts(
    session: Session, viewer: Viewer, ids: Collection[int]
) -> dict[int, dict[str, str]]:
    rows = session.execute(
        select(ActionPlan.id, ActionPlan.title, State.short_name)
        .join(State, State.id == ActionPlan.state_id)
        .where(ActionPlan.id.in_(list(ids)), plan_visible(viewer))
    )
    return {id_: {"title": title, "state": state} for id_, title, state in rows}


def _plan_wording(kind: str, params: Mapping[str, str]) -> Wording | None:
    return {"milestone_overdue": OVERDUE, "milestone_due": DUE}.get(kind)


register_topic(
    Topic(
        "action_plan",
        _plan_ids,
        _plan_facts,
        _plan_wording,
        label=N_("Action plans: milestones due soon or overdue"),
    )
)


def _told(session: Session, plan: ActionPlan) -> list[UserAccount]:
    pocs = active_accounts(
        session, state_id=plan.state_id, organisation_id=None, roles=(Role.state_poc,)
    )
    experts = list(
        session.scalars(
            select(UserAccount).where(
                UserAccount.role == Role.expert, UserAccount.is_active.is_(True)
            )
        )
    )
    return pocs + experts


@action
def notify_overdue_milestones(session: Session, *, on: date | None = None) -> int:
    """Tell of every milestone overdue `on` (today) not told of yet; returns how many."""
    day = on or today()
    rows = session.execute(
        select(ActionPlanMilestone, ActionPlan)
        .join(ActionPlanMeasure, ActionPlanMeasure.id == ActionPlanMilestone.measure_id)
        .join(ActionPlan, ActionPlan.id == ActionPlanMeasure.plan_id)
        .where(
            ActionPlanMilestone.status == "pending",
            ActionPlanMilestone.due_on < day,
            ActionPlanMilestone.overdue_notified_on.is_(None),
            ActionPlanMeasure.status.not_in(sorted(MEASURES.final)),
        )
        .order_by(ActionPlanMilestone.id)
    ).all()
    for milestone, plan in rows:
        told = notify(
            session,
            _told(session, plan),
            kind="milestone_overdue",
            entity_type="action_plan",
            entity_id=plan.id,
            params={"milestone": str(milestone.id), "due_on": milestone.due_on.isoformat()},
        )
        milestone.overdue_notified_on = day
        record_event(
            session,
            actor=SYSTEM_ACTOR,
            action="action_plan.milestone_overdue",
            entity_type="action_plan_milestone",
            entity_id=str(milestone.id),
            after={"due_on": milestone.due_on.isoformat(), "told": told},
        )
    session.flush()
    return len(rows)


@job_task(OVERDUE_TASK, schedule=lambda settings: settings.reminders_cron)
def overdue_milestones_job(
    run: JobRun, on: str | None = None, timestamp: int | None = None
) -> None:
    """The job: check the milestones overdue on the day given (ISO date; today if none); also
    queued by the workers every day (UN1540_REMINDERS_CRON, with `timestamp`)."""
    with run.sessions() as session:
        notify_overdue_milestones(session, on=date.fromisoformat(on) if on else None)


def check_overdue_milestones(session: Session, *, on: date | None = None) -> int | None:
    """Queue the check as a job; where this process has no queue, run it here (returns how
    many milestones were told of then, None when queued)."""
    arguments: dict[str, str | int | None] = {"on": on.isoformat() if on else None}
    if defer_job(session, OVERDUE_TASK, arguments=arguments, lock=OVERDUE_TASK):
        return None
    return notify_overdue_milestones(session, on=on)
