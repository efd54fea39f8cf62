"""The State profile and the organisation page: each domain's reads, gathered, each through the
reader's visibility (every list below comes from a read that filters by `kernel.access`).

Sections still to wire (their domains are built on other branches; the integrator adds one line
each, where the `None` is set below, and the portal's sections in templates/profiles/ show them
as soon as they are not None):

- `contacts`:     services/contacts/reads.contacts_for_profile(session, viewer, state_id)
- `reporting`:    services/reporting/reads.reporting_for_profile(session, viewer, state_id, as_of)
- `action_plans`: services/action_plans/reads.action_plans_for_profile(session, viewer, state_id)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from un1540.errors import NotFound, text
from un1540.models import (
    AssistanceOffer,
    AssistanceProject,
    AssistanceRequest,
    Document,
    FundingEntry,
    Incident,
    Organisation,
    Origin,
)
from un1540.models.base import today
from un1540.reference.languages import N_
from un1540.schemas.matrix import EditionList, MatrixRead, StateRef
from un1540.schemas.profiles import (
    DocumentPoint,
    EditionPoint,
    FundingPoint,
    MatrixSnapshot,
    OfferPoint,
    OrganisationProfile,
    ProfileIncidents,
    ProjectPoint,
    RequestPoint,
    SectionGaps,
    StateProfile,
)
from un1540.services.action_plans.reads import action_plans_for_profile
from un1540.services.assistance.reads.offers import offer_visible
from un1540.services.assistance.reads.projects import project_visible
from un1540.services.assistance.reads.requests import request_visible
from un1540.services.contacts.freshness import DEFAULT_STALE_MONTHS
from un1540.services.contacts.reads import (
    contacts_for_profile,
    organisation_contacts,
    organisation_trainings,
)
from un1540.services.documents.reads import state_documents
from un1540.services.incidents.reads import profile_incidents
from un1540.services.incidents.shapes import incident_read
from un1540.services.kernel.access import Viewer, viewer_identity, visible
from un1540.services.kernel.cache import cached, cached_compact
from un1540.services.kernel.data_version import (
    ACTION_PLANS,
    ASSISTANCE,
    CONTACTS,
    DOCUMENTS,
    ENGAGEMENT,
    INDICATORS,
    MATRIX,
    REFERENCE,
    VISITS,
    state_scope,
)
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.kernel.paging import SUMMARY
from un1540.services.matrix.reads.editions import list_editions
from un1540.services.matrix.reads.matrix import get_matrix
from un1540.services.reporting.reads import reporting_for_profile
from un1540.services.visits.reads import organisation_visits, state_visits
from un1540.services.visits.shapes import visit_reads

CLOSED_REQUEST = "closed"


def _incidents(found: tuple[list[Incident], int]) -> ProfileIncidents:
    rows, total = found
    return ProfileIncidents(total=total, items=[incident_read(row) for row in rows])


def matrix_snapshot(matrix: MatrixRead) -> MatrixSnapshot:
    """The edition's tallies and its gaps (blank cells) by section and weapon category."""
    gaps = []
    for section in matrix.sections:
        by_weapon: dict[str, int] = {}
        fields = []
        for field in section.fields:
            blanks = [cell for cell in field.cells if cell.mark == ""]
            for cell in blanks:
                by_weapon[cell.weapon] = by_weapon.get(cell.weapon, 0) + 1
            if blanks:
                fields.append(field.code)
        gaps.append(
            SectionGaps(
                section=section.code,
                title=section.title,
                blank=sum(by_weapon.values()),
                by_weapon=by_weapon,
                fields=fields,
            )
        )
    tally = matrix.edition.tally
    return MatrixSnapshot(
        edition=matrix.edition.number,
        approved_on=matrix.edition.approved_on,
        framework=matrix.edition.framework,
        measures=tally.measures,
        applicable=tally.applicable,
        blank=tally.blank,
        coverage=tally.coverage,
        gaps=gaps,
    )


def _request_point(request: AssistanceRequest) -> RequestPoint:
    return RequestPoint(
        id=request.id,
        title=request.title,
        status=request.status,
        received_on=request.received_on,
        open=request.status != CLOSED_REQUEST,
        fields=sorted({code for item in request.items for code in item.fields}),
    )


def _project_point(project: AssistanceProject) -> ProjectPoint:
    offer = project.offer
    provider = (
        offer.state.iso3
        if offer.state is not None
        else offer.organisation.code
        if offer.organisation is not None
        else offer.provider_name
    )
    return ProjectPoint(
        id=project.id,
        title=project.title,
        status=project.status,
        request=project.request_id,
        provider=provider,
        start_on=project.start_on,
        end_on=project.end_on,
    )


