"""/api/v1: a State's documents (national reports, addenda, ...), registering them, their files."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from starlette.responses import FileResponse, Response

from un1540.io.csv_export import documents_csv
from un1540.models import Origin
from un1540.schemas.documents import DocumentDetail, DocumentList, DocumentVisibilityChange
from un1540.schemas.text import CODE
from un1540.schemas.vocabularies import enum
from un1540.services.documents.actions import (
    FILE_SIGNATURES,
    change_document_visibility,
)
from un1540.services.documents.reads import (
    DocumentFilter,
    document_file,
    state_document_facets,
    state_documents_page,
    visible_document,
)
from un1540.services.documents.shapes import document_list, document_read
from un1540.services.kernel.envelope import envelope
from un1540.services.kernel.paging import SUMMARY
from un1540.services.library.actions import register_with_text
from un1540.web.api.common import (
    CSV_RESPONSE,
    ERRORS,
    PAYLOAD_TOO_LARGE,
    WRITE_ERRORS,
    FacetsQuery,
    Iso3Path,
    RecordIdPath,
    facet_map,
)
from un1540.web.deps import PagingDep, SessionDep, SettingsDep, ViewerDep, WriterDep
from un1540.web.guards import GuardedRoute, guarded, may_register_document
from un1540.web.responses import csv_response, json_model
from un1540.web.uploads import DocumentFormDep

router = APIRouter(tags=["Documents"], route_class=GuardedRoute)
# What a stored file may be: the types recognised on upload, or unknown (older records).
DOCUMENT_MEDIA_TYPES = (*FILE_SIGNATURES, "text/html", "text/plain", "application/octet-stream")


@router.get(
    "/states/{iso3}/documents.csv",
    summary="A State's documents as CSV",
    response_class=Response,
    responses=CSV_RESPONSE,
)
def documents_as_csv(session: SessionDep, viewer: ViewerDep, iso3: Iso3Path) -> Response:
    # Every document of the State, as the twin of the paged list (a State holds a few dozen).
    documents = state_documents_page(session, viewer=viewer, iso3=iso3, paging=SUMMARY)
    rows = [document_read(d) for d in documents.items]
    return csv_response(
        documents_csv(rows, synthetic=documents.synthetic),
        filename=f"{documents.state.iso3}-documents.csv",
        synthetic=documents.synthetic,
    )


@router.get(
    "/states/{iso3}/documents",
    summary="A State's documents",
    response_model=DocumentList,
    responses=ERRORS,
)
def documents_list(
    session: SessionDep,
    viewer: ViewerDep,
    paging: PagingDep,
    iso3: Iso3Path,
    kind: Annotated[
        str | None,
        Query(
            description="A document kind, e.g. legislation.",
            max_length=40,
            json_schema_extra=enum("document_kind"),
        ),
        CODE,
    ] = None,
    year: Annotated[int | None, Query(ge=1900, le=2100, description="Issued in this year.")] = None,
    language: Annotated[
        str | None,
        Query(
            description="ar, zh, en, fr, ru or es.",
            max_length=8,
            json_schema_extra=enum("language"),
        ),
        CODE,
    ] = None,
    facets: FacetsQuery = False,
) -> Response:
    """National reports, addenda, additional information, action plans, laws and web pages the
    caller may see (filtered), newest first."""
    filters = DocumentFilter(kind=kind, year=year, language=language)
    page = state_documents_page(session, viewer=viewer, iso3=iso3, paging=paging, filters=filters)
    listing = document_list(page, paging)
    if facets:
        counts = state_document_facets(session, viewer=viewer, state=page.state, filters=filters)
        listing = listing.model_copy(update={"facets": facet_map(counts)})
    return json_model(listing)


@router.post(
    "/states/{iso3}/documents",
    summary="Register a document",
    status_code=201,
    response_model=DocumentDetail,
    responses=WRITE_ERRORS | PAYLOAD_TOO_LARGE,
)
@guarded(may_register_document)
def documents_create(
    session: SessionDep,
    viewer: WriterDep,
    settings: SettingsDep,
    iso3: Iso3Path,
    form: DocumentFormDep,
) -> Response:
    """Experts, or the State's own points of contact. Multipart form: kind, title, language,
    issued_on, symbol, url, visibility and a file; a file, a URL or both."""
    if form.refused is not None:  # the file is over the size limit
        raise form.refused
    record = register_with_text(
        session,
        viewer=viewer,
        document=form.document,
        upload=form.upload,
        files_dir=settings.files_dir,
        max_bytes=settings.max_upload_mb * 1_000_000,
    )
    return json_model(
        DocumentDetail(**envelope(False), document=document_read(record)), status_code=201
    )


@router.get(
    "/documents/{document_id}",
    summary="One document",
    response_model=DocumentDetail,
    responses=ERRORS,
)
def documents_detail(session: SessionDep, viewer: ViewerDep, document_id: RecordIdPath) -> Response:
    document = visible_document(session, viewer=viewer, document_id=document_id)
    return json_model(
        DocumentDetail(**envelope(document.origin is Origin.demo), document=document_read(document))
    )


@router.post(
    "/documents/{document_id}/visibility",
    summary="Change who may see a document",
    response_model=DocumentDetail,
    responses=WRITE_ERRORS,
)
def documents_visibility(
    session: SessionDep,
    viewer: WriterDep,
    document_id: RecordIdPath,
    body: DocumentVisibilityChange,
) -> Response:
    """The Committee side, or the State's own points of contact for a document registered about
    their State. Narrowing is done at once; widening needs `confirm: true`. The audit trail
    records the visibility before and after, who and why."""
    document = change_document_visibility(
        session,
        viewer=viewer,
        document_id=document_id,
        visibility=body.visibility,
        reason=body.reason,
        confirmed=body.confirm,
    )
    return json_model(
        DocumentDetail(**envelope(document.origin is Origin.demo), document=document_read(document))
    )


@router.get(
    "/documents/{document_id}/file",
    summary="A document's file",
    response_class=FileResponse,
    responses={
        200: {
            "description": "The file, with the type recognised when it was registered.",
            "content": {media_type: {} for media_type in DOCUMENT_MEDIA_TYPES},
        },
        **ERRORS,
    },
)
def documents_file(
    session: SessionDep, viewer: ViewerDep, settings: SettingsDep, document_id: RecordIdPath
) -> FileResponse:
    document, path = document_file(
        session, viewer=viewer, document_id=document_id, files_dir=settings.files_dir
    )
    return FileResponse(
        path,
        media_type=document.content_type or "application/octet-stream",
        filename=document.file_name or f"document-{document.id}",
    )
