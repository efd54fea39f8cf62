"""Action plan rows -> wire shapes (schemas/action_plans.py): the only place that maps them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from un1540.models import ActionPlan, ActionPlanMeasure, ActionPlanMilestone, Origin
from un1540.models.base import today
from un1540.schemas.action_plans import (
    ActionPlanRead,
    ActionPlanSummaryRead,
    AssistanceLinkRead,
    MatrixProgressRead,
    MatrixSummaryRead,
    MeasureRead,
    MilestoneRead,
)
from un1540.services.action_plans.progress import NO_PROGRESS, MatrixProgress
from un1540.services.action_plans.reads import (
    PlanRow,
    get_plan,
    is_overdue,
    measure_counts,
    plan_condition,
    plan_progress,
    plan_rows,
    request_links,
)
from un1540.services.action_plans.rules import measure_rules, milestone_rules, plan_rules
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.cache import cached
from un1540.services.kernel.data_version import ACTION_PLANS
from un1540.services.kernel.paging import PageRequest
from un1540.services.matrix.counting import ALL_STATES


def matrix_read(progress: MatrixProgress) -> MatrixProgressRead:
    return MatrixProgressRead(
        baseline_edition=progress.baseline_edition,
        latest_edition=progress.latest_edition,
        latest_approved_on=progress.latest_approved_on,
        gained_fields=list(progress.gained_fields),
        shows_progress=progress.shows_progress,
    )


def milestone_read(milestone: ActionPlanMilestone, viewer: Viewer, on: date) -> MilestoneRead:
    return MilestoneRead(
        id=milestone.id,
        title=milestone.title,
        due_on=milestone.due_on,
        status=milestone.status,
        done_on=milestone.done_on,
        overdue=is_overdue(milestone, on),
        allowed_actions=milestone_rules.allowed(viewer, milestone),
    )


def measure_read(
    measure: ActionPlanMeasure,
    viewer: Viewer,
    progress: MatrixProgress,
    links: dict[int, AssistanceLinkRead],
    on: date,
) -> MeasureRead:
    return MeasureRead(
        id=measure.id,
        position=measure.position,
        title=measure.title,
        description=measure.description,
        fields=list(measure.fields),
        weapons=list(measure.weapons),
        owner_agency=measure.owner_agency,
        status=measure.status,
        progress=measure.progress,
        assistance_requests=[links[i] for i in measure.assistance_requests if i in links],
        milestones=[milestone_read(m, viewer, on) for m in measure.milestones],
        matrix=matrix_read(progress),
        allowed_actions=measure_rules.allowed(viewer, measure),
    )


def _summary_fields(plan: ActionPlan, progress: dict[int, MatrixProgress]) -> dict[str, object]:
    on = today()
    measured = [progress.get(measure.id, NO_PROGRESS) for measure in plan.measures]
    return {
        "id": plan.id,
        "state": plan.state.iso3,
        "state_name": plan.state.short_name,
        "title": plan.title,
        "submitted_on": plan.submitted_on,
        "period_from": plan.period_from,
        "period_to": plan.period_to,
        "supersedes": plan.supersedes_id,
        "published": plan.published,
        "published_url": plan.published_url,
        "partners": list(plan.partners),
        "revision": plan.revision,
        "synthetic": plan.origin is Origin.demo,
        "measure_counts": measure_counts(plan),
        "overdue_milestones": sum(
            is_overdue(milestone, on)
            for measure in plan.measures
            for milestone in measure.milestones
        ),
        "matrix": MatrixSummaryRead(
            measures=len(plan.measures),
            measures_showing_progress=sum(p.shows_progress for p in measured),
            latest_edition=next(
                (p.latest_edition for p in measured if p.latest_edition is not None), None
            ),
        ),
    }


def plan_summary_read(
    plan: ActionPlan, progress: dict[int, MatrixProgress]
) -> ActionPlanSummaryRead:
    return ActionPlanSummaryRead(**_summary_fields(plan, progress))


def summary_from_row(row: PlanRow, progress: dict[int, MatrixProgress]) -> ActionPlanSummaryRead:
    """The same summary as `plan_summary_read`, from the columns `plan_rows` reads."""
    measured = [progress.get(measure.id, NO_PROGRESS) for measure in row.measures]
    return ActionPlanSummaryRead(
        id=row.id,
        state=row.iso3,
        state_name=row.state_name,
        title=row.title,
        submitted_on=row.submitted_on,
        period_from=row.period_from,
        period_to=row.period_to,
        supersedes=row.supersedes_id,
        published=row.published,
        published_url=row.published_url,
        partners=list(row.partners),
        revision=row.revision,
        synthetic=row.origin is Origin.demo,
        measure_counts=measure_counts(row),
        overdue_milestones=row.overdue_milestones,
        matrix=MatrixSummaryRead(
            measures=len(row.measures),
            measures_showing_progress=sum(p.shows_progress for p in measured),
            latest_edition=next(
                (p.latest_edition for p in measured if p.latest_edition is not None), None
            ),
        ),
    )


@dataclass(frozen=True)
class PlanSummaries:
    """A page of the plans list: its summaries and how many plans the filters select."""

    items: tuple[ActionPlanSummaryRead, ...]
    total: int

    @property
    def synthetic(self) -> bool:
        return any(item.synthetic for item in self.items)


def plan_summaries(
    session: Session,
    *,
    viewer: Viewer,
    state: str | None = None,
    iso3: str | None = None,
    published: bool | None = None,
    status: str | None = None,
    paging: PageRequest | None = None,
) -> PlanSummaries:
    """The plans list (portal and API) as `list_plans` selects it, each plan summarised.

    Cached per filters, page, day (a milestone falls overdue with the date) and viewer key
    (`plan_visible`, `edition_visible` and cells' visibility read only the role and, for a
    point of contact, the State), until a plan, a State's approved editions (the progress) or
    the reference data change: a draft's edit outdates nothing of it. Bad filters are refused
    before anything is cached."""
    condition = plan_condition(session, viewer, state, iso3, published, status)
    paging = paging or PageRequest()
    on = today()

    def compute() -> PlanSummaries:
        found = plan_rows(session, viewer=viewer, condition=condition, paging=paging, on=on)
        items = tuple(summary_from_row(row, found.progress) for row in found.rows)
        return PlanSummaries(items, found.total)

    key = (state, iso3, published, status, paging.offset, paging.page_size, on)
    return cached(
        session,
        ("action_plan_summaries", key, viewer.cache_key),
        depends_on=(ACTION_PLANS, *ALL_STATES),
        compute=compute,
    )


def plan_read(
    plan: ActionPlan,
    viewer: Viewer,
    progress: dict[int, MatrixProgress],
    links: dict[int, AssistanceLinkRead],
) -> ActionPlanRead:
    on = today()
    return ActionPlanRead(
        **_summary_fields(plan, progress),
        summary=plan.summary,
        measures=[
            measure_read(measure, viewer, progress.get(measure.id, NO_PROGRESS), links, on)
            for measure in plan.measures
        ],
        allowed_actions=plan_rules.allowed(viewer, plan),
    )


def plan_detail(
    session: Session, *, viewer: Viewer, plan_id: int, iso3: str | None = None
) -> ActionPlanRead:
    """One plan as the viewer may see it, whole: measures, milestones, linked requests (those
    the viewer may see) and the matrix-derived progress."""
    plan = get_plan(session, viewer=viewer, plan_id=plan_id, iso3=iso3)
    progress = plan_progress(session, viewer=viewer, plan=plan)
    return plan_read(plan, viewer, progress, request_links(session, viewer, plan.measures))
