"""Two identical writes at the same time: one is stored, the other answers 409, never 500.

Each write checks for a duplicate before it inserts; two requests that both check before either
commits both pass the check, and the database's unique constraint stops the second. That used
to surface as IntegrityError (500); the unit of work now turns it into Conflict.

The race is forced, not hoped for: the first request, about to commit, waits until the second
has passed its check and is writing; only then does it commit. Real requests, real threads,
real databases (SQLite and PostgreSQL), each request on its own connection.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx2 import Response
from sqlalchemy import Engine, Result, event
from sqlalchemy.orm import ORMExecuteState, Session

from tests.conftest import DatabaseFactory, settings_for
from tests.factories import make_user
from un1540.db.engine import make_session_factory
from un1540.models import (
    ActionPlan,
    AssistanceJudgement,
    AssistanceOffer,
    AssistanceProject,
    AssistanceRequest,
    MatrixEdition,
    ProjectFeedback,
)
from un1540.services.accounts.actions import issue_token
from un1540.web.app import create_app

REQUEST = {
    "title": "Border control training",
    "consent": "public",
    "items": [{"description": "Training", "fields": ["op2.use"], "help_types": ["training"]}],
}
OFFER = {"title": "Customs training", "help_types": ["training"], "capacity": 5}


class ForcedRace:
    """Holds the first write's commit until the second write has passed its duplicate check.

    The first session to flush a new or changed `model` row is the first writer; it waits
    before its commit until another session starts flushing one (it has checked by then and
    found nothing committed), so both passed the check before either committed.
    """

    def __init__(self, model: type) -> None:
        self.model = model
        self.first: Session | None = None
        self.first_wrote = threading.Event()
        self.second_writing = threading.Event()
        self.lock = threading.Lock()

    def before_flush(self, session: Session, _context: object, _instances: object) -> None:
        written = [*session.new, *session.dirty]
        if not any(isinstance(instance, self.model) for instance in written):
            return
        with self.lock:
            if self.first is None:
                self.first = session
            elif session is not self.first:
                self.second_writing.set()

    def after_flush(self, session: Session, _context: object) -> None:
        if session is self.first:
            self.first_wrote.set()

    def do_orm_execute(self, state: ORMExecuteState) -> Result[Any] | None:
        # A write may insert its rows with one Core statement (the drafts of an import: see
        # open_drafts), with no ORM instance to flush: that INSERT is the write then.
        if not state.is_insert or getattr(state.statement, "table", None) is not (
            self.model.__table__
        ):
            return None
        with self.lock:
            if self.first is None:
                self.first = state.session
            elif state.session is not self.first:
                self.second_writing.set()
        if state.session is not self.first:
            return None
        result = state.invoke_statement()
        self.first_wrote.set()
        return result

    def before_commit(self, session: Session) -> None:
        if session is self.first and not self.second_writing.is_set():
            assert self.second_writing.wait(timeout=10), "the second write never came"
            time.sleep(0.2)  # the second INSERT reaches the database and waits for this commit

    def run(self, first: Callable[[], Response], second: Callable[[], Response]) -> list[Response]:
        hooks = [
            (Session, "before_flush", self.before_flush),
            (Session, "after_flush", self.after_flush),
            (Session, "before_commit", self.before_commit),
            (Session, "do_orm_execute", self.do_orm_execute),
        ]
        for target, name, hook in hooks:
            event.listen(target, name, hook)
        responses: dict[str, Response] = {}
        try:
            one = threading.Thread(target=lambda: responses.update(first=first()))
            one.start()
            assert self.first_wrote.wait(timeout=10), "the first write never flushed"
            two = threading.Thread(target=lambda: responses.update(second=second()))
            two.start()
            one.join(timeout=30)
            two.join(timeout=30)
        finally:
            for target, name, hook in hooks:
                event.remove(target, name, hook)
        return [responses["first"], responses["second"]]


@dataclass
class World:
    engine: Engine
    app: Any
    headers: dict[str, dict[str, str]]

    def client(self) -> TestClient:
        # A client per thread, each request on a connection of its own, as in production.
        return TestClient(self.app, raise_server_exceptions=False)

    def send(self, method: str, who: str, url: str, body: dict[str, Any] | None = None) -> Response:
        with self.client() as client:
            return client.request(method, url, json=body, headers=self.headers[who])

    def post(self, who: str, url: str, body: dict[str, Any] | None = None) -> Response:
        return self.send("POST", who, url, body)

    def created(self, who: str, url: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        response = self.post(who, url, body)
        assert response.status_code in (200, 201), response.text
        created: dict[str, Any] = response.json()
        return created


@pytest.fixture(scope="module")
def world(database_factory: DatabaseFactory) -> Iterator[World]:
    engine = database_factory.create(demo=False)
    sessions = make_session_factory(engine)
    headers = {}
    with sessions() as session, session.begin():
        for name, role, iso3, org in [
            ("expert", "expert", None, None),
            ("poc", "state_poc", "TCD", None),
            ("provider", "provider", None, "opcw"),
        ]:
            email = f"race-{name}@example.org"
            make_user(session, role=role, email=email, iso3=iso3, org=org)
            _, token = issue_token(session, email=email, scope="write", actor="tests")
            headers[name] = {"Authorization": f"Bearer {token}"}
    app = create_app(settings_for(engine), engine=engine)
    built = World(engine, app, headers)
    with built.client() as client:
        for header in headers.values():  # note each token's use now, not during a race
            assert client.get("/api/v1/me", headers=header).status_code == 200
    yield built
    engine.dispose()


def _circulated_request(world: World, title: str) -> dict[str, Any]:
    request = world.created("poc", "/api/v1/assistance/requests", {**REQUEST, "title": title})
    url = f"/api/v1/assistance/requests/{request['request']['id']}/transitions"
    for status in ("authenticated", "acknowledged", "circulated"):
        world.created("expert", url, {"to": status})
    return request


def _pair(world: World, title: str) -> tuple[int, int]:
    request = _circulated_request(world, title)
    offer = world.created("provider", "/api/v1/assistance/offers", {**OFFER, "title": title})
    return request["request"]["items"][0]["id"], offer["offer"]["id"]


def _accepted_pair(world: World, title: str) -> dict[str, int]:
    item_id, offer_id = _pair(world, title)
    pair = {"item_id": item_id, "offer_id": offer_id}
    world.created("expert", "/api/v1/assistance/judgements", {**pair, "verdict": "accept"})
    return pair


def _project_in_delivery(world: World, title: str) -> int:
    project = world.created("expert", "/api/v1/assistance/projects", _accepted_pair(world, title))
    project_id: int = project["project"]["id"]
    url = f"/api/v1/assistance/projects/{project_id}/transitions"
    world.created("provider", url, {"to": "in_delivery"})
    return project_id


def _correction(world: World) -> tuple[str, dict[str, Any]]:
    request = world.created("poc", "/api/v1/assistance/requests", {**REQUEST, "title": "Fixed"})
    url = f"/api/v1/assistance/requests/{request['request']['id']}"
    return url, {"summary": "Corrected", "revision": request["request"]["revision"]}


def _plan_correction(world: World) -> tuple[str, dict[str, Any]]:
    plan = world.created(
        "poc",
        "/api/v1/states/TCD/action-plans",
        {
            "title": "Plan 2020-2024",
            "submitted_on": "2020-02-01",
            "period_from": "2020-01-01",
            "period_to": "2024-12-31",
        },
    )
    url = f"/api/v1/states/TCD/action-plans/{plan['plan']['id']}"
    return url, {"title": "Corrected plan", "revision": plan["plan"]["revision"]}


# Each race: what is written twice, by whom, where, and what the 409 says.
RACES: dict[str, tuple[type, str, Callable[[World], tuple[str, dict[str, Any] | None]], str]] = {
    "two drafts opened at once": (
        MatrixEdition,
        "expert",
        lambda world: ("/api/v1/states/TCD/editions", None),
        "another edition of this State's matrix was opened at the same time",
    ),
    "one request filed twice": (
        AssistanceRequest,
        "poc",
        lambda world: ("/api/v1/assistance/requests", {**REQUEST, "title": "Filed twice"}),
        "the same request (requester, title and date) was filed at the same time",
    ),
    "one offer published twice": (
        AssistanceOffer,
        "provider",
        lambda world: ("/api/v1/assistance/offers", {**OFFER, "title": "Published twice"}),
        "an offer with this title was published by this provider at the same time",
    ),
    "one pair judged twice": (
        AssistanceJudgement,
        "expert",
        lambda world: (
            "/api/v1/assistance/judgements",
            {
                **dict(zip(("item_id", "offer_id"), _pair(world, "Judged"), strict=True)),
                "verdict": "accept",
            },
        ),
        "this pair was judged by someone else at the same time",
    ),
    "one project opened twice": (
        AssistanceProject,
        "expert",
        lambda world: ("/api/v1/assistance/projects", _accepted_pair(world, "Opened twice")),
        "a project for this item and offer was opened at the same time",
    ),
    "one request corrected twice from the same revision": (
        AssistanceRequest,
        "poc",
        lambda world: _correction(world),
        "the record was changed by another request meanwhile",
    ),
    "one action plan corrected twice from the same revision": (
        ActionPlan,
        "poc",
        lambda world: _plan_correction(world),
        "the record was changed by another request meanwhile",
    ),
    "one side's feedback given twice": (
        ProjectFeedback,
        "provider",
        lambda world: (
            f"/api/v1/assistance/projects/{_project_in_delivery(world, 'Rated')}/feedback",
            {"side": "provider", "rating": 4},
        ),
        "this side's feedback was given at the same time",
    ),
}


@pytest.mark.parametrize("race", RACES)
def test_a_write_raced_by_its_twin_answers_409_never_500(
    world: World, race: str, caplog: pytest.LogCaptureFixture
) -> None:
    model, who, prepare, message = RACES[race]
    url, body = prepare(world)
    method = "PATCH" if "corrected" in race else "POST"
    forced = ForcedRace(model)
    with caplog.at_level(logging.WARNING, logger="un1540.conflicts"):
        first, second = forced.run(
            lambda: world.send(method, who, url, body), lambda: world.send(method, who, url, body)
        )
    assert first.status_code in (200, 201), first.text
    assert second.status_code == 409, second.text
    error = second.json()["error"]
    assert error["code"] == "conflict"
    assert error["message"] == f"{message}; reload and try again"
    # It was the database that stopped the twin (both passed the check: a unique constraint,
    # or an UPDATE guarded by the revision read), and the log keeps the database's own words.
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "constraint" in logged.lower() or "0 were matched" in logged, logged
