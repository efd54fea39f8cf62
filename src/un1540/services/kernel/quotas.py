"""Rate limits per account on costly requests, counted in the database (so every server
process and every worker shares the count) in windows of one hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from un1540.errors import RateLimited, text
from un1540.models import UsageCount
from un1540.models.base import utc_now
from un1540.reference.languages import N_
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.unit_of_work import action
from un1540.services.kernel.upserts import dialect_insert

WINDOW = timedelta(hours=1)


def _window_start(now: datetime) -> datetime:
    return now.replace(minute=0, second=0, microsecond=0, tzinfo=UTC)


@action
def count_use(session: Session, *, viewer: Viewer, what: str, limit: int) -> int:
    """Count one use of `what` by the viewer's account in this hour; past `limit`, refuse
    (RateLimited, saying when the next window opens) and count nothing.

    Bookkeeping, not audited: it must not move the data version.
    """
    subject = f"user:{viewer.user_id}"
    now = utc_now()
    start = _window_start(now)
    statement = dialect_insert(session, UsageCount).values(
        subject=subject, action=what, window_start=start, count=1
    )
    count: int = session.execute(
        statement.on_conflict_do_update(
            index_elements=["subject", "action", "window_start"],
            set_={"count": UsageCount.count + 1},
        ).returning(UsageCount.count)
    ).scalar_one()
    if count == 1:  # a new window: forget the old ones of this account
        session.execute(
            delete(UsageCount).where(
                UsageCount.subject == subject, UsageCount.window_start < start - WINDOW
            )
        )
    if count > limit:
        retry_after = int((start + WINDOW - now).total_seconds()) + 1
        raise RateLimited(
            text(
                N_(
                    "too many requests for %(what)s: at most %(limit)s an hour for "
                    "each account; ask again in %(retry_after)s minute(s)"
                ),
                what=what,
                limit=limit,
                retry_after=retry_after // 60 + 1,
            ),
            details={"retry_after": retry_after},
        )
    return count
