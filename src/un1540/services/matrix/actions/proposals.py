"""The State's review of a shared draft: comments on cells, proposed changes and the decisions."""

from __future__ import annotations

from dataclasses import asdict

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import InvalidData, NotFound, Problem
from un1540.errors import text as text_message
from un1540.models import CellComment, CellProposal, MatrixEdition, ProposalStatus
from un1540.models.base import utc_now
from un1540.reference.languages import N_
from un1540.schemas.text import COMMENT, NOTE, PROPOSAL_REASON, REMARK
from un1540.schemas.workflow import MAX_CITED
from un1540.services.kernel.access import Viewer, speaks_for, visible
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.data_version import state_scope, touch
from un1540.services.kernel.unit_of_work import action
from un1540.services.matrix import notices
from un1540.services.matrix.actions.cells import check_documents, write_cell
from un1540.services.matrix.actions.claims import claim_edition, hold_edition
from un1540.services.matrix.inputs import MARK_VALUES, CellChange, EvidenceInput
from un1540.services.matrix.layout import cell_keys
from un1540.services.matrix.reads.editions import edition_state, entry_for, find_edition
from un1540.services.matrix.rules import PROPOSAL_RULES, ProposalState


@action
def add_comment(
    session: Session, *, viewer: Viewer, iso3: str, number: int, cell_key: str, body: str
) -> CellComment:
    state, edition = claim_edition(session, viewer=viewer, iso3=iso3, number=number, step="comment")
    text = COMMENT.require(body, "body", message=N_("the comment was not saved")).strip()
    if not text:
        raise InvalidData(
            N_("the comment was not saved"),
            problems=[Problem("body", N_("is empty; write a comment"))],
        )
    entry = entry_for(session, edition, cell_key)
    assert viewer.user_id is not None  # the rule guarantees a signed-in account
    comment = CellComment(
        edition_id=edition.id, cell_entry_id=entry.id, author_id=viewer.user_id, body=text
    )
    session.add(comment)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="comment.add",
        entity_type="cell_comment",
        entity_id=str(comment.id),
        after={"edition": f"{state.iso3}/{number}", "cell": cell_key, "body": text},
    )
    notices.notify_comment(
        session, state, edition, cell=cell_key, by_state=speaks_for(viewer, state.id)
    )
    return comment


@action
def propose_change(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str,
    number: int,
    cell_key: str,
    mark: str,
    remark: str,
    reason: str,
    evidence: list[EvidenceInput] | None = None,
) -> CellProposal:
    """A State's point of contact proposes a mark and remark for a cell of a shared draft,
    optionally citing the State's documents (they become the cell's evidence if accepted)."""
    state, edition = claim_edition(session, viewer=viewer, iso3=iso3, number=number, step="propose")
    problems: list[Problem] = []
    if mark not in MARK_VALUES:
        problems.append(
            Problem(
                "mark",
                text_message(
                    N_("%(mark)s is not one of X, ?, NA or blank (an empty string)"),
                    mark=repr(mark[:20]),
                ),
            )
        )
    remark = REMARK.check(remark, "remark", problems)
    reason = PROPOSAL_REASON.check(reason, "reason", problems)
    if len(evidence or []) > MAX_CITED:
        problems.append(
            Problem(
                "evidence",
                text_message(
                    N_("at most %(max_cited)s documents may be cited"),
                    max_cited=MAX_CITED,
                ),
            )
        )
        evidence = []
    cited = [
        item.checked(f"evidence[{index}]", problems)
        for index, item in enumerate(evidence or [], start=1)
    ]
    check_documents(session, state, cited, problems, viewer)
    if problems:
        raise InvalidData(N_("the proposal was not saved"), problems=problems)
    entry = entry_for(session, edition, cell_key)
    if entry.mark.value == mark and entry.remark == remark and not cited:
        raise InvalidData(
            N_("the proposal was not saved"),
            problems=[Problem("mark", N_("the cell already says this"))],
        )
    assert viewer.user_id is not None
    proposal = CellProposal(
        edition_id=edition.id,
        cell_entry_id=entry.id,
        author_id=viewer.user_id,
        mark=MARK_VALUES[mark],
        remark=remark,
        reason=reason.strip(),
        evidence=[asdict(item) for item in cited],
        base_revision=entry.revision,
        status=ProposalStatus.pending,
    )
    session.add(proposal)
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="proposal.create",
        entity_type="cell_proposal",
        entity_id=str(proposal.id),
        reason=reason,
        after={
            "edition": f"{state.iso3}/{number}",
            "cell": cell_key,
            "mark": mark,
            "remark": remark,
            "evidence": [asdict(item) for item in cited],
        },
    )
    return proposal


@action
def decide_proposal(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str,
    number: int,
    proposal_id: int,
    accept: bool,
    note: str = "",
) -> CellProposal:
    """An expert accepts (the cell takes the proposed values) or rejects a pending proposal."""
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    proposal = session.scalars(
        select(CellProposal)
        .join(MatrixEdition, MatrixEdition.id == CellProposal.edition_id)
        .where(
            CellProposal.id == proposal_id,
            CellProposal.edition_id == edition.id,
            visible(CellProposal.visibility, viewer, MatrixEdition.state_id),
        )
    ).one_or_none()
    if proposal is None:
        raise NotFound(
            text_message(
                N_("no proposal %(proposal_id)s on edition %(number)s of %(iso3)s"),
                proposal_id=proposal_id,
                number=number,
                iso3=state.iso3,
            )
        )
    record = ProposalState(
        id=proposal.id, edition=edition_state(session, state, edition), status=proposal.status
    )
    PROPOSAL_RULES.check(viewer, record, "accept" if accept else "reject")
    # Claimed, then read and checked again: of two decisions on one proposal at once (or one
    # made while the edition is approved), the second sees the first and is refused.
    hold_edition(session, state, edition)
    session.refresh(proposal)
    record = ProposalState(
        id=proposal.id, edition=edition_state(session, state, edition), status=proposal.status
    )
    PROPOSAL_RULES.check(viewer, record, "accept" if accept else "reject")
    note = NOTE.require(note, "note", message=N_("the proposal was not decided"))
    if accept:
        entry = proposal.cell_entry
        cited = [EvidenceInput(**item) for item in proposal.evidence or []]
        change = CellChange(
            mark=proposal.mark.value,
            remark=proposal.remark,
            version=entry.revision,
            evidence=cited or None,  # none cited: the cell keeps its evidence
        )
        write_cell(
            session,
            edition=edition,
            state=state,
            entry=entry,
            change=change,
            actor=viewer.actor,
            reason=f"accepted proposal {proposal.id}: {proposal.reason}".strip(),
            audit_action="cell.accept_proposal",
        )
    assert viewer.user_id is not None
    proposal.status = ProposalStatus.accepted if accept else ProposalStatus.rejected
    proposal.decided_by_id = viewer.user_id
    proposal.decided_at = utc_now()
    proposal.decision_note = note.strip()
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action=f"proposal.{proposal.status.value}",
        entity_type="cell_proposal",
        entity_id=str(proposal.id),
        reason=note,
        after={"status": proposal.status.value},
    )
    touch(session, state_scope(state.iso3))  # the event names the proposal, not its State
    notices.notify_decision(
        session,
        state,
        edition,
        author=proposal.author,
        cell=cell_keys(session, edition.framework_id)(proposal.cell_entry.cell_id),
        accepted=accept,
    )
    return proposal
