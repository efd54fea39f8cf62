"""Points of contact (services/contacts/): bad input named and nothing written, one party per
contact, freshness and reminders on a clock the tests control (also as a queued job), confirming
in one step, and who sees what (the State profile's read included)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Inbox
from tests.factories import make_user
from un1540.errors import Conflict, InvalidData, NotFound
from un1540.models import Notification, PointOfContact, State
from un1540.schemas.contacts import ContactConfirm, ContactCreate
from un1540.services.contacts.actions import (
    confirm_contact,
    create_contact,
    queue_contact_reminders,
    send_contact_reminders,
)
from un1540.services.contacts.freshness import add_months, is_stale
from un1540.services.contacts.reads import contacts_for_profile, list_contacts, stale_contacts
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.services.kernel.jobs import InlineJobs, configure_jobs
from un1540.services.kernel.paging import PageRequest
from un1540.services.notifications.email import SmtpSettings, send_pending_emails
from un1540.services.notifications.reads import list_notifications
from un1540.settings import Settings

DESIGNATED = date(2024, 1, 10)
TODAY = date(2024, 6, 1)
CONTACT: dict[str, Any] = {
    "state": "TCD",
    "name": "Amina Example",
    "role": "capital",
    "email": "amina@example.org",
    "phone": "+00 000 000 001",
    "languages": ["fr", "ar"],
    "designated_on": DESIGNATED,
}


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(PointOfContact)) or 0


@pytest.fixture
def people(empty_session: Session) -> dict[str, Viewer]:
    with empty_session.begin():
        return {
            "expert": make_user(empty_session, role="expert", email="expert@example.org"),
            "poc": make_user(empty_session, role="state_poc", email="poc@example.org", iso3="TCD"),
            "state": make_user(
                empty_session, role="state_poc", email="chad@example.org", iso3="TCD"
            ),
            "other": make_user(
                empty_session, role="state_poc", email="other@example.org", iso3="NER"
            ),
            "provider": make_user(
                empty_session, role="provider", email="provider@example.org", org="iaea"
            ),
        }


def _designate(session: Session, viewer: Viewer, **changes: Any) -> PointOfContact:
    return create_contact(
        session, viewer=viewer, data=ContactCreate(**{**CONTACT, **changes}), on=TODAY
    )


def test_bad_input_names_the_field_and_writes_nothing(
    empty_session: Session, people: dict[str, Viewer]
) -> None:
    expert = people["expert"]
    _designate(empty_session, expert, account="poc@example.org")
    before = _count(empty_session)
    cases: list[tuple[dict[str, Any], type[Exception], str]] = [
        ({"confirmed_on": date(2023, 12, 31)}, InvalidData, "confirmed_on"),  # before designated
        ({"designated_on": date(2024, 6, 2)}, InvalidData, "designated_on"),  # in the future
        ({"confirmed_on": date(2024, 6, 2)}, InvalidData, "confirmed_on"),  # in the future
        ({"designated_on": date(2003, 1, 1)}, InvalidData, "designated_on"),  # before 1540
        ({"organisation": "iaea"}, InvalidData, "organisation"),  # a State and an organisation
        ({"account": "other@example.org"}, InvalidData, "account"),  # Niger's account
        ({"name": "Other", "account": "poc@example.org"}, InvalidData, "account"),  # linked
        ({"role": "organisation"}, InvalidData, "role"),
        ({"languages": ["fr", "xx"]}, InvalidData, "languages"),
        ({"trainings": ["2018-addis-ababa", "1999-nowhere"]}, InvalidData, "trainings"),
        ({"email": "not an address"}, InvalidData, "email"),
        ({"name": "  amina   EXAMPLE "}, Conflict, "name"),  # the same person, twice
        ({"name": "Someone Else"}, Conflict, "email"),  # the same address, twice
    ]
    for changes, error, field in cases:
        base = {"name": "Fresh Name", "email": "x@example.org"} if error is InvalidData else {}
        with pytest.raises(error) as raised:
            _designate(empty_session, expert, **{**base, **changes})
        assert field in {problem.where for problem in raised.value.problems}, (changes, raised)  # type: ignore[attr-defined]
        assert _count(empty_session) == before, changes
    with pytest.raises(ValidationError) as unknown:
        ContactCreate(**CONTACT, nickname="x")  # type: ignore[arg-type]
    assert unknown.value.errors()[0]["loc"] == ("nickname",)
    with pytest.raises(ValidationError):
        ContactCreate(**{**CONTACT, "state": ["TCD", "NER"]})


def test_a_contact_belongs_to_one_party_even_in_the_database(empty_session: Session) -> None:
    chad, niger = (
        empty_session.scalars(select(State.id).where(State.iso3 == code)).one()
        for code in ("TCD", "NER")
    )
    assert chad != niger
    for state_id, organisation_id in ((chad, 1), (None, None)):
        with pytest.raises(IntegrityError), empty_session.begin_nested():
            empty_session.add(
                PointOfContact(
                    state_id=state_id,
                    organisation_id=organisation_id,
                    party_key="x",
                    name="n",
                    name_key="n",
                    role="capital",
                    languages=[],
                    designated_on=DESIGNATED,
                    confirmed_on=DESIGNATED,
                    origin="entry",
                )
            )


def test_freshness_and_reminders_on_a_clock_the_test_controls(
    empty_session: Session, people: dict[str, Viewer], inbox: tuple[Inbox, int]
) -> None:
    session = empty_session
    contact = _designate(session, people["expert"], account="poc@example.org")
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    stale_day = date(2025, 1, 10)  # 12 months after the last confirmation
    assert not is_stale(contact.confirmed_on, on=date(2025, 1, 9), stale_months=12)
    assert is_stale(contact.confirmed_on, on=stale_day, stale_months=12)
    assert stale_contacts(session, on=date(2025, 1, 9)) == []
    assert stale_contacts(session, on=date(2024, 7, 10), stale_months=6) == [contact]
    assert send_contact_reminders(session, on=date(2025, 1, 9)) == 0
    assert send_contact_reminders(session, on=stale_day) == 1
    assert send_contact_reminders(session, on=date(2025, 3, 1)) == 0  # once per stale spell
    told = {
        name: list_notifications(session, viewer=people[name])[0]
        for name in ("poc", "state", "other", "provider")
    }
    assert [t.subject for t in told["poc"]] == [
        "Please confirm your point of contact Amina Example (Chad)"
    ]
    assert "last confirmed on 2024-01-10" in told["state"][0].body  # the State's other account
    assert told["other"] == []
    assert told["provider"] == []
    received, port = inbox
    sent = send_pending_emails(
        session, SmtpSettings(host="127.0.0.1", port=port, sender="un1540@test")
    )
    assert sent == 2
    assert {m["To"] for m in received.messages} == {"poc@example.org", "chad@example.org"}
    assert f"/api/v1/contacts/{contact.id}" in str(received.messages[0].get_payload())
    # Confirmed in one step: fresh again, and reminded again only when it goes stale again.
    confirm_contact(session, viewer=people["poc"], contact_id=contact.id, on=date(2025, 3, 2))
    assert (contact.confirmed_on, contact.reminded_on) == (date(2025, 3, 2), None)
    assert send_contact_reminders(session, on=date(2026, 3, 1)) == 0
    assert send_contact_reminders(session, on=date(2026, 3, 2)) == 1


def test_reminders_are_a_queued_job(
    empty_sessions: sessionmaker[Session], people: dict[str, Viewer]
) -> None:
    settings = Settings(jobs_inline=True)
    configure_jobs(empty_sessions, InlineJobs(empty_sessions, settings))
    with empty_sessions() as session:
        _designate(session, people["expert"])
        assert queue_contact_reminders(session, on=date(2025, 6, 1)) is None  # queued, then run
        notifications = session.scalars(
            select(Notification).where(Notification.entity_type == "point_of_contact")
        ).all()
        assert len(notifications) == 2  # Chad's two accounts, by the job after the commit
        assert {n.params["confirmed_on"] for n in notifications} == {"2024-01-10"}


def test_confirm_in_one_step_by_its_own_account_not_another_states(
    empty_session: Session, people: dict[str, Viewer]
) -> None:
    contact = _designate(session := empty_session, people["expert"], account="poc@example.org")
    with pytest.raises(NotFound):
        confirm_contact(session, viewer=people["other"], contact_id=contact.id, on=TODAY)
    with pytest.raises(NotFound):
        confirm_contact(session, viewer=people["provider"], contact_id=contact.id, on=TODAY)
    with pytest.raises(InvalidData) as dates:
        confirm_contact(
            session,
            viewer=people["poc"],
            contact_id=contact.id,
            data=ContactConfirm(email="nowhere"),
            on=TODAY,
        )
    assert [p.where for p in dates.value.problems] == ["email"]
    assert (contact.confirmed_on, contact.email) == (DESIGNATED, "amina@example.org")
    confirmed = confirm_contact(
        session,
        viewer=people["poc"],
        contact_id=contact.id,
        data=ContactConfirm(phone="+00 000 000 999", trainings=["2019-addis-ababa"]),
        on=TODAY,
    )
    assert (confirmed.confirmed_on, confirmed.phone) == (TODAY, "+00 000 000 999")
    assert [t.course_code for t in confirmed.trainings] == ["2019-addis-ababa"]


def test_who_sees_what_and_the_state_profile(
    empty_session: Session, people: dict[str, Viewer]
) -> None:
    session = empty_session
    _designate(session, people["expert"])
    _designate(session, people["state"], name="Second", email="", role="mission")
    chad = session.scalars(select(State.id).where(State.iso3 == "TCD")).one()
    paging = PageRequest()
    seen = {
        name: list_contacts(session, viewer=viewer, paging=paging, on=TODAY)[1]
        for name, viewer in {**people, "public": PUBLIC}.items()
    }
    assert seen == {"expert": 2, "poc": 2, "state": 2, "other": 0, "provider": 0, "public": 0}
    public = contacts_for_profile(session, PUBLIC, chad, on=date(2025, 2, 1))
    assert public.contacts is None
    assert (public.summary.count, public.summary.designated_since, public.summary.stale) == (
        2,
        DESIGNATED,
        2,
    )
    assert "amina@example.org" not in public.model_dump_json()
    other = contacts_for_profile(session, people["other"], chad, on=TODAY)
    assert other.contacts is None
    assert other.summary.count == 2
    own = contacts_for_profile(session, people["poc"], chad, on=TODAY)
    assert own.contacts is not None
    assert sorted(c.name for c in own.contacts) == ["Amina Example", "Second"]
    assert all(c.allowed_actions == ["edit", "confirm"] for c in own.contacts)
