"""Who may do what to an edition and its proposals, now: the guards, the pages and the API ask here.

Each rule returns None when the viewer may take the action, or the refusal the action raises, in
the order the action checks (who is asking first, then the edition's status). Whether a workflow
step may start from a status is the edition lifecycle's answer (reference/lifecycles.yml); the
messages are the ones the workflow has always given.
"""

from __future__ import annotations

from dataclasses import dataclass

from un1540.errors import Conflict, Forbidden, Un1540Error, text
from un1540.models import EditionStatus, ProposalStatus, Role
from un1540.reference.languages import N_
from un1540.reference.lifecycles import lifecycle
from un1540.services.kernel.access import Viewer, refuse_unless, speaks_for
from un1540.services.kernel.rules import Rule, Rules

EDITION_LIFECYCLE = lifecycle("edition")
# Cells are edited (and proposals accepted) while the Committee side still works on the content;
# an agreed edition is reopened first, an approved one is frozen for ever.
EDITABLE_STATUSES = (EditionStatus.draft, EditionStatus.shared)


@dataclass(frozen=True)
class EditionState:
    """What the rules need to know about an edition."""

    state_id: int
    iso3: str
    number: int
    status: EditionStatus
    pending_proposals: int


@dataclass(frozen=True)
class ProposalState:
    """What the rules need to know about a proposal: its edition and its own status."""

    id: int
    edition: EditionState
    status: ProposalStatus


def open_draft_refusal(viewer: Viewer) -> Un1540Error | None:
    return refuse_unless(viewer, Role.expert, action=N_("open a draft"))


def import_refusal(viewer: Viewer) -> Un1540Error | None:
    return refuse_unless(viewer, Role.expert, action=N_("import matrices"))


# The refusal of a workflow step the lifecycle does not allow from the edition's status.
_STEP_REFUSALS = {
    "share": "only a draft can be shared; edition {number} is {status}",
    "agree": "only a shared edition can be agreed; edition {number} is {status}",
    "reopen": "only an agreed edition can be reopened; edition {number} is {status}",
}


def _step_refusal(edition: EditionState, action: str) -> Un1540Error | None:
    if EDITION_LIFECYCLE.step(edition.status.value, action) is not None:
        return None
    if action == "approve":
        what = (
            "already approved"
            if edition.status is EditionStatus.approved
            else "never shared with the State"
        )
        return Conflict(
            text(
                N_("edition %(number)s of %(iso3)s cannot be approved: it is %(what)s"),
                number=edition.number,
                iso3=edition.iso3,
                what=what,
            )
        )
    return Conflict(
        _STEP_REFUSALS[action].format(number=edition.number, status=edition.status.value)
    )


def _pending_refusal(edition: EditionState) -> Un1540Error | None:
    if not edition.pending_proposals:
        return None
    return Conflict(
        text(
            N_("%(pending_proposals)s proposed change(s) still await a decision"),
            pending_proposals=edition.pending_proposals,
        ),
        details={"pending_proposals": edition.pending_proposals},
    )


def _editable_refusal(edition: EditionState) -> Un1540Error | None:
    if edition.status is EditionStatus.approved:
        return Conflict(
            text(
                N_("edition %(number)s of %(iso3)s is approved and frozen; open a new draft"),
                number=edition.number,
                iso3=edition.iso3,
            )
        )
    if edition.status not in EDITABLE_STATUSES:
        return Conflict(
            text(
                N_("edition %(number)s of %(iso3)s is agreed; reopen it to edit"),
                number=edition.number,
                iso3=edition.iso3,
            )
        )
    return None


def _share(viewer: Viewer, edition: EditionState) -> Un1540Error | None:
    return refuse_unless(viewer, Role.expert, action=N_("share a draft")) or _step_refusal(
        edition, "share"
    )


def _agree(viewer: Viewer, edition: EditionState) -> Un1540Error | None:
    """The State's point of contact records agreement, or an expert does on its behalf."""
    role = Role.state_poc if speaks_for(viewer, edition.state_id) else Role.expert
    return (
        refuse_unless(viewer, role, action=N_("record agreement on an edition"))
        or _step_refusal(edition, "agree")
        or _pending_refusal(edition)
    )


def _reopen(viewer: Viewer, edition: EditionState) -> Un1540Error | None:
    return refuse_unless(viewer, Role.expert, action=N_("reopen an edition")) or _step_refusal(
        edition, "reopen"
    )


