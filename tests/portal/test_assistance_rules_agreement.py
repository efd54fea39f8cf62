"""One rule per permission: for every role and every request and project status, what the portal
page offers is exactly what the service accepts (each action tried in a transaction that is
rolled back), and what the API announces in `allowed_actions`."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from tests.conftest import rolled_back_session, settings_for
from tests.factories import make_user
from tests.portal.test_workflow_pages import sign_in
from un1540.db.engine import make_session_factory
from un1540.errors import Un1540Error
from un1540.reference.lifecycles import lifecycle
from un1540.schemas.assistance import (
    AssistanceOfferCreate,
    AssistanceProjectCreate,
    AssistanceRequestCreate,
    AssistanceRequestUpdate,
    FeedbackInput,
    FundingCreate,
    JudgementCreate,
    MilestoneDone,
    MilestoneInput,
)
from un1540.services.assistance.actions.funding import record_funding
from un1540.services.assistance.actions.judgements import record_judgement
from un1540.services.assistance.actions.offers import create_offer
from un1540.services.assistance.actions.projects import (
    add_milestone,
    complete_milestone,
    give_feedback,
    move_project,
    open_project,
)
from un1540.services.assistance.actions.requests import (
    submit_request,
    transition_request,
    update_request,
)
from un1540.services.assistance.reads.projects import get_project
from un1540.services.assistance.reads.requests import get_request
from un1540.services.assistance.rules import clearinghouse_rules, project_rules, request_rules
from un1540.services.kernel.access import PUBLIC, Viewer, system_viewer
from un1540.web.app import create_app

ROLES = {
    # name: (role, State, organisation); None for the public
    "public": None,
    "requesting_poc": ("state_poc", "TCD", None),
    "other_poc": ("state_poc", "NER", None),
    "offer_provider": ("provider", None, "iaea"),
    "other_provider": ("provider", None, "opcw"),
    "expert": ("expert", None, None),
    "committee": ("committee", None, None),
    "admin": ("admin", None, None),
}
REQUESTS = lifecycle("assistance_request")
PROJECTS = lifecycle("assistance_project")
# The path from `received` to each status (closing needs a reason, given in `reach`).
PATHS = {
    "received": [],
    "authenticated": ["authenticated"],
    "acknowledged": ["authenticated", "acknowledged"],
    "circulated": ["authenticated", "acknowledged", "circulated"],
    "published": ["authenticated", "acknowledged", "circulated", "published"],
    "matched": ["authenticated", "acknowledged", "circulated", "matched"],
    "in_delivery": ["authenticated", "acknowledged", "circulated", "matched", "in_delivery"],
    "delivered": [
        "authenticated",
        "acknowledged",
        "circulated",
        "matched",
        "in_delivery",
        "delivered",
    ],
    "feedback_received": [
        "authenticated",
        "acknowledged",
        "circulated",
        "matched",
        "in_delivery",
        "delivered",
        "feedback_received",
    ],
    "closed": ["closed"],
}
ITEM = {
    "description": "Portal monitors",
    "fields": ["op3cd.border_detection"],
    "help_types": ["equipment"],
}


@dataclass
class World:
    engine: Engine
    viewers: dict[str, Viewer]
    requests: dict[str, int]  # label -> request id
    projects: dict[str, int]  # label -> project id
    unopened_pair: dict[str, int]  # an accepted pair with no project yet: item_id, offer_id
    unjudged_pair: dict[str, int]  # the circulated request's item and the offer, not judged


def build_world(engine: Engine) -> World:
    sessions = make_session_factory(engine)
    with sessions() as session:  # each action commits
        viewers: dict[str, Viewer] = {"public": PUBLIC}
        for name, spec in ROLES.items():
            if spec is not None:
                role, iso3, org = spec
                viewers[name] = make_user(
                    session, role=role, email=f"{name}@example.org", iso3=iso3, org=org
                )
        session.commit()
        expert = viewers["expert"]
        requests: dict[str, int] = {}
        for status, path in PATHS.items():
            filed = submit_request(
                session,
                viewer=viewers["requesting_poc"],
                data=AssistanceRequestCreate(
                    title=f"Request {status}", consent="public", items=[ITEM]
                ),
            )
            for step in path:
                transition_request(
                    session, viewer=expert, request_id=filed.id, to=step, reason="tests"
                )
            requests[status] = filed.id
        # Circulated without public consent: it may never be published.
        private = submit_request(
            session,
            viewer=viewers["requesting_poc"],
            data=AssistanceRequestCreate(title="Providers only", consent="providers", items=[ITEM]),
        )
        for step in PATHS["circulated"]:
            transition_request(session, viewer=expert, request_id=private.id, to=step)
        requests["circulated, providers only"] = private.id
        projects, unopened_pair = _projects(session, viewers)
        requests["the projects' request"] = get_project(
            session, viewer=expert, project_id=projects["planned"]
        ).request_id
        circulated = get_request(session, viewer=expert, request_id=requests["circulated"])
        unjudged_pair = {"item_id": circulated.items[0].id, "offer_id": unopened_pair["offer_id"]}
    return World(engine, viewers, requests, projects, unopened_pair, unjudged_pair)


def _projects(
    session: Session, viewers: dict[str, Viewer]
) -> tuple[dict[str, int], dict[str, int]]:
    """One project per status, each with one milestone to deliver; the one in delivery already
    has the recipient's feedback. The last item's pair is accepted, its project not opened."""
    expert = viewers["expert"]
    labels = ["planned", "in_delivery", "in_delivery, recipient said", "delivered", "closed"]
    request = submit_request(
        session,
        viewer=viewers["requesting_poc"],
        data=AssistanceRequestCreate(
            title="Projects", consent="public", items=[ITEM] * (len(labels) + 1)
        ),
    )
    for step in PATHS["circulated"]:
        transition_request(session, viewer=expert, request_id=request.id, to=step)
    offer = create_offer(
        session,
        viewer=viewers["offer_provider"],
        data=AssistanceOfferCreate(
            title="Detection", fields=ITEM["fields"], help_types=["equipment"], capacity=9
        ),
    )
    projects = {}
    *items, unopened = get_request(session, viewer=expert, request_id=request.id).items
    unopened_pair = {"item_id": unopened.id, "offer_id": offer.id}
    record_judgement(
        session, viewer=expert, data=JudgementCreate(**unopened_pair, verdict="accept")
    )
    for label, item in zip(labels, items, strict=True):
        pair = {"item_id": item.id, "offer_id": offer.id}
        record_judgement(session, viewer=expert, data=JudgementCreate(**pair, verdict="accept"))
        project = open_project(
            session,
            viewer=expert,
            data=AssistanceProjectCreate(**pair, milestones=[{"title": "Training"}]),
        )
        projects[label] = project.id
    for label, path in [
        ("in_delivery", ["in_delivery"]),
        ("in_delivery, recipient said", ["in_delivery"]),
        ("delivered", ["in_delivery", "delivered"]),
        ("closed", ["closed"]),
    ]:
        for step in path:
            move_project(session, viewer=expert, project_id=projects[label], to=step, reason="t")
    give_feedback(
        session,
        viewer=viewers["requesting_poc"],
        project_id=projects["in_delivery, recipient said"],
        data=FeedbackInput(side="recipient", rating=4),
    )
    return projects, unopened_pair


def accepted(engine: Engine, attempt: Callable[[Session], object]) -> bool:
    """Whether the service accepts `attempt`, tried in a transaction that is then rolled back."""
    with rolled_back_session(engine) as session:
        try:
            attempt(session)
        except Un1540Error:
            return False
    return True


def request_attempts(viewer: Viewer, request_id: int) -> dict[str, Callable[[Session], object]]:
    def update(session: Session) -> object:
        revision = get_request(session, viewer=system_viewer("t"), request_id=request_id).revision
        data = AssistanceRequestUpdate(title="Corrected", revision=revision)
        return update_request(session, viewer=viewer, request_id=request_id, data=data)

    def step(target: str) -> Callable[[Session], object]:
        return lambda session: transition_request(
            session, viewer=viewer, request_id=request_id, to=target, reason="tests"
        )

    return {"update": update, **{target: step(target) for target in request_rules.actions[1:]}}


def project_attempts(viewer: Viewer, project_id: int) -> dict[str, Callable[[Session], object]]:
    def step(target: str) -> Callable[[Session], object]:
        return lambda session: move_project(
            session, viewer=viewer, project_id=project_id, to=target, reason="tests"
        )

    def deliver(session: Session) -> object:
        project = get_project(session, viewer=system_viewer("t"), project_id=project_id)
        milestone = project.milestones[0].id
        return complete_milestone(
            session,
            viewer=viewer,
            project_id=project_id,
            milestone_id=milestone,
            data=MilestoneDone(),
        )

    def feedback(side: str) -> Callable[[Session], object]:
        return lambda session: give_feedback(
            session, viewer=viewer, project_id=project_id, data=FeedbackInput(side=side, rating=3)
        )

    return {
        **{target: step(target) for target in PROJECTS.statuses},  # back to planned too
        "add_milestone": lambda session: add_milestone(
            session, viewer=viewer, project_id=project_id, data=MilestoneInput(title="More")
        ),
        "complete_milestone": deliver,
        "feedback_recipient": feedback("recipient"),
        "feedback_provider": feedback("provider"),
    }


def start_attempts(viewer: Viewer, world: World) -> dict[str, Callable[[Session], object]]:
    """Filing, offering and funding with input that is valid for this viewer (the Committee side
    names whom it files for; everyone else files for their own State or organisation)."""
    party = {"state": "TCD"} if viewer.is_committee_side else {}
    name = "A foundation" if viewer.is_committee_side else ""
    request = AssistanceRequestCreate(title="Started", consent="public", items=[ITEM], **party)
    offer = AssistanceOfferCreate(
        title="Started",
        provider_name=name,
        fields=ITEM["fields"],
        help_types=["training"],
        capacity=1,
    )
    pledge = FundingCreate(kind="pledge", amount=10, currency="USD", donor_name=name)
    return {
        "file_request": lambda session: submit_request(session, viewer=viewer, data=request),
        "publish_offer": lambda session: create_offer(session, viewer=viewer, data=offer),
        "record_funding": lambda session: record_funding(session, viewer=viewer, data=pledge),
        "judge": lambda session: record_judgement(
            session, viewer=viewer, data=JudgementCreate(**world.unjudged_pair, verdict="accept")
        ),
        "open_project": lambda session: open_project(
            session, viewer=viewer, data=AssistanceProjectCreate(**world.unopened_pair)
        ),
    }


def offered_to_start(client: TestClient, world: World) -> set[str]:
    """The links and forms that start something; judging and opening a project are offered
    next to the suggestions on the request page."""
    index, funding = client.get("/assistance").text, client.get("/funding").text
    projects_request_id = world.requests["the projects' request"]
    projects_request = client.get(f"/assistance/requests/{projects_request_id}")
    offered = set()
    if 'href="/assistance/requests/new"' in index:
        offered.add("file_request")
    if 'href="/assistance/offers/new"' in index:
        offered.add("publish_offer")
    if '<form method="post" action="/funding"' in funding:
        offered.add("record_funding")
    circulated = client.get(f"/assistance/requests/{world.requests['circulated']}").text
    judged = re.escape(f'name="item_id" value="{world.unjudged_pair["item_id"]}"')
    if re.search(rf'action="/assistance/judgements" [^>]*>[^\n]*?{judged}', circulated):
        offered.add("judge")
    unopened = re.escape(f'name="item_id" value="{world.unopened_pair["item_id"]}"')
    opening = rf'action="/assistance/projects" [^>]*>[^\n]*?{unopened}'
    if re.search(opening, projects_request.text):
        offered.add("open_project")
    return offered


def _options(html: str, form: str, select: str) -> set[str]:
    found = re.search(rf'<form[^>]*action="{form}"[^>]*>.*?</form>', html, re.S)
    if found is None:
        return set()
    chosen = re.search(rf'<select id="{select}".*?</select>', found.group(0), re.S)
    return set(re.findall(r'<option value="([^"]+)"', chosen.group(0))) if chosen else set()


def offered_on_request_page(client: TestClient, request_id: int) -> set[str]:
    page = client.get(f"/assistance/requests/{request_id}")
    if page.status_code == 404:
        return set()
    assert page.status_code == 200, page.text[:300]
    return _options(page.text, f"/assistance/requests/{request_id}/transitions", "to")


def offered_on_project_page(client: TestClient, project_id: int) -> set[str]:
    page = client.get(f"/assistance/projects/{project_id}")
    if page.status_code == 404:
        return set()
    assert page.status_code == 200, page.text[:300]
    base = f"/assistance/projects/{project_id}"
    offered = _options(page.text, f"{base}/transitions", "to")
    if f'action="{base}/milestones"' in page.text:
        offered.add("add_milestone")
    if re.search(rf'action="{base}/milestones/\d+/done"', page.text):
        offered.add("complete_milestone")
    offered |= {f"feedback_{side}" for side in _options(page.text, f"{base}/feedback", "side")}
    return offered


def announced(client: TestClient, path: str, key: str) -> set[str]:
    response = client.get(path)
    if response.status_code == 404:
        return set()
    assert response.status_code == 200, response.text
    return set(response.json()[key]["allowed_actions"])


@pytest.fixture
def world(fresh_engine: Engine) -> World:
    return build_world(fresh_engine)


def test_every_role_is_offered_exactly_what_the_services_accept(world: World) -> None:
    app = create_app(settings_for(world.engine), engine=world.engine)
    portal_only = set(request_rules.actions) - {"update"}  # the portal edits no request
    checked = 0
    for name, viewer in world.viewers.items():
        client = TestClient(app, follow_redirects=True)
        if name != "public":
            sign_in(client, f"{name}@example.org")
        starts = start_attempts(viewer, world)
        accepts = {action for action, attempt in starts.items() if accepted(world.engine, attempt)}
        assert offered_to_start(client, world) == accepts, name
        assert accepts == set(clearinghouse_rules.allowed(viewer, None)), name
        for label, request_id in world.requests.items():
            attempts = request_attempts(viewer, request_id)
            accepts = {
                action for action, attempt in attempts.items() if accepted(world.engine, attempt)
            }
            where = f"{name} on the {label} request"
            assert offered_on_request_page(client, request_id) == accepts & portal_only, where
            api = announced(client, f"/api/v1/assistance/requests/{request_id}", "request")
            assert api == accepts, where
            checked += 1
        for label, project_id in world.projects.items():
            attempts = project_attempts(viewer, project_id)
            accepts = {
                action for action, attempt in attempts.items() if accepted(world.engine, attempt)
            }
            where = f"{name} on the {label} project"
            assert offered_on_project_page(client, project_id) == accepts, where
            api = announced(client, f"/api/v1/assistance/projects/{project_id}", "project")
            assert api == accepts, where
            checked += 1
    assert set(project_rules.actions) == set(project_attempts(PUBLIC, 1))
    assert set(clearinghouse_rules.actions) == set(start_attempts(PUBLIC, world))
    assert checked == len(world.viewers) * (len(world.requests) + len(world.projects))


def test_the_table_is_not_trivially_empty_or_full(world: World) -> None:
    """The agreement above means something: roles differ, and statuses do."""
    expert, poc = world.viewers["expert"], world.viewers["requesting_poc"]
    app = create_app(settings_for(world.engine), engine=world.engine)
    client = TestClient(app, follow_redirects=True)
    sign_in(client, "expert@example.org")
    assert offered_on_request_page(client, world.requests["received"]) == {
        "authenticated",
        "closed",
    }
    assert offered_on_request_page(client, world.requests["circulated"]) == {
        "published",
        "matched",
        "closed",
    }
    assert offered_on_request_page(client, world.requests["circulated, providers only"]) == {
        "matched",
        "closed",
    }
    assert offered_on_request_page(client, world.requests["closed"]) == set()
    assert offered_to_start(client, world) == set(clearinghouse_rules.actions)
    assert offered_to_start(TestClient(app), world) == set()
    assert offered_on_project_page(client, world.projects["in_delivery, recipient said"]) == {
        "delivered",
        "closed",
        "add_milestone",
        "complete_milestone",
        "feedback_provider",
    }
    assert not accepted(
        world.engine,
        lambda session: transition_request(
            session, viewer=poc, request_id=world.requests["received"], to="authenticated"
        ),
    )
    assert accepted(
        world.engine,
        lambda session: transition_request(
            session, viewer=expert, request_id=world.requests["received"], to="authenticated"
        ),
    )
