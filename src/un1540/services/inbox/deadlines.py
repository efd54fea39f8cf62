""" "Deadline near": the daily job that tells who must act that a dated obligation falls due soon
(docs/inbox.md#deadline-near).

The dated obligations in the model, and who must act on each:

- an action plan's pending milestone (its measure neither done nor dropped): the plan's State's
  points of contact (`milestone_due`, topic `action_plan`);
- an assistance project's milestone not yet done, while the project is planned or in delivery:
  both sides, the requester's and the provider's accounts (`milestone_due`, topic
  `assistance_project`);
- a commitment's target date, while it is neither delivered nor withdrawn: its owner, the
  State's points of contact or the organisation's contacts (`commitment_due`, topic
  `commitment`);
- a pledge's due date (FundingEntry.due_on, optional), while the donor State or organisation has
  paid less than it pledged in that currency: the donor's accounts, its State's points of
  contact and providers or its organisation's (`pledge_due`, topic `funding_entry`).

A shared draft's response deadline has its own reminders (matrix/actions/reminders.py,
UN1540_REVIEW_REMINDER_DAYS).

The thresholds are UN1540_DEADLINE_REMINDER_DAYS (e.g. 14 and 3 days before). On a day, an item
due within the largest threshold is told once for the smallest threshold that reaches it, unless
a reminder at that threshold or a closer one was already sent for that due date (the table
`deadline_reminder`): running the job twice, or every day, tells nothing twice; an item first
seen 2 days before its due date is told once (threshold 3), not twice; a due date moved later
is a new deadline. Only accounts that may see the record are told (notifications.notify).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import case, func, or_, select
from sqlalchemy.orm import Session

from un1540.models import (
    ActionPlan,
    ActionPlanMeasure,
    ActionPlanMilestone,
    AssistanceProject,
    Commitment,
    DeadlineReminder,
    FundingEntry,
    ProjectMilestone,
    Role,
    UserAccount,
)
from un1540.models.base import today
from un1540.services.action_plans import notices as _plan_notices  # noqa: F401 (its topic)
from un1540.services.action_plans.rules import MEASURES
from un1540.services.assistance.notices import provider_accounts, requester_accounts
from un1540.services.commitments import notices as _commitment_notices  # noqa: F401 (topic)
from un1540.services.commitments.rules import COMMITMENTS
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.jobs import JobRun, defer_job, job_task
from un1540.services.kernel.unit_of_work import action
from un1540.services.notifications.actions import notify
from un1540.services.notifications.reads import active_accounts

DEADLINES_TASK = "inbox.deadlines_near"
SYSTEM_ACTOR = "system: deadlines near"
DEFAULT_THRESHOLDS = (14, 3)
OPEN_PROJECT_STATUSES = ("planned", "in_delivery")  # a milestone is still to be delivered


@dataclass(frozen=True)
class Deadline:
    """One dated obligation falling due, and whom to tell of it about which record."""

    item_type: str  # action_plan_milestone | project_milestone | commitment
    item_id: int
    due_on: date
    kind: str  # the notification's kind
    entity_type: str  # the notification's topic (the record it names)
    entity_id: int
    accounts: list[UserAccount]


def _plan_milestones(session: Session, start: date, end: date) -> Iterator[Deadline]:
    rows = session.execute(
        select(ActionPlanMilestone, ActionPlan)
        .join(ActionPlanMeasure, ActionPlanMeasure.id == ActionPlanMilestone.measure_id)
        .join(ActionPlan, ActionPlan.id == ActionPlanMeasure.plan_id)
        .where(
            ActionPlanMilestone.status == "pending",
            ActionPlanMilestone.due_on.between(start, end),
            ActionPlanMeasure.status.not_in(sorted(MEASURES.final)),
        )
        .order_by(ActionPlanMilestone.id)
    )
    for milestone, plan in rows:
        accounts = active_accounts(
            session, state_id=plan.state_id, organisation_id=None, roles=(Role.state_poc,)
        )
        yield Deadline(
            "action_plan_milestone",
            milestone.id,
            milestone.due_on,
            "milestone_due",
            "action_plan",
            plan.id,
            accounts,
        )


def _project_milestones(session: Session, start: date, end: date) -> Iterator[Deadline]:
    rows = session.execute(
        select(ProjectMilestone, AssistanceProject)
        .join(AssistanceProject, AssistanceProject.id == ProjectMilestone.project_id)
        .where(
            ProjectMilestone.done_on.is_(None),
            ProjectMilestone.due_on.between(start, end),
            AssistanceProject.status.in_(OPEN_PROJECT_STATUSES),
        )
        .order_by(ProjectMilestone.id)
    )
    for milestone, project in rows:
        assert milestone.due_on is not None  # selected so
        accounts = requester_accounts(session, project.request) + provider_accounts(
            session, project.offer
        )
        yield Deadline(
            "project_milestone",
            milestone.id,
            milestone.due_on,
            "milestone_due",
            "assistance_project",
            project.id,
            accounts,
        )


def _commitments(session: Session, start: date, end: date) -> Iterator[Deadline]:
    rows = session.scalars(
        select(Commitment)
        .where(
            Commitment.target_date.between(start, end),
            Commitment.status.not_in(sorted(COMMITMENTS.final)),
        )
        .order_by(Commitment.id)
    )
    for commitment in rows:
        assert commitment.target_date is not None  # selected so
        accounts = active_accounts(
            session,
            state_id=commitment.state_id,
            organisation_id=commitment.organisation_id,
            roles=(Role.state_poc, Role.provider),
        )
        yield Deadline(
            "commitment",
            commitment.id,
            commitment.target_date,
            "commitment_due",
            "commitment",
            commitment.id,
            accounts,
        )


def _pledges(session: Session, start: date, end: date) -> Iterator[Deadline]:
    """A State's or an organisation's pledges due soon, while the donor has not paid as much
    as it pledged in that currency (contributions are not matched to pledges one by one)."""
    rows = session.scalars(
        select(FundingEntry)
        .where(
            FundingEntry.kind == "pledge",
            FundingEntry.due_on.between(start, end),
            or_(
                FundingEntry.donor_state_id.is_not(None),
                FundingEntry.donor_organisation_id.is_not(None),
            ),
        )
        .order_by(FundingEntry.id)
    )
    for pledge in rows:
        assert pledge.due_on is not None  # selected so
        balance = session.scalar(
            select(
                func.sum(case((FundingEntry.kind == "pledge", FundingEntry.amount), else_=0))
                - func.sum(
                    case((FundingEntry.kind == "contribution", FundingEntry.amount), else_=0)
                )
            ).where(
                FundingEntry.donor_key == pledge.donor_key,
                FundingEntry.currency == pledge.currency,
            )
        )
        if float(balance or 0) <= 0.005:
            continue  # paid in full
        accounts = active_accounts(
            session,
            state_id=pledge.donor_state_id,
            organisation_id=pledge.donor_organisation_id,
            roles=(Role.state_poc, Role.provider),
        )
        yield Deadline(
            "pledge", pledge.id, pledge.due_on, "pledge_due", "funding_entry", pledge.id, accounts
        )


SOURCES = (_plan_milestones, _project_milestones, _commitments, _pledges)


def _sent(session: Session, start: date) -> dict[tuple[str, int, date], int]:
    """The closest threshold already reminded of, per item and due date (from `start` on)."""
    sent: dict[tuple[str, int, date], int] = {}
    rows = session.execute(
        select(
            DeadlineReminder.item_type,
            DeadlineReminder.item_id,
            DeadlineReminder.due_on,
            DeadlineReminder.threshold_days,
        ).where(DeadlineReminder.due_on >= start)
    )
    for item_type, item_id, due_on, threshold in rows:
        key = (item_type, item_id, due_on)
        sent[key] = min(threshold, sent.get(key, threshold))
    return sent


@action
def notify_deadlines_near(
    session: Session, *, on: date | None = None, thresholds: Sequence[int] = DEFAULT_THRESHOLDS
) -> int:
    """Tell who must act of every obligation due within a threshold of `on` (today) and not yet
    reminded of at that threshold or a closer one; returns how many items were reminded of."""
    day = on or today()
    reach = sorted({days for days in thresholds if days >= 0})
    if not reach:
        return 0
    end = day + timedelta(days=reach[-1])
    sent = _sent(session, day)
    reminded = 0
    for source in SOURCES:
        for deadline in list(source(session, day, end)):
            left = (deadline.due_on - day).days
            threshold = min(days for days in reach if days >= left)
            already = sent.get((deadline.item_type, deadline.item_id, deadline.due_on))
            if already is not None and already <= threshold:
                continue
            told = notify(
                session,
                deadline.accounts,
                kind=deadline.kind,
                entity_type=deadline.entity_type,
                entity_id=deadline.entity_id,
                params={"item": str(deadline.item_id), "due_on": deadline.due_on.isoformat()},
            )
            session.add(
                DeadlineReminder(
                    item_type=deadline.item_type,
                    item_id=deadline.item_id,
                    due_on=deadline.due_on,
                    threshold_days=threshold,
                    sent_on=day,
                    told=told,
                )
            )
            record_event(
                session,
                actor=SYSTEM_ACTOR,
                action=f"{deadline.item_type}.deadline_near",
                entity_type="deadline_reminder",
                entity_id=f"{deadline.item_type}/{deadline.item_id}",
                after={
                    "due_on": deadline.due_on.isoformat(),
                    "threshold_days": threshold,
                    "told": told,
                },
            )
            reminded += 1
    session.flush()
    return reminded


@job_task(DEADLINES_TASK, schedule=lambda settings: settings.reminders_cron)
def deadlines_near_job(run: JobRun, on: str | None = None, timestamp: int | None = None) -> None:
    """The job: tell of the deadlines near on the day given (ISO date; today if none); also
    queued by the workers every day (UN1540_REMINDERS_CRON, with `timestamp`)."""
    with run.sessions() as session:
        notify_deadlines_near(
            session,
            on=date.fromisoformat(on) if on else None,
            thresholds=run.settings.deadline_thresholds,
        )


def check_deadlines_near(
    session: Session, *, on: date | None = None, thresholds: Sequence[int] = DEFAULT_THRESHOLDS
) -> int | None:
    """Queue the check as a job; where this process has no queue, run it here with
    `thresholds` (returns how many items were reminded of then, None when queued)."""
    arguments: dict[str, str | int | None] = {"on": on.isoformat() if on else None}
    if defer_job(session, DEADLINES_TASK, arguments=arguments, lock=DEADLINES_TASK):
        return None
    return notify_deadlines_near(session, on=on, thresholds=thresholds)
