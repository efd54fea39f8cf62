"""The library's pages: /search (documents, provisions, States and fields) and a document's
page with its provisions and, per provision, laws like this."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from starlette.responses import HTMLResponse

from un1540.analytics.evidence.devset import COLUMNS
from un1540.analytics.evidence.lexicon import WEAPONS
from un1540.errors import InvalidParameter, ModelNotReady, Problem
from un1540.models import DocumentKind, Origin
from un1540.reference.languages import LANGUAGE_NAMES
from un1540.schemas.text import CODE, SEARCH_QUERY
from un1540.services.evidence.review import document_reviews, open_drafts
from un1540.services.kernel.paging import MAX_PAGE, PageRequest
from un1540.services.library.reads import (
    SearchFilters,
    SearchPage,
    document_provisions,
    document_text,
    find_by_name,
    numbered_by_library,
    search,
    search_facets,
    similar_provisions,
)
from un1540.web.deps import SessionDep, SettingsDep, ViewerDep
from un1540.web.i18n import gettext
from un1540.web.i18n import language as reader_language
from un1540.web.params import RecordIdPath
from un1540.web.portal.assistance.choices import field_groups, layout_of
from un1540.web.portal.facets import facet_links, state_choices, state_label
from un1540.web.portal.labels import code_label
from un1540.web.portal.templating import render

router = APIRouter(include_in_schema=False)
PAGE_SIZE = 20


@router.get("/search", response_class=HTMLResponse)
def search_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    q: Annotated[str, Query(), SEARCH_QUERY] = "",
    state: Annotated[str, Query(max_length=3), CODE] = "",
    kind: Annotated[str, Query(max_length=40), CODE] = "",
    language: Annotated[str, Query(max_length=8), CODE] = "",
    year: Annotated[str, Query(max_length=4), CODE] = "",  # the form sends "" for any year
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
) -> HTMLResponse:
    paging = PageRequest(page=page, page_size=PAGE_SIZE)
    issued = int(year) if year.isdigit() and 1900 <= int(year) <= 2100 else None
    filters = SearchFilters(
        query=q, iso3=state or None, kind=kind or None, language=language or None, year=issued
    )
    problems: list[Problem] = []
    try:
        results = (
            search(session, viewer=viewer, filters=filters, paging=paging)
            if q.strip()
            else SearchPage([], 0, [])
        )
    except InvalidParameter as error:  # the search without its filters, with the problem
        problems, filters = error.problems, SearchFilters(query=q)
        state = kind = language = ""
        issued = None
        results = search(session, viewer=viewer, filters=filters, paging=paging)
    counts = search_facets(session, viewer=viewer, filters=filters) if q.strip() else {}
    context = {
        # Each filter's values with their counts, as links (web/portal/facets.py).
        "facets": facet_links(
            "/search",
            {"q": q, "state": state.upper(), "kind": kind, "language": language, "year": issued},
            counts,
            {
                "state": gettext("State"),
                "kind": gettext("Kind"),
                "language": gettext("Language"),
                "year": gettext("Year"),
            },
            lambda facet, code: (
                state_label(code)
                if facet == "state"
                else code_label("document_kind", code)
                if facet == "kind"
                else LANGUAGE_NAMES.get(code, code)
                if facet == "language"
                else code
            ),
            chronological={"year"},
        ),
        "q": q,
        "state": state,
        "kind": kind,
        "language": language,
        "year": issued,
        "results": results,
        "records": find_by_name(session, viewer=viewer, query=q, language=reader_language()),
        "kinds": [k.value for k in DocumentKind],
        # every State, by its name in the reader's language and collation (a name typed in a
        # box of three letters was refused with the API's error)
        "states": state_choices(),
        "languages": LANGUAGE_NAMES,
        "page": page,
        "pages": -(-results.total // PAGE_SIZE),
        "problems": problems,
    }
    synthetic = any(hit.document.origin is Origin.demo for hit in results.hits)
    return render(
        request,
        "library/search.html",
        context,
        synthetic=synthetic,
        status_code=422 if problems else 200,
    )


@router.get("/documents/{document_id}", response_class=HTMLResponse)
def document_page(
    request: Request,
    session: SessionDep,
    viewer: ViewerDep,
    settings: SettingsDep,
    document_id: RecordIdPath,
    provision: Annotated[int | None, Query(ge=1, le=2_147_483_647)] = None,
) -> HTMLResponse:
    """A document, its provisions, and laws like the one chosen (?provision=ID)."""
    document, views = document_provisions(session, viewer=viewer, document_id=document_id)
    _, text = document_text(session, viewer=viewer, document_id=document_id)
    chosen = next((v.provision for v in views if v.provision.id == provision), None)
    similar = similar_provisions(session, viewer=viewer, provision_id=chosen.id) if chosen else []
    # The Committee side: each article's evidence suggestions and the drafts to confirm into;
    # none yet while the model is being trained in the background (the page says so).
    model_not_ready = False
    try:
        reviews = document_reviews(
            session,
            viewer=viewer,
            document=document,
            provisions=[v.provision for v in views],
            directory=settings.evidence_model_dir,
        )
    except ModelNotReady:
        reviews, model_not_ready = {}, True
    context = {
        "document": document,
        "text": text,
        "views": views,
        "chosen": chosen,
        "similar": similar,
        "reviews": reviews,
        "model_not_ready": model_not_ready,
        "numbered_by_library": numbered_by_library(views),
        "drafts": open_drafts(session, viewer=viewer, document=document) if reviews else [],
        "weapon_codes": WEAPONS,
        "column_codes": COLUMNS,
        # An edit may move the evidence to another field: OP2 and OP3 (never OP1).
        "evidence_field_groups": [
            group
            for group in field_groups(layout_of(session))
            if group[1] and not group[1][0][0].startswith("op1")
        ]
        if reviews
        else [],
    }
    return render(
        request, "library/document.html", context, synthetic=document.origin is Origin.demo
    )