def _approve(viewer: Viewer, edition: EditionState) -> Un1540Error | None:
    return (
        refuse_unless(viewer, Role.committee, action=N_("approve an edition"))
        or _step_refusal(edition, "approve")
        or _pending_refusal(edition)
    )


def _discard(viewer: Viewer, edition: EditionState) -> Un1540Error | None:
    """Only a draft never shared: it is still where the lifecycle starts."""
    refusal = refuse_unless(viewer, Role.expert, action=N_("discard a draft"))
    if refusal is None and edition.status.value != EDITION_LIFECYCLE.initial:
        return Conflict(
            text(
                N_("only an unshared draft can be discarded; edition %(number)s is %(value)s"),
                number=edition.number,
                value=edition.status.value,
            )
        )
    return refusal


def _edit_cells(viewer: Viewer, edition: EditionState) -> Un1540Error | None:
    return refuse_unless(viewer, Role.expert, action=N_("edit cells")) or _editable_refusal(edition)


def _import(viewer: Viewer, edition: EditionState) -> Un1540Error | None:
    return import_refusal(viewer) or _editable_refusal(edition)


def _propose(viewer: Viewer, edition: EditionState) -> Un1540Error | None:
    if not speaks_for(viewer, edition.state_id):
        return refuse_unless(viewer, Role.state_poc, action=N_("propose changes")) or Forbidden(
            N_("only the State's own points of contact may propose changes to its matrix")
        )
    if not viewer.can_write:
        return Forbidden(N_("a read-only token may not propose changes"))
    if edition.status is not EditionStatus.shared:
        return Conflict(
            text(
                N_("changes are proposed on a shared edition; edition %(number)s is %(value)s"),
                number=edition.number,
                value=edition.status.value,
            )
        )
    return None


def _comment(viewer: Viewer, edition: EditionState) -> Un1540Error | None:
    """The Committee side, or a point of contact of this State (with a token that may write)."""
    if speaks_for(viewer, edition.state_id):
        if not viewer.can_write:
            return Forbidden(N_("a read-only token may not comment on cells"))
    else:
        refusal = refuse_unless(viewer, Role.expert, Role.committee, action=N_("comment on cells"))
        if refusal is not None:
            return refusal
    if edition.status is EditionStatus.approved:
        return Conflict(
            text(
                N_("edition %(number)s is approved: comments and proposals are closed"),
                number=edition.number,
            )
        )
    return None


def _waive(viewer: Viewer, edition: EditionState) -> Un1540Error | None:
    """The Committee side waives an evidence rule for a cell, until the edition is approved."""
    refusal = refuse_unless(viewer, Role.expert, Role.committee, action=N_("waive evidence rules"))
    if refusal is None and edition.status is EditionStatus.approved:
        return Conflict(
            text(
                N_(
                    "edition %(number)s of %(iso3)s is approved and frozen; its "
                    "evidence rules can no longer be waived"
                ),
                number=edition.number,
                iso3=edition.iso3,
            )
        )
    return refusal


# The workflow steps first, in the order the workspace shows their buttons.
WORKFLOW_ACTIONS = ("share", "agree", "reopen", "approve", "discard")
_EDITION_RULES: dict[str, Rule[EditionState]] = {
    "share": _share,
    "agree": _agree,
    "reopen": _reopen,
    "approve": _approve,
    "discard": _discard,
    "edit_cells": _edit_cells,
    "import": _import,
    "propose": _propose,
    "comment": _comment,
    "waive": _waive,
}
EDITION_RULES = Rules[EditionState]("edition", _EDITION_RULES)


def _decide(viewer: Viewer, proposal: ProposalState, *, accept: bool) -> Un1540Error | None:
    refusal = refuse_unless(viewer, Role.expert, action=N_("decide on proposals"))
    if refusal is not None:
        return refusal
    if proposal.status is not ProposalStatus.pending:
        return Conflict(
            text(
                N_("proposal %(id)s was already %(value)s"),
                id=proposal.id,
                value=proposal.status.value,
            )
        )
    # Accepting writes the cell, so the edition must still be editable.
    return _editable_refusal(proposal.edition) if accept else None


def _accept(viewer: Viewer, proposal: ProposalState) -> Un1540Error | None:
    return _decide(viewer, proposal, accept=True)


def _reject(viewer: Viewer, proposal: ProposalState) -> Un1540Error | None:
    return _decide(viewer, proposal, accept=False)


PROPOSAL_RULES = Rules[ProposalState]("proposal", {"accept": _accept, "reject": _reject})
