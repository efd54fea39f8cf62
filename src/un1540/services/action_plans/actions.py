"""Writing action plans: a plan (with measures and milestones), its changes, a measure or a
milestone added, a status moved along its lifecycle, measures imported from a file. Each is one
@action: everything is checked first, every problem reported at once, and nothing is written
unless all of it is valid."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import Conflict, Forbidden, InvalidData, NotFound, Problem, Unauthenticated, text
from un1540.models import (
    ActionPlan,
    ActionPlanMeasure,
    ActionPlanMilestone,
    Origin,
)
from un1540.models.base import today, utc_now
from un1540.reference.languages import N_
from un1540.schemas.action_plans import (
    ActionPlanCreate,
    ActionPlanUpdate,
    MeasureCreate,
    MeasureTransition,
    MilestoneCreate,
    MilestoneTransition,
)
from un1540.schemas.text import REASON
from un1540.services.action_plans.reads import get_measure, get_milestone, get_plan
from un1540.services.action_plans.rules import (
    EDITORS,
    MEASURES,
    MILESTONES,
    measure_rules,
    milestone_rules,
    plan_rules,
    state_rules,
)
from un1540.services.action_plans.validation import (
    Where,
    measure_problems,
    milestone_problems,
    period_problems,
    prefixed,
    supersedes_problems,
    url_problems,
)
from un1540.services.kernel.access import Viewer, require
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.guards import hold_row
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.kernel.unit_of_work import action

NOTHING_SAVED = "the action plan is not valid; nothing was saved"


def _milestone(position: int, data: MilestoneCreate) -> ActionPlanMilestone:
    done_on = data.done_on or (today() if data.status == "done" else None)
    return ActionPlanMilestone(
        position=position,
        title=data.title.strip(),
        due_on=data.due_on,
        status=data.status,
        done_on=done_on,
    )


def _measure(position: int, data: MeasureCreate) -> ActionPlanMeasure:
    return ActionPlanMeasure(
        position=position,
        title=data.title.strip(),
        description=data.description,
        fields=list(data.fields),
        weapons=list(data.weapons),
        owner_agency=data.owner_agency.strip(),
        status=data.status,
        progress=100 if data.status == "done" else data.progress,
        assistance_requests=list(data.assistance_requests),
        milestones=[_milestone(i, milestone) for i, milestone in enumerate(data.milestones)],
    )


def _duplicate(session: Session, state_id: int, data: ActionPlanCreate) -> None:
    duplicate = session.scalar(
        select(ActionPlan.id).where(
            ActionPlan.state_id == state_id, ActionPlan.submitted_on == data.submitted_on
        )
    )
    if duplicate is not None:
        raise Conflict(
            text(
                N_(
                    "duplicate submission: plan %(duplicate)s of this State was "
                    "submitted on %(submitted_on)s too"
                ),
                duplicate=duplicate,
                submitted_on=data.submitted_on,
            ),
            details={"plan": duplicate},
        )


@action
def create_plan(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str,
    data: ActionPlanCreate,
    origin: Origin = Origin.entry,
) -> ActionPlan:
    """A State's plan, with its measures and milestones (all checked first)."""
    state = state_by_iso3(session, iso3)
    state_rules.check(viewer, state.id, "create")
    where = prefixed("")
    problems = period_problems(data.period_from, data.period_to, data.submitted_on, where)
    problems += supersedes_problems(session, data.supersedes, state.id, None, where)
    problems += url_problems(data.published_url, where)
    for position, measure in enumerate(data.measures):
        problems += measure_problems(
            session,
            measure,
            state.id,
            data.period_from,
            data.period_to,
            prefixed(f"measures[{position}]."),
        )
    if problems:
        raise InvalidData(NOTHING_SAVED, problems=problems)
    _duplicate(session, state.id, data)
    plan = ActionPlan(
        state_id=state.id,
        title=data.title.strip(),
        submitted_on=data.submitted_on,
        period_from=data.period_from,
        period_to=data.period_to,
        supersedes_id=data.supersedes,
        published=data.published,
        published_url=data.published_url.strip(),
        partners=[partner.strip() for partner in data.partners if partner.strip()],
        summary=data.summary,
        created_by=viewer.actor,
        origin=origin,
        measures=[_measure(i, measure) for i, measure in enumerate(data.measures)],
    )
    plan.state = state
    session.add(plan)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="action_plan.create",
        entity_type="action_plan",
        entity_id=str(plan.id),
        after={
            "state": state.iso3,
            "submitted_on": plan.submitted_on.isoformat(),
            "measures": len(plan.measures),
            "published": plan.published,
        },
    )
    return plan