def _funding_points(
    session: Session, viewer: Viewer, projects: list[AssistanceProject], *, donor: str = ""
) -> list[FundingEntry]:
    condition = visible(FundingEntry.visibility, viewer)
    if donor:
        where = FundingEntry.donor_key == donor
    else:
        where = FundingEntry.project_id.in_([project.id for project in projects])
    return list(
        session.scalars(
            select(FundingEntry)
            .where(condition, where)
            .order_by(FundingEntry.made_on.desc(), FundingEntry.id.desc())
        )
    )


def _funding_point(entry: FundingEntry, shown: set[int]) -> FundingPoint | None:
    if entry.project_id is None or entry.project_id not in shown:
        return None  # a project the reader may not see is not named
    return FundingPoint(
        id=entry.id,
        kind=entry.kind,
        donor=entry.donor_name,
        amount=entry.amount,
        currency=entry.currency,
        made_on=entry.made_on,
        project=entry.project_id,
    )


@dataclass(frozen=True)
class MatrixParts:
    """What a State's page has just read in this session for this viewer (its editions, its
    latest approved matrix, its documents): the profile takes them rather than reading them
    again when it is computed in the same request."""

    editions: EditionList
    matrix: MatrixRead | None
    documents: list[Document]


def matrix_parts(
    session: Session, *, viewer: Viewer, iso3: str, number: int | None = None
) -> MatrixParts:
    """A State's editions (the summary page), its matrix (edition `number`, NotFound if this
    viewer may not see it; else the latest approved, None before the first) and documents, as
    this viewer may see them."""
    editions = list_editions(session, viewer=viewer, iso3=iso3, paging=SUMMARY)
    try:
        matrix: MatrixRead | None = get_matrix(session, viewer=viewer, iso3=iso3, number=number)
    except NotFound:
        if number is not None:
            raise
        matrix = None
    documents = state_documents(session, viewer=viewer, iso3=iso3)
    return MatrixParts(editions=editions, matrix=matrix, documents=documents)


def state_profile(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str,
    as_of: date | None = None,
    stale_months: int = DEFAULT_STALE_MONTHS,
    read: MatrixParts | None = None,
) -> StateProfile:
    """Everything about one State this viewer may see (contacts are stale after
    `stale_months`: pass settings.contact_stale_months).

    Computed once per State, date, staleness and reader (every part of the viewer a visibility
    rule reads: providers see their own organisation's records) until a write to what it
    gathers; the State page and the API's JSON and CSV share it. `read`: the parts the caller
    has just read for the same viewer in the same session (the State page), used if the
    profile is computed now."""
    return cached_compact(
        session,
        (
            "state_profile",
            iso3.upper(),
            as_of or today(),  # reporting and contacts are judged as of a day
            stale_months,
            viewer_identity(viewer),
        ),
        depends_on=(*PROFILE_SCOPES, state_scope(iso3)),
        compute=lambda: _state_profile(session, viewer, iso3, as_of, stale_months, read),
    )


# What a State's profile gathers besides its own records (which raise the State's scope).
PROFILE_SCOPES = (
    REFERENCE,
    DOCUMENTS,
    ASSISTANCE,
    VISITS,
    CONTACTS,
    ACTION_PLANS,
    ENGAGEMENT,
    INDICATORS,
)


def _state_profile(
    session: Session,
    viewer: Viewer,
    iso3: str,
    as_of: date | None,
    stale_months: int,
    read: MatrixParts | None = None,
) -> StateProfile:
    state = state_by_iso3(session, iso3)
    if read is None:
        read = matrix_parts(session, viewer=viewer, iso3=iso3)
    editions, matrix, documents = read.editions, read.matrix, read.documents
    requests = list(
        session.scalars(
            select(AssistanceRequest)
            .options(selectinload(AssistanceRequest.items))
            .where(AssistanceRequest.state_id == state.id, request_visible(viewer))
            .order_by(AssistanceRequest.received_on.desc(), AssistanceRequest.id.desc())
        )
    )
    projects = list(
        session.scalars(
            select(AssistanceProject)
            .join(AssistanceRequest, AssistanceRequest.id == AssistanceProject.request_id)
            .where(AssistanceRequest.state_id == state.id, project_visible(viewer))
            .order_by(AssistanceProject.id.desc())
        )
    )
    shown = {project.id for project in projects}
    funding = [
        point
        for entry in _funding_points(session, viewer, projects)
        if (point := _funding_point(entry, shown)) is not None
    ]
    visits = state_visits(session, viewer=viewer, state_id=state.id)
    incidents = _incidents(profile_incidents(session, viewer=viewer, iso3=state.iso3))
    synthetic = (
        editions.synthetic
        or any(d.origin is Origin.demo for d in documents)
        or any(r.origin is Origin.demo for r in requests)
        or any(p.origin is Origin.demo for p in projects)
        or any(v.origin is Origin.demo for v in visits)
        or any(i.synthetic for i in incidents.items)
    )
    return StateProfile(
        **envelope(synthetic),
        state=StateRef(iso3=state.iso3, name=state.short_name),
        matrix=matrix_snapshot(matrix) if matrix is not None else None,
        editions=[
            EditionPoint(
                number=e.number,
                status=e.status,
                approved_on=e.approved_on,
                measures=e.tally.measures,
                coverage=e.tally.coverage,
            )
            for e in editions.items
        ],
        documents=[
            DocumentPoint(
                id=d.id, kind=d.kind.value, title=d.title, symbol=d.symbol, issued_on=d.issued_on
            )
            for d in documents
        ],
        visits=visit_reads(session, viewer, visits),
        requests=[_request_point(r) for r in requests],
        projects=[_project_point(p) for p in projects],
        funding_received=funding,
        contacts=contacts_for_profile(session, viewer, state.id, stale_months=stale_months),
        reporting=reporting_for_profile(session, viewer, state.id, as_of),
        action_plans=action_plans_for_profile(session, viewer, state.id),
        incidents=incidents,
    )


