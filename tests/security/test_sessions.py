"""Portal sessions kept on the server: logging out, password changes, administrators and the
clock end them for every copy of the cookie; the cookie holds only a random id."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, select, update
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import settings_for
from tests.factories import PASSWORD, make_user
from un1540.models import AuditEvent, UserAccount, WebSession
from un1540.models.base import utc_now
from un1540.services.accounts.actions import issue_token
from un1540.web.app import create_app

COOKIE = "un1540_session"


# One application per database, reused by every test (a new one costs ~0.5 s at its first
# request); each test hands it the sessions of its own rolled-back connection.
_APPS: dict[Engine, FastAPI] = {}


@dataclass(frozen=True)
class Portal:
    engine: Engine
    sessions: sessionmaker[Session]
    app: FastAPI

    def browser(self, **settings: Any) -> TestClient:
        """A client with its own cookie jar, like one person's browser."""
        if settings:
            self.app.state.settings = self.app.state.settings.model_copy(update=settings)
        return TestClient(self.app, follow_redirects=True)

    def rows(self) -> list[WebSession]:
        with self.sessions() as session:
            return list(session.scalars(select(WebSession).order_by(WebSession.id)))

    def change(self, **values: Any) -> None:
        with self.sessions() as session, session.begin():
            session.execute(update(WebSession).values(**values))


@pytest.fixture
def portal(empty_engine: Engine, empty_sessions: sessionmaker[Session]) -> Iterator[Portal]:
    with empty_sessions() as session, session.begin():
        make_user(session, role="expert", email="expert@example.org")
        make_user(session, role="admin", email="admin@example.org")
    if empty_engine not in _APPS:
        _APPS[empty_engine] = create_app(settings_for(empty_engine), engine=empty_engine)
    app = _APPS[empty_engine]
    app.state.sessions, settings = empty_sessions, app.state.settings
    try:
        yield Portal(empty_engine, empty_sessions, app)
    finally:
        app.state.settings = settings


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def sign_in(client: TestClient, email: str, password: str = PASSWORD) -> None:
    page = client.get("/login")
    response = client.post(
        "/login",
        # Lands on the account page, which is cheaper to render than the home page.
        data={
            "email": email,
            "password": password,
            "csrf_token": csrf(page.text),
            "next": "/account",
        },
    )
    assert response.status_code == 200, response.text[:300]
    assert f"Signed in as {email}" in response.text


def signed_in(client: TestClient) -> bool:
    response = client.get("/account", follow_redirects=False)
    return response.status_code == 200


def test_logging_out_ends_the_session_for_every_copy_of_the_cookie(portal: Portal) -> None:
    """Old behaviour: the signed cookie carried the session, so a copy kept working after logout."""
    owner = portal.browser()
    sign_in(owner, "expert@example.org")
    stolen = owner.cookies.get(COOKIE)
    assert stolen
    thief = portal.browser()
    thief.cookies.set(COOKIE, stolen, domain="testserver.local")
    assert signed_in(thief)
    page = owner.get("/account")
    owner.post("/logout", data={"csrf_token": csrf(page.text)})
    assert not signed_in(owner)
    assert not signed_in(thief)
    assert portal.rows() == []


def test_the_cookie_holds_only_a_random_id_whose_hash_is_stored(portal: Portal) -> None:
    client = portal.browser()
    sign_in(client, "expert@example.org")
    value = client.cookies.get(COOKIE)
    assert value is not None
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", value)  # 256 random bits, nothing else
    (row,) = portal.rows()
    assert row.token_hash == hashlib.sha256(value.encode()).hexdigest()
    assert value not in row.token_hash
    set_cookie = client.get("/login").headers.get("set-cookie", "")
    assert "expert@example.org" not in set_cookie


def test_signing_in_starts_a_new_session_and_ends_the_previous_one(portal: Portal) -> None:
    client = portal.browser()
    client.cookies.set(COOKIE, "planted-by-an-attacker", domain="testserver.local")
    sign_in(client, "expert@example.org")
    first = client.cookies.get(COOKIE)
    assert first not in (None, "planted-by-an-attacker")
    sign_in(client, "expert@example.org")  # again, from the sign-in form
    second = client.cookies.get(COOKIE)
    assert second != first
    copy = portal.browser()
    copy.cookies.set(COOKIE, first or "", domain="testserver.local")
    assert not signed_in(copy)
    assert len(portal.rows()) == 1


def test_changing_the_password_signs_out_the_other_sessions(portal: Portal) -> None:
    here, elsewhere = portal.browser(), portal.browser()
    sign_in(here, "expert@example.org")
    sign_in(elsewhere, "expert@example.org")
    page = here.get("/account")
    changed = here.post(
        "/account/password",
        data={
            "csrf_token": csrf(page.text),
            "current_password": PASSWORD,
            "new_password": "a brand new passphrase",
            "repeat_password": "a brand new passphrase",
        },
    )
    assert "Password changed" in changed.text
    assert signed_in(here)
    assert not signed_in(elsewhere)


