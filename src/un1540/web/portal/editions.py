"""The edition workspace: the workflow buttons, the matrix to work on, each cell with its review."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Form, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540.errors import (
    Conflict,
    Forbidden,
    InvalidData,
    Problem,
    Un1540Error,
    Unauthenticated,
)
from un1540.models import ProposalStatus
from un1540.models.base import today
from un1540.reference.crosswalks import ASSERTED_BY, TREATY_STATUSES
from un1540.reference.languages import N_
from un1540.schemas.matrix import TreatyStatusInput
from un1540.schemas.workflow import CellState, CellUpdate, EvidenceWrite
from un1540.services.documents.reads import state_documents
from un1540.services.evidence.review import legislation_of_state, may_review
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.data_version import DOCUMENTS, REFERENCE, state_scope
from un1540.services.matrix.actions.cells import update_cell
from un1540.services.matrix.actions.editions import (
    agree_edition,
    approve_edition,
    discard_draft,
    open_draft,
    reopen_edition,
    share_edition,
)
from un1540.services.matrix.actions.proposals import add_comment, decide_proposal, propose_change
from un1540.services.matrix.actions.treaties import set_treaty_status
from un1540.services.matrix.actions.waivers import waive_open_breaks, waive_rule
from un1540.services.matrix.inputs import CellChange, EvidenceInput
from un1540.services.matrix.layout import cell_keys
from un1540.services.matrix.reads.editions import edition_detail, edition_state, find_edition
from un1540.services.matrix.reads.evidence import evidence_check
from un1540.services.matrix.reads.matrix import cell_state, get_matrix
from un1540.services.matrix.reads.review import (
    edition_review,
    formula_like_remarks,
    proposal_actions,
    review_authors,
)
from un1540.services.matrix.rules import EDITION_RULES, WORKFLOW_ACTIONS
from un1540.web.auth import flash
from un1540.web.deps import SessionDep, SettingsDep, ViewerDep
from un1540.web.i18n import gettext
from un1540.web.params import NumberPath, RecordIdPath
from un1540.web.portal.forms import CsrfChecked, act, build, login_redirect
from un1540.web.portal.matrix_grid import matrix_grid
from un1540.web.portal.page_cache import cached_page
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)
MAX_EVIDENCE_ROWS = 20
PROPOSAL_EVIDENCE_ROWS = 3  # rows the proposal form offers to cite the State's documents
# The evidence rules of reference/evidence-rules.yml, worded for the portal's languages (a rule
# not named here shows its English message from the file).
RULE_LABELS = {
    "x_requires_evidence": N_(
        "X without an evidence reference (a document and a page, article, paragraph or quotation)"
    ),
    "na_requires_reason": N_("NA without a reason"),
}
APPROVAL_BASES = {
    "state_agreed": N_("the State agreed"),
    "deadline_passed": N_("the State did not answer by its response deadline"),
    "committee_reason": N_(
        "before the State's response deadline, without its agreement, for this reason:"
    ),
}


def _workspace_url(iso3: str, number: int) -> str:
    return f"/states/{iso3.upper()}/editions/{number}"


@router.post("/states/{iso3}/editions")
def workspace_open(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    iso3: str,
    reason: Annotated[str, Form()] = "",
) -> Response:
    opened: list[int] = []

    def action() -> str:
        edition = open_draft(session, viewer=viewer, iso3=iso3, reason=reason)
        opened.append(edition.number)
        return gettext("Draft edition %(number)s opened from the latest approved edition.") % {
            "number": edition.number
        }

    response = act(request, f"/states/{iso3.upper()}", action)
    return (
        RedirectResponse(_workspace_url(iso3, opened[0]), status_code=303) if opened else response
    )


@router.get("/states/{iso3}/editions/{number}", response_class=HTMLResponse)
def workspace(
    request: Request, session: SessionDep, viewer: ViewerDep, iso3: str, number: NumberPath
) -> Response:
    """An edition's workspace, rendered once per reader, address, language and day until the
    next write to the State or to the documents and reference data it shows (its review,
    evidence checks and library suggestions: web/portal/page_cache.py)."""
    return cached_page(
        request,
        session,
        viewer,
        ("edition_workspace", iso3.upper(), number),
        depends_on=(state_scope(iso3), REFERENCE, DOCUMENTS),
        build=lambda: _render_workspace(request, session, viewer, iso3, number),
    )


def _render_workspace(
    request: Request, session: Session, viewer: Viewer, iso3: str, number: int
) -> Response:
    detail = edition_detail(session, viewer=viewer, iso3=iso3, number=number)
    matrix = get_matrix(session, viewer=viewer, iso3=iso3, number=number)
    _, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    comments, proposals = edition_review(session, viewer=viewer, iso3=iso3, number=number)
    keys = cell_keys(session, edition.framework_id)
    check = evidence_check(session, viewer=viewer, iso3=iso3, number=number)
    context = {
        "detail": detail,
        "evidence": check,
        "rule_labels": RULE_LABELS,
        "approval_bases": APPROVAL_BASES,
        "deadline_passed": detail.response_due_on is not None and today() > detail.response_due_on,
        "can_waive": "waive" in detail.allowed_actions,
        "matrix": matrix,
        "matrix_grid": matrix_grid(matrix),
        "actions": [name for name in detail.allowed_actions if name in WORKFLOW_ACTIONS],
        "comments": [(keys(c.cell_entry.cell_id), c) for c in comments],
        "pending": [
            (keys(p.cell_entry.cell_id), p) for p in proposals if p.status is ProposalStatus.pending
        ],
        "authors": review_authors(viewer, comments, proposals),
        "comment_counts": Counter(keys(c.cell_entry.cell_id) for c in comments),
        "pending_counts": Counter(
            keys(p.cell_entry.cell_id) for p in proposals if p.status is ProposalStatus.pending
        ),
        "can_import": "import" in detail.allowed_actions,
        "formula_cells": (
            formula_like_remarks(session, edition) if "approve" in detail.allowed_actions else []
        ),
        # "Suggestions from the library": the State's laws, for the Committee side to review.
        "library_laws": (
            legislation_of_state(session, viewer=viewer, iso3=iso3) if may_review(viewer) else []
        ),
    }
    return render(request, "editions/workspace.html", context, synthetic=detail.synthetic)


# Before the transition route, which would take `waivers` for a transition.
@router.post("/states/{iso3}/editions/{number}/waivers")
def edition_waive_all(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    iso3: str,
    number: NumberPath,
    rule: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    def action() -> str:
        count = waive_open_breaks(
            session, viewer=viewer, iso3=iso3, number=number, reason=reason, rule=rule
        )
        return gettext("Evidence rules waived for %(count)s cell(s).") % {"count": count}

    return act(request, f"{_workspace_url(iso3, number)}#evidence-rules", action)


@router.post("/states/{iso3}/editions/{number}/{transition}")
def workspace_transition(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    _: CsrfChecked,
    iso3: str,
    number: NumberPath,
    transition: str,
    reason: Annotated[str, Form()] = "",
) -> Response:
    services = {
        "share": share_edition,
        "agree": agree_edition,
        "reopen": reopen_edition,
        "approve": approve_edition,
    }
    messages = {
        "share": "Shared with the State's points of contact.",
        "agree": "Agreement recorded.",
        "reopen": "Reopened: the edition is shared again.",
        "approve": "Approved and published. This edition is now frozen.",
    }
    if transition == "discard":

        def discard() -> str:
            discard_draft(session, viewer=viewer, iso3=iso3, number=number, reason=reason)
            return gettext("Draft edition %(number)s discarded.") % {"number": number}

        return act(request, f"/states/{iso3.upper()}", discard)
    if transition not in services:
        return render(
            request,
            "errors/error.html",
            {"status": 404, "title": "Not found", "message": "no such action", "problems": []},
            synthetic=False,
            status_code=404,
        )

    formula_cells: list[str] = []

    def action() -> str:
        if transition == "share":  # the State's response deadline starts
            edition = share_edition(
                session,
                viewer=viewer,
                iso3=iso3,
                number=number,
                reason=reason,
                review_days=settings.review_period_days,
            )
        elif transition == "reopen":  # and again, as the State's agreement no longer holds
            edition = reopen_edition(
                session,
                viewer=viewer,
                iso3=iso3,
                number=number,
                reason=reason,
                review_days=settings.review_period_days,
            )
        else:
            edition = services[transition](
                session, viewer=viewer, iso3=iso3, number=number, reason=reason
            )
        if transition == "approve":
            formula_cells.extend(formula_like_remarks(session, edition))
        return messages[transition]

    response = act(request, _workspace_url(iso3, number), action)
    if formula_cells:  # a warning, not a refusal: the exports write these remarks as text
        shown = ", ".join(formula_cells[:10]) + (" …" if len(formula_cells) > 10 else "")
        flash(
            request,
            gettext(
                "%(count)s remark(s) start like a spreadsheet formula (=, +, -, @ or a tab): "
                "%(cells)s. The exports write them as text; check that they say what was meant."
            )
            % {"count": len(formula_cells), "cells": shown},
            kind="warning",
        )
    return response


@dataclass(frozen=True)
class CellForm:
    """What the cell form shows: the cell's values, or what was just submitted and refused."""

    mark: str
    remark: str
    version: int
    reason: str
    evidence: list[dict[str, str]]  # document, page, article, paragraph, quotation


