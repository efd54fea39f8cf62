"""The unit of work: every write is one action that commits or rolls back, then runs its effects.

A service function that writes is decorated with `@action`. The outermost action called on a
session owns the transaction: when it returns, the session commits; when it raises, the session
rolls back. An action called by another action (an import writing cells, a request moving
through several statuses) joins the caller's transaction, so the whole write is all or nothing.
So does an action called inside a transaction its caller began explicitly (`with
session.begin():`, as the tests' set-up does): that caller owns the commit, and the effects
queued meanwhile run after the next action that commits.

A write that clashes with another made at the same time (two drafts opened at once, the same
request filed twice, a record removed while another refers to it) fails in the database on a
unique or foreign-key constraint, or is chosen as a deadlock's victim; the action turns that
into `Conflict` (409, "try again"), logging the database's own words, instead of letting the
driver's error surface as a server error.

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

from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, SessionTransactionOrigin
from sqlalchemy.orm.exc import StaleDataError

from un1540.errors import Conflict, text
from un1540.reference.languages import N_

P = ParamSpec("P")
R = TypeVar("R")
Effect = Callable[[Session], object]

LOGGER = logging.getLogger("un1540.effects")
CONFLICTS = logging.getLogger("un1540.conflicts")
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
            try:
                result = function(session, *args, **kwargs)
                if owns:
                    session.commit()
            except (IntegrityError, OperationalError) as error:
                conflict = concurrent_conflict(error)
                if conflict is None:
                    raise
                CONFLICTS.warning("%s: %s", conflict.message, str(error.orig).strip())
                raise conflict from error
            except StaleDataError as error:  # a versioned row changed since it was read
                conflict = Conflict(
                    N_("the record was changed by another request meanwhile; reload and try again")
                )
                CONFLICTS.warning("%s: %s", conflict.message, error)
                raise conflict from error
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


# SQLSTATEs (PostgreSQL) and extended result codes (SQLite) of a clash between concurrent writes.
_UNIQUE = {"23505", "SQLITE_CONSTRAINT_UNIQUE", "SQLITE_CONSTRAINT_PRIMARYKEY"}
_FOREIGN_KEY = {"23503", "SQLITE_CONSTRAINT_FOREIGNKEY"}
_RETRY = {"40001", "40P01"}  # serialization failure, deadlock detected
# What was created twice, by table, for the message.
_WHAT = {
    "matrix_edition": "another edition of this State's matrix was opened at the same time",
    "cell_entry": "this cell was written by another change at the same time",
    "assistance_request": "the same request (requester, title and date) was filed at the same time",
    "assistance_offer": "an offer with this title was published by this provider at the same time",
    "assistance_judgement": "this pair was judged by someone else at the same time",
    "assistance_project": "a project for this item and offer was opened at the same time",
    "project_feedback": "this side's feedback was given at the same time",
    "user_account": "an account with this e-mail address was created at the same time",
}


def concurrent_conflict(error: DBAPIError) -> Conflict | None:
    """The Conflict a clash between concurrent writes means, or None for any other error
    (a NOT NULL or CHECK violation, a lost connection: those are not the caller's to retry)."""
    original = error.orig
    code = getattr(original, "sqlstate", None) or getattr(original, "sqlite_errorname", None)
    if code in _RETRY:
        return Conflict(N_("the change clashed with another made at the same time; try again"))
    if code in _FOREIGN_KEY:
        return Conflict(
            N_(
                "a record the change refers to was removed or changed at the same time; reload and "
                "try again"
            )
        )
    if code in _UNIQUE:
        table = _table(original)
        what = _WHAT.get(
            table or "", "the same record was created by another change at the same time"
        )
        return Conflict(
            text(
                N_("%(what)s; reload and try again"),
                what=what,
            )
        )
    return None


def _table(original: object) -> str | None:
    """The table of a unique violation, from PostgreSQL's diagnostics or SQLite's message."""
    diagnostics = getattr(original, "diag", None)
    if diagnostics is not None and getattr(diagnostics, "table_name", None):
        return str(diagnostics.table_name)
    # SQLite: "UNIQUE constraint failed: matrix_edition.state_id, matrix_edition.number"
    _, _, columns = str(original).partition(":")
    table, dot, _ = columns.strip().partition(".")
    return table if dot else None
