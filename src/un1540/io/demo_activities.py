"""Synthetic organisations' activities for the demo: what the IAEA, the OPCW, the BWC ISU,
INTERPOL, the WCO, UNODC and regional organisations might do in the demo States, and a few that
overlap demo projects (another organisation, the same State and field, at the same time) so that
the duplication warnings show.

Shape (to show who does what where at work, not to say anything about real States or real
programmes): zero to two activities per State from a fixed list of plausible kinds of work,
with periods in a fixed window; about one in four is seen only by the Committee side and the
State concerned (the default), the others are public. Every programme starts with
"[Synthetic]"; every record has origin `demo`. Deterministic: the same States and projects give
the same data.
"""

from __future__ import annotations

import hashlib
import random
from datetime import date, timedelta

from sqlalchemy.orm import Session

from un1540.models import Origin, State
from un1540.schemas.activities import DEFAULT_VISIBILITY, ActivityCreate
from un1540.services.activities.actions import import_activities
from un1540.services.assistance.reads.overview import project_engagement
from un1540.services.assistance.reads.projects import visible_projects
from un1540.services.kernel.access import system_viewer

ACTOR = "demo-generator"
FIRST_DAY = date(2022, 1, 1)  # a fixed window: the same data whatever the day
DESCRIPTION = "[Synthetic] demonstration activity; not a real programme."
# (organisation, programme, fields, weapons): plausible kinds of work for each organisation.
KINDS = [
    ("iaea", "nuclear security of radioactive sources", ["op3ab.secure_storage"], ["nw"]),
    ("iaea", "border radiation detection", ["op3cd.border_detection"], ["nw"]),
    ("opcw", "national implementing legislation", ["op2.manufacture", "op2.possess"], ["cw"]),
    ("opcw", "chemical transfers control", ["op3cd.control_lists"], ["cw"]),
    ("bwc_isu", "biosecurity of laboratories", ["op3ab.secure_use"], ["bw"]),
    ("interpol", "countering illicit trafficking", ["op3cd.illicit_trafficking"], []),
    ("wco", "strategic trade enforcement", ["op3cd.border_control", "op3cd.transit"], []),
    ("unodc", "criminalisation of terrorist offences", ["op2.terrorist_purposes"], []),
    ("eu", "export control outreach", ["op3cd.export_control_law", "op3cd.licensing"], []),
    ("au", "regional implementation workshop", ["op3cd.enforcement_agencies"], []),
]
# Who records an activity overlapping a demo project: the first that is not its provider.
OVERLAPPING = ["wco", "interpol", "eu", "unodc"]


def _rng(key: str) -> random.Random:
    return random.Random(int(hashlib.sha256(f"activities:{key}".encode()).hexdigest()[:12], 16))


def _activity(
    rng: random.Random,
    organisation: str,
    iso3: str,
    programme: str,
    fields: list[str],
    weapons: list[str],
    start: date,
    days: int,
) -> ActivityCreate:
    return ActivityCreate(
        organisation=organisation,
        state=iso3,
        programme=f"[Synthetic] {programme}",
        description=DESCRIPTION,
        fields=fields,
        weapons=weapons,
        start_on=start,
        end_on=start + timedelta(days=days),
        visibility=DEFAULT_VISIBILITY if rng.random() < 0.25 else "public",
    )


def demo_activities(session: Session, states: list[State]) -> list[ActivityCreate]:
    """The synthetic activities of these States, and those overlapping demo projects."""
    activities: list[ActivityCreate] = []
    for state in sorted(states, key=lambda item: item.iso3):
        rng = _rng(state.iso3)
        for organisation, programme, fields, weapons in rng.sample(KINDS, rng.choice((0, 1, 2))):
            start = FIRST_DAY + timedelta(days=rng.randrange(4 * 365))
            activities.append(
                _activity(rng, organisation, state.iso3, programme, fields, weapons, start, 540)
            )
    engagements = [
        e for e in map(project_engagement, visible_projects(session, system_viewer(ACTOR))) if e
    ]
    for engagement in engagements[:3]:
        rng = _rng(f"project:{engagement.id}")
        organisation = next(
            code for code in OVERLAPPING if engagement.provider_key != f"organisation:{code}"
        )
        start = engagement.start if engagement.start != date.min else FIRST_DAY
        overlap = _activity(
            rng,
            organisation,
            engagement.iso3,
            "training overlapping a demo project",
            [engagement.fields[0]],
            [],  # every weapon category: it overlaps whatever the project's are
            start,
            365,
        )
        activities.append(overlap.model_copy(update={"visibility": "public"}))
    return activities


def load_demo_activities(session: Session, states: list[State]) -> int:
    """Record the synthetic activities (one import, origin demo)."""
    activities = demo_activities(session, states)
    if not activities:
        return 0
    return import_activities(
        session,
        viewer=system_viewer(ACTOR),
        rows=list(enumerate(activities, start=1)),
        problems=[],
        file_name="synthetic-demo-activities",
        origin=Origin.demo,
    ).rows
