"""Reading points of contact: who may see which (the read rule), the public summaries, the
lists and the stale ones, the State profile's view, and the training courses with their
participants.

Who may see a contact's details (name, e-mail, phone, ...): the Committee side; the State's own
points of contact (state_poc accounts of that State); for an organisation's contacts, its
provider accounts; and the contact itself (its linked account). Everyone else, the public
included, sees only the summaries: how many contacts a State (or organisation) has designated,
since when, and how many are stale.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement, false, func, or_, select, true
from sqlalchemy.orm import Session, selectinload

from un1540.errors import InvalidParameter, NotFound, Problem, text
from un1540.models import (
    ContactRole,
    Organisation,
    Origin,
    PointOfContact,
    Role,
    State,
    TrainingParticipation,
)
from un1540.models.base import today
from un1540.reference.languages import N_
from un1540.reference.training import TrainingCourse, load_training_courses
from un1540.schemas.contacts import (
    ContactProfileRead,
    ContactRead,
    ContactSummaryRead,
    TrainingCourseRead,
)
from un1540.schemas.text import CODE
from un1540.services.contacts.freshness import DEFAULT_STALE_MONTHS, stale_threshold
from un1540.services.contacts.shapes import (
    ContactSummary,
    contact_read,
    course_read,
    summary_read,
)
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.cache import cached
from un1540.services.kernel.data_version import CONTACTS, REFERENCE
from un1540.services.kernel.facets import FacetCounts, tally
from un1540.services.kernel.paging import PageRequest


def contact_visible(viewer: Viewer) -> ColumnElement[bool]:
    """SQL: the contacts whose details `viewer` may see."""
    if viewer.is_committee_side:
        return true()
    allowed: list[ColumnElement[bool]] = []
    if viewer.role is Role.state_poc and viewer.state_id is not None:
        allowed.append(PointOfContact.state_id == viewer.state_id)
    if viewer.role is Role.provider and viewer.organisation_id is not None:
        allowed.append(PointOfContact.organisation_id == viewer.organisation_id)
    if viewer.user_id is not None:
        allowed.append(PointOfContact.user_id == viewer.user_id)
    return or_(false(), *allowed)


def may_see_contacts_of_state(viewer: Viewer, state_id: int) -> bool:
    """Whether the viewer may see the details of every contact of this State."""
    return viewer.is_committee_side or (
        viewer.role is Role.state_poc and viewer.state_id == state_id
    )


def _stale(on: date, stale_months: int) -> ColumnElement[bool]:
    return PointOfContact.confirmed_on <= stale_threshold(on, stale_months)


@dataclass(frozen=True)
class ContactFilters:
    state: State | None = None
    organisation: Organisation | None = None
    role: ContactRole | None = None
    stale: bool | None = None


def contact_filters(
    session: Session,
    *,
    state: str | None = None,
    organisation: str | None = None,
    role: str | None = None,
    stale: bool | None = None,
) -> ContactFilters:
    """The filters of a list, each checked; a bad one is named."""
    problems = []
    found_state = found_organisation = None
    if state:
        code = state.strip().upper()
        found_state = (
            session.scalars(select(State).where(State.iso3 == code)).one_or_none()
            if len(code) == 3 and code.isascii() and code.isalpha()
            else None
        )
        if found_state is None:
            problems.append(Problem("state", N_("unknown State (an ISO 3166-1 alpha-3 code)")))
    if organisation:
        code = CODE.check(organisation.strip(), "organisation", problems)[:40]
        found_organisation = (
            session.scalars(select(Organisation).where(Organisation.code == code)).one_or_none()
            if not problems
            else None
        )
        if found_organisation is None:
            problems.append(Problem("organisation", N_("unknown organisation code")))
    found_role = None
    if role:
        try:
            found_role = ContactRole(role)
        except ValueError:
            problems.append(Problem("role", N_("must be capital, mission or organisation")))
    if problems:
        raise InvalidParameter.naming(problems)
    return ContactFilters(found_state, found_organisation, found_role, stale)


def _filtered(filters: ContactFilters, on: date, stale_months: int) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.state is not None:
        conditions.append(PointOfContact.state_id == filters.state.id)
    if filters.organisation is not None:
        conditions.append(PointOfContact.organisation_id == filters.organisation.id)
    if filters.role is not None:
        conditions.append(PointOfContact.role == filters.role)
    if filters.stale is not None:
        stale = _stale(on, stale_months)
        conditions.append(stale if filters.stale else ~stale)
    return conditions


def list_contacts(
    session: Session,
    *,
    viewer: Viewer,
    paging: PageRequest,
    filters: ContactFilters | None = None,
    on: date | None = None,
    stale_months: int = DEFAULT_STALE_MONTHS,
) -> tuple[list[PointOfContact], int]:
    """The contacts whose details the viewer may see, stalest first, paged in SQL."""
    day = on or today()
    conditions = [
        contact_visible(viewer),
        *_filtered(filters or ContactFilters(), day, stale_months),
    ]
    total = session.scalar(select(func.count()).select_from(PointOfContact).where(*conditions))
    rows = session.scalars(
        select(PointOfContact)
        .where(*conditions)
        .options(
            selectinload(PointOfContact.state),
            selectinload(PointOfContact.organisation),
            selectinload(PointOfContact.trainings),
        )
        .order_by(PointOfContact.confirmed_on, PointOfContact.id)
        .offset(paging.offset)
        .limit(paging.page_size)
    ).all()
    return list(rows), total or 0


CONTACT_FACETS = ("state", "role", "stale")


def contact_facets(
    session: Session,
    *,
    viewer: Viewer,
    filters: ContactFilters | None = None,
    on: date | None = None,
    stale_months: int = DEFAULT_STALE_MONTHS,
) -> FacetCounts:
    """The contacts list's facets, as Datasette shows them: for the State, the role and the
    freshness ("1" stale, "0" confirmed recently), each value with the number of contacts the
    list would show with that value chosen (the other filters kept, this one replaced); counted
    under `contact_visible`, as `list_contacts` lists them (the public, who sees no contact's
    details, counts none: the summaries tell it how many each State has). Cached per viewer,
    filters, day and period until contacts or reference data change."""
    filters = filters or ContactFilters()
    day = on or today()
    return cached(
        session,
        ("contact_facets", viewer, _filters_key(filters), day, stale_months),
        depends_on=(CONTACTS, REFERENCE),
        compute=lambda: _contact_facets(session, viewer, filters, day, stale_months),
    )


def _contact_facets(
    session: Session, viewer: Viewer, filters: ContactFilters, day: date, stale_months: int
) -> FacetCounts:
    kept = ContactFilters(organisation=filters.organisation)
    threshold = stale_threshold(day, stale_months)
    rows = session.execute(
        select(State.iso3, PointOfContact.role, PointOfContact.confirmed_on)
        .outerjoin(State, State.id == PointOfContact.state_id)
        .where(contact_visible(viewer), *_filtered(kept, day, stale_months))
    ).all()
    chosen = {
        "state": None if filters.state is None else filters.state.iso3,
        "role": None if filters.role is None else filters.role.value,
        "stale": None if filters.stale is None else "1" if filters.stale else "0",
    }
    return tally(
        (
            {
                "state": [iso3] if iso3 else [],
                "role": [getattr(role, "value", role)],
                "stale": ["1" if confirmed_on <= threshold else "0"],
            }
            for iso3, role, confirmed_on in rows
        ),
        chosen,
        CONTACT_FACETS,
    )


def _filters_key(filters: ContactFilters) -> tuple[object, ...]:
    return (
        None if filters.state is None else filters.state.id,
        None if filters.organisation is None else filters.organisation.id,
        filters.role,
        filters.stale,
    )


def contact_page(
    session: Session,
    *,
    viewer: Viewer,
    paging: PageRequest,
    filters: ContactFilters | None = None,
    on: date | None = None,
    stale_months: int = DEFAULT_STALE_MONTHS,
) -> tuple[list[ContactRead], int]:
    """`list_contacts` as read shapes (what /contacts and /api/v1/contacts show), cached per
    viewer (every part of it: the read rule and the actions offered depend on the account),
    filters, page, day and period until contacts or reference data change."""
    filters = filters or ContactFilters()
    day = on or today()

    def compute() -> tuple[list[ContactRead], int]:
        rows, total = list_contacts(
            session,
            viewer=viewer,
            paging=paging,
            filters=filters,
            on=day,
            stale_months=stale_months,
        )
        return [contact_read(row, viewer, on=day, stale_months=stale_months) for row in rows], total

    key = ("contact_page", viewer, _filters_key(filters), paging, day, stale_months)
    return cached(session, key, depends_on=(CONTACTS, REFERENCE), compute=compute)


def summary_reads(
    session: Session,
    *,
    filters: ContactFilters | None = None,
    on: date | None = None,
    stale_months: int = DEFAULT_STALE_MONTHS,
) -> tuple[list[ContactSummaryRead], bool]:
    """`contact_summaries` as read shapes, and whether any is synthetic: the same for every
    reader, cached per filters, day and period until contacts or reference data change."""
    filters = filters or ContactFilters()
    day = on or today()

    def compute() -> tuple[list[ContactSummaryRead], bool]:
        summaries = contact_summaries(session, filters=filters, on=day, stale_months=stale_months)
        return [summary_read(item) for item in summaries], any(s.synthetic for s in summaries)

    key = ("contact_summaries", _filters_key(filters), day, stale_months)
    return cached(session, key, depends_on=(CONTACTS, REFERENCE), compute=compute)


def get_contact(session: Session, *, viewer: Viewer, contact_id: int) -> PointOfContact:
    contact = session.scalars(
        select(PointOfContact).where(PointOfContact.id == contact_id, contact_visible(viewer))
    ).one_or_none()
    if contact is None:
        raise NotFound(
            text(
                N_("no point of contact %(contact_id)s that you may see"),
                contact_id=contact_id,
            )
        )
    return contact


def contact_summaries(
    session: Session,
    *,
    filters: ContactFilters | None = None,
    on: date | None = None,
    stale_months: int = DEFAULT_STALE_MONTHS,
) -> list[ContactSummary]:
    """Per State (then per organisation) with contacts: how many, since when, how many stale.
    Public: no detail of any contact; filtered as the list is (by party, role, freshness)."""
    day = on or today()
    conditions = _filtered(filters or ContactFilters(), day, stale_months)
    stale = _stale(day, stale_months)
    rows = session.execute(
        select(
            PointOfContact.state_id,
            PointOfContact.organisation_id,
            func.count(),
            func.min(PointOfContact.designated_on),
            func.count().filter(stale),
            func.count().filter(PointOfContact.origin == Origin.demo),
        )
        .where(*conditions)
        .group_by(PointOfContact.state_id, PointOfContact.organisation_id)
    ).all()
    states = {
        state.id: state
        for state in session.scalars(
            select(State).where(State.id.in_([row[0] for row in rows if row[0] is not None]))
        )
    }
    organisations = {
        organisation.id: organisation
        for organisation in session.scalars(
            select(Organisation).where(
                Organisation.id.in_([row[1] for row in rows if row[1] is not None])
            )
        )
    }
    summaries = [
        ContactSummary(
            state=states.get(state_id) if state_id is not None else None,
            organisation=organisations.get(organisation_id)
            if organisation_id is not None
            else None,
            count=count,
            designated_since=since,
            stale=stale_count,
            synthetic=demo > 0,
        )
        for state_id, organisation_id, count, since, stale_count, demo in rows
    ]
    return sorted(
        summaries,
        key=lambda s: (
            s.state is None,
            s.state.short_name if s.state else s.organisation.acronym if s.organisation else "",
        ),
    )


def state_summary(
    session: Session,
    *,
    state: State,
    on: date | None = None,
    stale_months: int = DEFAULT_STALE_MONTHS,
) -> ContactSummary:
    """One State's public summary (count 0 when it has designated none here)."""
    found = contact_summaries(
        session, filters=ContactFilters(state=state), on=on, stale_months=stale_months
    )
    if found:
        return found[0]
    return ContactSummary(state, None, 0, None, 0, False)


