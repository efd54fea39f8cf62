"""The demo's points of contact (io/demo_contacts.py): synthetic and saying so, for every State
it is given, with a realistic mix of fresh and stale, attending real courses of their region."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.io.demo_contacts import load_demo_contacts
from un1540.models import Origin, PointOfContact, State, TrainingParticipation
from un1540.models.base import today
from un1540.reference.training import load_training_courses
from un1540.services.contacts.freshness import is_stale


# The generator's arithmetic is the same on both databases: SQLite only (13 s for 193 States).
@pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
def test_every_state_gets_plausible_synthetic_contacts(empty_session: Session) -> None:
    states = list(empty_session.scalars(select(State).order_by(State.iso3)))
    written = load_demo_contacts(empty_session, states)
    contacts = list(empty_session.scalars(select(PointOfContact)))
    assert len(contacts) == written > len(states)  # most States designate one or two
    assert all(c.origin is Origin.demo for c in contacts)
    assert all(c.name.startswith("[Synthetic]") for c in contacts)
    assert all(c.email.endswith("@example.org") for c in contacts)
    assert all(c.designated_on <= c.confirmed_on <= today() for c in contacts)
    stale = sum(is_stale(c.confirmed_on, on=today(), stale_months=12) for c in contacts)
    assert 0.2 < stale / len(contacts) < 0.45
    designating = {c.state_id for c in contacts if c.state_id is not None}
    assert 0.7 < len(designating) / len(states) < 0.9
    attended = list(empty_session.scalars(select(TrainingParticipation)))
    assert attended
    assert {t.course_code for t in attended} <= set(load_training_courses())
    assert all(t.origin is Origin.demo for t in attended)
