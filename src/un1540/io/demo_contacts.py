"""Synthetic points of contact for the demo: most States designate one or two (capital, and
often the permanent mission), some none; a realistic mix of fresh and stale (confirmed within
the last year, or long ago); some attended the Committee's regional training courses for their
region. The courses themselves are real reference data (reference/training-courses.csv); only
the contacts and their attendance are synthetic. Every name says "[Synthetic]", every address is
at example.org, every telephone number is made of zeros; every record has origin `demo`.
Deterministic: the same States give the same contacts (dates counted back from today).
"""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.models import Organisation, Origin, State
from un1540.models.base import today
from un1540.reference.training import load_training_courses
from un1540.schemas.contacts import ContactCreate
from un1540.services.contacts.actions import create_contact
from un1540.services.kernel.access import system_viewer

ACTOR = "demo-generator"
ORGANISATIONS = ("iaea", "opcw", "interpol")  # a few organisations designate theirs too
AGENCIES = (
    "Ministry of Foreign Affairs",
    "National Authority for the Chemical Weapons Convention",
    "Nuclear Regulatory Authority",
    "Customs Administration",
    "Ministry of Defence",
)
LANGUAGES = ("en", "fr", "es", "ar", "ru", "zh")


def _rng(key: str) -> random.Random:
    return random.Random(int(hashlib.sha256(f"contacts:{key}".encode()).hexdigest()[:12], 16))


def load_demo_contacts(session: Session, states: list[State]) -> int:
    """Designate the demo's contacts for `states` (and a few organisations); returns how many."""
    viewer = system_viewer(ACTOR)
    day = today()
    courses = list(load_training_courses().values())
    written = 0
    for state in states:
        rng = _rng(state.iso3)
        if rng.random() < 0.2:
            continue  # this State has designated none (here)
        roles = ["capital"] + (["mission"] if rng.random() < 0.6 else [])
        for number, role in enumerate(roles, start=1):
            designated = day - timedelta(days=rng.randint(200, 3600))
            # About a third are stale: last confirmed more than a year ago (never before the
            # designation, so a contact designated less than a year ago stays fresh).
            span = (day - designated).days
            if rng.random() < 0.35:
                back = rng.randint(min(400, span), span)
            else:
                back = rng.randint(0, min(330, span))
            attended = [
                course.code
                for course in courses
                if course.region == state.electoral_group_code
                and course.starts_on <= day
                and rng.random() < 0.35
            ]
            code = state.iso3.lower()
            create_contact(
                session,
                viewer=viewer,
                data=ContactCreate(
                    state=state.iso3,
                    name=f"[Synthetic] {role.title()} contact {number}, {state.short_name}",
                    role=role,
                    position="1540 focal point" if role == "capital" else "Counsellor",
                    agency=f"[Synthetic] {rng.choice(AGENCIES)}",
                    languages=sorted({"en", rng.choice(LANGUAGES)}),
                    email=f"poc{number}.{code}@example.org",
                    phone=f"+00 000 000 {number:03d}",
                    designated_on=designated,
                    confirmed_on=day - timedelta(days=back),
                    trainings=attended,
                ),
                on=day,
                origin=Origin.demo,
            )
            written += 1
    for code in ORGANISATIONS:
        organisation = session.scalars(
            select(Organisation).where(Organisation.code == code)
        ).first()
        if organisation is None:
            continue
        rng = _rng(code)
        designated = day - timedelta(days=rng.randint(400, 3000))
        create_contact(
            session,
            viewer=viewer,
            data=ContactCreate(
                organisation=code,
                name=f"[Synthetic] Contact, {organisation.acronym}",
                role="organisation",
                agency=f"[Synthetic] {organisation.acronym} secretariat",
                languages=["en"],
                email=f"poc.{code}@example.org",
                phone="+00 000 000 000",
                designated_on=designated,
                confirmed_on=day - timedelta(days=rng.randint(0, 500)),
            ),
            on=day,
            origin=Origin.demo,
        )
        written += 1
    return written
