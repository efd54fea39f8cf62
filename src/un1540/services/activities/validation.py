"""Checking one activity against the organisations, the States, the matrix fields, the weapon
categories and its dates, naming each problem's field (or, for a file, its row and column): the
one check of the form, the API and the CSV import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import Problem, text
from un1540.models import Organisation, State
from un1540.reference.languages import N_
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
            Problem(
                where("organisation"),
                text(
                    N_("unknown organisation %(organisation)s"),
                    organisation=repr(data.organisation[:60]),
                ),
            )
        )
    if data.state.upper() not in lookups.states:
        problems.append(
            Problem(
                where("state"),
                text(
                    N_("unknown State %(state)s"),
                    state=repr(data.state[:20]),
                ),
            )
        )
    unknown = [code for code in data.fields if code not in lookups.fields]
    if unknown:
        problems.append(
            Problem(
                where("fields"),
                text(
                    N_("unknown matrix field: %(unknown)s"),
                    unknown=", ".join(code[:60] for code in unknown),
                ),
            )
        )
    if len(set(data.fields)) != len(data.fields):
        problems.append(Problem(where("fields"), N_("a field is named twice")))
    bad = [code for code in data.weapons if code not in lookups.weapons]
    if bad:
        problems.append(
            Problem(
                where("weapons"),
                text(
                    N_("unknown weapon category: %(bad)s (one of %(weapons)s; none: all of them)"),
                    bad=", ".join(code[:20] for code in bad),
                    weapons=", ".join(lookups.weapons),
                ),
            )
        )
    if len(set(data.weapons)) != len(data.weapons):
        problems.append(Problem(where("weapons"), N_("a weapon category is named twice")))
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
            Problem(
                where("weapons"),
                text(
                    N_("none of the fields applies to %(outside)s"),
                    outside=", ".join(outside),
                ),
            )
        )
    if not FIRST_YEAR <= data.start_on.year <= LAST_YEAR:
        problems.append(
            Problem(
                where("start_on"),
                text(
                    N_("must be between %(first_year)s and %(last_year)s"),
                    first_year=FIRST_YEAR,
                    last_year=LAST_YEAR,
                ),
            )
        )
    if data.end_on is not None:
        if data.end_on < data.start_on:
            problems.append(
                Problem(
                    where("end_on"),
                    text(
                        N_("the period ends (%(end_on)s) before it starts (%(start_on)s)"),
                        end_on=data.end_on,
                        start_on=data.start_on,
                    ),
                )
            )
        elif data.end_on.year > LAST_YEAR:
            problems.append(
                Problem(
                    where("end_on"),
                    text(
                        N_("must be in %(last_year)s or earlier"),
                        last_year=LAST_YEAR,
                    ),
                )
            )
    if data.visibility not in ACTIVITY_VISIBILITIES:
        problems.append(
            Problem(
                where("visibility"),
                text(
                    N_("unknown visibility %(visibility)s; known: %(activity_visibilities)s"),
                    visibility=repr(data.visibility[:40]),
                    activity_visibilities=", ".join(ACTIVITY_VISIBILITIES),
                ),
            )
        )
    if not data.programme.strip():
        problems.append(Problem(where("programme"), N_("name the programme or activity")))
    return problems
