"""The sign-in throttle: slow password guessing down without locking the owner out.

Reasoning (OWASP Authentication Cheat Sheet, "Protect against automated attacks"; docs/security.md):

- A lock-out per e-mail address lets anyone lock anyone out, and a limit per process lets an
  attacker spread attempts over workers. So every count lives in the database (one atomic
  upsert per key, services/kernel/rate_limit.py), shared by all processes, and is kept per
  account AND address, per address, and per account.
- Account + address: 5 free failures a day, then an exponential wait (30 s, 1 min, 2 min, ...
  up to 15 min) before each further try. This stops guessing one account from one place; a
  success clears it. The owner elsewhere is not affected.
- Address: 20 free failures a day across accounts, then the same back-off up to an hour. This
  stops password spraying (a few common passwords against many accounts) from one address.
- Account: 20 free failures a day across addresses, then the same back-off up to an hour. This
  stops a distributed attack on one account.
- The last two never apply to an account's known address (one it has signed in from within 90
  days): an attacker elsewhere cannot keep the owner out of their usual office or home.
- Attempts are counted before the password is checked (and the count is committed), so a
  parallel burst gets exactly the free tries; a success gives its hit back.
- IPv6 addresses count per /64 network, which one subscriber usually holds whole.

Every failed sign-in is an audit event (services/accounts/actions.authenticate); attempts the
throttle turns away check no password and are logged to the `un1540.auth` logger instead, so a
flood of them cannot fill the audit table.
"""

from __future__ import annotations

import ipaddress
import logging
from dataclasses import dataclass

from sqlalchemy.orm import Session

from un1540.errors import RateLimited
from un1540.services.kernel import rate_limit
from un1540.services.kernel.rate_limit import Limit
from un1540.services.kernel.unit_of_work import action

LOGGER = logging.getLogger("un1540.auth")
DAY = 24 * 3600.0
ACCOUNT_AND_ADDRESS = Limit(
    "sign-in:account+address", free=5, window=DAY, base_delay=30, max_delay=15 * 60
)
ADDRESS = Limit("sign-in:address", free=20, window=DAY, base_delay=30, max_delay=3600)
ACCOUNT = Limit("sign-in:account", free=20, window=DAY, base_delay=30, max_delay=3600)
KNOWN_ADDRESS_FOR = 90 * DAY


def address_key(address: str | None) -> str:
    """The address as counted: IPv4 as is, IPv6 as its /64 network, anything else as given."""
    if not address:
        return "unknown"
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return address[:64]
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def account_key(email: str) -> str:
    return email.strip().lower()[:254]


@dataclass(frozen=True)
class Attempt:
    """A sign-in attempt the throttle let through."""

    email: str
    address: str
    known_address: bool


@action
def reserve_attempt(session: Session, *, email: str, address: str | None) -> Attempt:
    """Count a sign-in attempt before its password is checked; RateLimited if it must wait.

    On refusal nothing is counted (the action rolls back)."""
    account, where = account_key(email), address_key(address)
    moment = rate_limit.now()
    try:
        pair = rate_limit.hit(session, ACCOUNT_AND_ADDRESS, f"{account}|{where}", at=moment)
        known = pair.last_success_at is not None and (
            pair.last_success_at > moment - KNOWN_ADDRESS_FOR
        )
        if not known:
            rate_limit.hit(session, ADDRESS, where, at=moment)
            rate_limit.hit(session, ACCOUNT, account, at=moment)
    except RateLimited as refusal:
        LOGGER.warning(
            "sign-in refused by the throttle (%s): account %r from %s, retry after %s s",
            (refusal.details or {}).get("limit"),
            account,
            where,
            refusal.retry_after,
        )
        raise
    return Attempt(email=account, address=where, known_address=known)


@action
def attempt_succeeded(session: Session, attempt: Attempt) -> None:
    """The password was right: clear the pair's count, remember the address as known, and give
    back the hits counted on the address and the account. Stale counters are forgotten."""
    moment = rate_limit.now()
    rate_limit.succeed(
        session, ACCOUNT_AND_ADDRESS, f"{attempt.email}|{attempt.address}", at=moment
    )
    if not attempt.known_address:
        rate_limit.refund(session, ADDRESS, attempt.address)
        rate_limit.refund(session, ACCOUNT, attempt.email)
    rate_limit.forget_stale(
        session, prefix="sign-in:", older_than=DAY, keep_successes_for=KNOWN_ADDRESS_FOR, at=moment
    )
