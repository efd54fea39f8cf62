"""Synthetic reporting history for the demo, clearly labelled as such (docs/reporting.md).

The main generator (`demo.py`) gives every State a first national report and one to three
addenda. This adds, from its own random stream (so nothing the main generator drew changes):

- additional information from about half of the States, dated 2008 to 2024;
- for about one State in eight, a further addendum that the State has not agreed to publish:
  visible to the Committee side and that State's points of contact only, so the public figures
  (public reports only) and the Committee's figures differ as they would in practice.

Every title starts with "[Synthetic]"; every date follows resolution 1540 (28 April 2004) and the
State's first report, and every report goes through the documents service, which refuses a report
dated before the resolution.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.models import Document, DocumentKind, Origin, State, Visibility
from un1540.models.base import today
from un1540.services.documents.actions import DocumentInput, register_document

ACTOR = "demo-generator"
ADDITIONAL_INFORMATION_SHARE = 0.5
UNPUBLISHED_SHARE = 0.125


def _rng(iso3: str) -> random.Random:
    seed = hashlib.sha256(f"un1540-demo/reporting/{iso3}".encode()).digest()
    return random.Random(int.from_bytes(seed[:8], "big"))


def _day(rng: random.Random, year: int, after: date) -> date:
    drawn = date(year, rng.randint(1, 12), rng.randint(1, 28))
    return max(drawn, date(after.year + 1, 1, 15)) if drawn <= after else drawn


def _reports_of(session: Session, state: State) -> list[Document]:
    return list(
        session.scalars(
            select(Document)
            .where(
                Document.state_id == state.id,
                Document.kind.in_([DocumentKind.national_report, DocumentKind.addendum]),
                Document.issued_on.is_not(None),
            )
            .order_by(Document.issued_on)
        )
    )


def generate_state_reporting(session: Session, state: State) -> int:
    """The synthetic additional information and unpublished addenda of one State; returns how
    many reports were added."""
    existing = _reports_of(session, state)
    if not existing or existing[0].issued_on is None:
        return 0  # a State without a first report stays without one
    first, language = existing[0].issued_on, existing[0].language
    last_year = min(2024, today().year)
    rng = _rng(state.iso3)
    documents = []
    if rng.random() < ADDITIONAL_INFORMATION_SHARE:
        span = range(max(2008, first.year + 1), last_year + 1)
        years = sorted(rng.sample(span, min(len(span), rng.randint(1, 2))))
        for number, year in enumerate(years, start=1):
            documents.append(
                DocumentInput(
                    kind=DocumentKind.additional_information.value,
                    title=f"[Synthetic] Additional information {number} from {state.short_name} "
                    "on resolution 1540",
                    language=language,
                    issued_on=_day(rng, year, first),
                    iso3=state.iso3,
                    symbol=f"SYNTHETIC/AI/{state.iso3}/{year}/{number}",
                    visibility=Visibility.public,
                )
            )
    if rng.random() < UNPUBLISHED_SHARE and first.year < last_year:
        year = rng.randint(min(max(2010, first.year + 1), last_year), last_year)
        documents.append(
            DocumentInput(
                kind=DocumentKind.addendum.value,
                title=f"[Synthetic] Addendum from {state.short_name}, not published "
                "(the State has not agreed to its publication)",
                language=language,
                issued_on=_day(rng, year, first),
                iso3=state.iso3,
                symbol=f"SYNTHETIC/NR/{state.iso3}/{year}/Add.unpublished",
                visibility=Visibility.owning_state_and_committee,
            )
        )
    for document in documents:
        register_document(session, document=document, origin=Origin.demo, actor=ACTOR)
    return len(documents)


def load_demo_reporting(session: Session, states: list[State]) -> int:
    """The reporting part of the demo for these States (inside the demo's one action)."""
    return sum(generate_state_reporting(session, state) for state in states)
