"""Checking one activity against the organisations, the States, the matrix fields, the weapon
categories and its dates, naming each problem's field (or, for a file, its row and column): the
one check of the form, the API and the CSV import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import Problem
from un1540.models import Organisation, State
from un1540.schemas.activities import ACTIVITY_VISIBILITIES, ActivityCreate
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework

Where = Callable[[str], str]  # a field's name -> where a problem with it is reported
FIRST_YEAR = 1945
LAST_YEAR = 2100


def field_name(name: str) -> str:
    return name


@dataclass(frozen=True)
class Lookups:
    states: dict[str, int]  # ISO3 -> id
    organisations: dict[str, int]  # code -> id
    fields: dict[str, tuple[str, ...]]  # matrix field code -> the weapons it applies to
    weapons: tuple[str, ...]

    @classmethod
    def load(cls, session: Session) -> Lookups:
        layout = framework_layout(session, default_framework(session))
        return cls(
            states={iso3: ident for iso3, ident in session.execute(select(State.iso3, State.id))},
            organisations={
                code: ident
                for code, ident in session.execute(select(Organisation.code, Organisation.id))
            },
            fields={code: tuple(field.applies_to) for code, field in layout.fields.items()},
            weapons=tuple(layout.weapon_names),
        )


def activity_problems(data: ActivityCreate, lookups: Lookups, where: Where) -> list[Problem]:
    """Every problem of one activity, each naming where it is."""
    problems: list[Problem] = []
    if data.organisation not in lookups.organisations:
        problems.append(
            Problem(where("organisation"), f"unknown organisation {data.organisation[:60]!r}")
        )
    if data.state.upper() not in lookups.states:
        problems.append(Problem(where("state"), f"unknown State {data.state[:20]!r}"))
    unknown = [code for code in data.fields if code not in lookups.fields]
    if unknown:
        problems.append(
            Problem(
                where("fields"),
                f"unknown matrix field: {', '.join(code[:60] for code in unknown)}",
            )
        )
    if len(set(data.fields)) != len(data.fields):
        problems.append(Problem(where("fields"), "a field is named twice"))
    bad = [code for code in data.weapons if code not in lookups.weapons]
    if bad:
        problems.append(
            Problem(
                where("weapons"),
                f"unknown weapon category: {', '.join(code[:20] for code in bad)} "
                f"(one of {', '.join(lookups.weapons)}; none: all of them)",
            )
        )
    if len(set(data.weapons)) != len(data.weapons):
        problems.append(Problem(where("weapons"), "a weapon category is named twice"))
    known = [code for code in data.fields if code in lookups.fields]
    outside = [
        weapon
        for weapon in data.weapons
        if weapon in lookups.weapons
        and known
        and not any(weapon in lookups.fields[code] for code in known)
    ]
    if outside:
        problems.append(
            Problem(where("weapons"), f"none of the fields applies to {', '.join(outside)}")
        )
    if not FIRST_YEAR <= data.start_on.year <= LAST_YEAR:
        problems.append(Problem(where("start_on"), f"must be between {FIRST_YEAR} and {LAST_YEAR}"))
    if data.end_on is not None:
        if data.end_on < data.start_on:
            problems.append(
                Problem(
                    where("end_on"),
                    f"the period ends ({data.end_on}) before it starts ({data.start_on})",
                )
            )
        elif data.end_on.year > LAST_YEAR:
            problems.append(Problem(where("end_on"), f"must be in {LAST_YEAR} or earlier"))
    if data.visibility not in ACTIVITY_VISIBILITIES:
        problems.append(
            Problem(
                where("visibility"),
                f"unknown visibility {data.visibility[:40]!r}; "
                f"known: {', '.join(ACTIVITY_VISIBILITIES)}",
            )
        )
    if not data.programme.strip():
        problems.append(Problem(where("programme"), "name the programme or activity"))
    return problems
