"""Synthetic national implementation action plans for the demo.

Shape (to show the plans at work, not to say anything about real States): every third demo
State with at least one approved edition has a plan, submitted the day after its first approved
edition (so that its later editions can show progress), for five years, with four measures at
every reported status (planned, in progress, done, dropped): one tied to fields that gained an X
in the State's latest edition (the matrix shows its progress), the others to fields without. The
milestones are past and future, done and pending, so some are overdue. Half the plans are
published. Every title starts with "[Synthetic]"; every record has origin `demo`. Deterministic.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.models import AssistanceRequest, Origin, State
from un1540.models.base import today
from un1540.schemas.action_plans import ActionPlanCreate
from un1540.services.action_plans.actions import create_plan
from un1540.services.action_plans.progress import approved_editions, marked_pairs
from un1540.services.kernel.access import system_viewer
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework

ACTOR = "demo-generator"
STATUSES = ("in_progress", "done", "planned", "dropped")
AGENCIES = (
    "Ministry of Justice",
    "Customs Administration",
    "Nuclear Regulatory Authority",
    "Ministry of Health",
)
PARTNERS = (["UNODA", "Group of Experts"], ["UNRCPD", "OSCE"], ["UNLIREC"], ["OAS/CICTE", "UNODA"])


def _fields(session: Session, state_id: int, submitted_on: date) -> tuple[list[str], list[str]]:
    """Fields that gained an X after `submitted_on` (latest edition vs the one in force), and
    fields that did not."""
    viewer = system_viewer(ACTOR)
    editions = approved_editions(session, viewer, [state_id])[state_id]
    before = [e for e in editions if e.approved_on <= submitted_on]
    after = [e for e in editions if e.approved_on > submitted_on]
    layout = framework_layout(session, default_framework(session))
    every = [code for code in layout.fields if not code.startswith("op1.")]
    if not before or not after:
        return [], every
    pairs = marked_pairs(session, viewer, [before[-1], after[-1]])
    gained = sorted({field for field, _ in pairs[after[-1].id] - pairs[before[-1].id]})
    gained = [code for code in gained if not code.startswith("op1.")]
    return gained, [code for code in every if code not in gained]


def load_demo_action_plans(session: Session) -> int:
    """The demo plans (see the module's docstring); returns how many were written."""
    viewer = system_viewer(ACTOR)
    states = list(session.scalars(select(State).order_by(State.iso3)))
    editions = approved_editions(session, viewer, [state.id for state in states])
    written = 0
    for index, state in enumerate(states):
        ours = editions[state.id]
        if index % 3 or not ours:
            continue
        submitted_on = ours[0].approved_on + timedelta(days=1)
        gained, others = _fields(session, state.id, submitted_on)
        period_from = date(submitted_on.year, 1, 1)
        period_to = date(submitted_on.year + 4, 12, 31)
        requests = list(
            session.scalars(
                select(AssistanceRequest.id)
                .where(AssistanceRequest.state_id == state.id)
                .order_by(AssistanceRequest.id)
                .limit(1)
            )
        )
        measures = []
        for position, status in enumerate(STATUSES):
            pool = gained if position == 0 and gained else others
            fields = pool[(index + position * 7) % len(pool) :][:2] if pool else []
            first_due = min(submitted_on + timedelta(days=180 * (position + 1)), period_to)
            finished = status == "done" and first_due <= today()
            measures.append(
                {
                    "title": f"[Synthetic] Measure {position + 1} of the demo plan",
                    "description": "[Synthetic] generated for demonstration only.",
                    "fields": fields,
                    "owner_agency": AGENCIES[position % len(AGENCIES)],
                    "status": status,
                    "progress": {"in_progress": 40, "done": 100}.get(status, 0),
                    "assistance_requests": requests if position == 0 else [],
                    "milestones": [
                        {
                            "title": "[Synthetic] First step",
                            "due_on": first_due,
                            "status": "done" if finished else "pending",
                            "done_on": first_due if finished else None,
                        },
                        {
                            "title": "[Synthetic] Second step",
                            "due_on": min(first_due + timedelta(days=365), period_to),
                            "status": "cancelled" if status == "dropped" else "pending",
                        },
                    ],
                }
            )
        data = ActionPlanCreate.model_validate(
            {
                "title": f"[Synthetic] National action plan of {state.short_name}",
                "submitted_on": submitted_on,
                "period_from": period_from,
                "period_to": period_to,
                "published": written % 2 == 0,
                "partners": PARTNERS[written % len(PARTNERS)],
                "summary": "[Synthetic] A plan generated for demonstration; not a real plan.",
                "measures": measures,
            }
        )
        create_plan(session, viewer=viewer, iso3=state.iso3, data=data, origin=Origin.demo)
        written += 1
    return written
