"""Parameters that arrive as text (command-line options, form fields), parsed with clear errors."""

from __future__ import annotations

from datetime import date

from un1540.errors import InvalidParameter, Problem, text
from un1540.reference.languages import N_


def parse_date(value: str, name: str) -> date:
    """YYYY-MM-DD, or a 422 / exit code 4 naming the parameter."""
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidParameter.naming(
            [
                Problem(
                    name,
                    text(
                        N_("%(value)s is not a date (YYYY-MM-DD)"),
                        value=repr(value),
                    ),
                )
            ]
        ) from None


def optional_date(value: str | None, name: str) -> date | None:
    """As parse_date; empty means no date (a date field left blank sends "")."""
    return parse_date(value, name) if value else None
