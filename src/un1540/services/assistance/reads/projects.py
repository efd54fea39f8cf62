"""Projects, as the viewer may see them: whoever may see a project's request sees the project."""

from __future__ import annotations

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session, selectinload

from un1540.errors import NotFound, text
from un1540.models import AssistanceProject, AssistanceRequest
from un1540.reference.languages import N_
from un1540.services.assistance.reads.requests import request_visible
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.paging import PageRequest

SIDES = ("recipient", "provider")


def project_visible(viewer: Viewer) -> ColumnElement[bool]:
    return AssistanceProject.request_id.in_(
        select(AssistanceRequest.id).where(request_visible(viewer))
    )


def get_project(session: Session, *, viewer: Viewer, project_id: int) -> AssistanceProject:
    project = session.scalars(
        select(AssistanceProject)
        .options(
            selectinload(AssistanceProject.milestones), selectinload(AssistanceProject.feedback)
        )
        .where(AssistanceProject.id == project_id, project_visible(viewer))
    ).first()
    if project is None:
        raise NotFound(
            text(
                N_("no project %(project_id)s that you may see"),
                project_id=project_id,
            )
        )
    return project


def list_projects(
    session: Session, *, viewer: Viewer, paging: PageRequest | None = None
) -> tuple[list[AssistanceProject], int]:
    """The projects this viewer may see, newest first, one page of them."""
    paging = paging or PageRequest()
    condition = project_visible(viewer)
    total = session.scalar(select(func.count()).select_from(AssistanceProject).where(condition))
    rows = session.scalars(
        select(AssistanceProject)
        .options(
            selectinload(AssistanceProject.milestones), selectinload(AssistanceProject.feedback)
        )
        .where(condition)
        .order_by(AssistanceProject.id.desc())
        .offset((paging.page - 1) * paging.page_size)
        .limit(paging.page_size)
    ).all()
    return list(rows), total or 0


def visible_projects(session: Session, viewer: Viewer) -> list[AssistanceProject]:
    """Every project this viewer may see (for the views across them: who does what where)."""
    return list(
        session.scalars(
            select(AssistanceProject).where(project_visible(viewer)).order_by(AssistanceProject.id)
        )
    )


def feedback_due(project: AssistanceProject) -> list[str]:
    """The sides that still owe feedback on a project in delivery or delivered."""
    if project.status not in ("in_delivery", "delivered"):
        return []
    given = {f.side for f in project.feedback}
    return [side for side in SIDES if side not in given]
