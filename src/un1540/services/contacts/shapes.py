"""Contact rows -> wire shapes (schemas/contacts.py): the only place that maps them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from un1540.models import Organisation, Origin, PointOfContact, State
from un1540.reference.training import TrainingCourse, load_training_courses
from un1540.schemas.contacts import (
    ContactRead,
    ContactSummaryRead,
    ParticipantRead,
    TrainingCourseRead,
    TrainingRef,
)
from un1540.schemas.matrix import StateRef
from un1540.services.contacts.freshness import is_stale, stale_from
from un1540.services.contacts.rules import contact_actions
from un1540.services.kernel.access import Viewer

# Said wherever the courses are shown: they are the public record, not demo data.
REFERENCE_NOTICE = (
    "The training courses are real, sourced reference data (the public record of the 1540 "
    "Committee's regional courses for points of contact; each has its source). The participants "
    "recorded here are whatever this installation holds; in the demo they are synthetic."
)


def contact_read(
    contact: PointOfContact, viewer: Viewer, *, on: date, stale_months: int
) -> ContactRead:
    courses = load_training_courses()
    trainings = [
        TrainingRef(code=course.code, when=course.when, place=course.place)
        for course in (courses.get(t.course_code) for t in contact.trainings)
        if course is not None
    ]
    return ContactRead(
        id=contact.id,
        state=StateRef(iso3=contact.state.iso3, name=contact.state.short_name)
        if contact.state
        else None,
        organisation=contact.organisation.code if contact.organisation else None,
        name=contact.name,
        role=contact.role.value,
        position=contact.position,
        agency=contact.agency,
        languages=list(contact.languages),
        email=contact.email,
        phone=contact.phone,
        channels=contact.channels,
        designated_on=contact.designated_on,
        confirmed_on=contact.confirmed_on,
        stale=is_stale(contact.confirmed_on, on=on, stale_months=stale_months),
        stale_from=stale_from(contact.confirmed_on, stale_months),
        account_linked=contact.user_id is not None,
        trainings=trainings,
        revision=contact.revision,
        synthetic=contact.origin is Origin.demo,
        allowed_actions=contact_actions(viewer, contact),
    )


@dataclass(frozen=True)
class ContactSummary:
    """What everyone may know of one party's contacts (reads.contact_summaries makes them)."""

    state: State | None
    organisation: Organisation | None
    count: int
    designated_since: date | None
    stale: int
    synthetic: bool


def summary_read(summary: ContactSummary) -> ContactSummaryRead:
    state, organisation = summary.state, summary.organisation
    return ContactSummaryRead(
        state=StateRef(iso3=state.iso3, name=state.short_name) if state is not None else None,
        organisation=organisation.code if organisation is not None else None,
        count=summary.count,
        designated_since=summary.designated_since,
        stale=summary.stale,
    )


def participant_read(contact: PointOfContact) -> ParticipantRead:
    return ParticipantRead(
        id=contact.id,
        name=contact.name,
        state=contact.state.iso3 if contact.state else None,
        organisation=contact.organisation.code if contact.organisation else None,
    )


def course_read(
    course: TrainingCourse, *, count: int, synthetic: bool, visible: list[PointOfContact]
) -> TrainingCourseRead:
    return TrainingCourseRead(
        code=course.code,
        when=course.when,
        starts_on=course.starts_on,
        ends_on=course.ends_on,
        date_precision=course.date_precision,
        place=course.place,
        country=course.country,
        region=course.region,
        audience=course.audience,
        funders=list(course.funders),
        ordinal=course.ordinal,
        note=course.note,
        source=course.source,
        source_url=course.source_url,
        reference=True,
        participants_count=count,
        participants_synthetic=synthetic,
        participants=[participant_read(contact) for contact in visible],
    )
