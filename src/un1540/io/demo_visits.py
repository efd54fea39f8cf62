"""Synthetic country visits for the demo: one at every stage of the lifecycle (invited to
closed), to the States with the fewest measures recorded, with participants, findings on fields
where their latest demo edition has gaps, follow-up (an assistance request filed through the
clearinghouse, an action-plan measure) and, for the closed visit, a public summary the State
agreed to. Every text starts with "[Synthetic]"; every visit has origin `demo`. Deterministic:
the dates count back from today, as the assistance demo's do.
"""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy.orm import Session

from un1540.io.demo_assistance import _needy_states
from un1540.models import Origin, Role, State
from un1540.models.base import today
from un1540.schemas.visits import (
    ConsentInput,
    FindingInput,
    FollowUpInput,
    ParticipantInput,
    VisitCreate,
    VisitTransition,
)
from un1540.services.action_plans.reads import list_plans
from un1540.services.kernel.access import PUBLIC, Viewer, system_viewer
from un1540.services.matrix.reads.matrix import get_matrix
from un1540.services.visits.actions import (
    add_follow_up,
    add_participant,
    consent_to_summary,
    invite,
    record_finding,
    transition_visit,
    write_summary,
)
from un1540.services.visits.rules import VISITS

ACTOR = "demo-generator"
PARTICIPANTS = [
    ("committee_member", "[Synthetic] Committee member (Chair's delegation)", None),
    ("expert", "[Synthetic] Expert of the Group of Experts", None),
    ("organisation", "", "unoda"),
]


def _gap_fields(session: Session, state: State, count: int) -> list[str]:
    matrix = get_matrix(session, viewer=PUBLIC, iso3=state.iso3)
    gaps = [
        field.code
        for section in matrix.sections
        for field in section.fields
        if any(cell.mark == "" for cell in field.cells)
    ]
    return gaps[:count]


def _visit(session: Session, state: State, stage: str, number: int) -> None:
    viewer = system_viewer(ACTOR)
    start = today() - timedelta(days=400 - number * 40)
    visit = invite(
        session,
        viewer=viewer,
        data=VisitCreate(
            state=state.iso3,
            invitation=f"[Synthetic] Note verbale {number + 1}/{start.year}",
            invited_on=start,
            purpose=f"[Synthetic] Dialogue on the implementation of resolution 1540 in "
            f"{state.short_name}: legislation, export and border controls.",
        ),
        origin=Origin.demo,
    )
    stages = list(VISITS.statuses)
    reached = stages[: stages.index(stage) + 1]
    dates = {"accepted": 20, "conducted": 60, "closed": 150}
    for step in reached[1:]:
        days = dates.get(step)
        on = start + timedelta(days=days) if days is not None else None
        until = start + timedelta(days=62) if step == "conducted" else None
        if step == "preparation":
            for kind, name, organisation in PARTICIPANTS:
                add_participant(
                    session,
                    viewer=viewer,
                    visit_id=visit.id,
                    data=ParticipantInput(kind=kind, name=name, organisation=organisation),
                )
        if step == "findings":
            for field in _gap_fields(session, state, 2):
                record_finding(
                    session,
                    viewer=viewer,
                    visit_id=visit.id,
                    data=FindingInput(
                        field=field,
                        text=f"[Synthetic] The visit discussed {field}; measures are being "
                        "drafted.",
                    ),
                )
        if step == "follow_up" and visit.findings:
            add_follow_up(
                session,
                viewer=viewer,
                visit_id=visit.id,
                data=FollowUpInput(
                    finding=visit.findings[0].id,
                    kind="assistance_request",
                    title=f"[Synthetic] Support following the visit to {state.short_name}",
                    help_type="legislative_drafting",
                    consent="committee",
                ),
            )
            plans = list_plans(session, viewer=viewer, iso3=state.iso3).plans
            if plans:  # a measure goes into one of the State's plans, when it has one
                add_follow_up(
                    session,
                    viewer=viewer,
                    visit_id=visit.id,
                    data=FollowUpInput(
                        finding=visit.findings[-1].id,
                        kind="action_plan_measure",
                        title="[Synthetic] Add the visit's recommendations to the action plan",
                        plan=plans[0].id,
                    ),
                )
        transition_visit(
            session,
            viewer=viewer,
            visit_id=visit.id,
            data=VisitTransition(to=step, on=on, until=until),
        )
    if stage == "closed":
        summary = (
            f"[Synthetic] The Committee visited {state.short_name} at its invitation; "
            "the dialogue covered legislation and export controls."
        )
        write_summary(session, viewer=viewer, visit_id=visit.id, text=summary)
        the_state = Viewer(role=Role.state_poc, state_id=state.id, actor=ACTOR, user_id=0)
        consent_to_summary(
            session,
            viewer=the_state,
            visit_id=visit.id,
            data=ConsentInput(
                consent=True, summary=summary, reason="[Synthetic] consent for the demo"
            ),
        )


def load_demo_visits(session: Session) -> int:
    """One visit at each stage, to the States with the fewest measures; the visits written."""
    stages = list(VISITS.statuses)
    states = _needy_states(session, len(stages))
    if not states:
        return 0
    for number, stage in enumerate(stages):
        _visit(session, states[number % len(states)], stage, number)
    return len(stages)
