"""Read-only views across the clearinghouse: who does what where, and the loop on one field.

The loop follows one State x matrix field from the gap through the request items that named it,
the projects that served them, to the later approved editions where the field's marks changed.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.analytics.overlaps import Engagement, Overlap, overlaps_among
from un1540.errors import NotFound, text
from un1540.models import (
    AssistanceProject,
    AssistanceRequest,
    AssistanceRequestItem,
    CellDefinition,
    CellEntry,
    EditionStatus,
    FieldDefinition,
    MatrixEdition,
    Origin,
)
from un1540.models.base import today
from un1540.reference.languages import N_
from un1540.schemas.assistance import (
    DuplicationWarning,
    LoopEdition,
    LoopItem,
    LoopProject,
    LoopRead,
    WhoWhatWhereRow,
)
from un1540.services.assistance.reads.projects import project_visible, visible_projects
from un1540.services.assistance.reads.requests import request_visible
from un1540.services.assistance.shapes import loop_item, loop_project, who_what_where_row
from un1540.services.kernel.access import Viewer, edition_visible, viewer_identity, visible
from un1540.services.kernel.cache import cached
from un1540.services.kernel.data_version import ASSISTANCE, REFERENCE
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework


def _period(project: AssistanceProject) -> tuple[date, date]:
    """The project's period, else its offer's; open ends reach as far as dates go."""
    start = project.start_on or project.offer.start_on or date.min
    end = project.end_on or project.offer.end_on or date.max
    return start, end


def project_engagement(project: AssistanceProject) -> Engagement | None:
    """The project as the overlap check sees it (None: closed, or serving no State)."""
    if project.status == "closed" or project.request.state is None:
        return None
    start, end = _period(project)
    return Engagement(
        kind="project",
        id=project.id,
        provider_key=project.offer.provider_key,
        provider_name=project.offer.provider_name,
        iso3=project.request.state.iso3,
        fields=tuple(project.item.fields),
        weapons=frozenset(project.item.weapons),
        start=start,
        end=end,
    )


def duplication_warning(
    overlap: Overlap, disclosed: Callable[[Engagement], bool] = lambda _e: True
) -> DuplicationWarning:
    """One overlap as a warning. An engagement the reader may not see (`disclosed` false) is
    named only as "an activity by <provider>": no number, programme or period."""
    pair = (overlap.first, overlap.second)
    kinds = {engagement.kind for engagement in pair}
    reason = "two providers work on this State and field in overlapping periods"
    if kinds != {"project"}:
        reason += " (projects and organisations' activities, overlapping weapon categories)"
    return DuplicationWarning(
        iso3=overlap.first.iso3,
        field=overlap.field,
        project_ids=[e.id for e in pair if e.kind == "project"],
        activity_ids=[e.id for e in pair if e.kind == "activity" and disclosed(e)],
        undisclosed=[
            f"an activity by {e.provider_name}"
            for e in pair
            if e.kind == "activity" and not disclosed(e)
        ],
        providers=[e.provider_name for e in pair],
        reason=reason,
    )


def duplication_warnings(projects: Sequence[AssistanceProject]) -> list[DuplicationWarning]:
    """Two providers on the same State and field, with overlapping weapon categories (none
    named: all of them), whose periods overlap (closed projects aside)."""
    engagements = [e for e in map(project_engagement, projects) if e is not None]
    return [duplication_warning(overlap) for overlap in overlaps_among(engagements)]


def under_way(start_on: date | None, end_on: date | None, on: date) -> bool:
    """Whether a project or activity with this period runs on a date: begun (or no start
    recorded) and not yet ended (or no end recorded)."""
    return (start_on is None or start_on <= on) and (end_on is None or end_on >= on)


def who_what_where(
    session: Session, *, viewer: Viewer, as_of: date | None = None
) -> tuple[list[WhoWhatWhereRow], bool]:
    """Provider x State x area for every project the caller may see (under way on `as_of`, if
    given: the field map's date).

    Cached per date and reader until the assistance records or the reference data are written.
    What a reader may see of requests depends on the person (a requester, an organisation):
    the key holds every part of the viewer but the name, so only anonymous readers share an
    entry across people; each person's concurrent requests share one computation."""
    return cached(
        session,
        ("who_what_where", as_of, today(), viewer_identity(viewer)),
        depends_on=(ASSISTANCE, REFERENCE),
        compute=lambda: _who_what_where(session, viewer, as_of),
    )


def _who_what_where(
    session: Session, viewer: Viewer, as_of: date | None
) -> tuple[list[WhoWhatWhereRow], bool]:
    layout = framework_layout(session, default_framework(session))
    projects = visible_projects(session, viewer)
    if as_of is not None:
        # A project without a start date runs from when it was agreed (recorded here).
        projects = [
            p for p in projects if under_way(p.start_on or p.created_at.date(), p.end_on, as_of)
        ]
    rows = []
    for project in projects:
        rows.append(who_what_where_row(project, layout))
    synthetic = any(p.origin is Origin.demo for p in projects)
    return rows, synthetic


def _editions(
    session: Session, viewer: Viewer, state_id: int, code: str
) -> tuple[list[LoopEdition], bool]:
    """The field's marks in each approved edition, and whether any of them is synthetic."""
    rows = session.execute(
        select(
            MatrixEdition.number,
            MatrixEdition.approved_on,
            CellDefinition.key,
            CellEntry.mark,
            MatrixEdition.origin,
        )
        .join(CellEntry, CellEntry.edition_id == MatrixEdition.id)
        .join(CellDefinition, CellDefinition.id == CellEntry.cell_id)
        .join(FieldDefinition, FieldDefinition.id == CellDefinition.field_id)
        .where(
            MatrixEdition.state_id == state_id,
            MatrixEdition.status == EditionStatus.approved,
            edition_visible(viewer),
            visible(CellEntry.visibility, viewer, MatrixEdition.state_id),
            FieldDefinition.code == code,
        )
        .order_by(MatrixEdition.number, CellDefinition.position)
    ).all()
    by_number: dict[int, LoopEdition] = {}
    synthetic = False
    for number, approved_on, key, mark, origin in rows:
        synthetic = synthetic or origin is Origin.demo
        edition = by_number.setdefault(
            number,
            LoopEdition(
                number=number, approved_on=approved_on, marks={}, measures=0, changed=False
            ),
        )
        edition.marks[key] = mark.value
        edition.measures += mark.value == "X"
    editions = [by_number[number] for number in sorted(by_number)]
    for previous, current in itertools.pairwise(editions):
        current.changed = current.marks != previous.marks
    return editions, synthetic


def field_loop(session: Session, *, viewer: Viewer, iso3: str, code: str) -> LoopRead:
    """Gap -> request -> offer -> project -> the later editions where the field changed."""
    state = state_by_iso3(session, iso3)
    layout = framework_layout(session, default_framework(session))
    field = layout.fields.get(code)
    if field is None:
        raise NotFound(
            text(
                N_("no matrix field %(code)s"),
                code=repr(code),
            )
        )
    editions, editions_synthetic = _editions(session, viewer, state.id, code)
    items = [
        item
        for item in session.scalars(
            select(AssistanceRequestItem)
            .join(AssistanceRequest)
            .where(AssistanceRequest.state_id == state.id, request_visible(viewer))
            .order_by(AssistanceRequest.received_on, AssistanceRequestItem.id)
        )
        if code in item.fields
    ]
    projects = session.scalars(
        select(AssistanceProject)
        .where(AssistanceProject.item_id.in_([item.id for item in items]), project_visible(viewer))
        .order_by(AssistanceProject.id)
    ).all()
    requests = [loop_item(item) for item in items]
    loop_projects = [loop_project(p) for p in projects]
    synthetic = (
        editions_synthetic
        or any(i.request.origin is Origin.demo for i in items)
        or any(p.origin is Origin.demo for p in projects)
    )
    return LoopRead(
        **envelope(synthetic),
        iso3=state.iso3,
        state=state.short_name,
        field=code,
        field_name=field.name,
        editions=editions,
        requests=requests,
        projects=loop_projects,
        summary=_summary(editions, requests, loop_projects),
    )


def _summary(
    editions: list[LoopEdition], requests: list[LoopItem], projects: list[LoopProject]
) -> str:
    latest = editions[-1] if editions else None
    gap = (
        "no approved edition yet"
        if latest is None
        else f"the latest approved edition ({latest.number}) records {latest.measures} of "
        f"{len(latest.marks)} cells with a measure"
    )
    asked = requests[0].received_on if requests else None
    after = [e for e in editions if asked and e.approved_on and e.approved_on > asked and e.changed]
    help_text = (
        f"{len(requests)} request item(s) named this field, served by {len(projects)} project(s)"
        if requests
        else "no request has named this field"
    )
    change = (
        f"; the field changed in edition {after[0].number}, approved after the first request"
        if after
        else ""
    )
    return f"{gap}; {help_text}{change}."