@dataclass(frozen=True)
class TreatyForm:
    """What the treaty status form shows: the recorded status, or what was just refused."""

    status: str
    signed_on: str
    status_on: str
    asserted_by: str
    reason: str


def _current_treaty(current: CellState) -> TreatyForm:
    treaty = current.treaty
    if treaty is None:
        return TreatyForm("", "", "", "", "")
    return TreatyForm(
        status=treaty.status,
        signed_on=treaty.signed_on.isoformat() if treaty.signed_on else "",
        status_on=treaty.status_on.isoformat() if treaty.status_on else "",
        asserted_by=treaty.asserted_by,
        reason="",
    )


def _current_form(current: CellState) -> CellForm:
    return CellForm(
        mark=current.mark,
        remark=current.remark,
        version=current.version,
        reason="",
        evidence=[
            {
                "document": str(item.document.id),
                "page": item.page,
                "article": item.article,
                "paragraph": item.paragraph,
                "quotation": item.quotation,
            }
            for item in current.evidence
        ],
    )


def _render_cell(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    iso3: str,
    number: int,
    cell: str,
    *,
    submitted: CellForm | None = None,
    error: Un1540Error | None = None,
    treaty_submitted: TreatyForm | None = None,
    treaty_error: Un1540Error | None = None,
) -> Response:
    current = cell_state(session, viewer=viewer, iso3=iso3, number=number, cell_key=cell)
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    comments, proposals = edition_review(session, viewer=viewer, iso3=iso3, number=number)
    keys = cell_keys(session, edition.framework_id)
    record = edition_state(session, state, edition)
    allowed = EDITION_RULES.allowed(viewer, record)
    can_edit = "edit_cells" in allowed
    shown = [p for p in proposals if keys(p.cell_entry.cell_id) == cell]
    form = submitted or _current_form(current)
    context = {
        "cell": current,
        "form": form,
        "editor_rows": [*form.evidence, None][:MAX_EVIDENCE_ROWS],
        "error": error,
        "comments": [c for c in comments if keys(c.cell_entry.cell_id) == cell],
        "proposals": shown,
        "proposal_actions": proposal_actions(viewer, record, shown),
        "authors": review_authors(viewer, comments, proposals),
        "documents": (
            state_documents(session, viewer=viewer, iso3=iso3)
            if can_edit or "propose" in allowed
            else []
        ),
        "proposal_rows": range(PROPOSAL_EVIDENCE_ROWS),
        "can_edit": can_edit,
        "can_propose": "propose" in allowed,
        "can_comment": "comment" in allowed,
        "treaty_form": treaty_submitted or _current_treaty(current),
        "treaty_error": treaty_error,
        "treaty_statuses": TREATY_STATUSES,
        "asserted_by": ASSERTED_BY,
    }
    shown_error = error or treaty_error
    status = shown_error.status if shown_error is not None else 200
    return render(
        request, "editions/cell.html", context, synthetic=current.synthetic, status_code=status
    )


