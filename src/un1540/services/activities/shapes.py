"""Activity rows -> wire shapes (schemas/activities.py)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from un1540.models import OrganisationActivity, Origin
from un1540.schemas.activities import ActivityRead
from un1540.services.activities.reads import ActivityFilter, activity_viewer_key, list_activities
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.cache import cached
from un1540.services.kernel.data_version import ASSISTANCE, REFERENCE
from un1540.services.kernel.paging import PageRequest


def activity_read(activity: OrganisationActivity) -> ActivityRead:
    return ActivityRead(
        id=activity.id,
        organisation=activity.organisation.code,
        organisation_name=activity.organisation.acronym or activity.organisation.name,
        state=activity.state.iso3,
        state_name=activity.state.short_name,
        programme=activity.programme,
        description=activity.description,
        fields=list(activity.fields),
        weapons=list(activity.weapons),
        start_on=activity.start_on,
        end_on=activity.end_on,
        visibility=str(activity.visibility),
        recorded_at=activity.recorded_at,
        synthetic=activity.origin is Origin.demo,
    )


def activities_page(
    session: Session, *, viewer: Viewer, filters: ActivityFilter, paging: PageRequest | None = None
) -> tuple[list[ActivityRead], int]:
    """One page of the activities the viewer may see, as wire shapes (for the pages that list
    them beside other records: an organisation's, a State's)."""
    filters.check(session)  # bad input: refused here, before anything is cached
    paging = paging or PageRequest()

    def compute() -> tuple[list[ActivityRead], int]:
        rows, total = list_activities(session, viewer=viewer, filters=filters, paging=paging)
        return [activity_read(row) for row in rows], total

    # Once per filters, page and viewer key (`activity_visible`) until an activity (assistance
    # scope), an organisation or a State's name (reference) change.
    return cached(
        session,
        ("activities_page", filters, paging.offset, paging.page_size, activity_viewer_key(viewer)),
        depends_on=(ASSISTANCE, REFERENCE),
        compute=compute,
    )