_PLAN_FIELDS = (
    "title",
    "summary",
    "submitted_on",
    "period_from",
    "period_to",
    "supersedes",
    "published",
    "published_url",
    "partners",
)


def _plan_values(plan: ActionPlan) -> dict[str, object]:
    return {
        "title": plan.title,
        "submitted_on": plan.submitted_on.isoformat(),
        "period_from": plan.period_from.isoformat(),
        "period_to": plan.period_to.isoformat(),
        "supersedes": plan.supersedes_id,
        "published": plan.published,
        "published_url": plan.published_url,
        "partners": list(plan.partners),
    }


@action
def update_plan(
    session: Session, *, viewer: Viewer, iso3: str | None, plan_id: int, data: ActionPlanUpdate
) -> ActionPlan:
    """Change a plan's own facts (publishing it too), with the revision read (409 if stale)."""
    require(viewer, *EDITORS, action=N_("change a plan"))
    plan = get_plan(session, viewer=viewer, plan_id=plan_id, iso3=iso3)
    refusal = plan_rules.refusal(viewer, plan, "update")
    if isinstance(refusal, Unauthenticated | Forbidden):
        raise refusal
    if plan.revision != data.revision:
        raise Conflict(
            text(
                N_("action plan %(id)s has changed since you read it (revision %(revision)s)"),
                id=plan.id,
                revision=plan.revision,
            ),
            details={"current_revision": plan.revision},
        )
    plan_rules.check(viewer, plan, "update")
    period_from = data.period_from or plan.period_from
    period_to = data.period_to or plan.period_to
    submitted_on = data.submitted_on or plan.submitted_on
    where = prefixed("")
    problems = period_problems(period_from, period_to, submitted_on, where)
    problems += supersedes_problems(session, data.supersedes, plan.state_id, plan.id, where)
    problems += url_problems(data.published_url, where)
    for measure in plan.measures:
        for milestone in measure.milestones:
            if not period_from <= milestone.due_on <= period_to:
                problems.append(
                    Problem(
                        "period_from" if milestone.due_on < period_from else "period_to",
                        text(
                            N_(
                                "milestone %(id)s of measure %(id2)s is due (%(due_on)s) outside "
                                "the period %(period_from)s to %(period_to)s"
                            ),
                            id=milestone.id,
                            id2=measure.id,
                            due_on=milestone.due_on,
                            period_from=period_from,
                            period_to=period_to,
                        ),
                    )
                )
    if problems:
        raise InvalidData(N_("the change is not valid; nothing was saved"), problems=problems)
    if submitted_on != plan.submitted_on:
        duplicate = session.scalar(
            select(ActionPlan.id).where(
                ActionPlan.state_id == plan.state_id,
                ActionPlan.submitted_on == submitted_on,
                ActionPlan.id != plan.id,
            )
        )
        if duplicate is not None:
            raise Conflict(
                text(
                    N_(
                        "duplicate submission: plan %(duplicate)s of this State was "
                        "submitted on %(submitted_on)s too"
                    ),
                    duplicate=duplicate,
                    submitted_on=submitted_on,
                )
            )
    before = _plan_values(plan)
    for name in _PLAN_FIELDS:
        value = getattr(data, name)
        if value is None:
            continue
        if name == "supersedes":
            plan.supersedes_id = value
        elif name == "partners":
            plan.partners = [partner.strip() for partner in value if partner.strip()]
        elif name in ("title", "published_url"):
            setattr(plan, name, value.strip())
        else:
            setattr(plan, name, value)
    plan.revision += 1
    plan.updated_at = utc_now()
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="action_plan.update",
        entity_type="action_plan",
        entity_id=str(plan.id),
        before=before,
        after=_plan_values(plan),
    )
    return plan


