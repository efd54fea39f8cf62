"""Action plans as the viewer may see them.

Who may see a plan (docs/action-plans.md): a published plan, everyone; a plan not published, the
Committee side (experts, the Committee's members, administrators) and that State's points of
contact. Its measures and milestones go with it. A plan one may not see is not found (404),
never forbidden, so its existence is not revealed either.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from un1540.errors import InvalidParameter, NotFound, Problem, text
from un1540.models import (
    ActionPlan,
    ActionPlanMeasure,
    ActionPlanMilestone,
    AssistanceRequest,
    Origin,
    Role,
    State,
)
from un1540.models.base import today
from un1540.reference.languages import N_
from un1540.schemas.action_plans import AssistanceLinkRead
from un1540.services.action_plans.progress import MatrixProgress, plans_progress
from un1540.services.action_plans.rules import MEASURES
from un1540.services.assistance.reads.requests import request_visible
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.cache import cached
from un1540.services.kernel.data_version import ACTION_PLANS, REFERENCE
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.kernel.paging import SUMMARY, PageRequest


def plan_visible(viewer: Viewer) -> ColumnElement[bool]:
    """SQL: the plans this viewer may see (the rule at the top of this module)."""
    if viewer.is_committee_side:
        return true()
    if viewer.role is Role.state_poc and viewer.state_id is not None:
        return or_(ActionPlan.published.is_(True), ActionPlan.state_id == viewer.state_id)
    return ActionPlan.published.is_(True)


# A plan is always read with its State, measures and milestones.
_LOADED = (
    selectinload(ActionPlan.state),
    selectinload(ActionPlan.measures).selectinload(ActionPlanMeasure.milestones),
)


def get_plan(
    session: Session, *, viewer: Viewer, plan_id: int, iso3: str | None = None
) -> ActionPlan:
    """Plan `plan_id` (of the State `iso3`, when given) if the viewer may see it; else NotFound."""
    condition = and_(ActionPlan.id == plan_id, plan_visible(viewer))
    where = ""
    if iso3 is not None:
        state = state_by_iso3(session, iso3)
        condition = and_(condition, ActionPlan.state_id == state.id)
        where = f" of {state.short_name} ({state.iso3})"
    plan = session.scalars(select(ActionPlan).options(*_LOADED).where(condition)).first()
    if plan is None:
        raise NotFound(
            text(
                N_("no action plan %(plan_id)s%(where)s that you may see"),
                plan_id=plan_id,
                where=where,
            )
        )
    return plan


def get_measure(session: Session, *, viewer: Viewer, measure_id: int) -> ActionPlanMeasure:
    measure = session.scalars(
        select(ActionPlanMeasure)
        .join(ActionPlan, ActionPlan.id == ActionPlanMeasure.plan_id)
        .where(ActionPlanMeasure.id == measure_id, plan_visible(viewer))
    ).first()
    if measure is None:
        raise NotFound(
            text(
                N_("no measure %(measure_id)s of an action plan that you may see"),
                measure_id=measure_id,
            )
        )
    return measure


def get_milestone(session: Session, *, viewer: Viewer, milestone_id: int) -> ActionPlanMilestone:
    milestone = session.scalars(
        select(ActionPlanMilestone)
        .join(ActionPlanMeasure, ActionPlanMeasure.id == ActionPlanMilestone.measure_id)
        .join(ActionPlan, ActionPlan.id == ActionPlanMeasure.plan_id)
        .where(ActionPlanMilestone.id == milestone_id, plan_visible(viewer))
    ).first()
    if milestone is None:
        raise NotFound(
            text(
                N_("no milestone %(milestone_id)s of an action plan that you may see"),
                milestone_id=milestone_id,
            )
        )
    return milestone


@dataclass(frozen=True)
class PlanListing:
    plans: list[ActionPlan]
    total: int
    progress: dict[int, MatrixProgress]

    @property
    def synthetic(self) -> bool:
        return any(plan.origin is Origin.demo for plan in self.plans)


def plan_condition(
    session: Session,
    viewer: Viewer,
    state: str | None,
    iso3: str | None,
    published: bool | None,
    status: str | None,
) -> ColumnElement[bool]:
    """The list's filters under the viewer's visibility, as one SQL condition."""
    problems = []
    if status is not None and status not in MEASURES.statuses:
        problems.append(
            Problem(
                "status",
                text(
                    N_("must be one of %(statuses)s"),
                    statuses=", ".join(MEASURES.statuses),
                ),
            )
        )
    condition = plan_visible(viewer)
    if iso3 is not None:
        condition = and_(condition, ActionPlan.state_id == state_by_iso3(session, iso3).id)
    if state is not None:
        state_id = (
            session.scalar(select(State.id).where(State.iso3 == state.upper()))
            if len(state) == 3 and state.isascii() and state.isalpha()
            else None
        )
        if state_id is None:
            problems.append(
                Problem(
                    "state",
                    text(
                        N_("unknown State %(state)s"),
                        state=repr(state[:20]),
                    ),
                )
            )
        condition = and_(condition, ActionPlan.state_id == state_id)
    if problems:
        raise InvalidParameter.naming(problems)
    if published is not None:
        condition = and_(condition, ActionPlan.published.is_(published))
    if status is not None:
        condition = and_(
            condition,
            exists().where(
                ActionPlanMeasure.plan_id == ActionPlan.id, ActionPlanMeasure.status == status
            ),
        )
    return condition


def list_plans(
    session: Session,
    *,
    viewer: Viewer,
    state: str | None = None,
    iso3: str | None = None,
    published: bool | None = None,
    status: str | None = None,
    paging: PageRequest | None = None,
) -> PlanListing:
    """The plans this viewer may see, newest submission first: of the State `state` (a filter:
    an unknown code is an invalid parameter) or `iso3` (a path: an unknown code is not found);
    `status`: plans with a measure in that reported status."""
    condition = plan_condition(session, viewer, state, iso3, published, status)
    paging = paging or PageRequest()
    total = session.scalar(select(func.count()).select_from(ActionPlan).where(condition)) or 0
    plans = list(
        session.scalars(
            select(ActionPlan)
            .options(*_LOADED)
            .where(condition)
            .order_by(ActionPlan.submitted_on.desc(), ActionPlan.id.desc())
            .offset(paging.offset)
            .limit(paging.page_size)
        )
    )
    return PlanListing(plans, total, plans_progress(session, viewer, plans))


@dataclass(frozen=True)
class MeasureRow:
    """What a plan's summary reads of one of its measures."""

    id: int
    status: str
    fields: tuple[str, ...]
    weapons: tuple[str, ...]