def contacts_for_profile(
    session: Session,
    actor: Viewer,
    state_id: int,
    *,
    stale_months: int = DEFAULT_STALE_MONTHS,
    on: date | None = None,
) -> ContactProfileRead:
    """A State profile's view of its contacts: the public summary (count, designated since,
    stale count) for everyone, and the contacts themselves when `actor` may see them (the
    Committee side and the State's own points of contact; `contacts` is None otherwise).
    Pass `stale_months=settings.contact_stale_months` to follow the setting."""
    state = session.get(State, state_id)
    if state is None:
        raise NotFound(
            text(
                N_("no State %(state_id)s"),
                state_id=state_id,
            )
        )
    day = on or today()
    summary = state_summary(session, state=state, on=day, stale_months=stale_months)
    contacts = None
    if may_see_contacts_of_state(actor, state_id):
        rows, _ = list_contacts(
            session,
            viewer=actor,
            paging=PageRequest(page=1, page_size=500),
            filters=ContactFilters(state=state),
            on=day,
            stale_months=stale_months,
        )
        contacts = [contact_read(row, actor, on=day, stale_months=stale_months) for row in rows]
    return ContactProfileRead(
        summary=summary_read(summary),
        contacts=contacts,
        synthetic=summary.synthetic,
        stale_months=stale_months,
    )


