"""The edition workspace: the workflow buttons, the matrix to work on, each cell with its review."""

from __future__ import annotations

from collections import Counter
from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540.models import EditionStatus, ProposalStatus, Role
from un1540.services.documents.core import state_documents
from un1540.services.kernel.access import Viewer, speaks_for
from un1540.services.matrix.core import get_matrix
from un1540.services.matrix.edition_reads import cell_state, edition_detail
from un1540.services.matrix.editions import EvidenceInput
from un1540.services.matrix.frameworks import cell_keys
from un1540.services.matrix.review import (
    add_comment,
    decide_proposal,
    edition_review,
    propose_change,
)
from un1540.services.matrix.workflow import (
    CellChange,
    agree_edition,
    approve_edition,
    discard_draft,
    find_edition,
    open_draft,
    reopen_edition,
    share_edition,
    update_cell,
)
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.i18n import gettext
from un1540.web.portal.forms import CsrfChecked, act
from un1540.web.portal.matrix_grid import matrix_grid
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)
MAX_EVIDENCE_ROWS = 20


def allowed_actions(viewer: Viewer, state_id: int, status: str) -> list[str]:
    """Which workflow buttons to show; the services check again whatever is submitted."""
    expert = viewer.role in (Role.expert, Role.admin)
    committee = viewer.role in (Role.committee, Role.admin)
    actions = []
    if expert and status == EditionStatus.draft:
        actions += ["share", "discard"]
    if status == EditionStatus.shared and (expert or speaks_for(viewer, state_id)):
        actions.append("agree")
    if expert and status == EditionStatus.agreed:
        actions.append("reopen")
    if committee and status in (EditionStatus.shared, EditionStatus.agreed):
        actions.append("approve")
    return actions


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
        session.commit()
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
    request: Request, session: SessionDep, viewer: ViewerDep, iso3: str, number: int
) -> Response:
    detail = edition_detail(session, viewer=viewer, iso3=iso3, number=number)
    matrix = get_matrix(session, viewer=viewer, iso3=iso3, number=number)
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    comments, proposals = edition_review(session, viewer=viewer, iso3=iso3, number=number)
    keys = cell_keys(session, edition.framework_id)
    context = {
        "detail": detail,
        "matrix": matrix,
        "matrix_grid": matrix_grid(matrix),
        "actions": allowed_actions(viewer, state.id, edition.status.value),
        "comments": [(keys(c.cell_entry.cell_id), c) for c in comments],
        "pending": [
            (keys(p.cell_entry.cell_id), p) for p in proposals if p.status is ProposalStatus.pending
        ],
        "comment_counts": Counter(keys(c.cell_entry.cell_id) for c in comments),
        "pending_counts": Counter(
            keys(p.cell_entry.cell_id) for p in proposals if p.status is ProposalStatus.pending
        ),
        "can_import": viewer.role in (Role.expert, Role.admin)
        and edition.status in (EditionStatus.draft, EditionStatus.shared),
    }
    return render(request, "editions/workspace.html", context, synthetic=detail.synthetic)


