"""Designating, correcting and confirming points of contact, and reminding States of the stale
ones (docs/contacts.md).

Every write checks everything first and names each problem (a field that does not exist is
refused by the input shapes; dates out of order or in the future, a contact bound to both a
State and an organisation or to another party's account, an unknown language or course, the
same person designated twice by the same party): nothing is written when one is found.
The day of a write (`on`) defaults to today; tests pass their own clock.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from un1540.errors import Conflict, InvalidData, Problem, text
from un1540.models import (
    ContactRole,
    Organisation,
    Origin,
    PointOfContact,
    Role,
    State,
    TrainingParticipation,
    UserAccount,
)
from un1540.models.base import today, utc_now
from un1540.reference.languages import N_, UN_LANGUAGES
from un1540.schemas.contacts import ContactConfirm, ContactCreate, ContactUpdate
from un1540.services.contacts import notices
from un1540.services.contacts.freshness import DEFAULT_STALE_MONTHS
from un1540.services.contacts.reads import get_contact, known_courses, stale_contacts
from un1540.services.contacts.rules import CONTACT_RULES, PARTY_RULES, Party, contact_state
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.jobs import JobRun, defer_job, job_task
from un1540.services.kernel.unit_of_work import action

RESOLUTION_ADOPTED = date(2004, 4, 28)  # no State designated a 1540 contact before it
SYSTEM_ACTOR = "system: contact reminders"
CONTACT_REMINDERS = "un1540.contact_reminders"
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def name_key(name: str) -> str:
    """The name as duplicates are found: case and runs of spaces folded."""
    return " ".join(name.casefold().split())


def _party(
    session: Session, state_code: str | None, organisation_code: str | None, problems: list[Problem]
) -> tuple[State | None, Organisation | None]:
    if state_code and organisation_code:
        problems.append(
            Problem(
                "organisation",
                N_("a contact belongs to exactly one State or one organisation, not both"),
            )
        )
        return None, None
    if not (state_code or organisation_code):
        problems.append(Problem("state", N_("give the designating State (or an organisation)")))
        return None, None
    if state_code:
        state = session.scalars(select(State).where(State.iso3 == state_code.upper()[:3])).first()
        if state is None or len(state_code) != 3:
            problems.append(
                Problem(
                    "state",
                    text(
                        N_("unknown State %(state_code)s"),
                        state_code=repr(state_code[:20]),
                    ),
                )
            )
            return None, None
        return state, None
    organisation = session.scalars(
        select(Organisation).where(Organisation.code == (organisation_code or "")[:40])
    ).first()
    if organisation is None:
        problems.append(Problem("organisation", N_("unknown organisation code")))
    return None, organisation


def _check_fields(
    *,
    party: Party,
    role: str | None,
    languages: list[str] | None,
    email: str | None,
    trainings: list[str] | None,
    designated_on: date,
    confirmed_on: date,
    on: date,
    problems: list[Problem],
) -> None:
    if role is not None:
        allowed = (
            (ContactRole.capital.value, ContactRole.mission.value)
            if party.state_id is not None
            else (ContactRole.organisation.value,)
        )
        if role not in allowed:
            problems.append(
                Problem(
                    "role",
                    text(
                        N_("must be %(allowed)s for this designating party"),
                        allowed=" or ".join(allowed),
                    ),
                )
            )
    if languages is not None:
        unknown = [code for code in languages if code not in UN_LANGUAGES]
        if unknown:
            problems.append(
                Problem(
                    "languages",
                    text(
                        N_("unknown: %(unknown)s"),
                        unknown=", ".join(unknown),
                    ),
                )
            )
        if len(set(languages)) != len(languages):
            problems.append(Problem("languages", N_("lists a language twice")))
    if email and not _EMAIL.match(email):
        problems.append(Problem("email", N_("is not an e-mail address")))
    if trainings is not None:
        unknown = known_courses(trainings)
        if unknown:
            problems.append(
                Problem(
                    "trainings",
                    text(
                        N_("unknown course(s): %(unknown)s"),
                        unknown=", ".join(unknown),
                    ),
                )
            )
        if len(set(trainings)) != len(trainings):
            problems.append(Problem("trainings", N_("lists a course twice")))
    if designated_on > on:
        problems.append(
            Problem(
                "designated_on",
                text(
                    N_("is in the future (after %(on)s)"),
                    on=on,
                ),
            )
        )
    if designated_on < RESOLUTION_ADOPTED:
        problems.append(
            Problem("designated_on", N_("is before resolution 1540 was adopted (28 April 2004)"))
        )
    if confirmed_on > on:
        problems.append(
            Problem(
                "confirmed_on",
                text(
                    N_("is in the future (after %(on)s)"),
                    on=on,
                ),
            )
        )
    if confirmed_on < designated_on:
        problems.append(
            Problem(
                "confirmed_on",
                text(
                    N_("is before designated_on (%(designated_on)s); dates out of order"),
                    designated_on=designated_on,
                ),
            )
        )


def _account(
    session: Session, email: str, party: Party, contact_id: int | None, problems: list[Problem]
) -> UserAccount | None:
    account = session.scalars(
        select(UserAccount).where(func.lower(UserAccount.email) == email.strip().lower())
    ).first()
    if account is None or not account.is_active:
        problems.append(Problem("account", N_("no active account with this e-mail address")))
        return None
    if party.state_id is not None:
        belongs = account.role is Role.state_poc and account.state_id == party.state_id
    else:
        belongs = account.role is Role.provider and account.organisation_id == party.organisation_id
    if not belongs:
        problems.append(
            Problem(
                "account",
                N_(
                    "belongs to another State or organisation (or is not a point of contact's "
                    "account): a contact is bound to exactly one State or one organisation"
                ),
            )
        )
        return None
    linked = session.scalar(
        select(PointOfContact.id).where(
            PointOfContact.user_id == account.id, PointOfContact.id != (contact_id or 0)
        )
    )
    if linked is not None:
        problems.append(
            Problem(
                "account",
                text(
                    N_("is already linked to point of contact %(linked)s"),
                    linked=linked,
                ),
            )
        )
        return None
    return account


def _duplicate(
    session: Session, party_key: str, name: str, email: str, contact_id: int | None
) -> None:
    conditions = [PointOfContact.name_key == name_key(name)]
    if email:
        conditions.append(func.lower(PointOfContact.email) == email.lower())
    found = session.execute(
        select(PointOfContact.id, PointOfContact.name_key)
        .where(
            PointOfContact.party_key == party_key,
            PointOfContact.id != (contact_id or 0),
            or_(*conditions),
        )
        .limit(1)
    ).first()
    if found is not None:
        field = "name" if found[1] == name_key(name) else "email"
        raise Conflict(
            text(
                N_(
                    "duplicate submission: point of contact %(found)s is the same "
                    "person for the same State or organisation; nothing was saved"
                ),
                found=found[0],
            ),
            problems=[
                Problem(
                    field,
                    text(
                        N_("already designated (point of contact %(found)s)"),
                        found=found[0],
                    ),
                )
            ],
        )


def _set_trainings(contact: PointOfContact, codes: list[str], origin: Origin) -> None:
    kept = {t.course_code: t for t in contact.trainings}
    contact.trainings = [
        kept.get(code) or TrainingParticipation(course_code=code, origin=origin) for code in codes
    ]


@action
def create_contact(
    session: Session,
    *,
    viewer: Viewer,
    data: ContactCreate,
    on: date | None = None,
    origin: Origin = Origin.entry,
) -> PointOfContact:
    """Designate a point of contact; every problem is reported at once, nothing is saved."""
    day = on or today()
    problems: list[Problem] = []
    state_code, organisation_code = data.state, data.organisation
    if not (state_code or organisation_code):  # a State's (or organisation's) own: its own
        if viewer.role is Role.state_poc and viewer.state_id is not None:
            own = session.get(State, viewer.state_id)
            state_code = own.iso3 if own else None
        elif viewer.role is Role.provider and viewer.organisation_id is not None:
            mine = session.get(Organisation, viewer.organisation_id)
            organisation_code = mine.code if mine else None
    state, organisation = _party(session, state_code, organisation_code, problems)
    if state is None and organisation is None:
        raise InvalidData(
            N_("say who designates the contact; nothing was saved"), problems=problems
        )
    party = Party(state.id if state else None, organisation.id if organisation else None)
    PARTY_RULES.check(viewer, party, "designate")
    designated = data.designated_on or day
    confirmed = data.confirmed_on or designated
    _check_fields(
        party=party,
        role=data.role,
        languages=data.languages,
        email=data.email,
        trainings=data.trainings,
        designated_on=designated,
        confirmed_on=confirmed,
        on=day,
        problems=problems,
    )
    account = _account(session, data.account, party, None, problems) if data.account else None
    if not data.name.strip():
        problems.append(Problem("name", N_("must not be empty")))
    if problems:
        raise InvalidData(
            N_("the point of contact is not valid; nothing was saved"), problems=problems
        )
    party_key = f"state:{state.id}" if state else f"organisation:{organisation.id}"  # type: ignore[union-attr]
    _duplicate(session, party_key, data.name, data.email.strip(), None)
    contact = PointOfContact(
        state_id=party.state_id,
        organisation_id=party.organisation_id,
        party_key=party_key,
        user_id=account.id if account else None,
        name=data.name.strip(),
        name_key=name_key(data.name),
        role=ContactRole(data.role),
        position=data.position.strip(),
        agency=data.agency.strip(),
        languages=list(data.languages),
        email=data.email.strip(),
        phone=data.phone.strip(),
        channels=data.channels.strip(),
        designated_on=designated,
        confirmed_on=confirmed,
        origin=origin,
        created_by=viewer.actor,
    )
    _set_trainings(contact, list(data.trainings), origin)
    session.add(contact)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="point_of_contact.create",
        entity_type="point_of_contact",
        entity_id=str(contact.id),
        after=_audited(contact, state),
    )
    return contact


def _audited(contact: PointOfContact, state: State | None) -> dict[str, object]:
    """What the audit trail keeps: the party and the dates, never the contact's details."""
    return {
        "state": state.iso3 if state else "",
        "party": contact.party_key,
        "role": contact.role.value,
        "designated_on": contact.designated_on.isoformat(),
        "confirmed_on": contact.confirmed_on.isoformat(),
        "account_linked": contact.user_id is not None,
    }