def organisation_contacts(
    session: Session,
    viewer: Viewer,
    organisation: Organisation,
    *,
    stale_months: int = DEFAULT_STALE_MONTHS,
) -> list[ContactRead]:
    """An organisation's points of contact this viewer may see (its page)."""
    day = today()
    rows, _ = list_contacts(
        session,
        viewer=viewer,
        paging=PageRequest(page=1, page_size=500),
        filters=ContactFilters(organisation=organisation),
        on=day,
        stale_months=stale_months,
    )
    return [contact_read(row, viewer, on=day, stale_months=stale_months) for row in rows]


def stale_contacts(
    session: Session, *, on: date | None = None, stale_months: int = DEFAULT_STALE_MONTHS
) -> list[PointOfContact]:
    """Every stale contact (for the operator at the command line and the reminders), by party."""
    day = on or today()
    return list(
        session.scalars(
            select(PointOfContact)
            .where(_stale(day, stale_months))
            .options(selectinload(PointOfContact.state), selectinload(PointOfContact.organisation))
            .order_by(PointOfContact.party_key, PointOfContact.confirmed_on, PointOfContact.id)
        )
    )


@dataclass(frozen=True)
class CourseParticipants:
    course: TrainingCourse
    count: int  # every participant recorded here
    synthetic: bool  # some of them are demo data
    visible: list[PointOfContact]  # those whose details the viewer may see


