"""A State's documents: the list, and registering a national report or another document."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Query, Request
from sqlalchemy.orm import Session
from starlette.responses import HTMLResponse, RedirectResponse, Response

from un1540.errors import Conflict, InvalidData, InvalidParameter, Problem
from un1540.models import DocumentKind, Origin, Visibility
from un1540.reference.languages import LANGUAGE_NAMES, N_
from un1540.schemas.text import CODE
from un1540.services.documents.actions import (
    UPLOAD_VISIBILITY,
    DocumentInput,
    change_document_visibility,
)
from un1540.services.documents.reads import (
    DocumentFilter,
    state_document_facets,
    state_documents_page,
    visible_document,
)
from un1540.services.documents.rules import STATE_DOCUMENT_RULES, document_actions
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.paging import MAX_PAGE, PageRequest
from un1540.services.library.actions import register_with_text
from un1540.web.deps import SessionDep, SettingsDep, ViewerDep
from un1540.web.guards import GuardedRoute, guarded, may_register_document
from un1540.web.i18n import gettext
from un1540.web.params import RecordIdPath
from un1540.web.portal.facets import facet_links
from un1540.web.portal.forms import CsrfChecked, act
from un1540.web.portal.labels import code_label
from un1540.web.portal.messages import refusal
from un1540.web.portal.templating import render
from un1540.web.uploads import DETECT_LANGUAGE, DocumentFormDep

router = APIRouter(include_in_schema=False, route_class=GuardedRoute)
PAGE_SIZE = 50
# Who may see a document, from the narrowest to the widest, as the pages say it.
VISIBILITY_NAMES = {
    Visibility.committee.value: N_("only the Committee"),
    Visibility.owning_state_and_committee.value: N_("only the State and the Committee"),
    Visibility.states_and_providers.value: N_("States and assistance providers"),
    Visibility.public.value: N_("everyone"),
}


def visibility_name(code: str) -> str:
    return gettext(VISIBILITY_NAMES.get(code, code))


@router.get("/states/{iso3}/documents", response_class=HTMLResponse)
def documents_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    iso3: str,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    kind: Annotated[str, Query(max_length=40), CODE] = "",
    year: Annotated[int | None, Query(ge=1900, le=2100)] = None,
    language: Annotated[str, Query(max_length=8), CODE] = "",
) -> HTMLResponse:
    paging = PageRequest(page=page, page_size=PAGE_SIZE)
    filters = DocumentFilter(kind=kind or None, year=year, language=language or None)
    return _documents_response(request, session, viewer, iso3, paging, filters)


def _documents_response(
    request: Request,
    session: Session,
    viewer: Viewer,
    iso3: str,
    paging: PageRequest,
    filters: DocumentFilter,
    *,
    entered: DocumentInput | None = None,
    refused: str = "",
    duplicate_of: int | None = None,
) -> HTMLResponse:
    """The State's documents and the form to register one; after a refused registration, the
    form holds what was entered (all but the file, which a browser never fills in again)."""
    problems: list[Problem] = []
    try:
        listing = state_documents_page(
            session, viewer=viewer, iso3=iso3, paging=paging, filters=filters
        )
    except InvalidParameter as error:  # the page unfiltered, with the problem
        problems, filters = error.problems, DocumentFilter()
        listing = state_documents_page(session, viewer=viewer, iso3=iso3, paging=paging)
    state = listing.state
    given = {key: value for key, value in filters.__dict__.items() if value is not None}
    context = {
        # Each filter's values with their counts, as links (web/portal/facets.py).
        "facets": facet_links(
            f"/states/{state.iso3}/documents",
            given,
            state_document_facets(session, viewer=viewer, state=state, filters=filters),
            {"kind": gettext("Kind"), "year": gettext("Year"), "language": gettext("Language")},
            lambda facet, code: (
                code_label("document_kind", code)
                if facet == "kind"
                else LANGUAGE_NAMES.get(code, code)
                if facet == "language"
                else code
            ),
            chronological={"year"},
        ),
        "problems": problems,
        "query": urlencode(given),
        "state": state,
        "documents": listing.items,
        "page": paging.page,
        "pages": -(-listing.total // PAGE_SIZE),
        "can_register": "register" in STATE_DOCUMENT_RULES.allowed(viewer, state.id),
        "kinds": [kind.value for kind in DocumentKind],
        "languages": LANGUAGE_NAMES,
        "visibilities": VISIBILITY_NAMES,
        "document_actions": document_actions(viewer, listing.items),
        "visibility_name": visibility_name,
        "entered": _entered(entered),
        "refused": refused,
        "duplicate_of": duplicate_of,
    }
    return render(
        request,
        "documents/list.html",
        context,
        synthetic=listing.synthetic,
        status_code=422 if entered is not None else 200,
    )


def _entered(document: DocumentInput | None) -> dict[str, str]:
    """The register form's values as its inputs hold them (the language "auto" when none)."""
    if document is None:
        return {"language": DETECT_LANGUAGE, "visibility": UPLOAD_VISIBILITY.value}
    return {
        "kind": document.kind,
        "title": document.title,
        "issued_on": document.issued_on.isoformat() if document.issued_on else "",
        "language": document.language or DETECT_LANGUAGE,
        "symbol": document.symbol,
        "url": document.url,
        "visibility": (document.visibility or UPLOAD_VISIBILITY).value,
    }


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
    registered: list[int] = []

    def action() -> str:
        if form.refused is not None:
            raise form.refused
        record = register_with_text(
            session,
            viewer=viewer,
            document=form.document,
            upload=form.upload,
            files_dir=settings.files_dir,
            max_bytes=settings.max_upload_mb * 1_000_000,
        )
        registered.append(record.id)
        return gettext(
            "Registered \u201c%(title)s\u201d (document %(id)s): cite it as evidence."
        ) % {
            "title": record.title,
            "id": record.id,
        }

    def again(error: InvalidData | Conflict) -> Response:
        duplicate_of = (error.details or {}).get("duplicate_of")
        return _documents_response(
            request,
            session,
            viewer,
            iso3,
            PageRequest(page=1, page_size=PAGE_SIZE),
            DocumentFilter(),
            entered=form.document,
            refused=refusal(error, template="documents/list.html"),
            duplicate_of=duplicate_of if isinstance(duplicate_of, int) else None,
        )

    answer = act(
        request,
        f"/states/{iso3.upper()}/documents",
        action,
        template="documents/list.html",
        again=again,
    )
    if registered:  # on to the document: its provisions and, for experts, their suggestions
        return RedirectResponse(f"/documents/{registered[0]}", status_code=303)
    return answer


