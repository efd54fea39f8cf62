"""Checking one incident against the vocabularies, the States, the organisations and the dates,
naming each problem's field (or, for a file, its row and column): the one check of the form,
the API and the CSV import."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import Problem, text
from un1540.models import FieldDefinition, Incident, IncidentState, Organisation, State
from un1540.models.base import today
from un1540.reference.incidents import load_incident_vocabulary
from un1540.reference.languages import N_
from un1540.schemas.incidents import IncidentCreate

Where = Callable[[str], str]  # a field's name -> where a problem with it is reported
DuplicateKey = tuple[date, int, str, str, str]  # date, State, category, class, kind


def field_name(name: str) -> str:
    return name


@dataclass(frozen=True)
class Lookups:
    states: dict[str, int]  # ISO3 -> id
    organisations: dict[str, int]  # code -> id
    fields: frozenset[str]

    @classmethod
    def load(cls, session: Session) -> Lookups:
        return cls(
            states={iso3: ident for iso3, ident in session.execute(select(State.iso3, State.id))},
            organisations={
                code: ident
                for code, ident in session.execute(select(Organisation.code, Organisation.id))
            },
            fields=frozenset(session.scalars(select(FieldDefinition.code).distinct())),
        )


def incident_problems(data: IncidentCreate, lookups: Lookups, where: Where) -> list[Problem]:
    """Every problem of one incident, each naming where it is."""
    vocabulary = load_incident_vocabulary()
    problems: list[Problem] = []

    def check(name: str, value: str, known: dict[str, object] | list[str], what: str) -> bool:
        if value in known:
            return True
        problems.append(
            Problem(
                where(name),
                text(
                    N_("unknown %(what)s %(value)s; known: %(known)s"),
                    what=what,
                    value=repr(value[:60]),
                    known=", ".join(known),
                ),
            )
        )
        return False

    unknown_states = [code for code in data.states if code.upper() not in lookups.states]
    for code in unknown_states:
        problems.append(
            Problem(
                where("states"),
                text(
                    N_("unknown State %(code)s"),
                    code=repr(code[:20]),
                ),
            )
        )
    upper = [code.upper() for code in data.states]
    if len(set(upper)) != len(upper):
        problems.append(Problem(where("states"), N_("a State is named twice")))
    if check("category", data.category, dict(vocabulary.categories), "category"):
        check(
            "material_class",
            data.material_class,
            dict(vocabulary.categories[data.category].classes),
            f"material class of {data.category}",
        )
    check("kind", data.kind, dict(vocabulary.kinds), "kind")
    check("grouping", data.grouping, dict(vocabulary.groupings), "grouping")
    check("confirmation", data.confirmation, dict(vocabulary.confirmation), "confirmation status")
    if check("source", data.source, dict(vocabulary.sources), "source"):
        if data.source == "organisation" and not data.organisation:
            problems.append(Problem(where("organisation"), N_("name the reporting organisation")))
        if data.source != "organisation" and data.organisation:
            problems.append(Problem(where("organisation"), N_("only with source organisation")))
    if data.organisation and data.organisation not in lookups.organisations:
        problems.append(
            Problem(
                where("organisation"),
                text(
                    N_("unknown organisation %(organisation)s"),
                    organisation=repr(data.organisation[:60]),
                ),
            )
        )
    for code in data.fields or []:
        if code not in lookups.fields:
            problems.append(
                Problem(
                    where("fields"),
                    text(
                        N_("unknown matrix field %(code)s"),
                        code=repr(code[:60]),
                    ),
                )
            )
    if data.fields is not None and len(set(data.fields)) != len(data.fields):
        problems.append(Problem(where("fields"), N_("a field is named twice")))
    now = today()
    if data.occurred_on > now:
        problems.append(Problem(where("occurred_on"), N_("is in the future")))
    if data.occurred_on.year < 1945:
        problems.append(Problem(where("occurred_on"), N_("must be in 1945 or later")))
    if data.reported_on is not None:
        if data.reported_on > now:
            problems.append(Problem(where("reported_on"), N_("is in the future")))
        if data.reported_on < data.occurred_on:
            problems.append(Problem(where("reported_on"), N_("is before occurred_on")))
    if data.share_with_state and not data.restricted:
        problems.append(
            Problem(
                where("share_with_state"), N_("only for a restricted record (the others are seen)")
            )
        )
    return problems


def duplicate_keys(data: IncidentCreate, lookups: Lookups) -> list[DuplicateKey]:
    return [
        (
            data.occurred_on,
            lookups.states[code.upper()],
            data.category,
            data.material_class,
            data.kind,
        )
        for code in data.states
        if code.upper() in lookups.states
    ]


def recorded_duplicates(session: Session, keys: list[DuplicateKey]) -> set[DuplicateKey]:
    """Which of these keys an incident already recorded has (whoever may see it)."""
    if not keys:
        return set()
    dates = sorted({key[0] for key in keys})
    rows = session.execute(
        select(
            Incident.occurred_on,
            IncidentState.state_id,
            Incident.category,
            Incident.material_class,
            Incident.kind,
        )
        .join(IncidentState, IncidentState.incident_id == Incident.id)
        .where(Incident.occurred_on.in_(dates))
    )
    found: set[DuplicateKey] = {
        (occurred, state_id, category, material_class, kind)
        for occurred, state_id, category, material_class, kind in rows
    }
    return found & set(keys)
