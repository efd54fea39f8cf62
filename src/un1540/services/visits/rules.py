"""Who may do what with a visit, once per action: the actions' guards `check` these tables, the
portal's buttons and the API's `allowed_actions` come from `allowed`.

Transitions are named by the status they reach; who may take each is data (`by:` in
reference/lifecycles.yml, administrators always). The State's point of contact invites; the
Committee accepts and closes; experts prepare, record the conduct, the findings and the
follow-up. Only the State's point of contact consents to a public summary.
"""

from __future__ import annotations

from un1540.errors import Conflict, Forbidden, Un1540Error, Unauthenticated, text
from un1540.models import Role, Visit
from un1540.reference.languages import N_
from un1540.reference.lifecycles import lifecycle
from un1540.services.kernel.access import COMMITTEE_SIDE, Viewer, refuse_unless, speaks_for
from un1540.services.kernel.lifecycle import step_to
from un1540.services.kernel.rules import Rule, Rules

VISITS = lifecycle("visit")
INVITERS = (Role.state_poc, *COMMITTEE_SIDE)
# Where findings and follow-up may be recorded, and participants named.
FINDING_STATUSES = ("conducted", "findings")
FOLLOW_UP_STATUSES = ("findings", "follow_up")
OPEN_STATUSES = tuple(code for code in VISITS.statuses if code not in VISITS.final)
# The briefing is prepared once the Committee has accepted the invitation.
BRIEFING_STATUSES = tuple(code for code in VISITS.statuses if code != VISITS.initial)


def step_roles(target: str) -> tuple[Role, ...]:
    """The roles the lifecycle lets reach `target` (from any status)."""
    roles = {role for step in VISITS.transitions if step.target == target for role in step.by}
    return tuple(Role(role) for role in sorted(roles))


def _invite(viewer: Viewer, _nothing: None) -> Un1540Error | None:
    return refuse_unless(viewer, *INVITERS, action=N_("record a State's invitation to visit"))


visit_start_rules: Rules[None] = Rules("visits", {"invite": _invite})


def _step(target: str) -> Rule[Visit]:
    roles = step_roles(target)

    def rule(viewer: Viewer, visit: Visit) -> Un1540Error | None:
        refusal = refuse_unless(viewer, *roles, action=f"move a visit to {target}")
        if refusal is not None:
            return refusal
        if visit.status in VISITS.final:
            return Conflict(
                text(
                    N_("visit %(id)s is %(status)s: it cannot become %(target)s"),
                    id=visit.id,
                    status=visit.status,
                    target=target,
                )
            )
        try:
            step_to(VISITS, visit.status, target, record=f"visit {visit.id}")
        except Conflict as conflict:
            return conflict
        return None

    return rule


def _expert_while(statuses: tuple[str, ...], action: str) -> Rule[Visit]:
    def rule(viewer: Viewer, visit: Visit) -> Un1540Error | None:
        refusal = refuse_unless(viewer, Role.expert, action=action)
        if refusal is not None:
            return refusal
        if visit.status not in statuses:
            return Conflict(
                f"visit {visit.id} is {visit.status}: {action} only while it is "
                + " or ".join(statuses)
            )
        return None

    return rule


def _write_summary(viewer: Viewer, visit: Visit) -> Un1540Error | None:
    refusal = refuse_unless(viewer, *COMMITTEE_SIDE, action=N_("write a visit's public summary"))
    if refusal is not None:
        return refusal
    if visit.status not in FINDING_STATUSES + FOLLOW_UP_STATUSES + ("closed",):
        return Conflict(
            text(
                N_("visit %(id)s is %(status)s: it has no findings to summarise yet"),
                id=visit.id,
                status=visit.status,
            )
        )
    return None


def _consent(viewer: Viewer, visit: Visit) -> Un1540Error | None:
    refusal = refuse_unless(
        viewer, Role.state_poc, action=N_("consent to a visit's public summary")
    )
    if refusal is not None:
        return refusal
    if not speaks_for(viewer, visit.state_id):
        return Forbidden(
            N_("only the visited State's points of contact may consent to its summary")
        )
    if not visit.public_summary.strip():
        return Conflict(
            text(
                N_("visit %(id)s has no public summary to consent to yet"),
                id=visit.id,
            )
        )
    return None


def _briefing(viewer: Viewer, visit: Visit) -> Un1540Error | None:
    if viewer.user_id is None:
        return Unauthenticated(N_("sign in to read a visit's briefing"))
    if not (viewer.is_committee_side or speaks_for(viewer, visit.state_id)):
        return Forbidden(
            N_("only the Committee side and the visited State read a visit's briefing")
        )
    if visit.status not in BRIEFING_STATUSES:
        return Conflict(
            text(
                N_("visit %(id)s is %(status)s: the briefing comes once accepted"),
                id=visit.id,
                status=visit.status,
            )
        )
    return None


visit_rules: Rules[Visit] = Rules(
    "visit",
    {
        **{target: _step(target) for target in VISITS.statuses if target != VISITS.initial},
        "add_participant": _expert_while(OPEN_STATUSES, "name who takes part"),
        "record_finding": _expert_while(FINDING_STATUSES, "record findings"),
        "add_follow_up": _expert_while(FOLLOW_UP_STATUSES, "record follow-up"),
        "close_follow_up": _expert_while(FOLLOW_UP_STATUSES, "close follow-up"),
        "write_summary": _write_summary,
        "consent": _consent,
        "briefing": _briefing,
    },
)


def transition_targets(actions: list[str]) -> list[str]:
    return [status for status in VISITS.statuses if status in actions]
