"""The edition workflow: open a draft, share, agree, reopen, approve, discard.

    draft --share--> shared --agree--> agreed --approve--> approved (frozen for ever)
                       ^   \\____________approve____________^
                       \\--reopen-- agreed

Experts open, edit, share, reopen and discard; the State's point of contact (or an expert)
records agreement; the committee approves. Who may take a step is `rules.EDITION_RULES`; where it
leads is the edition lifecycle (reference/lifecycles.yml). Every step is one action, audited.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import Integer, Table, and_, func, insert, literal, select, tuple_
from sqlalchemy.orm import Session, aliased

from un1540.errors import Conflict, InvalidData, Problem, text
from un1540.models import (
    ApprovalBasis,
    CellDefinition,
    CellEntry,
    EditionStatus,
    Evidence,
    Framework,
    Mark,
    MatrixEdition,
    Origin,
    State,
    Visibility,
)
from un1540.models.base import today, utc_now
from un1540.reference.languages import N_
from un1540.schemas.text import REASON
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.audit import AuditRecord, record_event, record_events
from un1540.services.kernel.lifecycle import next_step
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.kernel.unit_of_work import action
from un1540.services.matrix import notices
from un1540.services.matrix.actions.claims import claim_edition
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.evidence import rule_breaks
from un1540.services.matrix.reads.frameworks import default_framework
from un1540.services.matrix.rules import EDITION_LIFECYCLE, open_draft_refusal
from un1540.services.matrix.summaries import write_summary

# The State's review period when the door does not say (UN1540_REVIEW_PERIOD_DAYS).
DEFAULT_REVIEW_DAYS = 60
MAX_REVIEW_DAYS = 3650
# Cells named in the message of a refused approval; the details list them all.
NAMED_IN_MESSAGE = 10

OPEN_STATUSES = tuple(
    EditionStatus(code)
    for code in EDITION_LIFECYCLE.statuses
    if code not in EDITION_LIFECYCLE.final
)


def _edition_audit(edition: MatrixEdition) -> dict[str, object]:
    audit: dict[str, object] = {
        "status": edition.status.value,
        "revision": edition.revision,
        "visibility": edition.visibility.value,
    }
    if edition.response_due_on is not None:
        audit["response_due_on"] = edition.response_due_on.isoformat()
    if edition.approval_basis:
        audit["approval_basis"] = edition.approval_basis
    return audit


def _step(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str,
    number: int,
    step: str,
    reason: str,
    changes: Callable[[MatrixEdition], None] | None = None,
    claimed: tuple[State, MatrixEdition] | None = None,
) -> tuple[State, MatrixEdition]:
    """Check the rule, then move the edition one step along its lifecycle, audited; `changes`
    records what else the step sets on the edition (after the audit's "before" is taken).
    The edition is claimed first (claims.py), unless the caller `claimed` it already."""
    state, edition = claimed or claim_edition(
        session, viewer=viewer, iso3=iso3, number=number, step=step
    )
    reason = REASON.require(reason, "reason", message=f"the edition was not changed ({step})")
    transition = next_step(
        EDITION_LIFECYCLE,
        edition.status.value,
        step,
        record=f"edition {edition.number} of {state.short_name} ({state.iso3})",
    )
    before = _edition_audit(edition)
    if changes is not None:
        changes(edition)
    edition.status = EditionStatus(transition.target)
    edition.revision += 1
    _STAMPS[step](session, viewer, state, edition)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action=f"edition.{step}",
        entity_type="matrix_edition",
        entity_id=f"{state.iso3}/{edition.number}",
        before=before,
        after=_edition_audit(edition),
        reason=reason,
    )
    return state, edition


def _stamp_shared(session: Session, viewer: Viewer, state: State, edition: MatrixEdition) -> None:
    edition.shared_at = utc_now()


def _stamp_agreed(session: Session, viewer: Viewer, state: State, edition: MatrixEdition) -> None:
    edition.agreed_at = utc_now()


def _stamp_reopened(session: Session, viewer: Viewer, state: State, edition: MatrixEdition) -> None:
    edition.agreed_at = None


def _stamp_approved(session: Session, viewer: Viewer, state: State, edition: MatrixEdition) -> None:
    """Published: dated no earlier than the State's previous approved edition, public for ever."""
    previous = session.scalar(
        select(func.max(MatrixEdition.approved_on)).where(
            MatrixEdition.state_id == state.id, MatrixEdition.status == EditionStatus.approved
        )
    )
    edition.approved_on = max(today(), previous) if previous else today()
    edition.approved_at = utc_now()
    edition.approved_by = viewer.actor
    edition.visibility = Visibility.public
    write_summary(session, edition)  # frozen from now on: its tallies, for coverage on a date


# What each step records on the edition besides its status.
_STAMPS = {
    "share": _stamp_shared,
    "agree": _stamp_agreed,
    "reopen": _stamp_reopened,
    "approve": _stamp_approved,
}


def _copy_cells(
    session: Session, drafts: list[tuple[MatrixEdition, MatrixEdition | None, Framework]]
) -> None:
    """Every cell of its framework into each new draft: its source edition's values, or blank.

    Copied inside the database (INSERT ... SELECT), cells then their evidence, for every draft
    at once: opening drafts costs a few statements whatever the number of drafts and cells, on
    SQLite and PostgreSQL alike (each statement is a round trip to PostgreSQL)."""
    by_framework: dict[int, list[tuple[MatrixEdition, MatrixEdition | None]]] = {}
    frameworks: dict[int, Framework] = {}
    for target, source, framework in drafts:
        by_framework.setdefault(framework.id, []).append((target, source))
        frameworks[framework.id] = framework
    copied_to: dict[int, int] = {}  # source edition id -> new draft id
    for framework_id, pairs in by_framework.items():
        layout = framework_layout(session, frameworks[framework_id])
        layout_ids = sorted(cell.id for cell in layout.cells)
        mapping = {source.id: target.id for target, source in pairs if source is not None}
        present: dict[int, set[int]] = {target.id: set() for target, _ in pairs}
        if mapping:
            # How many of the framework's cells each source holds; all of them, as a rule.
            counts: dict[int, int] = {
                edition_id: count
                for edition_id, count in session.execute(
                    select(CellEntry.edition_id, func.count())
                    .where(
                        CellEntry.edition_id.in_(list(mapping)),
                        CellEntry.cell_id.in_(layout_ids),
                    )
                    .group_by(CellEntry.edition_id)
                )
            }
            for source_id, target_id in mapping.items():
                if counts.get(source_id, 0) == len(layout_ids):
                    present[target_id] = set(layout_ids)
                elif counts.get(source_id, 0):
                    present[target_id] = set(
                        session.scalars(
                            select(CellEntry.cell_id).where(
                                CellEntry.edition_id == source_id,
                                CellEntry.cell_id.in_(layout_ids),
                            )
                        )
                    )
            mapping = {s: t for s, t in mapping.items() if present[t]}
        if mapping:
            columns = ["edition_id", "cell_id", "mark", "remark", "revision", "visibility"]
            columns += ["treaty_status", "signed_on", "status_on", "asserted_by"]
            # The draft found by its based_on and the framework's cells by a join, not by an
            # expression of the ids (a CASE of every draft and a list of every cell, evaluated
            # for each row copied: a third of the statement's time on PostgreSQL).
            draft = aliased(MatrixEdition)
            old = (
                select(
                    draft.id,
                    CellEntry.cell_id,
                    CellEntry.mark,
                    CellEntry.remark,
                    literal(1, Integer),
                    literal(Visibility.public, CellEntry.__table__.c.visibility.type),
                    CellEntry.treaty_status,
                    CellEntry.signed_on,
                    CellEntry.status_on,
                    CellEntry.asserted_by,
                )
                .join(draft, draft.based_on_id == CellEntry.edition_id)
                .join(CellDefinition, CellDefinition.id == CellEntry.cell_id)
                .where(
                    CellEntry.edition_id.in_(list(mapping)),
                    draft.id.in_(list(mapping.values())),
                    CellDefinition.framework_id == framework_id,
                )
                .order_by(CellEntry.id)
            )
            session.execute(insert(CellEntry).from_select(columns, old))
            copied_to.update(mapping)
        blank = [
            {
                "edition_id": target.id,
                "cell_id": cell.id,
                "mark": Mark.blank,
                "remark": "",
                "revision": 1,
                "visibility": Visibility.public,
            }
            for target, _ in pairs
            for cell in layout.cells
            if cell.id not in present[target.id]
        ]
        if blank:
            session.execute(insert(CellEntry), blank)
    if not copied_to:
        return
    old_entry, new_entry, draft = aliased(CellEntry), aliased(CellEntry), aliased(MatrixEdition)
    # Joined through the draft's based_on (not an expression of the ids): each step is an index.
    evidence = (
        select(
            new_entry.id,
            Evidence.document_id,
            Evidence.page,
            Evidence.article,
            Evidence.paragraph,
            Evidence.quotation,
            Evidence.visibility,
        )
        .join(old_entry, Evidence.cell_entry_id == old_entry.id)
        .join(draft, draft.based_on_id == old_entry.edition_id)
        .join(
            new_entry,
            and_(new_entry.edition_id == draft.id, new_entry.cell_id == old_entry.cell_id),
        )
        .where(
            old_entry.edition_id.in_(list(copied_to)),
            draft.id.in_(list(copied_to.values())),
        )
        .order_by(Evidence.id)
    )
    session.execute(
        insert(Evidence).from_select(
            [
                "cell_entry_id",
                "document_id",
                "page",
                "article",
                "paragraph",
                "quotation",
                "visibility",
            ],
            evidence,
        )
    )


def next_edition_number(session: Session, state: State) -> int:
    return (
        session.scalar(
            select(func.max(MatrixEdition.number)).where(MatrixEdition.state_id == state.id)
        )
        or 0
    ) + 1


def new_draft_edition(
    session: Session,
    *,
    viewer: Viewer,
    state: State,
    source: MatrixEdition | None,
    framework: Framework,
    note: str = "",
) -> MatrixEdition:
    """A new draft of the State on `framework`, based on `source` (cells not yet copied)."""
    edition = MatrixEdition(
        state_id=state.id,
        framework_id=framework.id,
        number=next_edition_number(session, state),
        status=EditionStatus(EDITION_LIFECYCLE.initial),
        # A draft copied from demo data holds demo data, and must say so wherever it shows.
        origin=Origin.demo if source is not None and source.origin is Origin.demo else Origin.entry,
        visibility=Visibility.owning_state_and_committee,
        based_on_id=source.id if source else None,
        created_by=viewer.actor,
        note=note,
    )
    session.add(edition)
    session.flush()
    return edition


def latest_approved(session: Session, state_ids: list[int]) -> dict[int, MatrixEdition]:
    """State id -> its latest approved edition (States without one are left out), one query."""
    latest = (
        select(MatrixEdition.state_id, func.max(MatrixEdition.number).label("number"))
        .where(
            MatrixEdition.state_id.in_(state_ids),
            MatrixEdition.status == EditionStatus.approved,
        )
        .group_by(MatrixEdition.state_id)
        .subquery()
    )
    return {
        edition.state_id: edition
        for edition in session.scalars(
            select(MatrixEdition).join(
                latest,
                and_(
                    MatrixEdition.state_id == latest.c.state_id,
                    MatrixEdition.number == latest.c.number,
                ),
            )
        )
    }


def open_editions(session: Session, state_ids: list[int]) -> dict[int, MatrixEdition]:
    """State id -> its open edition (draft, shared or agreed; at most one each), one query."""
    return {
        edition.state_id: edition
        for edition in session.scalars(
            select(MatrixEdition)
            .where(MatrixEdition.state_id.in_(state_ids), MatrixEdition.status.in_(OPEN_STATUSES))
            .order_by(MatrixEdition.id.desc())
        )
    }


@action
def open_draft(session: Session, *, viewer: Viewer, iso3: str, reason: str = "") -> MatrixEdition:
    """A new draft for the State, copied from its latest approved edition (or blank)."""
    refusal = open_draft_refusal(viewer)
    if refusal is not None:
        raise refusal
    state = state_by_iso3(session, iso3)
    reason = REASON.require(reason, "reason", message=N_("no draft was opened"))
    open_edition = open_editions(session, [state.id]).get(state.id)
    if open_edition is not None:
        raise Conflict(
            text(
                N_(
                    "%(iso3)s already has an open edition (%(number)s, %(value)s); "
                    "finish or discard it first"
                ),
                iso3=state.iso3,
                number=open_edition.number,
                value=open_edition.status.value,
            ),
            details={"open_edition": open_edition.number},
        )
    source = latest_approved(session, [state.id]).get(state.id)
    return open_drafts(session, viewer=viewer, drafts=[(state, source)], reason=reason)[0]


@action
def open_drafts(
    session: Session,
    *,
    viewer: Viewer,
    drafts: list[tuple[State, MatrixEdition | None]],
    reason: str,
) -> list[MatrixEdition]:
    """New drafts for these States, each copied from the edition given (the State's latest
    approved one, or None: blank). The caller has found that none has an open edition; the
    drafts are opened in a few statements whatever their number (an import of every State)."""
    refusal = open_draft_refusal(viewer)
    if refusal is not None:
        raise refusal
    if not drafts:
        return []
    numbers: dict[int, int] = {
        state_id: number
        for state_id, number in session.execute(
            select(MatrixEdition.state_id, func.max(MatrixEdition.number))
            .where(MatrixEdition.state_id.in_([state.id for state, _ in drafts]))
            .group_by(MatrixEdition.state_id)
        )
    }
    default = None
    rows: list[dict[str, Any]] = []
    sources = []
    for state, source in drafts:
        if source is not None:
            framework = session.get(Framework, source.framework_id)
        else:
            default = default or default_framework(session)
            framework = default
        assert framework is not None  # guaranteed by the foreign key
        rows.append(
            {
                "state_id": state.id,
                "framework_id": framework.id,
                "number": numbers.get(state.id, 0) + 1,
                "status": EditionStatus(EDITION_LIFECYCLE.initial),
                # A draft copied from demo data holds demo data, and must say so wherever it shows.
                "origin": Origin.demo
                if source is not None and source.origin is Origin.demo
                else Origin.entry,
                "visibility": Visibility.owning_state_and_committee,
                "based_on_id": source.id if source else None,
                "created_by": viewer.actor,
            }
        )
        sources.append((source, framework))
    # One INSERT for all the drafts (the ORM would insert them one by one to learn their ids),
    # then one SELECT for them by their (State, number).
    session.execute(insert(cast(Table, MatrixEdition.__table__)), rows)  # Core: one statement
    keys: list[tuple[int, int]] = [(row["state_id"], row["number"]) for row in rows]
    created = {
        (edition.state_id, edition.number): edition
        for edition in session.scalars(
            select(MatrixEdition).where(
                tuple_(MatrixEdition.state_id, MatrixEdition.number).in_(keys)
            )
        )
    }
    planned = [
        (created[key], source, framework)
        for key, (source, framework) in zip(keys, sources, strict=True)
    ]
    _copy_cells(session, planned)
    record_events(
        session,
        [
            AuditRecord(
                actor=viewer.actor,
                action="edition.open_draft",
                entity_type="matrix_edition",
                entity_id=f"{state.iso3}/{edition.number}",
                reason=reason,
                after={
                    "based_on": source.number if source else None,
                    "framework": framework.slug,
                },
            )
            for (state, _), (edition, source, framework) in zip(drafts, planned, strict=True)
        ],
    )
    return [edition for edition, _, _ in planned]


def _review_period(review_days: int) -> Callable[[MatrixEdition], None]:
    """What sharing (or reopening) sets: the State's response is due `review_days` from today."""
    if not 1 <= review_days <= MAX_REVIEW_DAYS:
        raise InvalidData(
            N_("the edition was not changed"),
            problems=[
                Problem(
                    "review_days",
                    text(
                        N_("%(review_days)s is not from 1 to %(max_review_days)s days"),
                        review_days=review_days,
                        max_review_days=MAX_REVIEW_DAYS,
                    ),
                )
            ],
        )

    def start(edition: MatrixEdition) -> None:
        edition.response_due_on = today() + timedelta(days=review_days)
        edition.reminders_sent = 0

    return start


@action
def share_edition(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str,
    number: int,
    reason: str = "",
    review_days: int = DEFAULT_REVIEW_DAYS,
) -> MatrixEdition:
    """Experts: the State's points of contact can now see the draft, comment and propose. The
    State's response is due `review_days` from today (UN1540_REVIEW_PERIOD_DAYS)."""
    state, edition = _step(
        session,
        viewer=viewer,
        iso3=iso3,
        number=number,
        step="share",
        reason=reason,
        changes=_review_period(review_days),
    )
    notices.notify_shared(session, state, edition)
    return edition


@action
def agree_edition(
    session: Session, *, viewer: Viewer, iso3: str, number: int, reason: str = ""
) -> MatrixEdition:
    """The State and the Committee agree on the content (recorded by the State or an expert)."""
    return _step(session, viewer=viewer, iso3=iso3, number=number, step="agree", reason=reason)[1]


@action
def reopen_edition(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str,
    number: int,
    reason: str = "",
    review_days: int = DEFAULT_REVIEW_DAYS,
) -> MatrixEdition:
    """Experts: back to shared, to change it again; the State's agreement no longer holds, so a
    new review period starts (its response is due `review_days` from today)."""
    return _step(
        session,
        viewer=viewer,
        iso3=iso3,
        number=number,
        step="reopen",
        reason=reason,
        changes=_review_period(review_days),
    )[1]


def _refuse_rule_breaks(state: State, edition: MatrixEdition, session: Session) -> None:
    """Approval lists every cell that breaks an evidence rule and is not waived, and refuses."""
    open_breaks = [item for item in rule_breaks(session, edition) if item.waiver is None]
    if not open_breaks:
        return
    named = ", ".join(f"{item.cell} ({item.rule.code})" for item in open_breaks[:NAMED_IN_MESSAGE])
    more = len(open_breaks) - NAMED_IN_MESSAGE
    raise Conflict(
        text(
            N_(
                "edition %(number)s of %(iso3)s cannot be approved: %(count)s "
                "cell(s) break the evidence rules: %(named)s%(value)s; fix each "
                "cell or waive the rule for it with a reason"
            ),
            number=edition.number,
            iso3=state.iso3,
            count=len(open_breaks),
            named=named,
            value=f" and {more} more" if more > 0 else "",
        ),
        details={
            "evidence_problems": [
                {
                    "cell": item.cell,
                    "rule": item.rule.code,
                    "mark": item.mark,
                    "message": item.rule.message,
                }
                for item in open_breaks
            ]
        },
    )


def _approval_basis(edition: MatrixEdition, reason: str) -> tuple[ApprovalBasis, str]:
    """On what the approval stands: the State's agreement, its review period over, or, before
    the deadline without agreement, the Committee's reason (refused without one)."""
    if edition.status is EditionStatus.agreed:
        return ApprovalBasis.state_agreed, ""
    due = edition.response_due_on
    if due is not None and today() > due:
        return ApprovalBasis.deadline_passed, ""
    if not reason.strip():
        when = f"its response is due by {due.isoformat()}" if due else "it has no response deadline"
        raise InvalidData(
            N_("the edition was not approved"),
            problems=[
                Problem(
                    "reason",
                    text(
                        N_(
                            "the State has not agreed and %(when)s; approve after that day, "
                            "or give the reason for approving without its agreement now"
                        ),
                        when=when,
                    ),
                )
            ],
        )
    return ApprovalBasis.committee_reason, reason.strip()


@action
def approve_edition(
    session: Session, *, viewer: Viewer, iso3: str, number: int, reason: str = ""
) -> MatrixEdition:
    """The committee approves: the edition is published and frozen for ever.

    Refused while a cell breaks an evidence rule that is not waived (every such cell is listed),
    and, for a draft the State has not agreed to, before its response deadline unless the
    Committee gives a reason. The edition records on what the approval stood."""
    # Claimed before the evidence rules are read: a cell edited meanwhile is either in what
    # they read, or refused (its edition is no longer shared or agreed).
    claimed = claim_edition(session, viewer=viewer, iso3=iso3, number=number, step="approve")
    state, edition = claimed
    reason = REASON.require(reason, "reason", message=N_("the edition was not changed (approve)"))
    _refuse_rule_breaks(state, edition, session)
    basis, basis_reason = _approval_basis(edition, reason)

    def record_basis(edition: MatrixEdition) -> None:
        edition.approval_basis = basis.value
        edition.approval_basis_reason = basis_reason

    state, edition = _step(
        session,
        viewer=viewer,
        iso3=iso3,
        number=number,
        step="approve",
        reason=reason,
        changes=record_basis,
        claimed=claimed,
    )
    notices.notify_approved(session, state, edition)
    return edition


@action
def discard_draft(
    session: Session, *, viewer: Viewer, iso3: str, number: int, reason: str = ""
) -> None:
    """Delete a draft that was never shared (its cells, evidence and review go with it)."""
    state, edition = claim_edition(session, viewer=viewer, iso3=iso3, number=number, step="discard")
    reason = REASON.require(reason, "reason", message=N_("the draft was not discarded"))
    before = _edition_audit(edition)
    session.delete(edition)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="edition.discard",
        entity_type="matrix_edition",
        entity_id=f"{state.iso3}/{number}",
        before=before,
        reason=reason,
    )
