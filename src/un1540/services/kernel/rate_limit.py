"""A rate limiter in the database, shared by every worker process and server.

Each key (e.g. "sign-in address 192.0.2.7") has a row in `rate_limit`. `hit` counts one hit on
a key and says whether it may go ahead, in ONE statement: an INSERT ... ON CONFLICT DO UPDATE ...
WHERE blocked_until <= now RETURNING, atomic on SQLite and PostgreSQL alike. A blocked key's
row is left alone (the WHERE fails, nothing is returned), so a burst of parallel hits lets
exactly `free` through, whatever the number of threads or processes.

A `Limit` allows `free` hits per window; from the `free`-th hit on, each hit makes the next
one wait, `base_delay` seconds at first and twice as long after every further hit, up to
`max_delay` (exponential back-off). The window starts with its first hit; a hit after the window
has passed starts a new one. For a plain "N per period" limit, use free=N, window=period and
base_delay=max_delay=period.

The hits of one request are counted in its transaction: when one key refuses, the caller rolls
back (an action that raises does), so the other keys are not charged for a request that did
not happen. Keys are hit in a fixed order (the caller's), so two transactions never wait for
each other's rows in opposite orders.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy import ColumnElement, Float, case, cast, delete, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from un1540.errors import RateLimited, text
from un1540.models import RateLimit
from un1540.reference.languages import N_


@dataclass(frozen=True)
class Limit:
    """How many hits a key gets for free per window, and the back-off after that."""

    name: str  # the prefix of the keys, e.g. "sign-in:address"
    free: int
    window: float  # seconds
    base_delay: float  # seconds of waiting after the free-th hit
    max_delay: float  # the longest wait

    def key(self, value: str) -> str:
        return f"{self.name}:{value}"[:400]

    def delay(self, hits: int) -> float:
        """Seconds to wait after the hits-th hit of a window."""
        if hits < self.free:
            return 0.0
        return float(min(self.base_delay * 2 ** min(hits - self.free, 40), self.max_delay))

    def blocked_until(self, hits: int, moment: float) -> float:
        """Until when the key waits after its hits-th hit at `moment` (0: it does not wait, so
        that a concurrent hit timed a moment earlier is not refused)."""
        return moment + self.delay(hits) if hits >= self.free else 0.0

    def blocked_until_sql(self, hits: ColumnElement[int], moment: float) -> ColumnElement[float]:
        """blocked_until as SQL: a CASE over the few steps before the wait reaches its maximum."""
        steps = [(hits < self.free, literal(0.0, Float))]
        n = self.free
        while self.delay(n) < self.max_delay:
            steps.append((hits == n, literal(moment + self.delay(n), Float)))
            n += 1
        return case(*steps, else_=literal(moment + self.max_delay, Float))


@dataclass(frozen=True)
class Outcome:
    """A hit that went ahead: the key's hits in its window so far, and when the caller behind
    it last succeeded (None: never, or its row was forgotten)."""

    hits: int
    last_success_at: float | None


def now() -> float:
    return time.time()


def hit(session: Session, limit: Limit, value: str, *, at: float | None = None) -> Outcome:
    """Count one hit on limit's key for `value`; raise RateLimited if the key must wait.

    Runs in the caller's transaction (the caller commits, or rolls back on refusal)."""
    moment = now() if at is None else at
    key = limit.key(value)
    expired = RateLimit.window_started_at < moment - limit.window
    hits_after = case((expired, 1), else_=RateLimit.hits + 1)
    values = {
        "key": key,
        "hits": 1,
        "window_started_at": moment,
        "blocked_until": limit.blocked_until(1, moment),
        "last_success_at": None,
    }
    changes = {
        "hits": hits_after,
        "window_started_at": case((expired, moment), else_=RateLimit.window_started_at),
        "blocked_until": limit.blocked_until_sql(hits_after, moment),
    }
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        statement = (
            postgresql.insert(RateLimit)
            .values(values)
            .on_conflict_do_update(
                index_elements=[RateLimit.key],
                set_=changes,
                where=RateLimit.blocked_until <= moment,
            )
            .returning(RateLimit.hits, RateLimit.last_success_at)
        )
    elif dialect == "sqlite":
        statement = (
            sqlite.insert(RateLimit)
            .values(values)
            .on_conflict_do_update(
                index_elements=[RateLimit.key],
                set_=changes,
                where=RateLimit.blocked_until <= moment,
            )
            .returning(RateLimit.hits, RateLimit.last_success_at)
        )
    else:  # pragma: no cover (we support these two)
        raise NotImplementedError(f"no atomic upsert for {dialect}")
    row = session.execute(statement).first()
    if row is None:
        blocked_until = session.scalar(select(RateLimit.blocked_until).where(RateLimit.key == key))
        wait = max(1, int((blocked_until or moment) - moment + 0.999))
        raise RateLimited(
            text(
                N_("too many attempts; try again in %(wait)s second(s)"),
                wait=wait,
            ),
            details={"limit": limit.name, "retry_after": wait},
        )
    return Outcome(hits=int(row[0]), last_success_at=row[1])


def refund(session: Session, limit: Limit, value: str) -> None:
    """Take back one hit (the request it counted turned out fine), keeping any wait it set."""
    session.execute(
        update(RateLimit)
        .where(RateLimit.key == limit.key(value), RateLimit.hits > 0)
        .values(hits=RateLimit.hits - 1)
    )


def succeed(session: Session, limit: Limit, value: str, *, at: float | None = None) -> None:
    """Clear the key's count and wait, and remember that its caller succeeded now."""
    moment = now() if at is None else at
    session.execute(
        update(RateLimit)
        .where(RateLimit.key == limit.key(value))
        .values(hits=0, blocked_until=0.0, window_started_at=moment, last_success_at=moment)
    )


def forget_stale(
    session: Session,
    *,
    prefix: str,
    older_than: float,
    keep_successes_for: float = 0.0,
    at: float | None = None,
) -> int:
    """Delete the rows of keys starting with `prefix` whose window began `older_than` seconds
    ago, that wait no more, and whose caller did not succeed within `keep_successes_for`
    seconds. Returns how many."""
    moment = now() if at is None else at
    success_cutoff = cast(moment - keep_successes_for, Float)
    result = session.execute(
        delete(RateLimit).where(
            RateLimit.key.startswith(prefix, autoescape=True),
            RateLimit.window_started_at < moment - older_than,
            RateLimit.blocked_until <= moment,
            (RateLimit.last_success_at.is_(None)) | (RateLimit.last_success_at < success_cutoff),
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
