"""Duplication warnings across the clearinghouse's projects and the organisations' activities
(analytics/overlaps.py holds the one comparison: State, field, weapon categories, period).

When a project or an activity is created, it is compared with EVERY activity already recorded
in its State, whoever may see them, and with the projects the creator may see; an activity the
creator may not see is named only as "an activity by <organisation>" (no number, programme or
period). The views across them (who does what where) compare only what their reader may see.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from un1540.analytics.overlaps import Engagement, overlaps_among, overlaps_with
from un1540.models import AssistanceProject, AssistanceRequest, OrganisationActivity
from un1540.models.base import today
from un1540.schemas.assistance import DuplicationWarning
from un1540.services.activities.reads import activities_in, may_see_activity
from un1540.services.assistance.reads.overview import (
    duplication_warning,
    project_engagement,
)
from un1540.services.assistance.reads.projects import project_visible, visible_projects
from un1540.services.kernel.access import Viewer, viewer_identity
from un1540.services.kernel.cache import cached
from un1540.services.kernel.data_version import ASSISTANCE, REFERENCE


def activity_engagement(activity: OrganisationActivity) -> Engagement:
    return Engagement(
        kind="activity",
        id=activity.id,
        provider_key=f"organisation:{activity.organisation.code}",
        provider_name=activity.organisation.name,
        iso3=activity.state.iso3,
        fields=tuple(activity.fields),
        weapons=frozenset(activity.weapons),
        start=activity.start_on,
        end=activity.end_on or date.max,
    )


def _project_engagements(
    session: Session, viewer: Viewer, state_id: int | None = None
) -> list[Engagement]:
    """The projects the viewer may see (in one State, if given) as the overlap check sees them."""
    if state_id is None:
        projects = visible_projects(session, viewer)
    else:
        projects = list(
            session.scalars(
                select(AssistanceProject)
                .join(AssistanceRequest, AssistanceRequest.id == AssistanceProject.request_id)
                .where(AssistanceRequest.state_id == state_id, project_visible(viewer))
                .options(
                    selectinload(AssistanceProject.offer),
                    selectinload(AssistanceProject.item),
                    selectinload(AssistanceProject.request).joinedload(AssistanceRequest.state),
                )
                .order_by(AssistanceProject.id)
            )
        )
    return [e for e in map(project_engagement, projects) if e is not None]


def _warnings_for(
    session: Session, viewer: Viewer, candidate: Engagement, state_id: int
) -> list[DuplicationWarning]:
    activities = activities_in(session, state_id=state_id)
    shown = {a.id for a in activities if may_see_activity(viewer, a)}
    existing = [
        *_project_engagements(session, viewer, state_id),
        *(activity_engagement(a) for a in activities),
    ]

    def disclosed(engagement: Engagement) -> bool:
        return engagement.kind != "activity" or engagement.id in shown or engagement is candidate

    return [
        duplication_warning(overlap, disclosed) for overlap in overlaps_with(candidate, existing)
    ]


def activity_warnings(
    session: Session, *, viewer: Viewer, activity: OrganisationActivity
) -> list[DuplicationWarning]:
    """What a newly recorded activity may duplicate (projects and other organisations')."""
    return _warnings_for(session, viewer, activity_engagement(activity), activity.state_id)


def project_warnings(
    session: Session, *, viewer: Viewer, project: AssistanceProject
) -> list[DuplicationWarning]:
    """What a newly opened project may duplicate (other providers' projects and activities)."""
    candidate = project_engagement(project)
    if candidate is None or project.request.state_id is None:
        return []
    return _warnings_for(session, viewer, candidate, project.request.state_id)


def overview_warnings(session: Session, *, viewer: Viewer) -> list[DuplicationWarning]:
    """Possible duplication among the projects and activities the viewer may see (cached per
    reader and day as `who_what_where`, until the assistance records or the reference data are
    written)."""
    return cached(
        session,
        ("overview_warnings", today(), viewer_identity(viewer)),
        depends_on=(ASSISTANCE, REFERENCE),
        compute=lambda: _overview_warnings(session, viewer),
    )


def _overview_warnings(session: Session, viewer: Viewer) -> list[DuplicationWarning]:
    engagements = [
        *_project_engagements(session, viewer),
        *(activity_engagement(a) for a in activities_in(session, viewer=viewer)),
    ]
    return [duplication_warning(overlap) for overlap in overlaps_among(engagements)]