def _apply(
    session: Session,
    contact: PointOfContact,
    data: ContactUpdate | ContactConfirm,
    *,
    day: date,
    confirming: bool,
) -> None:
    """Check every change against the contact as it would become, then make them all."""
    problems: list[Problem] = []
    party = Party(contact.state_id, contact.organisation_id)
    designated = (
        data.designated_on
        if isinstance(data, ContactUpdate) and data.designated_on is not None
        else contact.designated_on
    )
    confirmed = (
        day
        if confirming
        else data.confirmed_on
        if isinstance(data, ContactUpdate) and data.confirmed_on is not None
        else contact.confirmed_on
    )
    _check_fields(
        party=party,
        role=data.role,
        languages=data.languages,
        email=data.email,
        trainings=data.trainings,
        designated_on=designated,
        confirmed_on=confirmed,
        on=day,
        problems=problems,
    )
    account: UserAccount | None = contact.user
    unlink = False
    if isinstance(data, ContactUpdate) and data.account is not None:
        if data.account.strip():
            account = _account(session, data.account, party, contact.id, problems)
        else:
            unlink = True
    if data.name is not None and not data.name.strip():
        problems.append(Problem("name", N_("must not be empty")))
    if problems:
        raise InvalidData(
            N_("the point of contact is not valid; nothing was saved"), problems=problems
        )
    name = data.name.strip() if data.name is not None else contact.name
    email = data.email.strip() if data.email is not None else contact.email
    _duplicate(session, contact.party_key, name, email, contact.id)
    contact.name, contact.name_key, contact.email = name, name_key(name), email
    for field in ("position", "agency", "phone", "channels"):
        value = getattr(data, field)
        if value is not None:
            setattr(contact, field, value.strip())
    if data.role is not None:
        contact.role = ContactRole(data.role)
    if data.languages is not None:
        contact.languages = list(data.languages)
    if data.trainings is not None:
        _set_trainings(contact, list(data.trainings), Origin.entry)
    if isinstance(data, ContactUpdate) and (data.account is not None):
        contact.user_id = None if unlink else (account.id if account else None)
    if confirmed != contact.confirmed_on:
        contact.reminded_on = None  # a new spell: remind again when it goes stale
    contact.designated_on, contact.confirmed_on = designated, confirmed
    contact.updated_at = utc_now()