def organisation_profile(session: Session, *, viewer: Viewer, code: str) -> OrganisationProfile:
    """What an organisation offers, delivers, funds and asks for, and the visits it joined.

    Computed once per day and data versions (a write to a State's matrix outdates nothing of
    it), keyed by everything a visibility rule or an allowed action may read of the viewer
    (role, State, organisation, account, a read-only token): never served to another reader."""
    return cached(
        session,
        ("organisation_profile", code, viewer_identity(viewer), viewer.can_write, today()),
        depends_on=ORGANISATION_SCOPES,
        compute=lambda: _organisation_profile(session, viewer=viewer, code=code),
    )


# Every scope an organisation's profile may read: no State's own (kernel/data_version.py).
ORGANISATION_SCOPES = (
    REFERENCE,
    MATRIX,
    DOCUMENTS,
    ASSISTANCE,
    INDICATORS,
    CONTACTS,
    ACTION_PLANS,
    VISITS,
    ENGAGEMENT,
)


def _organisation_profile(session: Session, *, viewer: Viewer, code: str) -> OrganisationProfile:
    organisation = session.scalars(select(Organisation).where(Organisation.code == code)).first()
    if organisation is None or not (
        viewer.is_committee_side or organisation.visibility.value == "public"
    ):
        raise NotFound(
            text(
                N_("no organisation %(code)s"),
                code=repr(code),
            )
        )
    offers = list(
        session.scalars(
            select(AssistanceOffer)
            .where(AssistanceOffer.organisation_id == organisation.id, offer_visible(viewer))
            .order_by(AssistanceOffer.id)
        )
    )
    projects = list(
        session.scalars(
            select(AssistanceProject)
            .join(AssistanceOffer, AssistanceOffer.id == AssistanceProject.offer_id)
            .where(AssistanceOffer.organisation_id == organisation.id, project_visible(viewer))
            .order_by(AssistanceProject.id.desc())
        )
    )
    requests = list(
        session.scalars(
            select(AssistanceRequest)
            .options(selectinload(AssistanceRequest.items))
            .where(AssistanceRequest.organisation_id == organisation.id, request_visible(viewer))
            .order_by(AssistanceRequest.id.desc())
        )
    )
    visible_project_ids = set(
        session.scalars(select(AssistanceProject.id).where(project_visible(viewer)))
    )
    funding = [
        point
        for entry in _funding_points(session, viewer, [], donor=f"organisation:{organisation.code}")
        if (point := _funding_point(entry, visible_project_ids)) is not None
    ]
    visits = organisation_visits(session, viewer=viewer, organisation_id=organisation.id)
    incidents = _incidents(
        profile_incidents(session, viewer=viewer, organisation_id=organisation.id)
    )
    synthetic = any(
        origin is Origin.demo
        for origin in (
            *(o.origin for o in offers),
            *(p.origin for p in projects),
            *(r.origin for r in requests),
            *(v.origin for v in visits),
        )
    ) or any(i.synthetic for i in incidents.items)
    return OrganisationProfile(
        **envelope(synthetic),
        code=organisation.code,
        acronym=organisation.acronym,
        name=organisation.name,
        kind=organisation.kind,
        url=organisation.url,
        offers=[
            OfferPoint(
                id=o.id,
                title=o.title,
                help_types=list(o.help_types),
                fields=list(o.fields),
                sections=list(o.sections),
            )
            for o in offers
        ],
        projects=[_project_point(p) for p in projects],
        funding_given=funding,
        requests=[_request_point(r) for r in requests],
        visits=visit_reads(session, viewer, visits),
        contacts=organisation_contacts(session, viewer, organisation),
        trainings=organisation_trainings(session, viewer, organisation),
        incidents=incidents,
    )
