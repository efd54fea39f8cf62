"""Funding: pledges and the contributions actually paid, by donor and by recipient.

Amounts are kept in their own currency and never converted: totals are per currency.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from babel.numbers import list_currencies
from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import InvalidData, Problem
from un1540.models import AssistanceProject, FundingEntry, Origin, Role, State
from un1540.models.base import today
from un1540.schemas.assistance import FundingCreate, FundingTotals
from un1540.services.assistance.core import party, party_key
from un1540.services.assistance.projects import project_visible
from un1540.services.kernel.access import COMMITTEE_SIDE, Viewer, require, visible
from un1540.services.kernel.audit import record_event
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework

KINDS = ("pledge", "contribution")


def _problems(
    session: Session, viewer: Viewer, data: FundingCreate, made_on: date
) -> list[Problem]:
    problems = []
    if data.kind not in KINDS:
        problems.append(Problem("kind", "must be pledge or contribution"))
    if not data.amount > 0:
        problems.append(Problem("amount", "must be more than 0"))
    if data.currency.upper() not in list_currencies():
        problems.append(Problem("currency", f"{data.currency!r} is not an ISO 4217 currency"))
    if data.kind == "contribution" and made_on > today():
        problems.append(Problem("made_on", "a contribution cannot be paid in the future"))
    if data.earmark_region:
        groups = set(session.scalars(select(State.electoral_group_code).distinct()))
        regions = set(session.scalars(select(State.m49_region_code).distinct()))
        if data.earmark_region not in groups | regions:
            problems.append(Problem("earmark_region", f"unknown region {data.earmark_region!r}"))
    if data.earmark_area:
        layout = framework_layout(session, default_framework(session))
        areas = set(layout.fields) | {section.code for section in layout.sections}
        if data.earmark_area not in areas:
            problems.append(
                Problem("earmark_area", f"unknown section or field {data.earmark_area!r}")
            )
    if data.project_id is not None:
        # A donor may earmark only to a project it can see: the same answer either way, so
        # the check does not reveal that a confidential project exists.
        found = session.scalar(
            select(AssistanceProject.id).where(
                AssistanceProject.id == data.project_id, project_visible(viewer)
            )
        )
        if found is None:
            problems.append(Problem("project_id", f"no project {data.project_id}"))
    return problems


def record_funding(
    session: Session, *, viewer: Viewer, data: FundingCreate, origin: Origin = Origin.entry
) -> FundingEntry:
    """A pledge or a contribution; every problem is reported at once, nothing is saved."""
    require(viewer, Role.provider, Role.state_poc, *COMMITTEE_SIDE, action="record funding")
    name = data.donor_name.strip()
    state = organisation = None
    if data.state or data.organisation or not viewer.is_committee_side:
        state, organisation = party(session, viewer, data.state, data.organisation)
        name = state.short_name if state else organisation.name if organisation else name
    elif not name:
        raise InvalidData(
            "say who gives",
            problems=[Problem("donor_name", "give a State, an organisation or a name")],
        )
    made_on = data.made_on or today()
    problems = _problems(session, viewer, data, made_on)
    if problems:
        raise InvalidData("the funding entry is not valid; nothing was saved", problems=problems)
    entry = FundingEntry(
        kind=data.kind,
        donor_state_id=state.id if state else None,
        donor_organisation_id=organisation.id if organisation else None,
        donor_name=name,
        donor_key=party_key(state, organisation)
        if (state or organisation)
        else f"name:{name.lower()}",
        amount=round(data.amount, 2),
        currency=data.currency.upper(),
        made_on=made_on,
        earmark_region=data.earmark_region,
        earmark_area=data.earmark_area,
        project_id=data.project_id,
        note=data.note,
        created_by=viewer.actor,
        origin=origin,
    )
    session.add(entry)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="funding.record",
        entity_type="funding_entry",
        entity_id=str(entry.id),
        after={
            "kind": entry.kind,
            "donor": entry.donor_key,
            "amount": entry.amount,
            "currency": entry.currency,
        },
    )
    return entry


def funding_entries(session: Session, *, viewer: Viewer) -> list[FundingEntry]:
    return list(
        session.scalars(
            select(FundingEntry)
            .where(visible(FundingEntry.visibility, viewer))
            .order_by(FundingEntry.made_on.desc(), FundingEntry.id.desc())
        )
    )


def _totals(groups: dict[tuple[str, str, str], dict[str, float]]) -> list[FundingTotals]:
    return [
        FundingTotals(
            key=key,
            name=name,
            currency=currency,
            pledged=round(sums["pledge"], 2),
            contributed=round(sums["contribution"], 2),
            outstanding=round(max(0.0, sums["pledge"] - sums["contribution"]), 2),
        )
        for (key, name, currency), sums in sorted(groups.items())
    ]


def visible_project_ids(session: Session, viewer: Viewer) -> set[int]:
    """The projects this viewer may see. A funding entry may be public while the project it is
    earmarked to serves a confidential request: to anyone else the entry shows no project and
    counts towards no recipient, so it never reveals that State's request."""
    return set(session.scalars(select(AssistanceProject.id).where(project_visible(viewer))))


def shown_project(entry: FundingEntry, shown: set[int]) -> int | None:
    return entry.project_id if entry.project_id in shown else None


def funding_totals(
    entries: list[FundingEntry], shown: set[int]
) -> tuple[list[FundingTotals], list[FundingTotals]]:
    """Pledged versus paid per donor, and per recipient State (through earmarked projects in
    `shown`, those the reader may see: see `visible_project_ids`)."""
    by_donor: dict[tuple[str, str, str], dict[str, float]] = defaultdict(
        lambda: {"pledge": 0.0, "contribution": 0.0}
    )
    by_recipient: dict[tuple[str, str, str], dict[str, float]] = defaultdict(
        lambda: {"pledge": 0.0, "contribution": 0.0}
    )
    for entry in entries:
        by_donor[(entry.donor_key, entry.donor_name, entry.currency)][entry.kind] += entry.amount
        project = entry.project if shown_project(entry, shown) is not None else None
        if project is not None and project.request.state is not None:
            state = project.request.state
            by_recipient[(state.iso3, state.short_name, entry.currency)][entry.kind] += entry.amount
    return _totals(by_donor), _totals(by_recipient)
