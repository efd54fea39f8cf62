"""The sign-in throttle (services/accounts/throttle.py): counted in the database for every
process, exact under a parallel burst, slowing attackers without locking the owner out, and
every failed sign-in in the audit trail."""

from __future__ import annotations

import re
import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.conftest import settings_for
from tests.factories import PASSWORD, make_user
from un1540.db.engine import make_session_factory
from un1540.errors import RateLimited
from un1540.models import AuditEvent, RateLimit
from un1540.services.accounts import throttle
from un1540.services.accounts.actions import sign_in_with_password
from un1540.services.kernel import rate_limit
from un1540.services.kernel.rate_limit import Limit
from un1540.web.app import create_app

OWNER, ATTACKER, HOME = "owner@example.org", "203.0.113.66", "198.51.100.7"


class Clock:
    """The throttle's clock, moved by hand."""

    def __init__(self) -> None:
        self.now = 1_900_000_000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock()
    monkeypatch.setattr(rate_limit, "now", clock)
    return clock


def attempt(session: Session, password: str, address: str, email: str = OWNER) -> str:
    """What one sign-in attempt came to: ok, wrong, or wait:SECONDS."""
    try:
        user = sign_in_with_password(session, email=email, password=password, address=address)
    except RateLimited as refusal:
        return f"wait:{refusal.retry_after}"
    return "ok" if user is not None else "wrong"


def test_a_parallel_burst_gets_exactly_the_free_attempts(fresh_engine: Engine) -> None:
    """Old behaviour: a per-process list checked before and filled after the password check, so
    parallel attempts all passed the check (7 tries for a limit of 5, and more with more
    threads). Now each attempt is counted by one atomic upsert before its password is checked."""
    sessions = make_session_factory(fresh_engine)
    with sessions() as session:
        make_user(session, role="expert", email=OWNER)
    app = create_app(settings_for(fresh_engine), engine=fresh_engine)
    threads = 12
    clients = [TestClient(app, client=(ATTACKER, 40000 + n)) for n in range(threads)]
    tokens = [
        re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
        for c in clients
    ]
    start = threading.Barrier(threads)

    def guess(n: int) -> int:
        start.wait()
        data = {"email": OWNER, "password": f"guess number {n}", "csrf_token": tokens[n]}
        return clients[n].post("/login", data=data).status_code

    with ThreadPoolExecutor(threads) as pool:
        codes = sorted(pool.map(guess, range(threads)))
    assert codes == [401] * throttle.ACCOUNT_AND_ADDRESS.free + [429] * (
        threads - throttle.ACCOUNT_AND_ADDRESS.free
    )
    # The same holds when the password is right: the pair waits now.
    with sessions() as session:
        assert attempt(session, PASSWORD, ATTACKER).startswith("wait:")
        failures = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "account.login_failed")
        ).all()
    assert len(failures) == throttle.ACCOUNT_AND_ADDRESS.free


def test_the_wait_doubles_and_a_success_clears_it(empty_session: Session, clock: Clock) -> None:
    session = empty_session
    make_user(session, role="expert", email=OWNER)
    outcomes = [attempt(session, "not the password", HOME) for _ in range(6)]
    assert outcomes == ["wrong"] * 5 + ["wait:30"]
    clock.now += 31
    assert attempt(session, "still not it", HOME) == "wrong"
    assert attempt(session, PASSWORD, HOME) == "wait:60"  # doubled, and checks no password
    clock.now += 61
    assert attempt(session, PASSWORD, HOME) == "ok"
    assert [attempt(session, "typo", HOME) for _ in range(5)] == ["wrong"] * 5  # cleared


def test_an_attacker_cannot_lock_the_owner_out(empty_session: Session, clock: Clock) -> None:
    """Old behaviour: five failures for an e-mail address locked it for everyone."""
    session = empty_session
    make_user(session, role="expert", email=OWNER)
    assert attempt(session, PASSWORD, HOME) == "ok"  # the owner's usual address
    for _ in range(6):
        attempt(session, "a guess", ATTACKER)
    assert attempt(session, PASSWORD, ATTACKER).startswith("wait:")
    assert attempt(session, PASSWORD, HOME) == "ok"
    # Even a distributed attack that trips the account's own limit leaves the known address in.
    for n in range(throttle.ACCOUNT.free + 2):
        attempt(session, "a guess", f"203.0.113.{n + 100}")
    assert attempt(session, PASSWORD, "192.0.2.200").startswith("wait:")  # a new address waits
    assert attempt(session, PASSWORD, HOME) == "ok"


def test_password_spraying_from_one_address_is_slowed(empty_session: Session, clock: Clock) -> None:
    """Old behaviour: counted per e-mail only, so one address could try a password on every
    account without limit."""
    session = empty_session
    results = [
        attempt(session, "Summer2024!", ATTACKER, email=f"user{n}@example.org")
        for n in range(throttle.ADDRESS.free + 3)
    ]
    assert results[: throttle.ADDRESS.free] == ["wrong"] * throttle.ADDRESS.free
    assert all(r.startswith("wait:") for r in results[throttle.ADDRESS.free :])


def test_ipv6_addresses_count_per_64_network() -> None:
    assert throttle.address_key("2001:db8:1:2:aaaa::1") == throttle.address_key("2001:db8:1:2::9")
    assert throttle.address_key("2001:db8:1:3::1") != throttle.address_key("2001:db8:1:2::1")
    assert throttle.address_key("::ffff:192.0.2.1") == "192.0.2.1"
    assert throttle.address_key("") == "unknown"


def test_failed_sign_ins_are_audited_without_the_password(empty_session: Session) -> None:
    session = empty_session
    make_user(session, role="expert", email=OWNER)
    attempt(session, "hunter2-wrong-password", HOME)
    attempt(session, "hunter2-unknown-account", HOME, email="nobody@example.org")
    attempt(session, "hunter2-typed-as-email", HOME, email="hunter2-typed-as-email")
    events = session.scalars(
        select(AuditEvent)
        .where(AuditEvent.action == "account.login_failed")
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.entity_id, (e.after or {})["reason"]) for e in events] == [
        (OWNER, "wrong_password"),
        ("nobody@example.org", "unknown_account"),
        ("(not an e-mail address)", "unknown_account"),
    ]
    assert all((e.after or {})["address"] == HOME for e in events)
    everything = " ".join(
        f"{e.actor} {e.entity_id} {e.before} {e.after} {e.reason}" for e in events
    )
    assert "hunter2" not in everything


def test_the_limiter_counts_refunds_and_forgets(empty_session: Session, clock: Clock) -> None:
    session = empty_session
    limit = Limit("test", free=2, window=60, base_delay=10, max_delay=25)
    assert [limit.delay(n) for n in range(1, 6)] == [0, 10, 20, 25, 25]
    assert rate_limit.hit(session, limit, "k").hits == 1
    rate_limit.refund(session, limit, "k")
    assert rate_limit.hit(session, limit, "k").hits == 1
    assert rate_limit.hit(session, limit, "k").hits == 2
    with pytest.raises(RateLimited) as refused:
        rate_limit.hit(session, limit, "k")
    assert refused.value.retry_after == 10
    clock.now += 61  # a new window
    assert rate_limit.hit(session, limit, "k").hits == 1
    clock.now += 3600
    assert rate_limit.forget_stale(session, prefix="test:", older_than=60) == 1
    assert session.scalars(select(RateLimit)).all() == []