def _append_measures(
    session: Session,
    viewer: Viewer,
    plan: ActionPlan,
    measures: Sequence[MeasureCreate],
    wheres: Sequence[Where],
    milestone_wheres: Sequence[Callable[[int], Where] | None],
    *,
    write: bool = True,
) -> list[ActionPlanMeasure]:
    """Check and add measures to a plan (nothing unless all are valid; nothing if not `write`)."""
    plan_rules.check(viewer, plan, "add_measure")
    problems: list[Problem] = []
    existing = {measure.title.casefold() for measure in plan.measures}
    for measure, where, inner in zip(measures, wheres, milestone_wheres, strict=True):
        problems += measure_problems(
            session, measure, plan.state_id, plan.period_from, plan.period_to, where, inner
        )
        title = measure.title.strip().casefold()
        if title in existing:
            problems.append(
                Problem(
                    where("title"),
                    text(
                        N_("plan %(id)s already has a measure %(title)s"),
                        id=plan.id,
                        title=repr(measure.title),
                    ),
                )
            )
        existing.add(title)
    if problems:
        raise InvalidData(N_("the measures are not valid; nothing was saved"), problems=problems)
    start = len(plan.measures)
    added = [_measure(start + i, measure) for i, measure in enumerate(measures)]
    if not write:
        return added
    plan.measures.extend(added)
    plan.updated_at = utc_now()
    session.flush()
    return added


@action
def add_measure(
    session: Session, *, viewer: Viewer, iso3: str | None, plan_id: int, data: MeasureCreate
) -> ActionPlanMeasure:
    require(viewer, *EDITORS, action=N_("add a measure"))
    plan = get_plan(session, viewer=viewer, plan_id=plan_id, iso3=iso3)
    (measure,) = _append_measures(session, viewer, plan, [data], [prefixed("")], [None])
    record_event(
        session,
        actor=viewer.actor,
        action="action_plan.add_measure",
        entity_type="action_plan_measure",
        entity_id=str(measure.id),
        after={"plan": plan.id, "title": measure.title, "fields": measure.fields},
    )
    return measure


@dataclass(frozen=True)
class ImportOutcome:
    plan: ActionPlan
    measures: int
    milestones: int
    dry_run: bool


@action
def import_measures(
    session: Session,
    *,
    viewer: Viewer,
    plan: ActionPlan,
    measures: Sequence[MeasureCreate],
    wheres: Sequence[Where],
    milestone_wheres: Sequence[Callable[[int], Where]],
    file_name: str,
    dry_run: bool = False,
) -> ImportOutcome:
    """Add the measures read from a file to a plan: all or nothing; a dry run checks everything
    and writes nothing."""
    added = _append_measures(
        session, viewer, plan, measures, wheres, milestone_wheres, write=not dry_run
    )
    outcome = ImportOutcome(
        plan, len(added), sum(len(measure.milestones) for measure in added), dry_run
    )
    if dry_run:
        return outcome
    record_event(
        session,
        actor=viewer.actor,
        action="action_plan.import_measures",
        entity_type="action_plan",
        entity_id=str(plan.id),
        after={"file": file_name, "measures": outcome.measures, "milestones": outcome.milestones},
    )
    return outcome


def _measure_of(
    session: Session, viewer: Viewer, iso3: str | None, plan_id: int, measure_id: int
) -> ActionPlanMeasure:
    require(viewer, *EDITORS, action=N_("change a measure"))
    plan = get_plan(session, viewer=viewer, plan_id=plan_id, iso3=iso3)
    measure = get_measure(session, viewer=viewer, measure_id=measure_id)
    if measure.plan_id != plan.id:
        raise NotFound(
            text(
                N_("action plan %(id)s has no measure %(measure_id)s"),
                id=plan.id,
                measure_id=measure_id,
            )
        )
    return measure