TRAINING_FACETS = ("year", "region", "country")


@dataclass(frozen=True)
class TrainingFilter:
    """The courses' filters: the year a course started, its audience's region, its host."""

    year: int | None = None
    region: str | None = None
    country: str | None = None

    def values(self) -> dict[str, str | None]:
        return {
            "year": None if self.year is None else str(self.year),
            "region": self.region,
            "country": None if self.country is None else self.country.upper(),
        }


def _course_values(course: TrainingCourse) -> dict[str, list[str]]:
    return {
        "year": [str(course.starts_on.year)],
        "region": [course.region] if course.region else [],
        "country": [course.country] if course.country else [],
    }


def _chosen_courses(filters: TrainingFilter | None) -> dict[str, TrainingCourse]:
    courses = load_training_courses()
    if filters is None:
        return courses
    chosen = filters.values()
    return {
        code: course
        for code, course in courses.items()
        if all(
            value is None or value in _course_values(course)[name] for name, value in chosen.items()
        )
    }


def training_facets(filters: TrainingFilter | None = None) -> FacetCounts:
    """The courses' facets, as Datasette shows them: for the year, the region and the host
    State, each value with the number of courses the list would show with it chosen (the
    other filters kept, this one replaced). The courses are public reference data: every
    reader counts them all."""
    courses = load_training_courses().values()
    chosen = (filters or TrainingFilter()).values()
    return tally((_course_values(course) for course in courses), chosen, TRAINING_FACETS)


