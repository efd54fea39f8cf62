"""Requests for assistance in the portal: a request from a gap in one step, its page with the
suggestions and their reasons, its lifecycle, and experts' judgements."""

from __future__ import annotations

import re
from dataclasses import dataclass
from dataclasses import field as dc_field
from typing import Annotated, Any

import anyio.to_thread
from fastapi import APIRouter, Form, Query, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540.errors import Conflict, Forbidden, InvalidData, Problem, Unauthenticated
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
from un1540.services.assistance.validation import draft_item_problems
from un1540.web.auth import flash
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.i18n import N_, gettext, translated
from un1540.web.params import RecordIdForm, RecordIdPath
from un1540.web.portal.assistance.choices import (
    field_groups,
    help_type_choices,
    language_choices,
    layout_of,
    weapon_choices,
)
from un1540.web.portal.forms import CsrfChecked, act, build, login_redirect
from un1540.web.portal.labels import code_label, field_label
from un1540.web.portal.templating import render
from un1540.web.portal.terms import term

router = APIRouter(include_in_schema=False)


# The request form's items: `item-N-field`, `item-N-weapon`, `item-N-help_type`, `item-N-note`
# (N from 0); "Add an item" and "Remove" are submit buttons, so they work without script: the
# form comes back with what was typed and one item more or less, and nothing is saved.
ITEM_KEY = re.compile(r"item-(\d{1,4})-(field|weapon|help_type|note)")
MAX_ITEMS = 100  # schemas/assistance.py AssistanceRequestCreate.items
ITEM_PROBLEM = re.compile(r"items(?:\.|\[)(\d+)\]?\.(\w+)")
# What the services and the schema call a part of the request, as the form names it.
ITEM_PARTS = {
    "fields": "field",
    "weapons": "weapon",
    "help_types": "help_type",
    "description": "note",
    "languages": "languages",
}
PART_NAMES = {
    "field": N_("Matrix field"),
    "weapon": N_("Weapon category"),
    "help_type": N_("Kind of help"),
    "note": N_("Note"),
    "title": N_("Title"),
    "summary": N_("What is needed"),
    "consent": N_("Who may see the request"),
    "languages": N_("Languages"),
    "state": N_("State"),
    "items": N_("Items"),
}


@dataclass
class ItemForm:
    field: str = ""
    weapon: str = ""
    help_type: str = ""
    note: str = ""


@dataclass
class RequestForm:
    """What was typed into the request form, to file it or to show it again."""

    title: str = ""
    summary: str = ""
    consent: str = ""
    state: str = ""
    languages: list[str] = dc_field(default_factory=list)
    items: list[ItemForm] = dc_field(default_factory=list)


def _submitted(form: FormData) -> RequestForm:
    items: dict[int, ItemForm] = {}
    for key, value in form.multi_items():
        match = ITEM_KEY.fullmatch(key)
        if match is None or not isinstance(value, str):
            continue
        index = int(match.group(1))
        if index not in items and len(items) > MAX_ITEMS:
            continue  # one more than allowed is enough for the service to say so
        setattr(items.setdefault(index, ItemForm()), match.group(2), value.strip())
    return RequestForm(
        title=str(form.get("title") or "").strip(),
        summary=str(form.get("summary") or ""),
        consent=str(form.get("consent") or ""),
        state=str(form.get("state") or "").strip(),
        languages=[str(v) for v in form.getlist("languages") if isinstance(v, str) and v],
        items=[items[index] for index in sorted(items)] or [ItemForm()],
    )


@dataclass
class FormProblems:
    """A refusal's problems, placed where the form shows them: at a part of the request, at a
    part of an item, and all of them in words above the form."""

    parts: dict[str, str] = dc_field(default_factory=dict)
    items: dict[tuple[int, str], str] = dc_field(default_factory=dict)
    summary: list[str] = dc_field(default_factory=list)


def _item_of(problem: Problem) -> int:
    match = ITEM_PROBLEM.match(problem.where)
    return int(match.group(1)) if match else -1


