"""Synthetic commitments for the demo (docs/commitments.md).

Shape (to show delivery tracking at work, not to say anything about real States or
organisations): seven commitments, at every status of the `commitment` lifecycle (announced,
in progress, partly delivered, delivered, withdrawn), one of them overdue. They are attached to
the first demo event of kind `open_debate` when there is one (io/demo_events.py), and announced
on its date; else to no event. The delivered and partly delivered ones are fulfilled by real
demo records: a demo pledge, an assistance project, an action plan, and an approved edition in
which a field changed. Every title starts with "[Synthetic]"; every record has origin `demo`.
Deterministic.
"""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.models import (
    ActionPlan,
    AssistanceOffer,
    AssistanceProject,
    EditionStatus,
    FundingEntry,
    MatrixEdition,
    Organisation,
    Origin,
    State,
)
from un1540.models.base import today
from un1540.schemas.commitments import CommitmentCreate, CommitmentTransition, FulfilmentInput
from un1540.services.commitments.actions import create_commitment, transition_commitment
from un1540.services.commitments.reads import first_event_of_kind
from un1540.services.commitments.records import field_changed
from un1540.services.kernel.access import Viewer, system_viewer
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework

ACTOR = "demo-generator"
NOTE = "[Synthetic] recorded for demonstration."


def _changed_edition(session: Session, viewer: Viewer) -> tuple[MatrixEdition, str] | None:
    """An approved demo edition (the latest of a State with two or more) and a field whose marks
    changed in it."""
    layout = framework_layout(session, default_framework(session))
    editions = session.scalars(
        select(MatrixEdition)
        .where(
            MatrixEdition.status == EditionStatus.approved,
            MatrixEdition.origin == Origin.demo,
            MatrixEdition.number > 1,
        )
        .order_by(MatrixEdition.state_id, MatrixEdition.number.desc())
        .limit(20)
    )
    for edition in editions:
        for code in layout.fields:
            if not code.startswith("op1.") and field_changed(session, viewer, edition, code):
                return edition, code
    return None


def _iso3(session: Session, state_id: int) -> str:
    return session.get_one(State, state_id).iso3


def load_demo_commitments(session: Session) -> int:
    """The demo commitments (see the module's docstring); returns how many were written."""
    viewer = system_viewer(ACTOR)
    day = today()
    event = first_event_of_kind(session, "open_debate")
    if event is not None and event.starts_on > day:
        event = None
    announced = event.starts_on if event is not None else date(2024, 11, 20)
    pledge = session.scalars(
        select(FundingEntry)
        .where(FundingEntry.origin == Origin.demo, FundingEntry.kind == "pledge")
        .where(FundingEntry.donor_state_id.is_not(None))
        .order_by(FundingEntry.id)
    ).first()
    project = session.scalars(
        select(AssistanceProject)
        .where(AssistanceProject.origin == Origin.demo)
        .order_by(AssistanceProject.id)
    ).first()
    plan = session.scalars(
        select(ActionPlan).where(ActionPlan.origin == Origin.demo).order_by(ActionPlan.id)
    ).first()
    changed = _changed_edition(session, viewer)
    organisation = session.scalars(select(Organisation.code).order_by(Organisation.code)).first()
    if project is not None:
        offer = session.get_one(AssistanceOffer, project.offer_id)
        if offer.organisation_id is not None:
            organisation = session.get_one(Organisation, offer.organisation_id).code
    states = list(session.scalars(select(State.iso3).order_by(State.iso3)))
    if not states:
        return 0

    def later(days: int) -> date:
        return min(day, announced + timedelta(days=days))

    # (owner, kind, title, target in days, steps: (status, days after, fulfilments))
    plans: list[tuple[dict[str, str], str, str, int, list[tuple[str, int, list[FulfilmentInput]]]]]
    plans = []
    if pledge is not None and pledge.donor_state_id is not None:
        plans.append(
            (
                {"state": _iso3(session, pledge.donor_state_id)},
                "financial_pledge",
                "[Synthetic] A pledge to the trust fund for 1540 assistance",
                365,
                [("delivered", 30, [FulfilmentInput(kind="funding_entry", record=pledge.id)])],
            )
        )
    if project is not None:
        plans.append(
            (
                {"organisation": organisation or ""},
                "assistance_programme",
                "[Synthetic] A regional programme of legislative assistance",
                730,
                [
                    ("in_progress", 20, []),
                    (
                        "partly_delivered",
                        90,
                        [FulfilmentInput(kind="assistance_project", record=project.id)],
                    ),
                ],
            )
        )
    if plan is not None:
        plans.append(
            (
                {"state": _iso3(session, plan.state_id)},
                "action_plan",
                "[Synthetic] A national implementation action plan",
                540,
                [("delivered", 60, [FulfilmentInput(kind="action_plan", record=plan.id)])],
            )
        )
    if changed is not None:
        edition, field = changed
        plans.append(
            (
                {"state": _iso3(session, edition.state_id)},
                "legislation",
                f"[Synthetic] Legislation on {field.split('.')[-1].replace('_', ' ')}",
                720,
                [
                    (
                        "delivered",
                        120,
                        [FulfilmentInput(kind="edition", record=edition.id, field=field)],
                    )
                ],
            )
        )
    host, other = states[len(states) // 2], states[-1]
    plans += [
        # Announced, with its target date long past: overdue (its owner is reminded once).
        ({"state": host}, "hosting_training", "[Synthetic] Hosting a regional training", 60, []),
        (
            {"state": other},
            "voluntary_contribution",
            "[Synthetic] A voluntary contribution of experts",
            1500,
            [("in_progress", 45, [])],
        ),
        (
            {"state": states[0]},
            "other",
            "[Synthetic] An outreach conference to industry",
            400,
            [("withdrawn", 100, [])],
        ),
    ]
    written = 0
    for owner, kind, title, target, steps in plans:
        commitment = create_commitment(
            session,
            viewer=viewer,
            data=CommitmentCreate(
                **owner,
                event=event.id if event is not None else None,
                kind=kind,
                title=title,
                description=NOTE,
                announced_on=announced,
                target_date=announced + timedelta(days=target),
                announced_publicly=True,
                visibility=None if event is not None else "public",
            ),
            origin=Origin.demo,
        )
        for status, after, fulfilments in steps:
            transition_commitment(
                session,
                viewer=viewer,
                commitment_id=commitment.id,
                data=CommitmentTransition(
                    to=status,
                    effective_on=later(after),
                    note=NOTE,
                    delivery_evidence=NOTE if status == "delivered" else "",
                    fulfilments=fulfilments,
                ),
            )
        written += 1
    return written
