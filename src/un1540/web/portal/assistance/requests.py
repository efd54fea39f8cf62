"""Requests for assistance in the portal: a request from a gap in one step, its page with the
suggestions and their reasons, its lifecycle, and experts' judgements."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540.errors import Forbidden
from un1540.models import Origin
from un1540.reference.assistance import load_assistance_vocabulary
from un1540.schemas.assistance import (
    AssistanceRequestCreate,
    JudgementCreate,
)
from un1540.services.assistance.actions.judgements import record_judgement
from un1540.services.assistance.actions.requests import (
    change_consent,
    submit_request,
    transition_request,
)
from un1540.services.assistance.reads.requests import get_request
from un1540.services.assistance.reads.suggestions import suggestions_for
from un1540.services.assistance.rules import REQUESTS, clearinghouse_rules, transition_targets
from un1540.services.assistance.shapes import request_read
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.i18n import gettext
from un1540.web.params import RecordIdForm, RecordIdPath
from un1540.web.portal.forms import CsrfChecked, act, build
from un1540.web.portal.labels import code_label
from un1540.web.portal.templating import render
from un1540.web.portal.terms import term

router = APIRouter(include_in_schema=False)


@router.get("/assistance/requests/new", response_class=HTMLResponse)
def request_form(
    request: Request,
    viewer: ViewerDep,
    field: Annotated[str, Query(max_length=100)] = "",
    weapon: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """The form, filled in from the gap the point of contact selected on the matrix page."""
    if viewer.user_id is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    vocabulary = load_assistance_vocabulary()
    context = {
        "field": field,
        "weapon": weapon,
        "help_types": vocabulary.help_types,
        "consent": vocabulary.consent,
        "default_consent": vocabulary.default_consent,
    }
    return render(request, "assistance_requests/new.html", context, synthetic=False)


@router.post("/assistance/requests")
def request_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    title: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    field: Annotated[str, Form(max_length=100)] = "",
    weapon: Annotated[str, Form(max_length=10)] = "",
    help_type: Annotated[str, Form(max_length=40)] = "",
    consent: Annotated[str, Form(max_length=40)] = "",
    state: Annotated[str, Form(max_length=3)] = "",
) -> Response:
    created: list[int] = []

    def action() -> str:
        data = build(
            AssistanceRequestCreate,
            state=state or None,
            title=title or description[:80] or field,
            consent=consent or load_assistance_vocabulary().default_consent,
            items=[
                {
                    "description": description or title or field,
                    "fields": [field] if field else [],
                    "weapons": [weapon] if weapon else [],
                    "help_types": [help_type] if help_type else [],
                }
            ],
        )
        filed = submit_request(session, viewer=viewer, data=data)
        created.append(filed.id)
        return gettext("Request %(id)s filed.") % {"id": filed.id}

    response = act(request, f"/assistance/requests/new?field={field}&weapon={weapon}", action)
    if created:
        return RedirectResponse(f"/assistance/requests/{created[0]}", status_code=303)
    return response


@router.get("/assistance/requests/{request_id}", response_class=HTMLResponse)
def request_page(
    request: Request, session: SessionDep, viewer: ViewerDep, request_id: RecordIdPath
) -> HTMLResponse:
    record = get_request(session, viewer=viewer, request_id=request_id)
    try:
        suggestions = suggestions_for(session, viewer=viewer, request_id=request_id)
    except Forbidden:
        suggestions = None
    read = request_read(record, viewer)
    context = {
        "item": read,
        "transitions": transition_targets(read.allowed_actions, REQUESTS),
        "suggestions": suggestions,
        "may_judge": "judge" in clearinghouse_rules.allowed(viewer, None),
        "may_change_consent": "update" in read.allowed_actions,
        "consents": load_assistance_vocabulary().consent,
        "state_iso3": record.state.iso3 if record.state else "",
    }
    return render(
        request, "assistance_requests/detail.html", context, synthetic=record.origin is Origin.demo
    )


@router.post("/assistance/requests/{request_id}/transitions")
def request_transition(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    request_id: RecordIdPath,
    to: Annotated[str, Form(max_length=40)],
    reason: Annotated[str, Form()] = "",
) -> Response:
    def action() -> str:
        transition_request(session, viewer=viewer, request_id=request_id, to=to, reason=reason)
        return gettext("The request is now %(status)s.") % {
            "status": code_label("assistance_request", to)
        }

    return act(request, f"/assistance/requests/{request_id}", action)


@router.post("/assistance/requests/{request_id}/consent")
def request_consent(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    request_id: RecordIdPath,
    consent: Annotated[str, Form(max_length=40)],
    revision: RecordIdForm,
    reason: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """Change who may see the request; widening shows a confirmation page first."""
    back = f"/assistance/requests/{request_id}"

    def action() -> str:
        change_consent(
            session,
            viewer=viewer,
            request_id=request_id,
            consent=consent,
            revision=revision,
            reason=reason,
            confirmed=confirm == "1",
        )
        return gettext("Who may see the request: %(consent)s.") % {"consent": term(consent)}

    def confirmation() -> Response:
        record = get_request(session, viewer=viewer, request_id=request_id)
        context = {
            "subject": record.title,
            "before": term(record.consent),
            "after": term(consent),
            "action": f"/assistance/requests/{request_id}/consent",
            "fields": {"consent": consent, "revision": revision, "reason": reason},
            "back": back,
        }
        return render(request, "confirm.html", context, synthetic=record.origin is Origin.demo)

    return act(request, back, action, confirmation=confirmation)


@router.post("/assistance/judgements")
def judgement_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    request_id: RecordIdForm,
    item_id: RecordIdForm,
    offer_id: RecordIdForm,
    verdict: Annotated[str, Form(max_length=10)],
) -> Response:
    def action() -> str:
        data = build(JudgementCreate, item_id=item_id, offer_id=offer_id, verdict=verdict)
        record_judgement(session, viewer=viewer, data=data)
        return gettext("Judgement recorded.")

    return act(request, f"/assistance/requests/{request_id}", action)
