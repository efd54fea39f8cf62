"""Recording a pledge or a contribution (the donor's own, or the Committee side for anyone)."""

from __future__ import annotations

from datetime import date

from babel.numbers import list_currencies
from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import InvalidData, Problem, text
from un1540.models import AssistanceProject, FundingEntry, Origin
from un1540.models.base import today
from un1540.reference.languages import N_
from un1540.schemas.assistance import FundingCreate
from un1540.services.assistance.parties import party, party_key
from un1540.services.assistance.reads.projects import project_visible
from un1540.services.assistance.rules import clearinghouse_rules
from un1540.services.assistance.validation import region_codes
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.unit_of_work import action
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework

KINDS = ("pledge", "contribution")


def _problems(
    session: Session, viewer: Viewer, data: FundingCreate, made_on: date
) -> list[Problem]:
    problems = []
    if data.kind not in KINDS:
        problems.append(Problem("kind", N_("must be pledge or contribution")))
    if not data.amount > 0:
        problems.append(Problem("amount", N_("must be more than 0")))
    if data.currency.upper() not in list_currencies():
        problems.append(
            Problem(
                "currency",
                text(
                    N_("%(currency)s is not an ISO 4217 currency"),
                    currency=repr(data.currency),
                ),
            )
        )
    if data.kind == "contribution" and made_on > today():
        problems.append(Problem("made_on", N_("a contribution cannot be paid in the future")))
    if data.due_on is not None and data.kind != "pledge":
        problems.append(Problem("due_on", N_("only a pledge has a due date")))
    elif data.due_on is not None and data.due_on < made_on:
        problems.append(Problem("due_on", N_("must not be before the day of the pledge")))
    if data.earmark_region and data.earmark_region not in region_codes(session):
        problems.append(
            Problem(
                "earmark_region",
                text(
                    N_("unknown region %(earmark_region)s"),
                    earmark_region=repr(data.earmark_region),
                ),
            )
        )
    if data.earmark_area:
        layout = framework_layout(session, default_framework(session))
        areas = set(layout.fields) | {section.code for section in layout.sections}
        if data.earmark_area not in areas:
            problems.append(
                Problem(
                    "earmark_area",
                    text(
                        N_("unknown section or field %(earmark_area)s"),
                        earmark_area=repr(data.earmark_area),
                    ),
                )
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
            problems.append(
                Problem(
                    "project_id",
                    text(
                        N_("no project %(project_id)s"),
                        project_id=data.project_id,
                    ),
                )
            )
    return problems


@action
def record_funding(
    session: Session, *, viewer: Viewer, data: FundingCreate, origin: Origin = Origin.entry
) -> FundingEntry:
    """A pledge or a contribution; every problem is reported at once, nothing is saved."""
    clearinghouse_rules.check(viewer, None, "record_funding")
    name = data.donor_name.strip()
    state = organisation = None
    if data.state or data.organisation or not viewer.is_committee_side:
        state, organisation = party(session, viewer, data.state, data.organisation)
        name = state.short_name if state else organisation.name if organisation else name
    elif not name:
        raise InvalidData(
            N_("say who gives"),
            problems=[Problem("donor_name", N_("give a State, an organisation or a name"))],
        )
    made_on = data.made_on or today()
    problems = _problems(session, viewer, data, made_on)
    if problems:
        raise InvalidData(
            N_("the funding entry is not valid; nothing was saved"), problems=problems
        )
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
        due_on=data.due_on,
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
            **({"due_on": entry.due_on.isoformat()} if entry.due_on else {}),
        },
    )
    return entry
