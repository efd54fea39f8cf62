"""Accounts, passwords and API tokens."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, make_user
from un1540.errors import Conflict, InvalidData, NotFound
from un1540.models import ApiToken, AuditEvent, Role, UserAccount
from un1540.services.accounts.actions import (
    authenticate,
    change_password,
    create_user,
    issue_token,
    revoke_token,
    set_active,
    sign_in_with_token,
)
from un1540.services.accounts.reads import find_user


def test_passwords_are_stored_as_argon2_hashes(session: Session) -> None:
    make_user(session, role="expert", email="Expert@Example.org")
    user = find_user(session, "expert@example.org")
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    event = session.scalars(select(AuditEvent).where(AuditEvent.action == "account.create")).all()[
        -1
    ]
    assert event.after is not None
    assert "password" not in str(event.after)


def test_sign_in_needs_the_right_password_and_an_active_account(session: Session) -> None:
    make_user(session, role="committee", email="c@example.org")
    assert authenticate(session, email="C@example.org", password=PASSWORD) is not None
    assert authenticate(session, email="c@example.org", password="wrong password!") is None
    assert authenticate(session, email="nobody@example.org", password=PASSWORD) is None
    set_active(session, email="c@example.org", active=False, actor="tests")
    assert authenticate(session, email="c@example.org", password=PASSWORD) is None


@pytest.mark.parametrize(
    ("fields", "where"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"role": "king"}, "role"),
        ({"role": "public"}, "role"),
        ({"password": "short"}, "password"),
        ({"role": "state_poc"}, "state"),
        ({"role": "state_poc", "state_iso3": "XXX"}, "state"),
        ({"role": "provider"}, "org"),
        ({"role": "provider", "organisation_code": "nato"}, "org"),
        ({"role": "expert", "state_iso3": "FRA"}, "role"),
    ],
)
def test_invalid_accounts_are_refused(session: Session, fields: dict[str, str], where: str) -> None:
    values = {"email": "new@example.org", "password": PASSWORD, "role": "expert"} | fields
    with pytest.raises(InvalidData) as caught:
        create_user(session, actor="tests", **values)  # type: ignore[arg-type]
    assert where in {p.where for p in caught.value.problems}
    assert (
        session.scalars(select(UserAccount).where(UserAccount.email == values["email"])).first()
        is None
    )


def test_an_email_is_used_once(session: Session) -> None:
    make_user(session, role="expert", email="twice@example.org")
    with pytest.raises(Conflict):
        make_user(session, role="expert", email="TWICE@example.org")


def test_points_of_contact_and_providers_are_bound(session: Session) -> None:
    poc = make_user(session, role="state_poc", iso3="NGA")
    provider = make_user(session, role="provider", org="iaea")
    assert poc.role is Role.state_poc
    assert poc.state_id is not None
    assert provider.organisation_id is not None


def test_changing_the_password(session: Session) -> None:
    make_user(session, role="expert", email="p@example.org")
    user = find_user(session, "p@example.org")
    stamp = user.password_changed_at
    with pytest.raises(InvalidData):
        change_password(session, user=user, current="wrong password", new="another long one")
    with pytest.raises(InvalidData):
        change_password(session, user=user, current=PASSWORD, new="short")
    change_password(session, user=user, current=PASSWORD, new="another long password")
    assert user.password_changed_at > stamp
    assert (
        authenticate(session, email="p@example.org", password="another long password") is not None
    )


def test_tokens_are_shown_once_stored_hashed_scoped_and_revocable(session: Session) -> None:
    make_user(session, role="expert", email="t@example.org")
    token, plain = issue_token(session, email="t@example.org", scope="read", actor="tests")
    assert plain.startswith("u1540_")
    assert plain not in token.token_hash
    assert session.scalars(select(ApiToken).where(ApiToken.token_hash == plain)).first() is None
    viewer = sign_in_with_token(session, plain)
    assert viewer is not None
    assert (viewer.role, viewer.can_write) == (Role.expert, False)
    _, writer = issue_token(session, email="t@example.org", scope="write", actor="tests")
    written = sign_in_with_token(session, writer)
    assert written is not None
    assert written.can_write
    revoke_token(session, prefix=token.prefix, actor="tests")
    assert sign_in_with_token(session, plain) is None
    assert sign_in_with_token(session, "u1540_made-up") is None
    with pytest.raises(InvalidData):
        issue_token(session, email="t@example.org", scope="admin", actor="tests")
    with pytest.raises(NotFound):
        issue_token(session, email="nobody@example.org", scope="read", actor="tests")


def test_disabling_an_account_revokes_its_tokens(session: Session) -> None:
    make_user(session, role="expert", email="d@example.org")
    _, plain = issue_token(session, email="d@example.org", scope="write", actor="tests")
    set_active(session, email="d@example.org", active=False, actor="tests")
    assert sign_in_with_token(session, plain) is None