@dataclass(frozen=True)
class PlanRow:
    """What a plan's summary reads of it: its columns, its State's code and name, its measures
    (in order) and the number of its milestones overdue on the day read."""

    id: int
    state_id: int
    iso3: str
    state_name: str
    title: str
    submitted_on: date
    period_from: date
    period_to: date
    supersedes_id: int | None
    published: bool
    published_url: str
    partners: tuple[str, ...]
    revision: int
    origin: Origin
    measures: tuple[MeasureRow, ...]
    overdue_milestones: int


@dataclass(frozen=True)
class PlanRows:
    rows: list[PlanRow]
    total: int
    progress: dict[int, MatrixProgress]


def plan_rows(
    session: Session,
    *,
    viewer: Viewer,
    condition: ColumnElement[bool],
    paging: PageRequest,
    on: date,
) -> PlanRows:
    """The plans `condition` (from `plan_condition`) selects, a page of them newest submission
    first, as the lists show them: columns only (no summary, no measure's description, no
    milestone), overdue milestones counted in SQL; four statements and the progress's reads."""
    total = session.scalar(select(func.count()).select_from(ActionPlan).where(condition)) or 0
    plans = session.execute(
        select(
            ActionPlan.id,
            ActionPlan.state_id,
            State.iso3,
            State.short_name,
            ActionPlan.title,
            ActionPlan.submitted_on,
            ActionPlan.period_from,
            ActionPlan.period_to,
            ActionPlan.supersedes_id,
            ActionPlan.published,
            ActionPlan.published_url,
            ActionPlan.partners,
            ActionPlan.revision,
            ActionPlan.origin,
        )
        .join(State, State.id == ActionPlan.state_id)
        .where(condition)
        .order_by(ActionPlan.submitted_on.desc(), ActionPlan.id.desc())
        .offset(paging.offset)
        .limit(paging.page_size)
    ).all()
    ids = [plan.id for plan in plans]
    measures: dict[int, list[MeasureRow]] = {plan_id: [] for plan_id in ids}
    overdue: dict[int, int] = {}
    if ids:
        for plan_id, measure_id, status, fields, weapons in session.execute(
            select(
                ActionPlanMeasure.plan_id,
                ActionPlanMeasure.id,
                ActionPlanMeasure.status,
                ActionPlanMeasure.fields,
                ActionPlanMeasure.weapons,
            )
            .where(ActionPlanMeasure.plan_id.in_(ids))
            .order_by(ActionPlanMeasure.plan_id, ActionPlanMeasure.position)
        ):
            measures[plan_id].append(MeasureRow(measure_id, status, tuple(fields), tuple(weapons)))
        overdue = {
            plan_id: int(count)
            for plan_id, count in session.execute(
                select(ActionPlanMeasure.plan_id, func.count(ActionPlanMilestone.id))
                .join(ActionPlanMilestone, ActionPlanMilestone.measure_id == ActionPlanMeasure.id)
                .where(
                    ActionPlanMeasure.plan_id.in_(ids),
                    ActionPlanMilestone.status == "pending",  # as `is_overdue`
                    ActionPlanMilestone.due_on < on,
                )
                .group_by(ActionPlanMeasure.plan_id)
            )
        }
    rows = [
        PlanRow(
            id=plan.id,
            state_id=plan.state_id,
            iso3=plan.iso3,
            state_name=plan.short_name,
            title=plan.title,
            submitted_on=plan.submitted_on,
            period_from=plan.period_from,
            period_to=plan.period_to,
            supersedes_id=plan.supersedes_id,
            published=plan.published,
            published_url=plan.published_url,
            partners=tuple(plan.partners),
            revision=plan.revision,
            origin=plan.origin,
            measures=tuple(measures[plan.id]),
            overdue_milestones=overdue.get(plan.id, 0),
        )
        for plan in plans
    ]
    return PlanRows(rows, total, plans_progress(session, viewer, rows))


