"""A visit's briefing, generated from the data: the visit and the State's profile as the reader
may see it (the latest matrix with its gaps by section and weapon, open and past assistance
requests and projects, funding received, earlier visits, and the sections wired in later:
contacts, reporting status, action plans). Only the Committee side and the visited State read
it, once the Committee has accepted the invitation (visits/rules.py, `briefing`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from un1540.models import Origin
from un1540.models.base import utc_now
from un1540.schemas.profiles import StateProfile
from un1540.schemas.visits import BriefingRead, VisitRead
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.envelope import envelope
from un1540.services.profiles.reads import state_profile
from un1540.services.visits.reads import get_visit
from un1540.services.visits.rules import visit_rules
from un1540.services.visits.shapes import visit_reads


def visit_briefing(
    session: Session, *, viewer: Viewer, visit_id: int
) -> tuple[VisitRead, StateProfile, BriefingRead]:
    visit = get_visit(session, viewer=viewer, visit_id=visit_id)
    visit_rules.check(viewer, visit, "briefing")
    read = visit_reads(session, viewer, [visit])[0]
    profile = state_profile(session, viewer=viewer, iso3=visit.state.iso3)
    synthetic = profile.synthetic or visit.origin is Origin.demo
    briefing = BriefingRead(
        **envelope(synthetic),
        visit=read,
        generated_at=utc_now(),
        profile=profile.model_dump(mode="json"),
    )
    return read, profile, briefing
