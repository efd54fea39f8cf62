"""Offers of assistance in the portal: the form (pickers for the areas, weapon categories,
kinds of help, regions and languages; budget, period and who may see it) and publishing."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field

import anyio.to_thread
from fastapi import APIRouter, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540.errors import Conflict, Forbidden, InvalidData, Problem, Unauthenticated
from un1540.schemas.assistance import AssistanceOfferCreate
from un1540.services.assistance.actions.offers import create_offer
from un1540.web.auth import flash
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.i18n import N_, gettext, translated
from un1540.web.portal.assistance.choices import (
    area_groups,
    currency_choices,
    help_type_choices,
    language_choices,
    layout_of,
    region_groups,
    visibility_choices,
    weapon_choices,
)
from un1540.web.portal.forms import CsrfChecked, build, login_redirect
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)

# The form's parts as the page names them (the services' `where` of each problem).
PART_NAMES = {
    "title": N_("Title"),
    "description": N_("Contents"),
    "provider_name": N_("Provider (for an organisation without an account)"),
    "fields": N_("Matrix fields or sections"),
    "sections": N_("Matrix fields or sections"),
    "weapons": N_("Weapon categories"),
    "help_types": N_("Kind of help"),
    "regions": N_("Regions"),
    "languages": N_("Languages"),
    "capacity": N_("Capacity"),
    "budget": N_("Budget"),
    "currency": N_("Currency"),
    "start_on": N_("From"),
    "end_on": N_("Until"),
    "visibility": N_("Who may see the offer"),
}
# Where each problem is shown: fields and sections share one picker.
SHOWN_AT = {"fields": "areas", "sections": "areas"}
LISTS = ("areas", "weapons", "help_types", "regions", "languages")
TEXTS = (
    "title",
    "description",
    "provider_name",
    "capacity",
    "budget",
    "currency",
    "start_on",
    "end_on",
    "visibility",
)


@dataclass
class OfferForm:
    """What was typed into the offer form, to publish it or to show it again."""

    texts: dict[str, str] = dc_field(default_factory=dict)
    lists: dict[str, list[str]] = dc_field(default_factory=dict)


def _submitted(form: FormData) -> OfferForm:
    return OfferForm(
        texts={name: str(form.get(name) or "") for name in TEXTS},
        lists={
            name: [str(v) for v in form.getlist(name) if isinstance(v, str) and v] for name in LISTS
        },
    )


def _placed(problems: list[Problem]) -> tuple[dict[str, str], list[str]]:
    """Each problem at the part of the form it concerns, and all of them in words."""
    parts: dict[str, str] = {}
    summary = []
    for problem in problems:
        message = translated(problem.message)
        where = problem.where.split(".")[0]
        shown = SHOWN_AT.get(where, where)
        parts.setdefault(shown, message)
        name = gettext(PART_NAMES[where]) if where in PART_NAMES else problem.where
        summary.append(gettext("%(part)s: %(message)s") % {"part": name, "message": message})
    return parts, summary


def _form_page(
    request: Request,
    session: Session,
    submitted: OfferForm,
    *,
    refusal: InvalidData | Conflict | Forbidden | None = None,
) -> HTMLResponse:
    layout = layout_of(session)
    parts, summary = _placed(refusal.problems if refusal else [])
    context = {
        "form": submitted,
        "refusal": refusal,
        "errors": parts,
        "error_summary": summary,
        "area_groups": area_groups(layout),
        "weapon_choices": weapon_choices(layout),
        "help_type_choices": help_type_choices(),
        "region_groups": region_groups(),
        "language_choices": language_choices(),
        "currencies": currency_choices(),
        "visibilities": visibility_choices(),
    }
    status = 200
    if refusal is not None:
        status = (
            409 if isinstance(refusal, Conflict) else 403 if isinstance(refusal, Forbidden) else 422
        )
    return render(
        request, "assistance_offers/new.html", context, synthetic=False, status_code=status
    )


@router.get("/assistance/offers/new", response_class=HTMLResponse)
def offer_form(request: Request, session: SessionDep, viewer: ViewerDep) -> Response:
    if viewer.user_id is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    submitted = OfferForm(texts={"capacity": "1", "visibility": "public"})
    return _form_page(request, session, submitted)


def _number(text: str) -> object:
    """A number as typed (a comma as the decimal mark too); what is not one goes to the schema
    as it is, which names it."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if cleaned.count(",") == 1 and "." not in cleaned:
        cleaned = cleaned.replace(",", ".")
    return cleaned or None


def _offer_input(submitted: OfferForm) -> AssistanceOfferCreate:
    texts, lists = submitted.texts, submitted.lists
    return build(
        AssistanceOfferCreate,
        title=texts["title"],
        description=texts["description"],
        provider_name=texts["provider_name"],
        fields=[code for code in lists["areas"] if "." in code],
        sections=[code for code in lists["areas"] if "." not in code],
        weapons=lists["weapons"],
        help_types=lists["help_types"],
        regions=lists["regions"],
        languages=lists["languages"],
        capacity=_number(texts["capacity"]),
        budget=_number(texts["budget"]),
        currency=texts["currency"].strip(),
        start_on=texts["start_on"] or None,
        end_on=texts["end_on"] or None,
        visibility=texts["visibility"] or "public",
    )


@router.post("/assistance/offers")
async def offer_create(
    request: Request, session: SessionDep, viewer: ViewerDep, _: CsrfChecked
) -> Response:
    """Publish the offer; a refusal shows the form again with what was typed and each problem
    at its part."""
    if viewer.user_id is None:  # say "sign in" before "the form is not complete"
        return login_redirect(request)
    submitted = _submitted(await request.form())

    def save() -> Response:
        try:
            offer = create_offer(session, viewer=viewer, data=_offer_input(submitted))
        except Unauthenticated:
            return login_redirect(request)
        except (InvalidData, Conflict, Forbidden) as refusal:
            return _form_page(request, session, submitted, refusal=refusal)
        flash(request, gettext("Offer %(id)s published.") % {"id": offer.id})
        return RedirectResponse("/assistance", status_code=303)

    return await anyio.to_thread.run_sync(save)
