"""Offers of assistance in the portal: the form and publishing."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540.errors import Unauthenticated
from un1540.reference.assistance import load_assistance_vocabulary
from un1540.schemas.assistance import (
    AssistanceOfferCreate,
)
from un1540.services.assistance.actions.offers import create_offer
from un1540.web.deps import SessionDep, ViewerDep
from un1540.web.i18n import gettext
from un1540.web.portal.forms import CsrfChecked, act, build
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/assistance/offers/new", response_class=HTMLResponse)
def offer_form(request: Request, viewer: ViewerDep) -> Response:
    if viewer.user_id is None:
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)
    context = {"help_types": load_assistance_vocabulary().help_types}
    return render(request, "assistance_offers/new.html", context, synthetic=False)


def _codes(text: str) -> list[str]:
    return [part.strip() for part in text.replace(";", ",").split(",") if part.strip()]


@router.post("/assistance/offers")
def offer_create(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    title: Annotated[str, Form()] = "",
    description: Annotated[str, Form()] = "",
    areas: Annotated[str, Form(max_length=2000)] = "",
    help_type: Annotated[list[str] | None, Form()] = None,
    regions: Annotated[str, Form(max_length=500)] = "",
    languages: Annotated[str, Form(max_length=100)] = "",
    capacity: Annotated[str, Form(max_length=10)] = "1",
    provider_name: Annotated[str, Form()] = "",
) -> Response:
    def action() -> str:
        if viewer.user_id is None:  # say "sign in" before "the form is not complete"
            raise Unauthenticated("sign in to publish an offer")
        codes = _codes(areas)
        try:
            slots = int(capacity)
        except ValueError:
            slots = -1  # reported by the service as "must be 0 or more"
        data = build(
            AssistanceOfferCreate,
            title=title,
            description=description,
            provider_name=provider_name,
            fields=[code for code in codes if "." in code],
            sections=[code for code in codes if "." not in code],
            help_types=help_type or [],
            regions=_codes(regions),
            languages=_codes(languages),
            capacity=slots,
        )
        offer = create_offer(session, viewer=viewer, data=data)
        return gettext("Offer %(id)s published.") % {"id": offer.id}

    return act(request, "/assistance", action)
