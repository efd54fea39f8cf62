"""Reading the documents a caller may see: a State's, one with its file, counts, report dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.orm import Session

from un1540.errors import InvalidParameter, NotFound, Problem, text
from un1540.models import Document, DocumentKind, Origin, State
from un1540.reference.languages import N_, UN_LANGUAGES
from un1540.services.kernel.access import Viewer, can_see, visible
from un1540.services.kernel.facets import FacetCounts, tally
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.kernel.paging import PageRequest


def count_documents(
    session: Session, *, viewer: Viewer, state_id: int | None = None
) -> tuple[int, bool]:
    """Documents the caller may see (of one State, if given), and whether any is synthetic."""
    statement = select(func.count(), func.count().filter(Document.origin == Origin.demo)).where(
        visible(Document.visibility, viewer, Document.state_id)
    )
    if state_id is not None:
        statement = statement.where(Document.state_id == state_id)
    total, demo = session.execute(statement).one()
    return total, demo > 0


def visible_document(session: Session, *, viewer: Viewer, document_id: int) -> Document:
    document = session.get(Document, document_id)
    if document is None or not can_see(document.visibility, viewer, document.state_id):
        raise NotFound(
            text(
                N_("no document %(document_id)s that you may see"),
                document_id=document_id,
            )
        )
    return document


def document_file(
    session: Session, *, viewer: Viewer, document_id: int, files_dir: Path
) -> tuple[Document, Path]:
    """A document and the path of its stored file, if the caller may see it."""
    document = visible_document(session, viewer=viewer, document_id=document_id)
    path = files_dir / document.file_sha256[:2] / document.file_sha256
    if not document.file_sha256 or not path.exists():
        raise NotFound(
            text(
                N_("document %(document_id)s has no stored file"),
                document_id=document_id,
            )
        )
    return document, path


def _of_state(state: State, viewer: Viewer) -> Select[Document]:
    return (
        select(Document)
        .where(
            Document.state_id == state.id,
            visible(Document.visibility, viewer, Document.state_id),
        )
        .order_by(Document.issued_on.desc().nulls_last(), Document.id.desc())
    )


def state_documents(session: Session, *, viewer: Viewer, iso3: str) -> list[Document]:
    """A State's documents the caller may see, newest first (a State holds a few dozen)."""
    return list(session.scalars(_of_state(state_by_iso3(session, iso3), viewer)))


@dataclass(frozen=True)
class DocumentPage:
    state: State
    items: list[Document]
    total: int
    synthetic: bool  # any of the State's documents the caller may see is synthetic


DOCUMENT_FACETS = ("kind", "year", "language")


@dataclass(frozen=True)
class DocumentFilter:
    """A State's documents narrowed by kind, year of issue and language."""

    kind: str | None = None
    year: int | None = None
    language: str | None = None

    def check(self) -> None:
        """A bad filter is named (InvalidParameter)."""
        problems = []
        if self.kind is not None and self.kind not in {kind.value for kind in DocumentKind}:
            problems.append(
                Problem(
                    "kind",
                    text(
                        N_("must be one of %(documentkind)s"),
                        documentkind=", ".join(kind.value for kind in DocumentKind),
                    ),
                )
            )
        if self.language is not None and self.language not in UN_LANGUAGES:
            problems.append(
                Problem(
                    "language",
                    text(
                        N_("must be one of %(un_languages)s"),
                        un_languages=", ".join(UN_LANGUAGES),
                    ),
                )
            )
        if problems:
            raise InvalidParameter(N_("invalid filter"), problems=problems)

    def conditions(self) -> list[ColumnElement[bool]]:
        conditions: list[ColumnElement[bool]] = []
        if self.kind is not None:
            conditions.append(Document.kind == DocumentKind(self.kind))
        if self.year is not None:
            conditions.append(
                Document.issued_on.between(date(self.year, 1, 1), date(self.year, 12, 31))
            )
        if self.language is not None:
            conditions.append(Document.language == self.language)
        return conditions


def state_documents_page(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str,
    paging: PageRequest,
    filters: DocumentFilter | None = None,
) -> DocumentPage:
    """One page of a State's documents the caller may see (filtered), newest first, paged in
    SQL; `synthetic` says whether any of the State's documents the caller may see is."""
    filters = filters or DocumentFilter()
    filters.check()
    state = state_by_iso3(session, iso3)
    total, synthetic = count_documents(session, viewer=viewer, state_id=state.id)
    conditions = filters.conditions()
    if conditions:
        total = session.scalar(  # type: ignore[assignment]
            select(func.count()).select_from(_of_state(state, viewer).where(*conditions).subquery())
        )
    items = session.scalars(
        _of_state(state, viewer).where(*conditions).offset(paging.offset).limit(paging.page_size)
    ).all()
    return DocumentPage(state=state, items=list(items), total=total or 0, synthetic=synthetic)


def state_document_facets(
    session: Session, *, viewer: Viewer, state: State, filters: DocumentFilter | None = None
) -> FacetCounts:
    """A State's documents' facets, as Datasette shows them: for the kind, the year of issue
    and the language, each value with the number of documents the list would show with that
    value chosen (the other filters kept, this one replaced); counted under the documents'
    visibility, as `state_documents_page` lists them."""
    filters = filters or DocumentFilter()
    filters.check()
    rows = session.execute(
        select(Document.kind, Document.issued_on, Document.language).where(
            Document.state_id == state.id,
            visible(Document.visibility, viewer, Document.state_id),
        )
    ).all()
    chosen = {
        "kind": filters.kind,
        "year": None if filters.year is None else str(filters.year),
        "language": filters.language,
    }
    return tally(
        (
            {
                "kind": [kind.value],
                "year": [str(issued_on.year)] if issued_on else [],
                "language": [language],
            }
            for kind, issued_on, language in rows
        ),
        chosen,
        DOCUMENT_FACETS,
    )


@dataclass(frozen=True)
class ReportDates:
    """The dates a matrix document's header shows: first report, addenda, additional information."""

    first_report: date | None
    addenda: list[date]
    additional_information: list[date]


def report_dates(session: Session, *, viewer: Viewer, state_id: int) -> ReportDates:
    rows = session.execute(
        select(Document.kind, Document.issued_on)
        .where(
            Document.state_id == state_id,
            Document.kind.in_(
                [
                    DocumentKind.national_report,
                    DocumentKind.addendum,
                    DocumentKind.additional_information,
                ]
            ),
            Document.issued_on.is_not(None),
            visible(Document.visibility, viewer, Document.state_id),
        )
        .order_by(Document.issued_on)
    ).all()
    dated = [(kind, issued) for kind, issued in rows if issued is not None]
    reports = [d for kind, d in dated if kind is DocumentKind.national_report]
    return ReportDates(
        first_report=reports[0] if reports else None,
        addenda=sorted([d for kind, d in dated if kind is DocumentKind.addendum] + reports[1:]),
        additional_information=[
            d for kind, d in dated if kind is DocumentKind.additional_information
        ],
    )
