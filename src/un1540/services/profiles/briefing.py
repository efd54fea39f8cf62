"""A visit's briefing, generated from the data: the visit and the State's profile as the reader
may see it (the latest matrix with its gaps by section and weapon, open and past assistance
requests and projects, funding received, earlier visits, and the sections wired in later:
contacts, reporting status, action plans). Only the Committee side and the visited State read
it, once the Committee has accepted the invitation (visits/rules.py, `briefing`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from un1540.models import Origin
from un1540.models.base import today, utc_now
from un1540.schemas.profiles import StateProfile
from un1540.schemas.visits import BriefingRead, VisitRead
from un1540.services.kernel.access import Viewer, viewer_identity
from un1540.services.kernel.cache import cached
from un1540.services.kernel.data_version import (
    ACTION_PLANS,
    ASSISTANCE,
    CONTACTS,
    DOCUMENTS,
    ENGAGEMENT,
    INDICATORS,
    MATRIX,
    REFERENCE,
    VISITS,
    state_scope,
)
from un1540.services.kernel.envelope import envelope
from un1540.services.profiles.reads import state_profile
from un1540.services.visits.reads import get_visit
from un1540.services.visits.rules import visit_rules
from un1540.services.visits.shapes import visit_reads

# Every scope a State's profile reads but the States' own (kernel/data_version.py): its
# matrix and documents (the State's scope, `matrix` for what approvals count), requests,
# projects and funding, visits, incidents, contacts, reporting, action plans (and their
# matrix-derived progress), organisations and names.
PROFILE_SCOPES = (
    REFERENCE,
    MATRIX,
    DOCUMENTS,
    ASSISTANCE,
    INDICATORS,
    CONTACTS,
    ACTION_PLANS,
    VISITS,
    ENGAGEMENT,
)


def briefing_profile(session: Session, *, viewer: Viewer, iso3: str) -> StateProfile:
    """The visited State's profile as this viewer may see it, computed once per day and data
    versions (a write to another State's matrix outdates nothing of it). Keyed by everything a
    visibility rule or an allowed action may read of the viewer (role, State, organisation,
    account, a read-only token), so a profile is never served to a reader who may see other
    records; the day, for the reporting status and the contacts' staleness."""
    return cached(
        session,
        ("briefing_profile", iso3, viewer_identity(viewer), viewer.can_write, today()),
        depends_on=(state_scope(iso3), *PROFILE_SCOPES),
        compute=lambda: state_profile(session, viewer=viewer, iso3=iso3),
    )


def visit_briefing(
    session: Session, *, viewer: Viewer, visit_id: int
) -> tuple[VisitRead, StateProfile, BriefingRead]:
    visit = get_visit(session, viewer=viewer, visit_id=visit_id)
    visit_rules.check(viewer, visit, "briefing")
    read = visit_reads(session, viewer, [visit])[0]
    profile = briefing_profile(session, viewer=viewer, iso3=visit.state.iso3)
    synthetic = profile.synthetic or visit.origin is Origin.demo
    briefing = BriefingRead(
        **envelope(synthetic),
        visit=read,
        generated_at=utc_now(),
        profile=profile.model_dump(mode="json"),
    )
    return read, profile, briefing
