"""One exception tree for the whole system.

Each class knows its HTTP status and a stable machine-readable code; the web layer maps them
once to JSON (or HTML) responses and the CLI maps them once to a message and an exit code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from un1540.reference.languages import N_


class Text(str):
    """An English message that remembers what it was made of, so that the portal can say it in
    the reader's language: its `msgid` (marked `N_` where it is written, so `pybabel extract`
    finds it) and the `params` put into it (`%(name)s` placeholders).

    Everything that reads it as a `str` (the API's error bodies, the CLI, logs) reads the English
    text, unchanged; the portal's door translates `msgid` and then puts the parameters in
    (`web.i18n.translated`). A Text joined into another string becomes plain English again."""

    msgid: str
    params: dict[str, object]

    def __new__(cls, msgid: str, params: dict[str, object]) -> Text:
        made = super().__new__(cls, msgid % params if params else msgid)
        made.msgid = msgid
        made.params = params
        return made

    def __reduce__(self) -> tuple[Any, ...]:  # pickled with what it was made of
        return (Text, (self.msgid, self.params))


def text(msgid: str, /, **params: object) -> Text:
    """An English message from `msgid` (marked `N_`) and its parameters:
    `text(N_("unknown State %(code)s"), code=repr(code))`. A message without parameters needs
    no Text: `N_("...")` alone is translated by its English words."""
    return Text(msgid, params)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, and where: a file, row, field or parameter."""

    where: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"where": self.where, "message": self.message}


MAX_LISTED_PROBLEMS = 100  # an error lists this many problems, then counts the others


def more_problems(where: str, count: int) -> Problem:
    """The line that says how many problems were found but not listed."""
    return Problem(
        where,
        text(
            N_(
                "%(count)s more problem(s) not listed; fix the first %(listed)s and check the "
                "file again"
            ),
            count=f"{count:,}",
            listed=MAX_LISTED_PROBLEMS,
        ),
    )


def listed(problems: list[Problem], where: str) -> list[Problem]:
    """The first MAX_LISTED_PROBLEMS problems, then one line counting the rest."""
    if len(problems) <= MAX_LISTED_PROBLEMS:
        return problems
    return [
        *problems[:MAX_LISTED_PROBLEMS],
        more_problems(where, len(problems) - MAX_LISTED_PROBLEMS),
    ]


class Un1540Error(Exception):
    """Root of every error the system raises on purpose."""

    status = 500
    code = "internal_error"
    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        problems: list[Problem] | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.problems = problems or []
        # Machine-readable context, e.g. both versions of a cell after a stale edit.
        self.details = details


class NotFound(Un1540Error):
    """The thing asked for does not exist, or the caller may not see it."""

    status = 404
    code = "not_found"
    exit_code = 3


class InvalidData(Un1540Error):
    """An input (file, form, parameter) failed validation; nothing was written."""

    status = 422
    code = "invalid_data"
    exit_code = 4


class InvalidParameter(InvalidData):
    """A query parameter (filter, sort, page) is not acceptable; `problems` names it."""

    code = "invalid_parameter"

    @classmethod
    def naming(cls, problems: list[Problem]) -> InvalidParameter:
        """The error for these problems, its message naming each parameter."""
        names = ", ".join(dict.fromkeys(problem.where for problem in problems))
        return cls(
            text(
                N_("invalid parameter %(names)s: %(message)s"),
                names=names,
                message=problems[0].message,
            ),
            problems=problems,
        )


class Unauthenticated(Un1540Error):
    """The action needs a signed-in account or an API token."""

    status = 401
    code = "unauthenticated"
    exit_code = 7


class Forbidden(Un1540Error):
    """The caller may see the resource but not do this to it (a role or token scope is missing)."""

    status = 403
    code = "forbidden"
    exit_code = 7


class Conflict(Un1540Error):
    """The write clashes with the current state of the data."""

    status = 409
    code = "conflict"
    exit_code = 5


class RateLimited(Un1540Error):
    """Too many attempts: the caller must wait `details["retry_after"]` seconds."""

    status = 429
    code = "rate_limited"
    exit_code = 8

    @property
    def retry_after(self) -> int:
        return int((self.details or {}).get("retry_after", 60))


class DatabaseUnavailable(Un1540Error):
    """The database cannot be reached."""

    status = 503
    code = "database_unavailable"
    exit_code = 6


class ModelNotReady(Un1540Error):
    """The evidence-suggestion model is being trained in the background (after an install, or an
    upgrade that changed its data or code): ask again after `details["retry_after"]` seconds."""

    status = 503
    code = "model_not_ready"
    exit_code = 1


class PayloadTooLarge(Un1540Error):
    """The request body is larger than the server accepts; nothing of it was kept."""

    status = 413
    code = "payload_too_large"
    exit_code = 4


class BuildFailed(Un1540Error):
    """The files asked for could not be built from the current data, and no earlier build of
    them exists; a change to the data (or a while) brings another try."""

    status = 503
    code = "build_failed"
    exit_code = 1


class MissingProgram(Un1540Error):
    """A program the command runs (pg_dump, pg_restore) is missing or too old."""

    status = 500
    code = "missing_program"
    exit_code = 9


class PortInUse(Un1540Error):
    """`serve` cannot listen where it was asked: another program holds the address."""

    status = 500
    code = "port_in_use"
    exit_code = 1
