"""The unit of work: every write is one action that commits or rolls back, then runs its effects.

A service function that writes is decorated with `@action`. The outermost action called on a
session owns the transaction: when it returns, the session commits; when it raises, the session
rolls back. An action called by another action (an import writing cells, a request moving
through several statuses) joins the caller's transaction, so the whole write is all or nothing.
So does an action called inside a transaction its caller began explicitly (`with
session.begin():`, as the tests' set-up does): that caller owns the commit, and the effects
queued meanwhile run after the next action that commits.

Effects that must only happen once the data is safely stored (sending e-mails, and later cache
maintenance and background jobs) are queued with `after_commit`; they run after the outermost
commit succeeds and are dropped if it rolls back, as Zulip's `send_event_on_commit` does. Routes,
portal pages and CLI commands never commit: they parse, call one action, and render.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Concatenate, ParamSpec, TypeVar

from sqlalchemy.orm import Session, SessionTransactionOrigin

P = ParamSpec("P")
R = TypeVar("R")
Effect = Callable[[Session], object]

LOGGER = logging.getLogger("un1540.effects")
_DEPTH = "un1540.action_depth"
_EFFECTS = "un1540.after_commit"


def action(function: Callable[Concatenate[Session, P], R]) -> Callable[Concatenate[Session, P], R]:
    """Make `function` (whose first argument is the session) one unit of work."""

    @functools.wraps(function)
    def run(session: Session, /, *args: P.args, **kwargs: P.kwargs) -> R:
        depth: int = session.info.get(_DEPTH, 0)
        owns = depth == 0 and not _caller_began(session)
        session.info[_DEPTH] = depth + 1
        try:
            result = function(session, *args, **kwargs)
            if owns:
                session.commit()
        except BaseException:
            if owns:
                session.info.pop(_EFFECTS, None)
                session.rollback()
            raise
        finally:
            session.info[_DEPTH] = depth
        if owns:
            run_effects(session)
        return result

    return run


def _caller_began(session: Session) -> bool:
    transaction = session.get_transaction()
    return transaction is not None and transaction.origin is SessionTransactionOrigin.BEGIN


def in_action(session: Session) -> bool:
    """True while an action is running on this session (effects may be queued)."""
    depth: int = session.info.get(_DEPTH, 0)
    return depth > 0


def after_commit(session: Session, effect: Effect, *, key: str | None = None) -> None:
    """Run `effect(session)` once the current action has committed; `key` queues it only once."""
    queued: dict[object, Effect] = session.info.setdefault(_EFFECTS, {})
    queued[key if key is not None else object()] = effect


def run_effects(session: Session) -> None:
    """Run the effects queued by the action that just committed, in the order they were queued.

    An effect that fails is logged and does not undo the write, which is already stored; each
    effect is written so that it can be run again later (e-mails stay pending until sent).
    """
    queued: dict[object, Effect] = session.info.pop(_EFFECTS, {})
    for effect in queued.values():
        try:
            effect(session)
        except Exception:
            LOGGER.exception("an after-commit effect failed; the write itself is stored")
