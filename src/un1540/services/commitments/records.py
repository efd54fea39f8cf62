"""The records that fulfil commitments (a pledge or contribution, an assistance project, an
action plan, an approved edition in which a field changed): found as their author may see them,
labelled for a reader, and offered in the portal's pickers. A record a reader may not see is
never named to them."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, or_, select, true
from sqlalchemy.orm import Session

from un1540.models import (
    ActionPlan,
    AssistanceProject,
    CellEntry,
    Commitment,
    CommitmentFulfilment,
    EditionStatus,
    Framework,
    FundingEntry,
    MatrixEdition,
    Role,
    State,
)
from un1540.services.action_plans.reads import plan_visible
from un1540.services.assistance.reads.projects import project_visible
from un1540.services.kernel.access import Viewer, edition_visible, visible
from un1540.services.matrix.layout import framework_layout

FUNDING, PROJECT, PLAN, EDITION = "funding_entry", "assistance_project", "action_plan", "edition"
# How each kind of record is named in messages.
RECORD_NAMES = {
    FUNDING: "pledge or contribution",
    PROJECT: "assistance project",
    PLAN: "action plan",
    EDITION: "matrix edition",
}
PICKER_LIMIT = 200


def funding_visible(viewer: Viewer) -> ColumnElement[bool]:
    """SQL: the pledges and contributions this viewer may see (the assistance domain's rule), and
    an organisation's own for its contacts."""
    if viewer.is_committee_side:
        return true()
    allowed = [visible(FundingEntry.visibility, viewer, FundingEntry.donor_state_id)]
    if viewer.role is Role.provider and viewer.organisation_id is not None:
        allowed.append(FundingEntry.donor_organisation_id == viewer.organisation_id)
    return or_(*allowed)


def find_record(
    session: Session, viewer: Viewer, kind: str, record_id: int
) -> FundingEntry | AssistanceProject | ActionPlan | MatrixEdition | None:
    """The record if it exists and `viewer` may see it (editions: any status; the caller asks
    for an approved one)."""
    if kind == FUNDING:
        return session.scalars(
            select(FundingEntry).where(FundingEntry.id == record_id, funding_visible(viewer))
        ).first()
    if kind == PROJECT:
        return session.scalars(
            select(AssistanceProject).where(
                AssistanceProject.id == record_id, project_visible(viewer)
            )
        ).first()
    if kind == PLAN:
        return session.scalars(
            select(ActionPlan).where(ActionPlan.id == record_id, plan_visible(viewer))
        ).first()
    if kind == EDITION:
        return session.scalars(
            select(MatrixEdition).where(MatrixEdition.id == record_id, edition_visible(viewer))
        ).first()
    return None


def _field_marks(
    session: Session, viewer: Viewer, edition: MatrixEdition, field_code: str
) -> dict[str, str]:
    layout = framework_layout(session, session.get_one(Framework, edition.framework_id))
    field = layout.fields.get(field_code)
    if field is None:
        return {}
    ids = [cell.id for cell in field.cells]
    rows = session.execute(
        select(CellEntry.cell_id, CellEntry.mark).where(
            CellEntry.edition_id == edition.id,
            CellEntry.cell_id.in_(ids),
            visible(CellEntry.visibility, viewer, edition.state_id),  # type: ignore[arg-type]
        )
    ).all()
    return {layout.by_id[cell_id].key: str(mark) for cell_id, mark in rows}


def previous_approved(session: Session, edition: MatrixEdition) -> MatrixEdition | None:
    """The State's approved edition before this one, if any."""
    return session.scalars(
        select(MatrixEdition)
        .where(
            MatrixEdition.state_id == edition.state_id,
            MatrixEdition.status == EditionStatus.approved,
            MatrixEdition.number < edition.number,
        )
        .order_by(MatrixEdition.number.desc())
    ).first()


def field_changed(
    session: Session, viewer: Viewer, edition: MatrixEdition, field_code: str
) -> bool:
    """The field's marks in this approved edition differ from those of the State's previous
    approved edition (any mark, in the cells `viewer` may see; a first edition changes every
    field it marks)."""
    now = _field_marks(session, viewer, edition, field_code)
    before_edition = previous_approved(session, edition)
    before = _field_marks(session, viewer, before_edition, field_code) if before_edition else {}
    keys = set(now) | set(before)
    return any(now.get(key, "") != before.get(key, "") for key in keys)


@dataclass(frozen=True)
class RecordLabel:
    label: str
    page: str


def _funding_label(entry: FundingEntry) -> RecordLabel:
    return RecordLabel(
        f"{entry.kind} of {entry.amount:,.2f} {entry.currency} by {entry.donor_name}, "
        f"{entry.made_on.isoformat()}",
        "/funding",
    )


def _edition_label(edition: MatrixEdition, state: State) -> RecordLabel:
    approved = edition.approved_on.isoformat() if edition.approved_on else edition.status
    return RecordLabel(
        f"{state.short_name}: edition {edition.number} ({approved})",
        f"/states/{state.iso3}/editions/{edition.number}",
    )


def record_label(
    session: Session, viewer: Viewer, fulfilment: CommitmentFulfilment
) -> RecordLabel | None:
    """The fulfilling record's label and page, or None when the viewer may not see it."""
    record_id = (
        fulfilment.funding_entry_id
        or fulfilment.assistance_project_id
        or fulfilment.action_plan_id
        or fulfilment.edition_id
    )
    if record_id is None:
        return None
    record = find_record(session, viewer, fulfilment.kind, record_id)
    if isinstance(record, FundingEntry):
        return _funding_label(record)
    if isinstance(record, AssistanceProject):
        return RecordLabel(record.title, f"/assistance/projects/{record.id}")
    if isinstance(record, ActionPlan):
        return RecordLabel(record.title, f"/action-plans/{record.id}")
    if isinstance(record, MatrixEdition):
        return _edition_label(record, session.get_one(State, record.state_id))
    return None


def candidates(
    session: Session, viewer: Viewer, commitment: Commitment
) -> dict[str, list[tuple[int, str]]]:
    """The records `viewer` may name as fulfilling the commitment, by kind (the portal's
    pickers): the owner's pledges and contributions, the projects the viewer may see, the
    State's action plans and approved editions (every State's for an organisation's)."""
    funding = select(FundingEntry).where(funding_visible(viewer))
    plans = select(ActionPlan).where(plan_visible(viewer))
    editions = (
        select(MatrixEdition, State)
        .join(State, State.id == MatrixEdition.state_id)
        .where(MatrixEdition.status == EditionStatus.approved, edition_visible(viewer))
    )
    if commitment.state_id is not None:
        funding = funding.where(FundingEntry.donor_state_id == commitment.state_id)
        plans = plans.where(ActionPlan.state_id == commitment.state_id)
        editions = editions.where(MatrixEdition.state_id == commitment.state_id)
    else:
        funding = funding.where(FundingEntry.donor_organisation_id == commitment.organisation_id)
    projects = select(AssistanceProject).where(project_visible(viewer))
    return {
        FUNDING: [
            (entry.id, _funding_label(entry).label)
            for entry in session.scalars(
                funding.order_by(FundingEntry.made_on.desc(), FundingEntry.id.desc()).limit(
                    PICKER_LIMIT
                )
            )
        ],
        PROJECT: [
            (project.id, f"{project.title} ({project.status})")
            for project in session.scalars(
                projects.order_by(AssistanceProject.id.desc()).limit(PICKER_LIMIT)
            )
        ],
        PLAN: [
            (plan.id, f"{plan.title} ({plan.submitted_on.isoformat()})")
            for plan in session.scalars(
                plans.order_by(ActionPlan.submitted_on.desc()).limit(PICKER_LIMIT)
            )
        ],
        EDITION: [
            (edition.id, _edition_label(edition, state).label)
            for edition, state in session.execute(
                editions.order_by(MatrixEdition.approved_on.desc(), MatrixEdition.id.desc()).limit(
                    PICKER_LIMIT
                )
            ).all()
        ],
    }
