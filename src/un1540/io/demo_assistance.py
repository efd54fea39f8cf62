"""Synthetic assistance data for the demo: requests, offers, judgements, projects and funding.

Shape (to show the clearinghouse at work, not to say anything about real States): States with
the fewest measures recorded ask for help on fields where their latest demo edition has gaps;
organisations of the regime and a few States offer help in their areas; experts accept the best
suggestions; some become projects at various stages; donors pledge and pay. Every title starts
with "[Synthetic]"; every record has origin `demo`. Deterministic, like the rest of the demo.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.models import Origin, State
from un1540.models.base import today
from un1540.schemas.assistance import (
    AssistanceOfferCreate,
    AssistanceProjectCreate,
    AssistanceRequestCreate,
    FeedbackInput,
    FundingCreate,
    JudgementCreate,
    MilestoneDone,
)
from un1540.services.assistance.actions.funding import record_funding
from un1540.services.assistance.actions.judgements import record_judgement
from un1540.services.assistance.actions.offers import create_offer
from un1540.services.assistance.actions.projects import (
    complete_milestone,
    give_feedback,
    move_project,
    open_project,
)
from un1540.services.assistance.actions.requests import submit_request, transition_request
from un1540.services.assistance.reads.suggestions import suggestions_for
from un1540.services.kernel.access import PUBLIC, system_viewer
from un1540.services.matrix.counting import state_tallies

ACTOR = "demo-generator"
GENERATOR = "un1540-demo-assistance/1"
# Who offers what (organisation code, fields or sections, weapons, kinds of help, regions).
OFFERS = [
    ("iaea", ["op3ab"], ["nw"], ["training", "regulatory_advice", "expert_visit"], []),
    ("opcw", ["op2"], ["cw"], ["legislative_drafting", "training"], []),
    (
        "bwc_isu",
        ["op3ab.secure_storage", "op3ab.genetic_engineering"],
        ["bw"],
        ["regulatory_advice", "reporting_support"],
        [],
    ),
    ("unodc", ["op2"], [], ["legislative_drafting"], []),
    ("unoda", [], [], ["action_plan_support", "reporting_support"], []),
    ("interpol", ["op3cd.illicit_trafficking", "op3cd.enforcement_agencies"], [], ["training"], []),
    (
        "wco",
        ["op3cd.border_control", "op3cd.border_detection", "op3cd.transit"],
        [],
        ["training", "equipment"],
        [],
    ),
    (
        "eu",
        ["op3cd"],
        [],
        ["legislative_drafting", "training", "expert_visit"],
        ["african", "asia_pacific"],
    ),
    ("unrcpd", [], [], ["action_plan_support", "training"], ["asia_pacific"]),
    ("unlirec", ["op3cd"], [], ["training", "legislative_drafting"], ["latin_american_caribbean"]),
    ("au", [], [], ["action_plan_support"], ["african"]),
]
STATE_OFFERS = [
    ("USA", ["op3cd"], ["equipment", "training"]),
    ("FRA", ["op2", "op3ab"], ["expert_visit"]),
]
LANGUAGE_OF_GROUP = {"latin_american_caribbean": "es", "african": "fr"}


def _rng(*parts: str) -> random.Random:
    digest = hashlib.sha256(":".join((GENERATOR, *parts)).encode()).digest()
    return random.Random(int.from_bytes(digest[:8], "big"))


def _offers(session: Session, states: set[str]) -> int:
    viewer = system_viewer(ACTOR)
    written = 0
    for code, areas, weapons, helps, regions in OFFERS:
        fields = [a for a in areas if "." in a]
        sections = [a for a in areas if "." not in a]
        create_offer(
            session,
            viewer=viewer,
            data=AssistanceOfferCreate(
                organisation=code,
                title=f"[Synthetic] {code.upper()} support: {', '.join(helps).replace('_', ' ')}",
                description="[Synthetic] offer generated for demonstration.",
                fields=fields,
                sections=sections,
                weapons=weapons,
                help_types=helps,
                regions=regions,
                languages=["en", "fr", "es"],
                capacity=_rng(code).randint(2, 6),
                budget=float(_rng(code, "budget").randint(5, 60) * 10000),
                currency="USD",
            ),
            origin=Origin.demo,
        )
        written += 1
    for iso3, sections, helps in STATE_OFFERS:
        if iso3 not in states:
            continue
        create_offer(
            session,
            viewer=viewer,
            data=AssistanceOfferCreate(
                state=iso3,
                title=f"[Synthetic] Bilateral support from {iso3}",
                sections=sections,
                help_types=helps,
                languages=["en"],
                capacity=3,
            ),
            origin=Origin.demo,
        )
        written += 1
    return written


def _needy_states(session: Session, count: int) -> list[State]:
    tallies = state_tallies(session, PUBLIC)
    ranked = sorted(tallies, key=lambda iso3: (tallies[iso3].coverage or 0, iso3))[:count]
    return list(session.scalars(select(State).where(State.iso3.in_(ranked)).order_by(State.iso3)))


def _request(session: Session, state: State, number: int) -> int:
    rng = _rng(state.iso3, "request", str(number))
    candidates = [
        ("op2.manufacture", "cw", "legislative_drafting"),
        ("op3ab.secure_storage", "nw", "training"),
        ("op3cd.border_detection", "", "equipment"),
        ("op3cd.export_control_law", "", "legislative_drafting"),
        ("op3ab.genetic_engineering", "bw", "regulatory_advice"),
        ("op3cd.illicit_trafficking", "", "training"),
    ]
    picked = rng.sample(candidates, rng.randint(1, 3))
    language = LANGUAGE_OF_GROUP.get(state.electoral_group_code or "", "en")
    items = [
        {
            "description": f"[Synthetic] help with {field.split('.')[1].replace('_', ' ')}",
            "fields": [field],
            "weapons": [weapon] if weapon else [],
            "help_types": [help_type],
            "languages": [language],
        }
        for field, weapon, help_type in picked
    ]
    received = date(2025, 1, 1) + timedelta(days=rng.randint(0, 600))
    request = submit_request(
        session,
        viewer=system_viewer(ACTOR),
        data=AssistanceRequestCreate(
            state=state.iso3,
            title=f"[Synthetic] Assistance request of {state.short_name}",
            summary="[Synthetic] request generated for demonstration.",
            received_on=min(received, today()),
            consent=rng.choice(["public", "public", "providers", "committee"]),
            items=items,
        ),
        origin=Origin.demo,
    )
    return request.id


def _progress(session: Session, request_id: int, stage: int) -> None:
    viewer = system_viewer(ACTOR)
    steps = ["authenticated", "acknowledged", "circulated"]
    for status in steps[:stage]:
        request = transition_request(session, viewer=viewer, request_id=request_id, to=status)
    if stage == len(steps) and request.consent == "public":
        transition_request(session, viewer=viewer, request_id=request_id, to="published")


def _project(session: Session, request_id: int, depth: int) -> int | None:
    viewer = system_viewer(ACTOR)
    suggestions = suggestions_for(session, viewer=viewer, request_id=request_id)
    item = suggestions.items[0]
    if not item.suggestions:
        return None
    best = item.suggestions[0]
    record_judgement(
        session,
        viewer=viewer,
        data=JudgementCreate(item_id=item.item_id, offer_id=best.offer_id, verdict="accept"),
    )
    project = open_project(
        session,
        viewer=viewer,
        data=AssistanceProjectCreate(
            item_id=item.item_id,
            offer_id=best.offer_id,
            milestones=[
                {"title": "[Synthetic] needs assessment"},
                {"title": "[Synthetic] delivery"},
            ],
        ),
        origin=Origin.demo,
    )
    if depth >= 1:
        move_project(session, viewer=viewer, project_id=project.id, to="in_delivery")
        complete_milestone(
            session,
            viewer=viewer,
            project_id=project.id,
            milestone_id=project.milestones[0].id,
            data=MilestoneDone(),
        )
    if depth >= 2:
        move_project(session, viewer=viewer, project_id=project.id, to="delivered")
        give_feedback(
            session,
            viewer=viewer,
            project_id=project.id,
            data=FeedbackInput(side="recipient", rating=4, text="[Synthetic] useful."),
        )
    return project.id


def load_demo_assistance(session: Session) -> int:
    """Requests, offers, projects and funding over the demo States; returns the requests made."""
    states = set(session.scalars(select(State.iso3)))
    _offers(session, states)
    requests = 0
    projects: list[int] = []
    for index, state in enumerate(_needy_states(session, 30)):
        request_id = _request(session, state, 1)
        requests += 1
        stage = index % 4  # received, authenticated, acknowledged, circulated
        _progress(session, request_id, stage)
        if stage == 3:
            project_id = _project(session, request_id, depth=index % 3)
            if project_id is not None:
                projects.append(project_id)
    viewer = system_viewer(ACTOR)
    # Synthetic pledges with a due date (docs/inbox.md#deadline-near: "pledge due" notices).
    for donor, amount, due_on in (
        ("USA", 500000, date(2027, 6, 30)),
        ("FRA", 250000, date(2027, 3, 31)),
    ):
        if donor not in states:
            continue
        for kind, share in (("pledge", 1.0), ("contribution", 0.6)):
            record_funding(
                session,
                viewer=viewer,
                data=FundingCreate(
                    kind=kind,
                    state=donor,
                    amount=amount * share,
                    currency="USD",
                    made_on=date(2025, 6, 30),
                    due_on=due_on if kind == "pledge" else None,
                    project_id=projects[0] if projects and kind == "contribution" else None,
                    note="[Synthetic] funding entry generated for demonstration.",
                ),
                origin=Origin.demo,
            )
    return requests