def _stale_revision(contact: PointOfContact, revision: int | None) -> None:
    if revision is not None and revision != contact.revision:
        raise Conflict(
            text(
                N_(
                    "point of contact %(id)s was changed meanwhile (revision "
                    "%(revision)s, you read %(revision2)s); reload and try again"
                ),
                id=contact.id,
                revision=contact.revision,
                revision2=revision,
            )
        )


@action
def update_contact(
    session: Session,
    *,
    viewer: Viewer,
    contact_id: int,
    data: ContactUpdate,
    on: date | None = None,
) -> PointOfContact:
    """Correct a contact's details (the party, the Committee side, or the contact itself)."""
    contact = get_contact(session, viewer=viewer, contact_id=contact_id)
    CONTACT_RULES.check(viewer, contact_state(contact), "edit")
    _stale_revision(contact, data.revision)
    _apply(session, contact, data, day=on or today(), confirming=False)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="point_of_contact.update",
        entity_type="point_of_contact",
        entity_id=str(contact.id),
        after=_audited(contact, contact.state),
    )
    return contact


@action
def confirm_contact(
    session: Session,
    *,
    viewer: Viewer,
    contact_id: int,
    data: ContactConfirm | None = None,
    on: date | None = None,
) -> PointOfContact:
    """Confirm a contact as it is, or with corrections, in one step: it is fresh again from
    `on` (today). The contact itself (its linked account), its party or the Committee side."""
    contact = get_contact(session, viewer=viewer, contact_id=contact_id)
    CONTACT_RULES.check(viewer, contact_state(contact), "confirm")
    _apply(session, contact, data or ContactConfirm(), day=on or today(), confirming=True)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="point_of_contact.confirm",
        entity_type="point_of_contact",
        entity_id=str(contact.id),
        after=_audited(contact, contact.state),
    )
    return contact


