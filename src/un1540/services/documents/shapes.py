"""Document rows -> wire shapes (schemas/documents.py): the only place that maps them."""

from __future__ import annotations

from un1540.models import Document
from un1540.schemas.documents import DocumentList, DocumentRead, FileRead
from un1540.schemas.matrix import StateRef
from un1540.services.documents.reads import DocumentPage
from un1540.services.kernel.envelope import page_of
from un1540.services.kernel.paging import PageRequest


def document_read(document: Document) -> DocumentRead:
    file = None
    if document.file_sha256:
        file = FileRead(
            name=document.file_name,
            size=document.file_size,
            content_type=document.content_type,
            sha256=document.file_sha256,
            url=f"/api/v1/documents/{document.id}/file",
        )
    return DocumentRead(
        id=document.id,
        kind=document.kind.value,
        title=document.title,
        symbol=document.symbol,
        issued_on=document.issued_on,
        language=document.language,
        url=document.url,
        state=document.state.iso3 if document.state else None,
        visibility=document.visibility.value,
        origin=document.origin.value,
        file=file,
        created_at=document.created_at,
    )


def document_list(page: DocumentPage, paging: PageRequest) -> DocumentList:
    return page_of(
        DocumentList,
        [document_read(document) for document in page.items],
        total=page.total,
        paging=paging,
        synthetic=page.synthetic,
        state=StateRef(iso3=page.state.iso3, name=page.state.short_name),
    )
