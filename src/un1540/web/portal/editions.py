"""The edition workspace: the workflow buttons, the matrix to work on, each cell with its review."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

import anyio.to_thread
from fastapi import APIRouter, Form, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540.models import ProposalStatus
from un1540.schemas.workflow import CellUpdate
from un1540.services.documents.reads import state_documents
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
from un1540.services.matrix.inputs import CellChange
from un1540.services.matrix.layout import cell_keys
from un1540.services.matrix.reads.editions import edition_detail, edition_state, find_edition
from un1540.services.matrix.reads.matrix import cell_state, get_matrix
from un1540.services.matrix.reads.review import edition_review, proposal_actions
from un1540.services.matrix.rules import EDITION_RULES, WORKFLOW_ACTIONS
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.i18n import gettext
from un1540.web.params import NumberPath, RecordIdPath
from un1540.web.portal.forms import CsrfChecked, act, build
from un1540.web.portal.matrix_grid import matrix_grid
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)
MAX_EVIDENCE_ROWS = 20


def _workspace_url(iso3: str, number: int) -> str:
    return f"/states/{iso3.upper()}/editions/{number}"


@router.post("/states/{iso3}/editions")
def workspace_open(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    iso3: str,
    reason: Annotated[str, Form(max_length=2000)] = "",
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
    detail = edition_detail(session, viewer=viewer, iso3=iso3, number=number)
    matrix = get_matrix(session, viewer=viewer, iso3=iso3, number=number)
    _, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    comments, proposals = edition_review(session, viewer=viewer, iso3=iso3, number=number)
    keys = cell_keys(session, edition.framework_id)
    context = {
        "detail": detail,
        "matrix": matrix,
        "matrix_grid": matrix_grid(matrix),
        "actions": [name for name in detail.allowed_actions if name in WORKFLOW_ACTIONS],
        "comments": [(keys(c.cell_entry.cell_id), c) for c in comments],
        "pending": [
            (keys(p.cell_entry.cell_id), p) for p in proposals if p.status is ProposalStatus.pending
        ],
        "comment_counts": Counter(keys(c.cell_entry.cell_id) for c in comments),
        "pending_counts": Counter(
            keys(p.cell_entry.cell_id) for p in proposals if p.status is ProposalStatus.pending
        ),
        "can_import": "import" in detail.allowed_actions,
    }
    return render(request, "editions/workspace.html", context, synthetic=detail.synthetic)


@router.post("/states/{iso3}/editions/{number}/{transition}")
def workspace_transition(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    iso3: str,
    number: NumberPath,
    transition: str,
    reason: Annotated[str, Form(max_length=2000)] = "",
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

    def action() -> str:
        services[transition](session, viewer=viewer, iso3=iso3, number=number, reason=reason)
        return messages[transition]

    return act(request, _workspace_url(iso3, number), action)


@router.get("/states/{iso3}/editions/{number}/cells/{cell}", response_class=HTMLResponse)
def cell_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    iso3: str,
    number: NumberPath,
    cell: str,
) -> Response:
    current = cell_state(session, viewer=viewer, iso3=iso3, number=number, cell_key=cell)
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    comments, proposals = edition_review(session, viewer=viewer, iso3=iso3, number=number)
    keys = cell_keys(session, edition.framework_id)
    record = edition_state(session, state, edition)
    allowed = EDITION_RULES.allowed(viewer, record)
    can_edit = "edit_cells" in allowed
    shown = [p for p in proposals if keys(p.cell_entry.cell_id) == cell]
    context = {
        "cell": current,
        "comments": [c for c in comments if keys(c.cell_entry.cell_id) == cell],
        "proposals": shown,
        "proposal_actions": proposal_actions(viewer, record, shown),
        "documents": state_documents(session, viewer=viewer, iso3=iso3) if can_edit else [],
        "can_edit": can_edit,
        "can_propose": "propose" in allowed,
        "can_comment": "comment" in allowed,
        "evidence_rows": MAX_EVIDENCE_ROWS,
    }
    return render(request, "editions/cell.html", context, synthetic=current.synthetic)


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
    form = await request.form()

    def action() -> str:
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
        return gettext("Cell saved.")

    return await anyio.to_thread.run_sync(act, request, _cell_url(iso3, number, cell), action)


@router.post("/states/{iso3}/editions/{number}/cells/{cell}/comments")
def cell_comment(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    iso3: str,
    number: NumberPath,
    cell: str,
    body: Annotated[str, Form(max_length=10000)],
) -> Response:
    def action() -> str:
        add_comment(session, viewer=viewer, iso3=iso3, number=number, cell_key=cell, body=body)
        return gettext("Comment added.")

    return act(request, _cell_url(iso3, number, cell), action)


@router.post("/states/{iso3}/editions/{number}/cells/{cell}/proposals")
def cell_propose(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    iso3: str,
    number: NumberPath,
    cell: str,
    mark: Annotated[str, Form(max_length=2)] = "",
    remark: Annotated[str, Form(max_length=10000)] = "",
    reason: Annotated[str, Form(max_length=10000)] = "",
) -> Response:
    def action() -> str:
        propose_change(
            session,
            viewer=viewer,
            iso3=iso3,
            number=number,
            cell_key=cell,
            mark=mark,
            remark=remark,
            reason=reason,
        )
        return gettext("Change proposed. The Group of Experts will accept or reject it.")

    return act(request, _cell_url(iso3, number, cell), action)


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
    note: Annotated[str, Form(max_length=2000)] = "",
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
