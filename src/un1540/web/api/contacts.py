"""/api/v1/contacts and /api/v1/trainings: points of contact, their freshness, and the
Committee's training courses (reference data) with their recorded participants."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query
from starlette.responses import Response

from un1540.models import PointOfContact
from un1540.models.base import today
from un1540.schemas.common import MAX_RECORD_ID
from un1540.schemas.contacts import (
    ContactConfirm,
    ContactCreate,
    ContactDetail,
    ContactList,
    ContactUpdate,
    TrainingList,
)
from un1540.schemas.text import CODE
from un1540.schemas.vocabularies import enum
from un1540.services.contacts.actions import confirm_contact, create_contact, update_contact
from un1540.services.contacts.reads import (
    TrainingFilter,
    contact_facets,
    contact_filters,
    contact_page,
    get_contact,
    summary_reads,
    training_facets,
    training_reads,
)
from un1540.services.contacts.shapes import (
    REFERENCE_NOTICE,
    contact_read,
)
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.envelope import envelope
from un1540.web.api.common import ERRORS, WRITE_ERRORS, FacetsQuery, facet_map, page_response
from un1540.web.deps import PagingDep, SessionDep, SettingsDep, ViewerDep, WriterDep
from un1540.web.responses import json_model

router = APIRouter(tags=["Points of contact"])
ContactPath = Annotated[int, Path(ge=1, le=MAX_RECORD_ID, description="Contact number.")]


def _detail(contact: PointOfContact, viewer: Viewer, months: int, status: int = 200) -> Response:
    read = contact_read(contact, viewer, on=today(), stale_months=months)
    return json_model(ContactDetail(**envelope(read.synthetic), contact=read), status_code=status)


@router.get("/contacts", summary="Points of contact", response_model=ContactList, responses=ERRORS)
def contacts_list(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    settings: SettingsDep,
    state: Annotated[
        str | None,
        Query(description="Only this State's contacts (ISO3).", json_schema_extra=enum("state")),
    ] = None,
    organisation: Annotated[
        str | None, Query(max_length=40, description="Only this organisation's contacts (code).")
    ] = None,
    role: Annotated[
        str | None,
        Query(
            description="capital, mission or organisation.",
            json_schema_extra={"enum": ["capital", "mission", "organisation"]},
        ),
    ] = None,
    stale: Annotated[
        bool | None, Query(description="Only stale (true) or only fresh (false) contacts.")
    ] = None,
    facets: FacetsQuery = False,
) -> Response:
    """Everyone: `summaries`, per State or organisation, how many contacts it has designated,
    since when, and how many are stale. `items`: the contacts whose details you may see (the
    Committee side; a State's own points of contact; the contact itself), stalest first. The
    facets count those `items` (the `stale` facet's values are 1 and 0)."""
    months = settings.contact_stale_months
    filters = contact_filters(
        session, state=state, organisation=organisation, role=role, stale=stale
    )
    day = today()
    items, total = contact_page(
        session, viewer=viewer, paging=paging, filters=filters, on=day, stale_months=months
    )
    summaries, synthetic = summary_reads(session, filters=filters, on=day, stale_months=months)
    counts = (
        contact_facets(session, viewer=viewer, filters=filters, on=day, stale_months=months)
        if facets
        else None
    )
    return page_response(
        ContactList,
        items,
        total=total,
        paging=paging,
        synthetic=synthetic,
        stale_months=months,
        summaries=summaries,
        facets=None if counts is None else facet_map(counts),
    )


@router.post(
    "/contacts",
    summary="Designate a point of contact",
    status_code=201,
    response_model=ContactDetail,
    responses=WRITE_ERRORS,
)
def contacts_create(
    session: SessionDep, viewer: WriterDep, settings: SettingsDep, body: ContactCreate
) -> Response:
    """A State's points of contact (for their State), an organisation's provider accounts (for
    their organisation), or the Committee side. 409 for the same person designated twice."""
    contact = create_contact(session, viewer=viewer, data=body)
    return _detail(contact, viewer, settings.contact_stale_months, status=201)


@router.get(
    "/contacts/{contact_id}",
    summary="One point of contact",
    response_model=ContactDetail,
    responses=ERRORS,
)
def contacts_detail(
    session: SessionDep, viewer: ViewerDep, settings: SettingsDep, contact_id: ContactPath
) -> Response:
    """404 unless you may see the contact's details."""
    contact = get_contact(session, viewer=viewer, contact_id=contact_id)
    return _detail(contact, viewer, settings.contact_stale_months)


@router.patch(
    "/contacts/{contact_id}",
    summary="Correct a point of contact",
    response_model=ContactDetail,
    responses=WRITE_ERRORS,
)
def contacts_update(
    session: SessionDep,
    viewer: WriterDep,
    settings: SettingsDep,
    contact_id: ContactPath,
    body: ContactUpdate,
) -> Response:
    """The designating party, the Committee side, or the contact itself; with `revision`, a
    stale one is refused (409)."""
    contact = update_contact(session, viewer=viewer, contact_id=contact_id, data=body)
    return _detail(contact, viewer, settings.contact_stale_months)


@router.post(
    "/contacts/{contact_id}/confirm",
    summary="Confirm a point of contact, as it is or with corrections",
    response_model=ContactDetail,
    responses=WRITE_ERRORS,
)
def contacts_confirm(
    session: SessionDep,
    viewer: WriterDep,
    settings: SettingsDep,
    contact_id: ContactPath,
    body: ContactConfirm | None = None,
) -> Response:
    """One step: the contact is confirmed today (and so fresh again), with any corrections
    given. The contact itself (its linked account), its State or organisation, or the
    Committee side."""
    contact = confirm_contact(session, viewer=viewer, contact_id=contact_id, data=body)
    return _detail(contact, viewer, settings.contact_stale_months)


@router.get(
    "/trainings",
    summary="The Committee's training courses for points of contact",
    response_model=TrainingList,
    responses=ERRORS,
)
def trainings_list(
    session: SessionDep,
    viewer: ViewerDep,
    year: Annotated[
        int | None, Query(ge=1900, le=2100, description="Starting in this year.")
    ] = None,
    region: Annotated[
        str | None,
        Query(
            max_length=40,
            description="The audience's regional group (or osce).",
            json_schema_extra=enum("group", "osce"),
        ),
        CODE,
    ] = None,
    country: Annotated[
        str | None,
        Query(description="The host State (ISO3).", json_schema_extra=enum("state")),
        CODE,
    ] = None,
    facets: FacetsQuery = False,
) -> Response:
    """The public record of the regional courses (real, sourced reference data: `reference`
    true, each with its `source`), newest first, with the participants recorded here: counted
    for everyone, named to those who may see the contacts. In the demo the participants are
    synthetic (`participants_synthetic`, and `synthetic` on the whole answer)."""
    filters = TrainingFilter(year=year, region=region, country=country)
    items, synthetic = training_reads(session, viewer=viewer, filters=filters)
    return json_model(
        TrainingList(
            **envelope(synthetic),
            reference_notice=REFERENCE_NOTICE,
            items=items,
            facets=facet_map(training_facets(filters)) if facets else None,
        )
    )
