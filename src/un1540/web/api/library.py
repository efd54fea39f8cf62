"""/api/v1: a document's provisions, the full-text search, laws like this (docs/library.md)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import Response

from un1540.schemas.library import ProvisionList, SearchResults, SimilarProvisions
from un1540.schemas.text import CODE, SEARCH_QUERY
from un1540.schemas.vocabularies import enum
from un1540.services.library.reads import (
    SearchFilters,
    document_provisions,
    document_text,
    search,
    similar_provisions,
)
from un1540.services.library.shapes import provision_list, search_results, similar_list
from un1540.web.api.common import ERRORS, RecordIdPath
from un1540.web.deps import PagingDep, SessionDep, ViewerDep
from un1540.web.responses import json_model

router = APIRouter(tags=["Library"])


@router.get(
    "/documents/{document_id}/provisions",
    summary="A document's provisions",
    response_model=ProvisionList,
    responses=ERRORS,
)
def provisions_list(session: SessionDep, viewer: ViewerDep, document_id: RecordIdPath) -> Response:
    """The articles, sections, paragraphs and schedules of a law, in order, with character
    offsets in its text, the page each starts on, and the provisions each refers to."""
    document, views = document_provisions(session, viewer=viewer, document_id=document_id)
    _, text = document_text(session, viewer=viewer, document_id=document_id)
    return json_model(provision_list(document, text, views))


@router.get(
    "/provisions/{provision_id}/similar",
    summary="Laws like this",
    response_model=SimilarProvisions,
    responses=ERRORS,
)
def provisions_similar(
    session: SessionDep, viewer: ViewerDep, provision_id: RecordIdPath
) -> Response:
    """Provisions of other States' documents closest in meaning, in any language, among
    those the caller may see."""
    similar = similar_provisions(session, viewer=viewer, provision_id=provision_id)
    return json_model(similar_list(provision_id, similar))


@router.get(
    "/search",
    summary="Search documents and provisions",
    response_model=SearchResults,
    responses=ERRORS,
)
def search_documents(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    q: Annotated[
        str, Query(description="Words to find, in any of the six languages."), SEARCH_QUERY
    ],
    state: Annotated[
        str | None,
        Query(description="ISO3 of a State.", max_length=3, json_schema_extra=enum("state")),
        CODE,
    ] = None,
    kind: Annotated[
        str | None,
        Query(
            description="A document kind, e.g. legislation.",
            max_length=40,
            json_schema_extra=enum("document_kind"),
        ),
        CODE,
    ] = None,
    language: Annotated[
        str | None,
        Query(
            description="ar, zh, en, fr, ru or es.",
            max_length=8,
            json_schema_extra=enum("language"),
        ),
        CODE,
    ] = None,
    issued_from: Annotated[
        date | None, Query(description="Issued on or after, YYYY-MM-DD.")
    ] = None,
    issued_to: Annotated[date | None, Query(description="Issued on or before, YYYY-MM-DD.")] = None,
) -> Response:
    """Passages (provisions, pages, titles) of the documents the caller may see holding every
    word of the query, best first, with a snippet whose matches are marked, and the page or
    article to cite."""
    filters = SearchFilters(
        query=q,
        iso3=state or None,
        kind=kind or None,
        language=language or None,
        issued_from=issued_from,
        issued_to=issued_to,
    )
    page = search(session, viewer=viewer, filters=filters, paging=paging)
    return json_model(search_results(q, page, paging))