@router.get("/states/{iso3}/editions/{number}/cells/{cell}", response_class=HTMLResponse)
def cell_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    iso3: str,
    number: NumberPath,
    cell: str,
) -> Response:
    return _render_cell(request, session, viewer, iso3, number, cell)


def _cell_url(iso3: str, number: int, cell: str) -> str:
    return f"{_workspace_url(iso3, number)}/cells/{cell}"


def _evidence_from(form: FormData) -> list[dict[str, str]]:
    """Rows evidence-0-document ... evidence-N-quotation; a row without a document is ignored.

    The values go into CellUpdate as they are: a field too long is a named error on the form.
    """
    rows = []
    for index in range(MAX_EVIDENCE_ROWS):
        document = str(form.get(f"evidence-{index}-document") or "").strip()
        if not document or form.get(f"evidence-{index}-remove"):
            continue
        row = {"document_id": document}
        for part in ("page", "article", "paragraph", "quotation"):
            row[part] = str(form.get(f"evidence-{index}-{part}") or "")
        rows.append(row)
    return rows


def _cell_update(form: FormData) -> CellUpdate:
    """The cell form, parsed into the API's own input shape (InvalidData naming what is wrong)."""
    return build(
        CellUpdate,
        mark=str(form.get("mark") or ""),
        remark=str(form.get("remark") or ""),
        version=str(form.get("version") or ""),
        evidence=_evidence_from(form),
        reason=str(form.get("reason") or ""),
    )


