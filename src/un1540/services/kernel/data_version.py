"""A cheap fingerprint of the data, for caching reads that only change when something is written.

Every write records an audit event in its own transaction, so the newest audit event (its id and
time, which together survive id reuse after a rollback) changes whenever the data does.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Hashable
from threading import Lock
from typing import Any, TypeVar

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from un1540.db.engine import session_url
from un1540.models import AuditEvent

T = TypeVar("T")


VERSION_KEY = "un1540.data_version"


def data_version(session: Session) -> tuple[str, int | None, str | None]:
    """The fingerprint, read once per session and read again after the session writes."""
    remembered: tuple[str, int | None, str | None] | None = session.info.get(VERSION_KEY)
    if remembered is not None:
        return remembered
    row = session.execute(
        select(AuditEvent.id, AuditEvent.occurred_at).order_by(AuditEvent.id.desc()).limit(1)
    ).first()
    url = session_url(session)
    version = (url, None, None) if row is None else (url, row[0], row[1].isoformat())
    session.info[VERSION_KEY] = version
    return version


@event.listens_for(Session, "after_flush")
def _forget_version_after_write(session: Session, _context: object) -> None:
    session.info.pop(VERSION_KEY, None)


@event.listens_for(Session, "after_rollback")
def _forget_version_after_rollback(session: Session) -> None:
    session.info.pop(VERSION_KEY, None)


class VersionedCache:
    """A small LRU of values computed from the data, keyed by data version and arguments."""

    def __init__(self, size: int = 64) -> None:
        self._items: OrderedDict[Hashable, Any] = OrderedDict()
        self._size = size
        self._lock = Lock()

    def get(self, session: Session, key: Hashable, compute: Callable[[], T]) -> T:
        full_key = (data_version(session), key)
        with self._lock:
            if full_key in self._items:
                self._items.move_to_end(full_key)
                value: T = self._items[full_key]
                return value
        value = compute()
        with self._lock:
            self._items[full_key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)
        return value
