"""Library rows -> wire shapes (schemas/library.py): the only place that maps them."""

from __future__ import annotations

from un1540.models import Document, DocumentText, Origin
from un1540.schemas.library import (
    ProvisionLinkRead,
    ProvisionList,
    ProvisionRead,
    SearchHitRead,
    SearchResults,
    SimilarProvisionRead,
    SimilarProvisions,
    SnippetSegment,
)
from un1540.services.kernel.envelope import envelope, page_of
from un1540.services.kernel.paging import PageRequest
from un1540.services.library.reads import ProvisionView, SearchPage, Similar

EXCERPT = 300


def provision_list(
    document: Document, text: DocumentText | None, views: list[ProvisionView]
) -> ProvisionList:
    items = [
        ProvisionRead(
            id=p.id,
            document_id=p.document_id,
            position=p.position,
            parent_id=p.parent_id,
            kind=p.kind,
            level=p.level,
            number=p.number,
            label=p.label,
            heading=p.heading,
            text=p.text,
            start=p.start,
            end=p.end,
            page=p.page,
            page_end=p.page_end,
            language=p.language,
            refers_to=[
                ProvisionLinkRead(kind=kind, provision_id=target, label=label)
                for kind, target, label in view.links
            ],
        )
        for view in views
        for p in [view.provision]
    ]
    return ProvisionList(
        **envelope(document.origin is Origin.demo),
        document_id=document.id,
        text_status=text.status.value if text else None,
        progress=text.progress if text else None,
        items=items,
    )


def search_results(query: str, page: SearchPage, paging: PageRequest) -> SearchResults:
    items = [
        SearchHitRead(
            document_id=hit.document.id,
            document_title=hit.document.title,
            state=hit.state.iso3 if hit.state else None,
            kind=hit.document.kind.value,
            language=hit.passage.language,
            issued_on=hit.document.issued_on,
            provision_id=hit.provision.id if hit.provision else None,
            provision_label=hit.provision.label if hit.provision else None,
            page=hit.passage.page,
            score=round(hit.score, 6),
            snippet=[SnippetSegment(text=s.text, match=s.match) for s in hit.snippet],
        )
        for hit in page.hits
    ]
    synthetic = any(hit.document.origin is Origin.demo for hit in page.hits)
    return page_of(
        SearchResults, items, total=page.total, paging=paging, synthetic=synthetic, query=query
    )


def similar_list(provision_id: int, similar: list[Similar]) -> SimilarProvisions:
    return SimilarProvisions(
        **envelope(any(s.document.origin is Origin.demo for s in similar)),
        provision_id=provision_id,
        items=[
            SimilarProvisionRead(
                provision_id=s.provision.id,
                label=s.provision.label,
                heading=s.provision.heading,
                document_id=s.document.id,
                document_title=s.document.title,
                state=s.document.state.iso3 if s.document.state else None,
                language=s.provision.language,
                score=round(s.score, 4),
                excerpt=s.provision.text[:EXCERPT],
            )
            for s in similar
        ],
    )