def _submitted(form: FormData, refusal: Un1540Error, current_version: int | None) -> CellForm:
    """What was submitted, to show again with the refusal: nothing typed is lost.

    After a stale version (409) the form carries the current version, so saving again applies
    the change over the one shown above it, knowingly; otherwise the version sent."""
    try:
        sent = int(str(form.get("version") or ""))
    except ValueError:
        sent = 0
    version = current_version if isinstance(refusal, Conflict) and current_version else sent
    return CellForm(
        mark=str(form.get("mark") or ""),
        remark=str(form.get("remark") or ""),
        version=version,
        reason=str(form.get("reason") or ""),
        evidence=[{"document": row.pop("document_id"), **row} for row in _evidence_from(form)],
    )


@router.post("/states/{iso3}/editions/{number}/cells/{cell}")
async def cell_edit(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    iso3: str,
    number: NumberPath,
    cell: str,
) -> Response:
    """Save the cell; a refusal (stale version, a field too long, a control character) shows the
    form again with what was typed and the error, never a redirect that would lose it (the
    session cookie cannot carry a 10,000-character remark)."""
    form = await request.form()

    def save() -> Response:
        try:
            body = _cell_update(form)
            update_cell(
                session,
                viewer=viewer,
                iso3=iso3,
                number=number,
                cell_key=cell,
                change=CellChange.from_update(body),
                reason=body.reason,
            )
        except Unauthenticated:
            return login_redirect(request)
        except (InvalidData, Conflict, Forbidden) as refusal:
            details = refusal.details or {}
            current = details.get("current") or {}
            submitted = _submitted(form, refusal, current.get("version"))
            return _render_cell(
                request, session, viewer, iso3, number, cell, submitted=submitted, error=refusal
            )
        flash(request, gettext("Cell saved."))
        return RedirectResponse(_cell_url(iso3, number, cell), status_code=303)

    return await anyio.to_thread.run_sync(save)


def _treaty_submitted(form: FormData) -> TreatyForm:
    return TreatyForm(
        **{
            name: str(form.get(name) or "").strip()
            for name in ("status", "signed_on", "status_on", "asserted_by", "reason")
        }
    )