@action
def send_contact_reminders(
    session: Session, *, on: date | None = None, stale_months: int = DEFAULT_STALE_MONTHS
) -> int:
    """Remind the parties of their stale contacts not reminded since they went stale (a
    notification and an e-mail to the State's points of contact, or the organisation's
    accounts, and to the contact itself); returns how many contacts were reminded about."""
    day = on or today()
    reminded = 0
    for contact in stale_contacts(session, on=day, stale_months=stale_months):
        if contact.reminded_on is not None:
            continue
        told = notices.notify_stale(session, contact)
        contact.reminded_on = day
        record_event(
            session,
            actor=SYSTEM_ACTOR,
            action="point_of_contact.stale_reminder",
            entity_type="point_of_contact",
            entity_id=str(contact.id),
            after={"state": contact.state.iso3 if contact.state else "", "told": told},
        )
        reminded += 1
    session.flush()
    return reminded


@job_task(CONTACT_REMINDERS, schedule=lambda settings: settings.reminders_cron)
def contact_reminders_job(
    run: JobRun,
    on: str | None = None,
    stale_months: int | None = None,
    timestamp: int | None = None,
) -> None:
    """The job: send the reminders due on `on` (the day the operator asked for; today when
    the workers queue it on the daily schedule, UN1540_REMINDERS_CRON, with `timestamp`)."""
    with run.sessions() as session:
        send_contact_reminders(
            session,
            on=date.fromisoformat(on) if on else None,
            stale_months=stale_months or run.settings.contact_stale_months,
        )


@action
def queue_contact_reminders(
    session: Session, *, on: date | None = None, stale_months: int = DEFAULT_STALE_MONTHS
) -> int | None:
    """Queue the reminders as a job (the worker sends them); in a process without a queue
    (the command line on SQLite) send them here. Returns how many were sent here, or None
    when the queue took them."""
    day = on or today()
    arguments: dict[str, str | int | None] = {"on": day.isoformat(), "stale_months": stale_months}
    if defer_job(session, CONTACT_REMINDERS, arguments=arguments, lock="contact-reminders"):
        return None
    return send_contact_reminders(session, on=day, stale_months=stale_months)