@router.post("/states/{iso3}/editions/{number}/{transition}")
def workspace_transition(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    iso3: str,
    number: int,
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
            session.commit()
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
        session.commit()
        return messages[transition]

    return act(request, _workspace_url(iso3, number), action)


@router.get("/states/{iso3}/editions/{number}/cells/{cell}", response_class=HTMLResponse)
def cell_page(
    request: Request, session: SessionDep, viewer: ViewerDep, iso3: str, number: int, cell: str
) -> Response:
    current = cell_state(session, viewer=viewer, iso3=iso3, number=number, cell_key=cell)
    state, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    comments, proposals = edition_review(session, viewer=viewer, iso3=iso3, number=number)
    keys = cell_keys(session, edition.framework_id)
    status = edition.status
    expert = viewer.role in (Role.expert, Role.admin)
    context = {
        "cell": current,
        "comments": [c for c in comments if keys(c.cell_entry.cell_id) == cell],
        "proposals": [p for p in proposals if keys(p.cell_entry.cell_id) == cell],
        "documents": state_documents(session, viewer=viewer, iso3=iso3) if expert else [],
        "can_edit": expert and status in (EditionStatus.draft, EditionStatus.shared),
        "can_propose": speaks_for(viewer, state.id) and status is EditionStatus.shared,
        "can_comment": (viewer.is_committee_side or speaks_for(viewer, state.id))
        and status is not EditionStatus.approved,
        "can_decide": expert and status in (EditionStatus.draft, EditionStatus.shared),
        "evidence_rows": MAX_EVIDENCE_ROWS,
    }
    return render(request, "editions/cell.html", context, synthetic=current.synthetic)


def _cell_url(iso3: str, number: int, cell: str) -> str:
    return f"{_workspace_url(iso3, number)}/cells/{cell}"


def _evidence_from(form: FormData) -> list[EvidenceInput]:
    """Rows evidence-0-document ... evidence-N-quotation; a row without a document is ignored."""
    rows = []
    for index in range(MAX_EVIDENCE_ROWS):
        document = str(form.get(f"evidence-{index}-document") or "").strip()
        if not document or form.get(f"evidence-{index}-remove"):
            continue
        rows.append(
            EvidenceInput(
                document_id=int(document) if document.isdigit() else -1,
                page=str(form.get(f"evidence-{index}-page") or "")[:40],
                article=str(form.get(f"evidence-{index}-article") or "")[:100],
                paragraph=str(form.get(f"evidence-{index}-paragraph") or "")[:100],
                quotation=str(form.get(f"evidence-{index}-quotation") or "")[:2000],
            )
        )
    return rows


@router.post("/states/{iso3}/editions/{number}/cells/{cell}")
async def cell_edit(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    iso3: str,
    number: int,
    cell: str,
) -> Response:
    form = await request.form()
    version = str(form.get("version") or "0")
    change = CellChange(
        mark=str(form.get("mark") or ""),
        remark=str(form.get("remark") or "")[:10000],
        version=int(version) if version.isdigit() else 0,
        evidence=_evidence_from(form),
    )

    def action() -> str:
        update_cell(
            session,
            viewer=viewer,
            iso3=iso3,
            number=number,
            cell_key=cell,
            change=change,
            reason=str(form.get("reason") or "")[:2000],
        )
        session.commit()
        return gettext("Cell saved.")

    import anyio.to_thread

    return await anyio.to_thread.run_sync(act, request, _cell_url(iso3, number, cell), action)


@router.post("/states/{iso3}/editions/{number}/cells/{cell}/comments")
def cell_comment(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    iso3: str,
    number: int,
    cell: str,
    body: Annotated[str, Form(max_length=10000)],
) -> Response:
    def action() -> str:
        add_comment(session, viewer=viewer, iso3=iso3, number=number, cell_key=cell, body=body)
        session.commit()
        return gettext("Comment added.")

    return act(request, _cell_url(iso3, number, cell), action)


@router.post("/states/{iso3}/editions/{number}/cells/{cell}/proposals")
def cell_propose(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    iso3: str,
    number: int,
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
        session.commit()
        return gettext("Change proposed. The Group of Experts will accept or reject it.")

    return act(request, _cell_url(iso3, number, cell), action)


@router.post("/states/{iso3}/editions/{number}/proposals/{proposal_id}/decision")
def proposal_decision(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    iso3: str,
    number: int,
    proposal_id: int,
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
        session.commit()
        if decision == "accept":
            return gettext("Proposal %(id)s accepted: the cell now says what was proposed.") % {
                "id": proposal_id
            }
        return gettext("Proposal %(id)s rejected.") % {"id": proposal_id}

    target = back if back.startswith(_workspace_url(iso3, number)) else _workspace_url(iso3, number)
    return act(request, target, action)