@router.post("/states/{iso3}/documents/{document_id}/visibility")
def documents_visibility(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    _: CsrfChecked,
    iso3: str,
    document_id: RecordIdPath,
    visibility: Annotated[Visibility, Form()],
    reason: Annotated[str, Form()] = "",
    confirm: Annotated[str, Form(max_length=1)] = "",
) -> Response:
    """Change who may see a document; widening shows a confirmation page first."""
    back = f"/states/{iso3.upper()}/documents"

    def action() -> str:
        document = change_document_visibility(
            session,
            viewer=viewer,
            document_id=document_id,
            visibility=visibility,
            reason=reason,
            confirmed=confirm == "1",
        )
        return gettext("Who may see \u201c%(title)s\u201d: %(visibility)s.") % {
            "title": document.title,
            "visibility": visibility_name(visibility.value),
        }

    def confirmation() -> Response:
        document = visible_document(session, viewer=viewer, document_id=document_id)
        context = {
            "subject": document.title,
            "before": visibility_name(document.visibility.value),
            "after": visibility_name(visibility.value),
            "action": f"/states/{iso3.upper()}/documents/{document_id}/visibility",
            "fields": {"visibility": visibility.value, "reason": reason},
            "back": back,
        }
        return render(request, "confirm.html", context, synthetic=document.origin is Origin.demo)

    return act(request, back, action, confirmation=confirmation)
