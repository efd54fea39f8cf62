"""The password policy (services/accounts/credentials.py), applied by every door that sets a
password: the service, the portal's password form, and the command line (tests/cli)."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.factories import PASSWORD, make_user
from tests.security.test_sessions import Portal, csrf, portal, sign_in  # noqa: F401 (fixture)
from un1540.errors import InvalidData
from un1540.models import UserAccount
from un1540.services.accounts.actions import change_password, create_user, reset_password
from un1540.services.accounts.credentials import password_problems
from un1540.services.accounts.reads import find_user

EMAIL = "jsmith@example.org"
WEAK = {
    "short pass": "at least 12 characters",
    "x" * 129: "at most 128 characters",
    # Old behaviour: these three were accepted (10 characters or more was the only rule).
    "password1234": "most common passwords",
    "Summer2024!!": "most common passwords",
    "123456789012": "too predictable",
    "aaaaaaaaaaaa": "too predictable",
    EMAIL: "e-mail address",
    "JSmith2024!!!": "e-mail address",
}


@pytest.mark.parametrize(("password", "fragment"), WEAK.items(), ids=range(len(WEAK)))
def test_weak_passwords_are_refused_saying_why(password: str, fragment: str) -> None:
    problems = password_problems(password, EMAIL)
    assert [p.where for p in problems][:1] == ["password"]
    assert fragment in " ".join(p.message for p in problems)


@pytest.mark.parametrize(
    "password",
    [
        "correct horse battery",
        "Tr0ub4dor&3-staple",
        "mot de passe très sûr",
        "我的密码很长很安全也很好记",
    ],
)
def test_good_passwords_pass(password: str) -> None:
    assert password_problems(password, EMAIL) == []


def test_the_service_doors_refuse_weak_passwords(empty_session: Session) -> None:
    session = empty_session
    with pytest.raises(InvalidData) as caught:
        create_user(session, email=EMAIL, password="password1234", role="expert", actor="t")
    assert "most common" in caught.value.problems[0].message
    assert session.scalars(select(UserAccount).where(UserAccount.email == EMAIL)).first() is None
    make_user(session, role="expert", email=EMAIL)
    user = find_user(session, EMAIL)
    with pytest.raises(InvalidData) as changed:
        change_password(session, user=user, current=PASSWORD, new="iloveyou2024")
    assert changed.value.problems[0].where == "new_password"
    with pytest.raises(InvalidData):
        reset_password(session, email=EMAIL, new="Jsmith1990!!", actor="t")


def test_the_portal_password_form_explains_the_refusal(portal: Portal) -> None:  # noqa: F811
    client = portal.browser()
    sign_in(client, "expert@example.org")
    page = client.get("/account")
    assert 'minlength="12"' in page.text
    refused = client.post(
        "/account/password",
        data={
            "csrf_token": csrf(page.text),
            "current_password": PASSWORD,
            "new_password": "qwertyuiop123",
            "repeat_password": "qwertyuiop123",
        },
    )
    assert "the password was not changed" in refused.text
    assert "most common passwords" in refused.text