def test_signing_out_everywhere_from_the_account_page(portal: Portal) -> None:
    here, elsewhere = portal.browser(), portal.browser()
    sign_in(here, "expert@example.org")
    sign_in(elsewhere, "expert@example.org")
    page = here.get("/account")
    done = here.post("/account/sign-out-everywhere", data={"csrf_token": csrf(page.text)})
    assert "Every other session of this account has been signed out." in done.text
    assert signed_in(here)
    assert not signed_in(elsewhere)


def test_an_administrator_signs_an_account_out_everywhere(portal: Portal) -> None:
    expert = portal.browser()
    sign_in(expert, "expert@example.org")
    with portal.sessions() as session:
        _, admin_token = issue_token(session, email="admin@example.org", scope="write", actor="t")
        _, expert_token = issue_token(session, email="expert@example.org", scope="write", actor="t")
    api = portal.browser()
    url, body = "/api/v1/accounts/sign-out-everywhere", {"email": "admin@example.org"}
    refused = api.post(url, json=body, headers={"Authorization": f"Bearer {expert_token}"})
    assert refused.status_code == 403
    unknown = api.post(
        url,
        json={"email": "nobody@example.org"},
        headers={"Authorization": f"Bearer {expert_token}"},
    )
    assert unknown.status_code == 403  # not 404: a refusal says nothing of who has an account
    done = api.post(
        url,
        json={"email": "Expert@example.org"},
        headers={"Authorization": f"Bearer {admin_token}"},
    )
    assert done.status_code == 200, done.text
    assert done.json() == {"email": "expert@example.org", "sessions_ended": 1}
    assert not signed_in(expert)
    with portal.sessions() as session:
        event_ = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "account.sign_out_everywhere")
        ).one()
        assert (event_.actor, event_.entity_id) == ("admin@example.org", "expert@example.org")


def test_idle_and_absolute_time_limits_end_sessions(portal: Portal) -> None:
    client = portal.browser(session_idle_minutes=30, session_max_hours=12)
    sign_in(client, "expert@example.org")
    (row,) = portal.rows()
    assert row.expires_at - row.created_at == timedelta(hours=12)
    portal.change(last_seen_at=utc_now() - timedelta(minutes=29))
    assert signed_in(client)  # still within the idle limit, and the visit counts as activity
    assert portal.rows()[0].last_seen_at > utc_now() - timedelta(minutes=1)
    portal.change(last_seen_at=utc_now() - timedelta(minutes=31))
    assert not signed_in(client)
    assert portal.rows() == []  # the expired session is deleted on the way
    sign_in(client, "expert@example.org")
    portal.change(expires_at=utc_now() - timedelta(seconds=1))
    assert not signed_in(client)


def test_expired_sessions_are_deleted_at_the_next_sign_in(portal: Portal) -> None:
    first, second = portal.browser(), portal.browser()
    sign_in(first, "expert@example.org")
    portal.change(last_seen_at=utc_now() - timedelta(days=1))
    sign_in(second, "admin@example.org")
    with portal.sessions() as session:
        owners = session.scalars(select(WebSession.user_id)).all()
        admin = session.scalars(select(UserAccount.id).where(UserAccount.role == "admin")).one()
    assert owners == [admin]


def test_csrf_token_and_messages_live_with_the_server_side_session(portal: Portal) -> None:
    client = portal.browser()
    sign_in(client, "expert@example.org")  # the message was shown on the page signed in to
    (row,) = portal.rows()
    assert row.flashes == []  # taken when shown
    page = client.get("/account")
    assert csrf(page.text) == row.csrf_token
    assert "Signed in as" not in page.text  # shown once
    forged = client.post("/account/sign-out-everywhere", data={"csrf_token": "made-up"})
    assert forged.status_code == 403


@contextmanager
def statements(engine: Engine) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(*args: Any) -> None:
        seen.append(str(args[2]))

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_session_lookup_is_one_indexed_query_and_none_without_a_cookie(portal: Portal) -> None:
    client = portal.browser()
    with statements(portal.engine) as anonymous:
        assert client.get("/account", follow_redirects=False).status_code == 303
    assert anonymous == []  # no cookie, no query
    sign_in(client, "expert@example.org")
    client.get("/account")
    with statements(portal.engine) as seen:
        assert client.get("/api/v1/me").status_code == 200
    touching = [s for s in seen if "web_session" in s]
    assert len(touching) == 1, touching
    assert "web_session.token_hash =" in touching[0]
