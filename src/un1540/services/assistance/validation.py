"""Checking what was sent for a request, an offer or a funding entry: every problem at once."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from babel.numbers import list_currencies
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import Problem, text
from un1540.models import State, Visibility
from un1540.reference.assistance import load_assistance_vocabulary
from un1540.reference.languages import N_, UN_LANGUAGES
from un1540.schemas.assistance import AssistanceOfferCreate, AssistanceRequestItemInput
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework

OFFER_VISIBILITIES = (
    Visibility.public.value,
    Visibility.states_and_providers.value,
    Visibility.committee.value,
)


def tag_problems(
    session: Session,
    where: str,
    *,
    fields: Sequence[str] = (),
    sections: Sequence[str] = (),
    weapons: Sequence[str] = (),
    help_types: Sequence[str] = (),
    languages: Sequence[str] = (),
) -> list[Problem]:
    layout = framework_layout(session, default_framework(session))
    vocabulary = load_assistance_vocabulary()
    known = {
        "fields": set(layout.fields),
        "sections": {section.code for section in layout.sections},
        "weapons": set(layout.weapon_names),
        "help_types": set(vocabulary.help_types),
        "languages": set(UN_LANGUAGES),
    }
    given = {
        "fields": fields,
        "sections": sections,
        "weapons": weapons,
        "help_types": help_types,
        "languages": languages,
    }
    problems = []
    for name, values in given.items():
        unknown = [value for value in values if value not in known[name]]
        if unknown:
            problems.append(
                Problem(
                    f"{where}{name}",
                    text(
                        N_("unknown: %(unknown)s"),
                        unknown=", ".join(unknown),
                    ),
                )
            )
        if len(set(values)) != len(values):
            problems.append(Problem(f"{where}{name}", N_("lists a value twice")))
    return problems


def period_problems(where: str, start: date | None, end: date | None) -> list[Problem]:
    if start is not None and end is not None and end < start:
        return [Problem(f"{where}end_on", N_("ends before it starts"))]
    return []


def item_problems(
    session: Session, position: int, item: AssistanceRequestItemInput
) -> list[Problem]:
    where = f"items[{position}]."
    problems = tag_problems(
        session,
        where,
        fields=item.fields,
        weapons=item.weapons,
        help_types=item.help_types,
        languages=item.languages,
    )
    return problems + period_problems(where, item.start_on, item.end_on)


def draft_item_problems(session: Session, items: Sequence[object]) -> list[Problem]:
    """The vocabulary problems of the items of a request whose shape is not complete yet (a
    form with a part missing): each item that has its shape is checked as `item_problems`
    would, so that a form reports every problem at once; the others' are the schema's."""
    problems = []
    for position, raw in enumerate(items):
        try:
            item = AssistanceRequestItemInput.model_validate(raw)
        except ValidationError:
            continue
        problems += item_problems(session, position, item)
    return problems


def consent_problems(consent: str) -> list[Problem]:
    allowed = load_assistance_vocabulary().consent
    if consent not in allowed:
        return [
            Problem(
                "consent",
                text(
                    N_("must be one of %(allowed)s"),
                    allowed=", ".join(allowed),
                ),
            )
        ]
    return []


def region_codes(session: Session) -> set[str]:
    """The regional groups and M49 regions an offer may reach or a donor may earmark to."""
    groups = set(session.scalars(select(State.electoral_group_code).distinct()))
    regions = set(session.scalars(select(State.m49_region_code).distinct()))
    return {code for code in groups | regions if code is not None}


def offer_problems(session: Session, data: AssistanceOfferCreate) -> list[Problem]:
    problems = tag_problems(
        session,
        "",
        fields=data.fields,
        sections=data.sections,
        weapons=data.weapons,
        help_types=data.help_types,
        languages=data.languages,
    )
    problems += period_problems("", data.start_on, data.end_on)
    if data.capacity < 0:
        problems.append(Problem("capacity", N_("must be 0 or more")))
    if data.budget is not None and data.budget < 0:
        problems.append(Problem("budget", N_("must be 0 or more")))
    if data.budget is not None and data.currency.upper() not in list_currencies():
        problems.append(
            Problem(
                "currency",
                text(
                    N_("%(currency)s is not an ISO 4217 currency"),
                    currency=repr(data.currency),
                ),
            )
        )
    if data.budget is None and data.currency:
        problems.append(Problem("currency", N_("give a budget with a currency")))
    if data.visibility not in OFFER_VISIBILITIES:
        problems.append(
            Problem(
                "visibility",
                text(
                    N_("must be one of %(offer_visibilities)s"),
                    offer_visibilities=", ".join(OFFER_VISIBILITIES),
                ),
            )
        )
    known_regions = region_codes(session)
    unknown = [code for code in data.regions if code not in known_regions]
    if unknown:
        problems.append(
            Problem(
                "regions",
                text(
                    N_("unknown: %(unknown)s"),
                    unknown=", ".join(unknown),
                ),
            )
        )
    return problems