PLAN_FACETS = ("status", "published", "state")


def plan_facets(
    session: Session,
    *,
    viewer: Viewer,
    state: str | None = None,
    published: bool | None = None,
    status: str | None = None,
) -> dict[str, list[tuple[str, int]]]:
    """The action plans list's facets, as Datasette shows them: for a measure's reported status,
    whether the plan is published ("yes"/"no") and the State, each value with the number of
    plans the list would show with that value chosen (the other filters kept, this one
    replaced); counted under `plan_visible`, as `list_plans` lists them."""
    given: dict[str, object] = {"state": state, "published": published, "status": status}
    plan_condition(session, viewer, state, None, published, status)  # bad input: refused here
    # Counted once per filters and viewer key (what `plan_visible` reads) until a plan or a
    # State's code changes: a matrix write outdates nothing of it.
    return cached(
        session,
        ("action_plan_facets", state, published, status, viewer.cache_key),
        depends_on=(ACTION_PLANS, REFERENCE),
        compute=lambda: _plan_facets(session, viewer, given),
    )


def _plan_facets(
    session: Session, viewer: Viewer, given: dict[str, object]
) -> dict[str, list[tuple[str, int]]]:
    found: dict[str, list[tuple[str, int]]] = {}
    for name in PLAN_FACETS:
        statement: Select[Any, int]
        condition = plan_condition(
            session,
            viewer,
            iso3=None,
            **{**given, name: None},  # type: ignore[arg-type]
        )
        if name == "status":
            statement = (
                select(ActionPlanMeasure.status, func.count(func.distinct(ActionPlan.id)))
                .join(ActionPlanMeasure, ActionPlanMeasure.plan_id == ActionPlan.id)
                .group_by(ActionPlanMeasure.status)
            )
        elif name == "published":
            statement = select(ActionPlan.published, func.count(ActionPlan.id)).group_by(
                ActionPlan.published
            )
        else:
            statement = (
                select(State.iso3, func.count(ActionPlan.id))
                .join(State, State.id == ActionPlan.state_id)
                .group_by(State.iso3)
            )
        rows = session.execute(statement.where(condition)).all()
        found[name] = [
            (("yes" if value else "no") if name == "published" else str(value), int(count))
            for value, count in rows
            if value is not None
        ]
    return found


