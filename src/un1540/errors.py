"""One exception tree for the whole system.

Each class knows its HTTP status and a stable machine-readable code; the web layer maps them
once to JSON (or HTML) responses and the CLI maps them once to a message and an exit code.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input, and where: a file, row, field or parameter."""

    where: str
    message: str

    def as_dict(self) -> dict[str, str]:
        return {"where": self.where, "message": self.message}


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
        return cls(f"invalid parameter {names}: {problems[0].message}", problems=problems)


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


class DatabaseUnavailable(Un1540Error):
    """The database cannot be reached."""

    status = 503
    code = "database_unavailable"
    exit_code = 6


class MissingProgram(Un1540Error):
    """A program the command runs (pg_dump, pg_restore) is missing or too old."""

    status = 500
    code = "missing_program"
    exit_code = 8
