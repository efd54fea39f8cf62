"""Synthetic incidents for the demo: a plausible spread across years, regions, material
categories and kinds, some of them restricted.

Shape (to show the register and its trends at work, not to say anything about real States):
most incidents concern other radioactive material (lost or stolen sealed sources), fewer nuclear
material, chemical or biological material; kinds, groupings, sources and confirmation vary; about
one in six is restricted (a few shared with the State concerned). Every summary starts with
"[Synthetic]"; every record has origin `demo`. Deterministic: the same States give the same data.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta

from sqlalchemy.orm import Session

from un1540.models import Origin, State
from un1540.models.base import today
from un1540.reference.incidents import load_incident_vocabulary
from un1540.schemas.incidents import IncidentCreate
from un1540.services.incidents.actions import import_incidents
from un1540.services.kernel.access import system_viewer

ACTOR = "demo-generator"
# A fixed window, like the demo editions' (2006 to 2025): the same data whatever the day.
FIRST_DAY, LAST_DAY = date(2012, 1, 1), date(2025, 12, 31)
CATEGORY_WEIGHTS = {"radioactive": 6, "nuclear": 2, "chemical": 2, "biological": 1}
KIND_WEIGHTS = {
    "loss": 5,
    "theft": 4,
    "unauthorised_possession": 4,
    "illicit_trafficking": 3,
    "scam": 2,
    "attempted_acquisition": 1,
    "hoax": 1,
    "use": 1,
}
ORGANISATIONS = {"nuclear": "iaea", "radioactive": "iaea", "chemical": "opcw", "biological": "who"}
SUMMARY = "[Synthetic] demonstration incident: {kind} of {material}; not a real event."


def _rng(iso3: str) -> random.Random:
    return random.Random(int(hashlib.sha256(f"incidents:{iso3}".encode()).hexdigest()[:12], 16))


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def demo_incidents(states: list[State]) -> list[IncidentCreate]:
    """The synthetic incidents of these States (0 to 3 each), in a stable order."""
    vocabulary = load_incident_vocabulary()
    until = min(LAST_DAY, today())
    span = (until - FIRST_DAY).days
    incidents: list[IncidentCreate] = []
    for state in sorted(states, key=lambda item: item.iso3):
        rng = _rng(state.iso3)
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            category = _pick(rng, CATEGORY_WEIGHTS)
            material_class = rng.choice(list(vocabulary.categories[category].classes))
            kind = _pick(rng, KIND_WEIGHTS)
            occurred = FIRST_DAY + timedelta(days=rng.randrange(span))
            reported = min(until, occurred + timedelta(days=rng.randrange(0, 90)))
            source = rng.choice(("state_reported", "state_reported", "organisation", "open_source"))
            grouping = (
                "trafficking_or_malicious"
                if kind in ("illicit_trafficking", "attempted_acquisition", "scam", "use")
                else rng.choice(("undetermined", "unrelated", "undetermined"))
            )
            restricted = rng.random() < 0.17
            incidents.append(
                IncidentCreate(
                    occurred_on=occurred,
                    reported_on=reported,
                    states=[state.iso3],
                    category=category,
                    material_class=material_class,
                    kind=kind,
                    grouping=grouping,
                    source=source,
                    organisation=ORGANISATIONS[category] if source == "organisation" else None,
                    confirmation=rng.choice(("confirmed", "confirmed", "confirmed", "unconfirmed")),
                    summary=SUMMARY.format(
                        kind=vocabulary.kinds[kind].name.lower(),
                        material=vocabulary.class_name(category, material_class).lower(),
                    ),
                    restricted=restricted,
                    share_with_state=restricted and rng.random() < 0.5,
                )
            )
    return incidents


def load_demo_incidents(session: Session, states: list[State]) -> int:
    """Record the synthetic incidents of these States (one import, origin demo)."""
    incidents = demo_incidents(states)
    if not incidents:
        return 0
    return import_incidents(
        session,
        viewer=system_viewer(ACTOR),
        rows=[(number, data) for number, data in enumerate(incidents, start=1)],
        problems=[],
        file_name="synthetic-demo-incidents",
        origin=Origin.demo,
    ).rows