def plan_progress(
    session: Session, *, viewer: Viewer, plan: ActionPlan
) -> dict[int, MatrixProgress]:
    return plans_progress(session, viewer, [plan])


def request_links(
    session: Session, viewer: Viewer, measures: Sequence[ActionPlanMeasure]
) -> dict[int, AssistanceLinkRead]:
    """The requests for assistance linked from these measures that the viewer may see."""
    ids = sorted({request_id for measure in measures for request_id in measure.assistance_requests})
    if not ids:
        return {}
    rows = session.execute(
        select(AssistanceRequest.id, AssistanceRequest.title, AssistanceRequest.status).where(
            AssistanceRequest.id.in_(ids), request_visible(viewer)
        )
    ).all()
    return {
        id_: AssistanceLinkRead(id=id_, title=title, status=status) for id_, title, status in rows
    }


def is_overdue(milestone: ActionPlanMilestone, on: date | None = None) -> bool:
    return milestone.status == "pending" and milestone.due_on < (on or today())


def measure_counts(plan: ActionPlan | PlanRow) -> dict[str, int]:
    counts = dict.fromkeys(MEASURES.statuses, 0)
    for measure in plan.measures:
        counts[measure.status] = counts.get(measure.status, 0) + 1
    return counts


@dataclass(frozen=True)
class ProfilePlan:
    """One plan on a State's profile page."""

    id: int
    title: str
    submitted_on: date
    period_from: date
    period_to: date
    published: bool
    synthetic: bool
    measure_counts: dict[str, int]
    measures: int
    measures_showing_progress: int
    latest_edition: int | None
    overdue_milestones: int
    page: str  # the portal's page of the plan


@dataclass(frozen=True)
class ProfilePlans:
    plans: list[ProfilePlan]

    @property
    def synthetic(self) -> bool:
        return any(plan.synthetic for plan in self.plans)


def action_plans_for_profile(session: Session, actor: Viewer, state_id: int) -> ProfilePlans:
    """For the State profile: the plans of the State `state_id` that `actor` may see, newest
    first, each with its measure counts by reported status and its matrix-derived progress."""
    plans = list(
        session.scalars(
            select(ActionPlan)
            .options(*_LOADED)
            .where(ActionPlan.state_id == state_id, plan_visible(actor))
            .order_by(ActionPlan.submitted_on.desc(), ActionPlan.id.desc())
            .limit(SUMMARY.page_size)
        )
    )
    progress = plans_progress(session, actor, plans)
    shaped = []
    for plan in plans:
        measured = [progress[measure.id] for measure in plan.measures]
        latest = next((p.latest_edition for p in measured if p.latest_edition is not None), None)
        shaped.append(
            ProfilePlan(
                id=plan.id,
                title=plan.title,
                submitted_on=plan.submitted_on,
                period_from=plan.period_from,
                period_to=plan.period_to,
                published=plan.published,
                synthetic=plan.origin is Origin.demo,
                measure_counts=measure_counts(plan),
                measures=len(plan.measures),
                measures_showing_progress=sum(p.shows_progress for p in measured),
                latest_edition=latest,
                overdue_milestones=sum(
                    is_overdue(milestone)
                    for measure in plan.measures
                    for milestone in measure.milestones
                ),
                page=f"/action-plans/{plan.id}",
            )
        )
    return ProfilePlans(shaped)


def latest_plan(session: Session, *, viewer: Viewer, iso3: str) -> ActionPlan:
    """The State's most recently submitted plan that the viewer may see; else NotFound."""
    state = state_by_iso3(session, iso3)
    plan = session.scalars(
        select(ActionPlan)
        .options(*_LOADED)
        .where(ActionPlan.state_id == state.id, plan_visible(viewer))
        .order_by(ActionPlan.submitted_on.desc(), ActionPlan.id.desc())
        .limit(1)
    ).first()
    if plan is None:
        raise NotFound(
            text(
                N_("%(short_name)s (%(iso3)s) has no action plan that you may see"),
                short_name=state.short_name,
                iso3=state.iso3,
            )
        )
    return plan
