"""The accounts REST API (issue 13, item 4): administrators manage accounts with the portal's
rules (services/accounts/management.py), and every account manages its own API tokens."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import assert_error
from tests.conftest import Inbox, settings_for
from tests.factories import make_user
from un1540.models import ApiToken, UserAccount
from un1540.services.accounts.actions import issue_token
from un1540.services.accounts.resets import wait_for_reset_emails
from un1540.web.app import create_app

API = "/api/v1"


@pytest.fixture
def world(
    engine: Engine, sessions: sessionmaker[Session], inbox: tuple[Inbox, int]
) -> Iterator[tuple[TestClient, dict[str, dict[str, str]], Inbox]]:
    """An app that sends e-mail to the loopback inbox, and a token of each kind of caller."""
    received, port = inbox
    settings = settings_for(engine).model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": port})
    headers: dict[str, dict[str, str]] = {}
    with sessions() as session, session.begin():
        for role, email, iso3 in (
            ("admin", "api-admin@example.org", None),
            ("expert", "api-expert@example.org", None),
            ("state_poc", "api-poc@example.org", "FRA"),
        ):
            make_user(session, role=role, email=email, iso3=iso3)
            _, plain = issue_token(session, email=email, scope="write", actor="tests")
            headers[role] = {"Authorization": f"Bearer {plain}"}
        _, plain = issue_token(session, email="api-admin@example.org", scope="read", actor="t")
        headers["admin_read"] = {"Authorization": f"Bearer {plain}"}
    app = create_app(settings, engine=engine, sessions=sessions)
    with TestClient(app) as client:
        yield client, headers, received


def test_administrators_list_create_change_and_sign_out_accounts(
    world: tuple[TestClient, dict[str, dict[str, str]], Inbox],
) -> None:
    client, headers, received = world
    admin = headers["admin"]
    # Created as the portal does: a role with its State, and an invitation e-mailed.
    created = client.post(
        f"{API}/accounts",
        headers=admin,
        json={
            "email": "New-Poc@Example.org",
            "role": "state_poc",
            "state": "fra",
            "language": "fr",
        },
    )
    assert created.status_code == 201, created.text
    account = created.json()["account"]
    assert (account["email"], account["role"], account["state"]) == (
        "new-poc@example.org",
        "state_poc",
        "FRA",
    )
    assert account["active"] is True
    assert account["language"] == "fr"
    assert "password" not in created.text
    assert "hash" not in created.text
    wait_for_reset_emails()
    assert len(received.to("new-poc@example.org")) == 1
    account_id = account["id"]

    # The rules of the portal: a point of contact needs its State; the e-mail is unique.
    assert_error(
        client.post(
            f"{API}/accounts", headers=admin, json={"email": "x@example.org", "role": "state_poc"}
        ),
        422,
        "invalid_data",
        "state",
    )
    assert_error(
        client.post(
            f"{API}/accounts",
            headers=admin,
            json={"email": "new-poc@example.org", "role": "expert"},
        ),
        409,
        "conflict",
    )

    # Listed, searched and filtered.
    listed = client.get(f"{API}/accounts", headers=admin, params={"q": "NEW-POC"}).json()
    assert [item["id"] for item in listed["items"]] == [account_id]
    assert listed["total"] == 1
    assert listed["page"] == 1
    by_state = client.get(f"{API}/accounts", headers=admin, params={"state": "FRA"}).json()
    assert {item["email"] for item in by_state["items"]} >= {
        "new-poc@example.org",
        "api-poc@example.org",
    }
    assert all(item["state"] == "FRA" for item in by_state["items"])
    admins = client.get(f"{API}/accounts", headers=admin, params={"role": "admin"}).json()
    assert admins["items"]
    assert all(item["role"] == "admin" for item in admins["items"])
    paged = client.get(f"{API}/accounts", headers=admin, params={"page_size": 1}).json()
    assert len(paged["items"]) == 1
    assert paged["total"] > 1

    # Changed: another role, then disabled (and shown so in the filters), then enabled again.
    changed = client.patch(
        f"{API}/accounts/{account_id}", headers=admin, json={"role": "expert"}
    ).json()["account"]
    assert (changed["role"], changed["state"]) == ("expert", None)
    disabled = client.patch(f"{API}/accounts/{account_id}", headers=admin, json={"active": False})
    assert disabled.json()["account"]["active"] is False
    inactive = client.get(f"{API}/accounts", headers=admin, params={"active": "false"}).json()
    assert account_id in [item["id"] for item in inactive["items"]]
    assert (
        client.get(f"{API}/accounts/{account_id}", headers=admin).json()["account"]["active"]
        is False
    )
    ended = client.post(f"{API}/accounts/{account_id}/sign-out-everywhere", headers=admin)
    assert ended.status_code == 200
    assert ended.json()["sessions_ended"] == 0
    assert_error(client.get(f"{API}/accounts/999999", headers=admin), 404, "not_found")


def test_the_last_active_administrator_stays_one(
    world: tuple[TestClient, dict[str, dict[str, str]], Inbox], sessions: sessionmaker[Session]
) -> None:
    client, headers, _ = world
    admin = headers["admin"]
    with sessions() as session:
        others = session.scalars(
            select(UserAccount).where(
                UserAccount.role == "admin", UserAccount.email != "api-admin@example.org"
            )
        ).all()
        assert others == []  # the demo has no other administrator
        me = session.scalars(
            select(UserAccount.id).where(UserAccount.email == "api-admin@example.org")
        ).one()
    for change in ({"active": False}, {"role": "expert"}):
        refused = assert_error(
            client.patch(f"{API}/accounts/{me}", headers=admin, json=change), 409, "conflict"
        )
        assert "last active administrator" in refused["message"]
    assert client.get(f"{API}/me", headers=admin).json()["role"] == "admin"


def test_only_administrators_manage_accounts(
    world: tuple[TestClient, dict[str, dict[str, str]], Inbox],
) -> None:
    client, headers, _ = world
    for who, status in (("expert", 403), ("state_poc", 403), ("admin_read", 403), (None, 401)):
        caller = headers[who] if who else {}
        assert client.get(f"{API}/accounts", headers=caller).status_code == status, who
        assert client.get(f"{API}/accounts/1", headers=caller).status_code == status, who
        created = client.post(
            f"{API}/accounts", headers=caller, json={"email": "z@example.org", "role": "expert"}
        )
        assert created.status_code == status, who
        patched = client.patch(f"{API}/accounts/1", headers=caller, json={"active": False})
        assert patched.status_code == status, who
        ended = client.post(f"{API}/accounts/1/sign-out-everywhere", headers=caller)
        assert ended.status_code == status, who
    assert client.get(f"{API}/accounts", headers=headers["admin_read"]).status_code == 403


def test_every_account_issues_lists_and_revokes_its_own_tokens(
    world: tuple[TestClient, dict[str, dict[str, str]], Inbox], sessions: sessionmaker[Session]
) -> None:
    client, headers, _ = world
    poc, expert = headers["state_poc"], headers["expert"]
    issued = client.post(
        f"{API}/account/tokens", headers=poc, json={"label": "CI", "scope": "read"}
    )
    assert issued.status_code == 201, issued.text
    assert issued.headers["cache-control"] == "no-store"
    secret, token = issued.json()["secret"], issued.json()["token"]
    assert secret.startswith(token["prefix"])
    assert token["scope"] == "read"
    # The secret works, and is never shown again: the list has the prefix, no secret, no hash.
    assert (
        client.get(f"{API}/me", headers={"Authorization": f"Bearer {secret}"}).json()["token_scope"]
        == "read"
    )
    listed = client.get(f"{API}/account/tokens", headers=poc)
    assert token["id"] in [t["id"] for t in listed.json()["items"]]
    with sessions() as session:
        stored = session.get(ApiToken, token["id"])
        assert stored is not None
        assert stored.token_hash not in listed.text
        assert secret not in listed.text
    assert token["id"] not in [
        t["id"] for t in client.get(f"{API}/account/tokens", headers=expert).json()["items"]
    ]
    # A read-only token may not issue or revoke; another account's token is not found.
    reader = {"Authorization": f"Bearer {secret}"}
    assert client.post(f"{API}/account/tokens", headers=reader, json={}).status_code == 403
    assert_error(
        client.delete(f"{API}/account/tokens/{token['id']}", headers=expert), 404, "not_found"
    )
    assert client.delete(f"{API}/account/tokens/999999", headers=poc).status_code == 404
    revoked = client.delete(f"{API}/account/tokens/{token['id']}", headers=poc)
    assert revoked.status_code == 200
    assert revoked.json()["revoked_at"] is not None
    assert client.get(f"{API}/me", headers=reader).status_code == 401
    # Anonymous: 401 everywhere.
    assert client.get(f"{API}/account/tokens").status_code == 401
    assert client.post(f"{API}/account/tokens", json={}).status_code == 401
    assert client.delete(f"{API}/account/tokens/1").status_code == 401
    assert_error(
        client.post(f"{API}/account/tokens", headers=poc, json={"scope": "admin"}),
        422,
        "invalid_data",
    )