@router.post("/states/{iso3}/editions/{number}/cells/{cell}/treaty")
async def cell_treaty(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    iso3: str,
    number: NumberPath,
    cell: str,
) -> Response:
    """Record the treaty status of an OP1 treaty cell; a refusal shows the form again with what
    was typed and each problem named by its field."""
    form = await request.form()
    submitted = _treaty_submitted(form)
    field, _sep, rest = cell.partition(":")

    def save() -> Response:
        try:
            if rest != "any:adherence":  # the treaty status lives on the field's one cell
                raise InvalidData(
                    f"{cell!r} is not an OP1 treaty cell; nothing was written",
                    problems=[Problem("cell", "the treaty status is recorded on a treaty cell")],
                )
            body = build(
                TreatyStatusInput,
                status=submitted.status,
                signed_on=submitted.signed_on or None,
                status_on=submitted.status_on or None,
                asserted_by=submitted.asserted_by,
                reason=submitted.reason,
            )
            set_treaty_status(
                session, viewer=viewer, iso3=iso3, number=number, field=field, status=body
            )
        except Unauthenticated:
            return login_redirect(request)
        except (InvalidData, Conflict, Forbidden) as refusal:
            return _render_cell(
                request,
                session,
                viewer,
                iso3,
                number,
                cell,
                treaty_submitted=submitted,
                treaty_error=refusal,
            )
        flash(request, gettext("Treaty status saved."))
        return RedirectResponse(_cell_url(iso3, number, cell), status_code=303)

    return await anyio.to_thread.run_sync(save)


@router.post("/states/{iso3}/editions/{number}/cells/{cell}/comments")
def cell_comment(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    iso3: str,
    number: NumberPath,
    cell: str,
    body: Annotated[str, Form()],
) -> Response:
    def action() -> str:
        add_comment(session, viewer=viewer, iso3=iso3, number=number, cell_key=cell, body=body)
        return gettext("Comment added.")

    return act(request, _cell_url(iso3, number, cell), action)


@router.post("/states/{iso3}/editions/{number}/cells/{cell}/proposals")
async def cell_propose(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    iso3: str,
    number: NumberPath,
    cell: str,
    mark: Annotated[str, Form(max_length=2)] = "",
    remark: Annotated[str, Form()] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    """A proposal, citing up to PROPOSAL_EVIDENCE_ROWS of the State's documents like the cell
    form (rows evidence-N-document, -page, -article, -paragraph, -quotation)."""
    form = await request.form()

    def action() -> str:
        cited = [
            EvidenceInput(**build(EvidenceWrite, **row).model_dump())
            for row in _evidence_from(form)
        ]
        propose_change(
            session,
            viewer=viewer,
            iso3=iso3,
            number=number,
            cell_key=cell,
            mark=mark,
            remark=remark,
            reason=reason,
            evidence=cited,
        )
        return gettext("Change proposed. The Group of Experts will accept or reject it.")

    return await anyio.to_thread.run_sync(act, request, _cell_url(iso3, number, cell), action)


@router.post("/states/{iso3}/editions/{number}/cells/{cell}/waivers")
def cell_waive(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    iso3: str,
    number: NumberPath,
    cell: str,
    rule: Annotated[str, Form(max_length=40)] = "",
    reason: Annotated[str, Form()] = "",
) -> Response:
    def action() -> str:
        waive_rule(
            session,
            viewer=viewer,
            iso3=iso3,
            number=number,
            cell_key=cell,
            rule=rule,
            reason=reason,
        )
        return gettext("Rule waived for cell %(cell)s.") % {"cell": cell}

    return act(request, f"{_workspace_url(iso3, number)}#evidence-rules", action)


@router.post("/states/{iso3}/editions/{number}/proposals/{proposal_id}/decision")
def proposal_decision(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    iso3: str,
    number: NumberPath,
    proposal_id: RecordIdPath,
    decision: Annotated[str, Form(pattern="^(accept|reject)$")],
    note: Annotated[str, Form()] = "",
    back: Annotated[str, Form(max_length=500)] = "",
) -> Response:
    def action() -> str:
        decide_proposal(
            session,
            viewer=viewer,
            iso3=iso3,
            number=number,
            proposal_id=proposal_id,
            accept=decision == "accept",
            note=note,
        )
        if decision == "accept":
            return gettext("Proposal %(id)s accepted: the cell now says what was proposed.") % {
                "id": proposal_id
            }
        return gettext("Proposal %(id)s rejected.") % {"id": proposal_id}

    target = back if back.startswith(_workspace_url(iso3, number)) else _workspace_url(iso3, number)
    return act(request, target, action)