@action
def add_milestone(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str | None,
    plan_id: int,
    measure_id: int,
    data: MilestoneCreate,
) -> ActionPlanMilestone:
    measure = _measure_of(session, viewer, iso3, plan_id, measure_id)
    measure_rules.check(viewer, measure, "add_milestone")
    plan = measure.plan
    problems = milestone_problems(data, plan.period_from, plan.period_to, prefixed(""))
    if problems:
        raise InvalidData(N_("the milestone is not valid; nothing was saved"), problems=problems)
    milestone = _milestone(len(measure.milestones), data)
    measure.milestones.append(milestone)
    # A new revision of the plan: its flush checks the revision read with its period (a plan
    # whose period was narrowed meanwhile refuses the milestone, 409), and a correction made
    # from the revision before it is refused in turn (it checked the milestones it read).
    plan.revision += 1
    plan.updated_at = utc_now()
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="action_plan.add_milestone",
        entity_type="action_plan_milestone",
        entity_id=str(milestone.id),
        after={"measure": measure.id, "due_on": milestone.due_on.isoformat()},
    )
    return milestone


def _unknown_status(to: str, statuses: Sequence[str]) -> InvalidData:
    return InvalidData(
        text(
            N_("unknown status %(to)s"),
            to=repr(to),
        ),
        problems=[
            Problem(
                "to",
                text(
                    N_("must be one of %(statuses)s"),
                    statuses=", ".join(statuses),
                ),
            )
        ],
    )


@action
def transition_measure(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str | None,
    plan_id: int,
    measure_id: int,
    data: MeasureTransition,
) -> ActionPlanMeasure:
    """Move a measure one step along its lifecycle (409 for a step out of order)."""
    measure = _measure_of(session, viewer, iso3, plan_id, measure_id)
    if data.to not in MEASURES.statuses:
        raise _unknown_status(data.to, tuple(MEASURES.statuses))
    measure_rules.check(viewer, measure, data.to)
    reason = REASON.require(data.reason, "reason", message=N_("the measure was not moved"))
    hold_row(session, measure, ActionPlanMeasure.status)  # still the status checked (guards.py)
    before = {"status": measure.status, "progress": measure.progress}
    measure.status = data.to
    if data.progress is not None:
        measure.progress = data.progress
    if data.to == "done":
        measure.progress = 100
    measure.updated_at = utc_now()
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="action_plan.transition_measure",
        entity_type="action_plan_measure",
        entity_id=str(measure.id),
        before=before,
        after={"status": measure.status, "progress": measure.progress},
        reason=reason,
    )
    return measure


@action
def transition_milestone(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str | None,
    plan_id: int,
    milestone_id: int,
    data: MilestoneTransition,
) -> ActionPlanMilestone:
    """Mark a milestone done (on a day, today by default) or cancelled (409 out of order)."""
    require(viewer, *EDITORS, action=N_("change a milestone"))
    plan = get_plan(session, viewer=viewer, plan_id=plan_id, iso3=iso3)
    milestone = get_milestone(session, viewer=viewer, milestone_id=milestone_id)
    if milestone.measure.plan_id != plan.id:
        raise NotFound(
            text(
                N_("action plan %(id)s has no milestone %(milestone_id)s"),
                id=plan.id,
                milestone_id=milestone_id,
            )
        )
    if data.to not in MILESTONES.statuses:
        raise _unknown_status(data.to, tuple(MILESTONES.statuses))
    milestone_rules.check(viewer, milestone, data.to)
    reason = REASON.require(data.reason, "reason", message=N_("the milestone was not moved"))
    if data.done_on is not None and (data.to != "done" or data.done_on > today()):
        raise InvalidData(
            N_("the milestone was not moved"),
            problems=[Problem("done_on", N_("only for done, and not in the future"))],
        )
    hold_row(session, milestone, ActionPlanMilestone.status)  # still the status checked
    before = milestone.status
    milestone.status = data.to
    if data.to == "done":
        milestone.done_on = data.done_on or today()
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="action_plan.transition_milestone",
        entity_type="action_plan_milestone",
        entity_id=str(milestone.id),
        before={"status": before},
        after={"status": milestone.status},
        reason=reason,
    )
    return milestone
