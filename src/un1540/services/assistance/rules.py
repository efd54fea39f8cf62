"""Who may do what in the clearinghouse, once per action: the services' guards `check` these
tables, the portal's buttons and the API's `allowed_actions` come from `allowed`.

A request's and a project's transitions are named by the status they reach (as in
reference/lifecycles.yml); a rule refuses with the same error, and the same message, the guard
raises: Unauthenticated or Forbidden for who is asking, Conflict for what the record's status
forbids. Input problems (an unknown status, a missing reason) are the actions' own checks.
"""

from __future__ import annotations

from collections.abc import Callable

from un1540.errors import Conflict, Forbidden, Un1540Error, text
from un1540.models import AssistanceProject, AssistanceRequest, Role
from un1540.reference.assistance import load_assistance_vocabulary
from un1540.reference.languages import N_
from un1540.reference.lifecycles import Lifecycle, lifecycle
from un1540.services.assistance.parties import provider_speaks, requester_speaks
from un1540.services.assistance.reads.projects import SIDES, feedback_due
from un1540.services.kernel.access import COMMITTEE_SIDE, Viewer, refuse_unless
from un1540.services.kernel.lifecycle import step_to
from un1540.services.kernel.rules import Rule, Rules

REQUESTS = lifecycle("assistance_request")
PROJECTS = lifecycle("assistance_project")
# Who may take part at all; the tables below add who speaks for the record and its status.
REQUEST_FILERS = (Role.state_poc, Role.provider, *COMMITTEE_SIDE)
OFFER_PUBLISHERS = (Role.provider, Role.state_poc, *COMMITTEE_SIDE)
FUNDERS = (Role.provider, Role.state_poc, *COMMITTEE_SIDE)
FEEDBACK_GIVERS = (Role.state_poc, Role.provider, *COMMITTEE_SIDE)
# A project serves a request that providers may see and that is not yet delivered.
OPEN_FOR_PROJECTS = ("circulated", "published", "matched", "in_delivery")


def _anyone_of(*roles: Role, action: str) -> Rule[None]:
    return lambda viewer, _nothing: refuse_unless(viewer, *roles, action=action)


# What a viewer may start, before there is a record: the portal's links and the guards agree.
clearinghouse_rules: Rules[None] = Rules(
    "assistance",
    {
        "file_request": _anyone_of(*REQUEST_FILERS, action=N_("file a request")),
        "publish_offer": _anyone_of(*OFFER_PUBLISHERS, action=N_("publish an offer")),
        "record_funding": _anyone_of(*FUNDERS, action=N_("record funding")),
        "judge": _anyone_of(*COMMITTEE_SIDE, action=N_("judge a suggestion")),
        "open_project": _anyone_of(*COMMITTEE_SIDE, action=N_("open a project")),
    },
)


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


# --- requests ------------------------------------------------------------------------------


def _may_update_request(viewer: Viewer, request: AssistanceRequest) -> Un1540Error | None:
    refusal = refuse_unless(viewer, *REQUEST_FILERS, action=N_("change a request"))
    if refusal is not None:
        return refusal
    if not viewer.is_committee_side and not requester_speaks(viewer, request):
        return Forbidden(N_("only the requester or the Committee side may change a request"))
    if request.status in REQUESTS.final:
        return Conflict(
            text(
                N_("request %(id)s is closed"),
                id=request.id,
            )
        )
    return None


def _request_step(target: str) -> Rule[AssistanceRequest]:
    def rule(viewer: Viewer, request: AssistanceRequest) -> Un1540Error | None:
        refusal = refuse_unless(
            viewer, *COMMITTEE_SIDE, action=N_("move a request through its lifecycle")
        )
        if refusal is not None:
            return refusal
        conflict = step_refusal(REQUESTS, request.status, target, record="request")
        if conflict is not None:
            return conflict
        public_only = load_assistance_vocabulary().requires_public_consent
        if target in public_only and request.consent != "public":
            return Conflict(
                text(
                    N_("request %(id)s may not be published: its consent is %(consent)s"),
                    id=request.id,
                    consent=request.consent,
                )
            )
        return None

    return rule


request_rules: Rules[AssistanceRequest] = Rules(
    "assistance_request",
    {
        "update": _may_update_request,
        # Every status, the initial one too: nothing leads back to it, and its rule says so.
        **{target: _request_step(target) for target in REQUESTS.statuses},
    },
)


# --- projects ------------------------------------------------------------------------------


def provider_side_refusal(
    viewer: Viewer, project: AssistanceProject, *, action: str, only: str
) -> Un1540Error | None:
    """The Committee side and the project's provider; `only` ends the Forbidden message."""
    refusal = refuse_unless(viewer, Role.provider, *COMMITTEE_SIDE, action=action)
    if refusal is not None:
        return refusal
    if not viewer.is_committee_side and not provider_speaks(viewer, project.offer):
        return Forbidden(
            text(
                N_("only the Committee side and the project's provider may %(only)s"),
                only=only,
            )
        )
    return None


def mover_refusal(viewer: Viewer, project: AssistanceProject) -> Un1540Error | None:
    return provider_side_refusal(viewer, project, action=N_("move a project"), only="move it")


def _project_step(target: str) -> Rule[AssistanceProject]:
    def rule(viewer: Viewer, project: AssistanceProject) -> Un1540Error | None:
        return mover_refusal(viewer, project) or step_refusal(
            PROJECTS, project.status, target, record="project"
        )

    return rule


def _may_plan(viewer: Viewer, project: AssistanceProject) -> Un1540Error | None:
    return provider_side_refusal(viewer, project, action=N_("plan a milestone"), only="plan it")


def _may_record_delivery(viewer: Viewer, project: AssistanceProject) -> Un1540Error | None:
    return provider_side_refusal(
        viewer, project, action=N_("record a delivery"), only="record deliveries"
    )


def _feedback(side: str) -> Rule[AssistanceProject]:
    def rule(viewer: Viewer, project: AssistanceProject) -> Un1540Error | None:
        refusal = refuse_unless(viewer, *FEEDBACK_GIVERS, action=N_("give feedback"))
        if refusal is not None:
            return refusal
        speaks = (
            requester_speaks(viewer, project.request)
            if side == "recipient"
            else provider_speaks(viewer, project.offer)
        )
        if not viewer.is_committee_side and not speaks:
            return Forbidden(
                text(
                    N_("only the %(side)s (or the Committee side) gives this feedback"),
                    side=side,
                )
            )
        if project.status not in ("in_delivery", "delivered"):
            return Conflict(
                text(
                    N_("a %(status)s project takes no feedback yet"),
                    status=project.status,
                )
            )
        if side not in feedback_due(project):
            return Conflict(
                text(
                    N_("the %(side)s has already given feedback on project %(id)s"),
                    side=side,
                    id=project.id,
                )
            )
        return None

    return rule


def feedback_action(side: str) -> str:
    return f"feedback_{side}"


_PROJECT_RULES: dict[str, Callable[[Viewer, AssistanceProject], Un1540Error | None]] = {
    **{target: _project_step(target) for target in PROJECTS.statuses},  # the initial one too
    "add_milestone": _may_plan,
    "complete_milestone": _may_record_delivery,
    **{feedback_action(side): _feedback(side) for side in SIDES},
}
project_rules: Rules[AssistanceProject] = Rules("assistance_project", _PROJECT_RULES)


def transition_targets(actions: list[str], machine: Lifecycle) -> list[str]:
    """The transitions among `actions` (those named by a status), in lifecycle order."""
    return [status for status in machine.statuses if status in actions]
