"""A State's documents: the list, and registering a national report or another document."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse, Response

from un1540.models import DocumentKind, Visibility
from un1540.reference.languages import LANGUAGE_NAMES
from un1540.services.documents.actions import attach_document
from un1540.services.documents.reads import state_documents_page
from un1540.services.documents.rules import STATE_DOCUMENT_RULES
from un1540.services.kernel.paging import MAX_PAGE, PageRequest
from un1540.web.deps import SessionDep, SettingsDep, ViewerDep
from un1540.web.guards import GuardedRoute, guarded, may_register_document
from un1540.web.i18n import gettext
from un1540.web.portal.forms import CsrfChecked, act
from un1540.web.portal.templating import render
from un1540.web.uploads import DocumentFormDep

router = APIRouter(include_in_schema=False, route_class=GuardedRoute)
PAGE_SIZE = 50


@router.get("/states/{iso3}/documents", response_class=HTMLResponse)
def documents_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    iso3: str,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:
    paging = PageRequest(page=page, page_size=PAGE_SIZE)
    listing = state_documents_page(session, viewer=viewer, iso3=iso3, paging=paging)
    state = listing.state
    context = {
        "state": state,
        "documents": listing.items,
        "page": paging.page,
        "pages": -(-listing.total // PAGE_SIZE),
        "can_register": "register" in STATE_DOCUMENT_RULES.allowed(viewer, state.id),
        "kinds": [kind.value for kind in DocumentKind],
        "languages": LANGUAGE_NAMES,
        "visibilities": [Visibility.public.value, Visibility.owning_state_and_committee.value],
    }
    return render(
        request,
        "documents/list.html",
        context,
        synthetic=listing.synthetic,
    )


def _back(request: Request) -> str:
    return f"/states/{request.path_params['iso3'].upper()}/documents"


@router.post("/states/{iso3}/documents")
@guarded(may_register_document, back=_back)
def documents_register(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    _: CsrfChecked,
    iso3: str,
    form: DocumentFormDep,
) -> Response:
    def action() -> str:
        record = attach_document(
            session,
            viewer=viewer,
            document=form.document,
            upload=form.upload,
            files_dir=settings.files_dir,
            max_bytes=settings.max_upload_mb * 1_000_000,
        )
        return gettext(
            "Registered \u201c%(title)s\u201d (document %(id)s): cite it as evidence."
        ) % {
            "title": record.title,
            "id": record.id,
        }

    return act(request, f"/states/{iso3.upper()}/documents", action)