def training_courses(
    session: Session, *, viewer: Viewer, filters: TrainingFilter | None = None
) -> list[CourseParticipants]:
    """The Committee's courses (reference data, newest first) with their recorded participants:
    counted for everyone, named only to those who may see the contacts."""
    courses = _chosen_courses(filters)
    counts = {
        code: (count, demo)
        for code, count, demo in session.execute(
            select(
                TrainingParticipation.course_code,
                func.count(),
                func.count().filter(TrainingParticipation.origin == Origin.demo),
            ).group_by(TrainingParticipation.course_code)
        )
    }
    visible: dict[str, list[PointOfContact]] = {}
    for code, contact in session.execute(
        select(TrainingParticipation.course_code, PointOfContact)
        .join(PointOfContact, PointOfContact.id == TrainingParticipation.contact_id)
        .options(selectinload(PointOfContact.state), selectinload(PointOfContact.organisation))
        .where(contact_visible(viewer))
        .order_by(PointOfContact.name, PointOfContact.id)
    ).all():
        visible.setdefault(code, []).append(contact)
    return [
        CourseParticipants(
            course=course,
            count=counts.get(code, (0, 0))[0],
            synthetic=counts.get(code, (0, 0))[1] > 0,
            visible=visible.get(code, []),
        )
        for code, course in reversed(list(courses.items()))
    ]


def training_reads(
    session: Session, *, viewer: Viewer, filters: TrainingFilter | None = None
) -> tuple[list[TrainingCourseRead], bool]:
    """`training_courses` as read shapes (/api/v1/trainings), and whether any participant is
    synthetic: cached per viewer (who may see which contact) and filters until contacts or
    reference data change."""

    def compute() -> tuple[list[TrainingCourseRead], bool]:
        courses = training_courses(session, viewer=viewer, filters=filters)
        items = [
            course_read(c.course, count=c.count, synthetic=c.synthetic, visible=c.visible)
            for c in courses
        ]
        return items, any(c.synthetic for c in courses)

    return cached(
        session,
        ("training_reads", viewer, filters),
        depends_on=(CONTACTS, REFERENCE),
        compute=compute,
    )


def contacts_by_ids(session: Session, ids: Iterable[int], viewer: Viewer) -> list[PointOfContact]:
    return list(
        session.scalars(
            select(PointOfContact).where(PointOfContact.id.in_(list(ids)), contact_visible(viewer))
        )
    )


def known_courses(codes: Iterable[str]) -> list[str]:
    """The codes among `codes` that are not training courses."""
    courses = load_training_courses()
    return [code for code in codes if code not in courses]


def organisation_trainings(
    session: Session, viewer: Viewer, organisation: Organisation
) -> list[TrainingCourseRead]:
    """The courses an organisation took part in: those whose funders or note name it (by its
    acronym, as the sources word them) and those its recorded contacts attended."""
    acronym = organisation.acronym.casefold()
    attended = set(
        session.scalars(
            select(TrainingParticipation.course_code)
            .join(PointOfContact, PointOfContact.id == TrainingParticipation.contact_id)
            .where(PointOfContact.organisation_id == organisation.id)
        )
    )

    def named(course: TrainingCourse) -> bool:
        words = " ".join([*course.funders, course.note]).casefold()
        return acronym in re.split(r"[^\w]+", words)

    return [
        course_read(item.course, count=item.count, synthetic=item.synthetic, visible=item.visible)
        for item in training_courses(session, viewer=viewer)
        if item.course.code in attended or named(item.course)
    ]