def _placed(problems: list[Problem]) -> FormProblems:
    placed = FormProblems()
    for problem in sorted(problems, key=_item_of):
        message = translated(problem.message)
        match = ITEM_PROBLEM.match(problem.where)
        if match is not None and ITEM_PARTS.get(match.group(2)) not in (None, "languages"):
            index, part = int(match.group(1)), ITEM_PARTS[match.group(2)]
            placed.items.setdefault((index, part), message)
            placed.summary.append(
                gettext("Item %(n)s, %(part)s: %(message)s")
                % {"n": index + 1, "part": gettext(PART_NAMES[part]), "message": message}
            )
            continue
        part = ITEM_PARTS.get(match.group(2), "items") if match else problem.where.split(".")[0]
        if part in PART_NAMES:
            placed.parts.setdefault(part, message)
            name = gettext(PART_NAMES[part])
        else:
            name = problem.where
        placed.summary.append(gettext("%(part)s: %(message)s") % {"part": name, "message": message})
    return placed


def _form_page(
    request: Request,
    session: Session,
    submitted: RequestForm,
    *,
    refusal: InvalidData | Conflict | Forbidden | None = None,
) -> HTMLResponse:
    vocabulary = load_assistance_vocabulary()
    layout = layout_of(session)
    problems = _placed(refusal.problems if refusal else [])
    context = {
        "form": submitted,
        "refusal": refusal,
        "problems": problems,
        "max_items": MAX_ITEMS,
        "field_groups": field_groups(layout),
        "weapon_choices": weapon_choices(layout),
        "help_type_choices": help_type_choices(),
        "language_choices": language_choices(),
        "consent": vocabulary.consent,
        "default_consent": vocabulary.default_consent,
    }
    status = 200 if refusal is None else 409 if isinstance(refusal, Conflict) else 422
    if isinstance(refusal, Forbidden):
        status = 403
    return render(
        request, "assistance_requests/new.html", context, synthetic=False, status_code=status
    )


@router.get("/assistance/requests/new", response_class=HTMLResponse)
def request_form(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    field: Annotated[str, Query(max_length=100)] = "",
    weapon: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """The form, filled in from the gap the point of contact selected on the matrix page."""
    if viewer.user_id is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    title = gettext("Assistance with %(field)s") % {"field": field_label(field)} if field else ""
    submitted = RequestForm(
        title=title,
        consent=load_assistance_vocabulary().default_consent,
        items=[ItemForm(field=field, weapon=weapon)],
    )
    return _form_page(request, session, submitted)


def _request_input(session: Session, submitted: RequestForm) -> AssistanceRequestCreate:
    """The request as the service takes it; when its shape is not complete, the problems of
    the items that have theirs are named too (every problem at once)."""
    raw = _raw_request(submitted)
    try:
        return build(AssistanceRequestCreate, **raw)
    except InvalidData as error:
        more = draft_item_problems(session, raw["items"])
        raise InvalidData(error.message, problems=[*error.problems, *more]) from None


def _raw_request(submitted: RequestForm) -> dict[str, Any]:
    return dict(
        state=submitted.state or None,
        title=submitted.title,
        summary=submitted.summary,
        consent=submitted.consent or load_assistance_vocabulary().default_consent,
        items=[
            {
                # The note is optional: the request's title stands for it.
                "description": item.note or submitted.title or item.field,
                "fields": [item.field] if item.field else [],
                "weapons": [item.weapon] if item.weapon else [],
                "help_types": [item.help_type] if item.help_type else [],
                "languages": submitted.languages,
            }
            for item in submitted.items
        ],
    )


@router.post("/assistance/requests")
async def request_create(
    request: Request, session: SessionDep, viewer: ViewerDep, _: CsrfChecked
) -> Response:
    """File the request; a refusal shows the form again with what was typed and each problem
    at its item and part. "Add an item" and "Remove" show the form again, saving nothing."""
    if viewer.user_id is None:
        return login_redirect(request)
    form = await request.form()
    submitted = _submitted(form)
    if form.get("add") is not None and len(submitted.items) < MAX_ITEMS:
        submitted.items.append(ItemForm())
        return await anyio.to_thread.run_sync(_form_page, request, session, submitted)
    remove = str(form.get("remove") or "")
    if remove.isdigit():
        if len(submitted.items) > 1 and int(remove) < len(submitted.items):
            del submitted.items[int(remove)]
        return await anyio.to_thread.run_sync(_form_page, request, session, submitted)

    def save() -> Response:
        try:
            data = _request_input(session, submitted)
            filed = submit_request(session, viewer=viewer, data=data)
        except Unauthenticated:
            return login_redirect(request)
        except (InvalidData, Conflict, Forbidden) as refusal:
            return _form_page(request, session, submitted, refusal=refusal)
        flash(request, gettext("Request %(id)s filed.") % {"id": filed.id})
        return RedirectResponse(f"/assistance/requests/{filed.id}", status_code=303)

    return await anyio.to_thread.run_sync(save)


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
