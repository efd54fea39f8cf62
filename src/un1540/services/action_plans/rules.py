"""Who may do what with action plans, once per action: the services' guards `check` these
tables, the portal's buttons and the API's `allowed_actions` come from `allowed`.

The State's points of contact (for their own State) and the experts (and administrators) write
plans; the Committee's members read them. A measure's and a milestone's transitions are named
by the status they reach (reference/lifecycles.yml); a step out of order is a Conflict (409).
"""

from __future__ import annotations

from un1540.errors import Conflict, Forbidden, Un1540Error, text
from un1540.models import ActionPlan, ActionPlanMeasure, ActionPlanMilestone, Role
from un1540.reference.languages import N_
from un1540.reference.lifecycles import Lifecycle, lifecycle
from un1540.services.kernel.access import Viewer, refuse_unless, speaks_for
from un1540.services.kernel.lifecycle import step_to
from un1540.services.kernel.rules import Rule, Rules

MEASURES = lifecycle("action_plan_measure")
MILESTONES = lifecycle("action_plan_milestone")
# Who writes plans: the State's own points of contact, and the experts (administrators always).
EDITORS = (Role.state_poc, Role.expert)


def editor_refusal(viewer: Viewer, state_id: int, *, action: str) -> Un1540Error | None:
    """The refusal for writing a plan of this State, or None."""
    refusal = refuse_unless(viewer, *EDITORS, action=action)
    if refusal is not None:
        return refusal
    if viewer.role is Role.state_poc and not speaks_for(viewer, state_id):
        return Forbidden(
            N_("only the State's own points of contact and experts may write its plans")
        )
    return None


def step_refusal(machine: Lifecycle, status: str, target: str, *, record: str) -> Conflict | None:
    """The Conflict refusing the step from `status` to `target`, or None when it is a step."""
    if status in machine.final:
        return Conflict(
            text(
                N_(
                    "a %(status)s %(record)s cannot become %(target)s; allowed next: "
                    "nowhere: it is %(status)s"
                ),
                status=status,
                record=record,
                target=target,
            )
        )
    try:
        step_to(machine, status, target, record=record)
    except Conflict as refusal:
        return refusal
    return None


# What a viewer may start for a State (its id), before there is a plan.
state_rules: Rules[int] = Rules(
    "action_plans",
    {
        "create": lambda viewer, state_id: editor_refusal(
            viewer, state_id, action=N_("write a plan")
        )
    },
)


def _plan_writer(action: str) -> Rule[ActionPlan]:
    return lambda viewer, plan: editor_refusal(viewer, plan.state_id, action=action)


plan_rules: Rules[ActionPlan] = Rules(
    "action_plan",
    {"update": _plan_writer("change a plan"), "add_measure": _plan_writer("add a measure")},
)


def _measure_step(target: str) -> Rule[ActionPlanMeasure]:
    def rule(viewer: Viewer, measure: ActionPlanMeasure) -> Un1540Error | None:
        return editor_refusal(
            viewer, measure.plan.state_id, action=N_("change a measure's status")
        ) or step_refusal(MEASURES, measure.status, target, record="measure")

    return rule


def _may_add_milestone(viewer: Viewer, measure: ActionPlanMeasure) -> Un1540Error | None:
    refusal = editor_refusal(viewer, measure.plan.state_id, action=N_("add a milestone"))
    if refusal is None and measure.status in MEASURES.final:
        return Conflict(
            text(
                N_("measure %(id)s is %(status)s: it takes no new milestone"),
                id=measure.id,
                status=measure.status,
            )
        )
    return refusal


measure_rules: Rules[ActionPlanMeasure] = Rules(
    "action_plan_measure",
    {
        "add_milestone": _may_add_milestone,
        # Every status, the initial one too: nothing leads back to it, and its rule says so.
        **{target: _measure_step(target) for target in MEASURES.statuses},
    },
)


def _milestone_step(target: str) -> Rule[ActionPlanMilestone]:
    def rule(viewer: Viewer, milestone: ActionPlanMilestone) -> Un1540Error | None:
        return editor_refusal(
            viewer, milestone.measure.plan.state_id, action=N_("change a milestone's status")
        ) or step_refusal(MILESTONES, milestone.status, target, record="milestone")

    return rule


milestone_rules: Rules[ActionPlanMilestone] = Rules(
    "action_plan_milestone", {target: _milestone_step(target) for target in MILESTONES.statuses}
)


def transition_targets(actions: list[str], machine: Lifecycle) -> list[str]:
    """The transitions among `actions` (those named by a status), in lifecycle order."""
    return [status for status in machine.statuses if status in actions]
