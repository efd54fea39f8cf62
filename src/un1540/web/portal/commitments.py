"""Commitments in the portal: the list (filters, overdue flagged), a commitment's page (its
history, what fulfils it, the form to move it on with pickers for the fulfilling record), the
form to record one, and an event's outcome page (its commitments as of a date)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540.errors import InvalidParameter, Problem
from un1540.models.base import today
from un1540.reference.commitments import commitment_kinds
from un1540.reference.languages import N_
from un1540.schemas.commitments import CommitmentCreate, CommitmentTransition
from un1540.schemas.vocabularies import vocabulary
from un1540.services.commitments.actions import create_commitment, transition_commitment
from un1540.services.commitments.reads import (
    commitment_facets,
    commitments_of,
    event_outcome,
    form_choices,
    get_commitment,
    list_commitments,
    organisation_id_of,
    state_id_of,
)
from un1540.services.commitments.records import candidates
from un1540.services.commitments.rules import COMMITMENTS, transition_targets
from un1540.services.commitments.shapes import commitment_read, commitment_reads, outcome_read
from un1540.services.kernel.paging import PageRequest
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.i18n import gettext
from un1540.web.params import PageQuery, RecordIdPath
from un1540.web.portal.facets import facet_links, organisation_label, state_label
from un1540.web.portal.forms import CsrfChecked, act, build, login_redirect
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 50

# The statuses and kinds as the portal shows them (reference/lifecycles.yml, commitments.yml).
STATUS_NAMES = {
    "announced": N_("Announced"),
    "in_progress": N_("In progress"),
    "partly_delivered": N_("Partly delivered"),
    "delivered": N_("Delivered"),
    "withdrawn": N_("Withdrawn"),
}
KIND_NAMES = {
    "legislation": N_("Legislation"),
    "action_plan": N_("National action plan"),
    "assistance_programme": N_("Assistance programme"),
    "voluntary_contribution": N_("Voluntary contribution"),
    "financial_pledge": N_("Financial pledge"),
    "hosting_training": N_("Hosting a training"),
    "other": N_("Other"),
}
RECORD_KIND_NAMES = {
    "funding_entry": N_("Pledge or contribution"),
    "assistance_project": N_("Assistance project"),
    "action_plan": N_("Action plan"),
    "edition": N_("Approved matrix edition"),
}
VISIBILITY_NAMES = {
    "public": N_("Public"),
    "states_and_providers": N_("States and providers"),
    "owning_state_and_committee": N_("The State and the Committee"),
    "committee": N_("Committee only"),
}


def status_name(code: str) -> str:
    return gettext(STATUS_NAMES.get(code, code))


def kind_name(code: str) -> str:
    return gettext(KIND_NAMES.get(code, code))


def record_kind_name(code: str) -> str:
    return gettext(RECORD_KIND_NAMES.get(code, code))


def visibility_name(code: str) -> str:
    return gettext(VISIBILITY_NAMES.get(code, code))


def _names() -> dict[str, object]:
    return {
        "status_name": status_name,
        "kind_name": kind_name,
        "record_kind_name": record_kind_name,
        "visibility_name": visibility_name,
    }


def _yes_no(code: str) -> str:
    return gettext("Yes") if code == "yes" else gettext("No") if code == "no" else code


def _split(text: str) -> list[str]:
    return [part for part in text.replace(",", " ").replace(";", " ").split() if part]


def _event_number(event: str) -> int | None:
    if not event:
        return None
    if not event.isdigit() or len(event) > 10:
        raise InvalidParameter.naming([Problem("event", "must be an event's number")])
    return int(event)


@router.get("/commitments", response_class=HTMLResponse)
def commitments_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    state: Annotated[str, Query(max_length=3)] = "",
    organisation: Annotated[str, Query(max_length=40)] = "",
    event: Annotated[str, Query(max_length=10)] = "",
    kind: Annotated[str, Query(max_length=40)] = "",
    status: Annotated[str, Query(max_length=40)] = "",
    overdue: Annotated[str, Query(max_length=3)] = "",
    page: PageQuery = 1,
) -> HTMLResponse:
    paging = PageRequest(page=page, page_size=PAGE_SIZE)
    listing = list_commitments(
        session,
        viewer=viewer,
        state=state or None,
        organisation=organisation or None,
        event=_event_number(event),
        kind=kind or None,
        status=status or None,
        overdue={"yes": True, "no": False}.get(overdue),
        paging=paging,
    )
    filters = {
        "state": state,
        "organisation": organisation,
        "event": event,
        "kind": kind,
        "status": status,
        "overdue": overdue,
    }
    labels = {"status": status_name, "kind": kind_name, "state": state_label}
    labels |= {"organisation": organisation_label, "overdue": _yes_no}
    context = {
        # Each filter's values with their counts, as links (web/portal/facets.py).
        "facets": facet_links(
            "/commitments",
            filters,
            commitment_facets(
                session,
                viewer=viewer,
                state=state or None,
                organisation=organisation or None,
                event=_event_number(event),
                kind=kind or None,
                status=status or None,
                overdue={"yes": True, "no": False}.get(overdue),
            ),
            {
                "status": gettext("Status"),
                "kind": gettext("Kind"),
                "state": gettext("State"),
                "organisation": gettext("Organisation"),
                "overdue": gettext("Overdue"),
            },
            lambda facet, code: labels[facet](code),
        ),
        "commitments": commitment_reads(session, viewer, listing.commitments),
        "total": listing.total,
        "page": page,
        "pages": max(1, -(-listing.total // PAGE_SIZE)),
        "filters": filters,
        "query": "&".join(f"{key}={value}" for key, value in filters.items() if value),
        "statuses": list(COMMITMENTS.statuses),
        "kinds": list(commitment_kinds()),
        "may_create": viewer.user_id is not None,
        **_names(),
    }
    return render(request, "commitments/list.html", context, synthetic=listing.synthetic)


@router.get("/commitments/new", response_class=HTMLResponse)
def commitment_new(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    if viewer.user_id is None:
        return login_redirect(request)
    choices = form_choices(session, viewer)
    context = {
        "choices": choices,
        "kinds": list(commitment_kinds()),
        "regions": vocabulary("region"),
        "visibilities": list(VISIBILITY_NAMES),
        "today": today().isoformat(),
        **_names(),
    }
    return render(request, "commitments/form.html", context, synthetic=False)


@router.post("/commitments")
def commitment_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    owner: Annotated[str, Form(max_length=60)] = "",
    event: Annotated[str, Form(max_length=10)] = "",
    kind: Annotated[str, Form(max_length=40)] = "",
    title: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    announced_on: Annotated[str, Form(max_length=10)] = "",
    target_date: Annotated[str, Form(max_length=10)] = "",
    fields: Annotated[str, Form(max_length=2000)] = "",
    regions: Annotated[list[str] | None, Form(max_length=20)] = None,
    announced_publicly: Annotated[str, Form(max_length=1)] = "",
    visibility: Annotated[str, Form(max_length=40)] = "",
) -> Response:
    created: list[int] = []

    def action() -> str:
        side, _, code = owner.partition(":")
        data = build(
            CommitmentCreate,
            state=code if side == "state" else None,
            organisation=code if side == "organisation" else None,
            event=event or None,
            kind=kind,
            title=title,
            description=description,
            announced_on=announced_on or None,
            target_date=target_date or None,
            fields=_split(fields),
            regions=regions or [],
            announced_publicly=announced_publicly == "1",
            visibility=visibility or None,
        )
        commitment = create_commitment(session, viewer=viewer, data=data)
        created.append(commitment.id)
        return gettext("Commitment %(id)s recorded.") % {"id": commitment.id}

    response = act(request, "/commitments/new", action)
    if created:
        return RedirectResponse(f"/commitments/{created[0]}", status_code=303)
    return response


@router.get("/commitments/{commitment_id}", response_class=HTMLResponse)
def commitment_page(
    request: Request, session: SessionDep, viewer: ViewerDep, commitment_id: RecordIdPath
) -> HTMLResponse:
    commitment = get_commitment(session, viewer=viewer, commitment_id=commitment_id)
    read = commitment_read(session, viewer, commitment)
    steps = transition_targets(read.allowed_actions)
    context = {
        "c": read,
        "steps": steps,
        "pickers": candidates(session, viewer, commitment) if steps else {},
        "today": today().isoformat(),
        **_names(),
    }
    return render(request, "commitments/detail.html", context, synthetic=read.synthetic)


@router.post("/commitments/{commitment_id}/transitions")
def commitment_transition(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    commitment_id: RecordIdPath,
    to: Annotated[str, Form(max_length=40)] = "",
    effective_on: Annotated[str, Form(max_length=10)] = "",
    note: Annotated[str, Form()] = "",
    delivery_evidence: Annotated[str, Form()] = "",
    record: Annotated[str, Form(max_length=40)] = "",
    field: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    def action() -> str:
        kind, _, number = record.partition(":")
        fulfilments = (
            [{"kind": kind, "record": number or None, "field": field, "note": ""}] if record else []
        )
        data = build(
            CommitmentTransition,
            to=to,
            effective_on=effective_on or None,
            note=note,
            delivery_evidence=delivery_evidence,
            fulfilments=fulfilments,
        )
        transition_commitment(session, viewer=viewer, commitment_id=commitment_id, data=data)
        return gettext("The commitment is now %(status)s.") % {"status": status_name(to)}

    return act(request, f"/commitments/{commitment_id}", action)


@router.get("/events/{event_id}/outcome", response_class=HTMLResponse)
def outcome_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    event_id: RecordIdPath,
    as_of: Annotated[date | None, Query()] = None,
) -> HTMLResponse:
    outcome = outcome_read(event_outcome(session, viewer=viewer, event_id=event_id, as_of=as_of))
    query = f"?as_of={outcome.as_of.isoformat()}"
    context = {
        "outcome": outcome,
        "query": query,
        **_names(),
    }
    return render(request, "commitments/outcome.html", context, synthetic=outcome.synthetic)


def commitments_made(
    session: SessionDep,
    viewer: ViewerDep,
    *,
    state: str | None = None,
    organisation: str | None = None,
) -> list[dict[str, object]]:
    """The commitments a State (ISO3) or an organisation (code) made that the viewer may see,
    for its page (templates/commitments/_made.html)."""
    state_id = state_id_of(session, state) if state else None
    organisation_id = organisation_id_of(session, organisation) if organisation else None
    if state_id is None and organisation_id is None:
        return []
    return [
        {
            "id": read.id,
            "title": read.title,
            "status_name": status_name(read.status),
            "overdue": read.overdue,
            "target_date": read.target_date,
        }
        for read in commitment_reads(
            session,
            viewer,
            commitments_of(
                session, viewer, state_id=state_id, organisation_id=organisation_id, limit=20
            ),
        )
    ]
