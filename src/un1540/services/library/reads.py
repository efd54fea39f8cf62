"""Reading the library as the caller may see it: a document's provisions, the full-text
search, "laws like this". Visibility is always the document's, checked here in SQL."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import numpy as np
from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    Select,
    cast,
    func,
    literal,
    literal_column,
    or_,
    select,
    text,
)
from sqlalchemy.dialects.postgresql import TSQUERY
from sqlalchemy.orm import Session, selectinload

from un1540.analytics.evidence.text import fold
from un1540.analytics.text.embeddings import from_bytes
from un1540.analytics.text.provisions import PARAGRAPH_LABEL
from un1540.analytics.text.tokenise import indexed_as, query_terms, words
from un1540.errors import InvalidParameter, NotFound, Problem
from un1540.errors import text as text_message
from un1540.models import (
    AssistanceOffer,
    AssistanceRequest,
    Document,
    DocumentKind,
    DocumentText,
    FieldDefinition,
    Provision,
    ProvisionLink,
    SearchPassage,
    State,
)
from un1540.reference.languages import N_, UN_LANGUAGES
from un1540.reference.names import localized_names
from un1540.services.assistance.reads.offers import offer_visible
from un1540.services.assistance.reads.requests import request_visible
from un1540.services.documents.reads import visible_document
from un1540.services.kernel.access import Viewer, visible
from un1540.services.kernel.paging import PageRequest

SNIPPET = 240  # characters around the first match
SNIPPET_SCAN = 4_000  # characters of a passage looked through for the snippet's matches
MAX_QUERY_WORDS = 12
SIMILAR = 10


def document_text(
    session: Session, *, viewer: Viewer, document_id: int
) -> tuple[Document, DocumentText | None]:
    document = visible_document(session, viewer=viewer, document_id=document_id)
    return document, session.get(DocumentText, document_id)


def documents_with_text(session: Session) -> list[int]:
    """The ids of every document the library has read (for `un1540 documents read-again --all`)."""
    every = select(DocumentText.document_id).order_by(DocumentText.document_id)
    return list(session.scalars(every))


def documents_read_before(session: Session) -> list[int]:
    """The ids of the documents read with older heading patterns than today's (their
    provisions miss what the reading learnt since: `un1540 documents read-again --stale`)."""
    from un1540.reference.provisions import provision_patterns

    stale = (
        select(DocumentText.document_id)
        .where(DocumentText.patterns_version != provision_patterns().version)
        .order_by(DocumentText.document_id)
    )
    return list(session.scalars(stale))


def text_summary(session: Session, *, document_id: int) -> tuple[int, int, list[int]]:
    """Pages, provisions and the pages still waiting for OCR of a document just ingested (for
    the operator at the command line)."""
    stored = session.get(DocumentText, document_id)
    count = session.scalar(
        select(func.count()).select_from(Provision).where(Provision.document_id == document_id)
    )
    if stored is None:
        return 0, int(count or 0), []
    waiting = list(stored.ocr_pages) if stored.status.value == "reading" else []
    return stored.pages, int(count or 0), waiting


@dataclass(frozen=True)
class ProvisionView:
    provision: Provision
    links: list[tuple[str, int, str]]  # (kind, target id, target label)


def numbered_by_library(views: list[ProvisionView]) -> bool:
    """Whether the library numbered a document's paragraphs itself (¶ 1, ¶ 2: a law without
    article headings, analytics/text/provisions.py), which its page must say."""
    return any(
        v.provision.level == 2 and v.provision.label.startswith(PARAGRAPH_LABEL) for v in views
    )


def document_provisions(
    session: Session, *, viewer: Viewer, document_id: int
) -> tuple[Document, list[ProvisionView]]:
    """A document's provisions in order, with the provisions each refers to."""
    document = visible_document(session, viewer=viewer, document_id=document_id)
    provisions = list(
        session.scalars(
            select(Provision)
            .where(Provision.document_id == document.id)
            .order_by(Provision.position)
        )
    )
    labels = {p.id: p.label for p in provisions}
    links: dict[int, list[tuple[str, int, str]]] = {}
    for link in session.scalars(
        select(ProvisionLink)
        .where(ProvisionLink.source_id.in_(list(labels)))
        .order_by(ProvisionLink.id)
    ):
        links.setdefault(link.source_id, []).append(
            (link.kind, link.target_id, labels.get(link.target_id, ""))
        )
    return document, [ProvisionView(p, links.get(p.id, [])) for p in provisions]


def visible_provision(session: Session, *, viewer: Viewer, provision_id: int) -> Provision:
    row = session.execute(
        select(Provision)
        .join(Document, Document.id == Provision.document_id)
        .where(
            Provision.id == provision_id, visible(Document.visibility, viewer, Document.state_id)
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(
            text_message(
                N_("no provision %(provision_id)s that you may see"),
                provision_id=provision_id,
            )
        )
    return row


@dataclass(frozen=True)
class SearchFilters:
    query: str
    iso3: str | None = None
    kind: str | None = None
    language: str | None = None
    issued_from: date | None = None
    issued_to: date | None = None
    year: int | None = None  # the year the document was issued


@dataclass(frozen=True)
class Segment:
    text: str
    match: bool


@dataclass(frozen=True)
class SearchHit:
    passage: SearchPassage
    document: Document
    state: State | None
    provision: Provision | None
    score: float
    snippet: list[Segment]


@dataclass(frozen=True)
class SearchPage:
    hits: list[SearchHit]
    total: int
    terms: list[set[str]]


def checked_filters(filters: SearchFilters) -> list[set[str]]:
    problems = []
    if filters.kind is not None and filters.kind not in {k.value for k in DocumentKind}:
        problems.append(
            Problem(
                "kind",
                text_message(
                    N_("must be one of %(documentkind)s"),
                    documentkind=", ".join(k.value for k in DocumentKind),
                ),
            )
        )
    if filters.language is not None and filters.language not in UN_LANGUAGES:
        problems.append(
            Problem(
                "language",
                text_message(
                    N_("must be one of %(un_languages)s"),
                    un_languages=", ".join(UN_LANGUAGES),
                ),
            )
        )
    if filters.issued_from and filters.issued_to and filters.issued_from > filters.issued_to:
        # an empty range finds nothing: say why rather than "no results"
        problems.append(Problem("issued_from", N_("is after issued_to")))
    groups = query_terms(filters.query)
    if len(groups) > MAX_QUERY_WORDS:
        problems.append(
            Problem(
                "q",
                text_message(
                    N_("at most %(max_query_words)s words"),
                    max_query_words=MAX_QUERY_WORDS,
                ),
            )
        )
    if problems:
        raise InvalidParameter(N_("the search was not run"), problems=problems)
    return groups


def _fts_expression(groups: list[set[str]]) -> str:
    return " AND ".join(
        "(" + " OR ".join(f'"{term}"' for term in sorted(group)) + ")" for group in groups
    )


def _tsquery(groups: list[set[str]]) -> str:
    return " & ".join(
        "(" + " | ".join(f"'{term}'" for term in sorted(group)) + ")" for group in groups
    )


def _matching(session: Session, groups: list[set[str]]) -> tuple[Select[tuple[int, float]], bool]:
    """Passage ids matching every word, with a score (higher is better)."""
    clean = [{re.sub(r"[\"'\\]", "", term) for term in group} - {""} for group in groups]
    if session.get_bind().dialect.name == "sqlite":
        statement: Select[tuple[int, float]] = (
            select(
                literal_column("rowid", Integer).label("id"),
                literal_column("-bm25(search_fts)", Float).label("score"),
            )
            .select_from(text("search_fts"))
            .where(text("search_fts MATCH :match").bindparams(match=_fts_expression(clean)))
        )
        return statement, True
    vector = func.array_to_tsvector(func.string_to_array(SearchPassage.terms, " "))
    query = cast(literal(_tsquery(clean)), TSQUERY)
    statement = select(
        SearchPassage.id.label("id"), func.ts_rank(vector, query).label("score")
    ).where(vector.op("@@")(query))
    return statement, False


def _filters(filters: SearchFilters, viewer: Viewer) -> list[ColumnElement[bool]]:
    conditions = [visible(Document.visibility, viewer, Document.state_id)]
    if filters.iso3:
        conditions.append(Document.state.has(State.iso3 == filters.iso3.upper()))
    if filters.kind:
        conditions.append(Document.kind == DocumentKind(filters.kind))
    if filters.language:
        conditions.append(SearchPassage.language == filters.language)
    if filters.issued_from:
        conditions.append(Document.issued_on >= filters.issued_from)
    if filters.issued_to:
        conditions.append(Document.issued_on <= filters.issued_to)
    if filters.year is not None:
        conditions.append(
            Document.issued_on.between(date(filters.year, 1, 1), date(filters.year, 12, 31))
        )
    return conditions


def snippet(passage_text: str, language: str, groups: list[set[str]]) -> list[Segment]:
    """Some {SNIPPET} characters of a passage around its first match, matches marked."""
    wanted = set().union(*groups) if groups else set()
    found = [
        w
        for w in words(passage_text[:SNIPPET_SCAN], language)
        if not wanted.isdisjoint(indexed_as(w.term))  # 武器 marks 化学武器, where it matched
    ]
    if not found:
        return [Segment(passage_text[:SNIPPET], False)]
    start = max(0, found[0].start - SNIPPET // 3)
    end = min(len(passage_text), start + SNIPPET)
    segments: list[Segment] = [Segment("…", False)] if start else []
    position = start
    for word in found:
        if word.start < position or word.end > end:
            continue
        segments.append(Segment(passage_text[position : word.start], False))
        segments.append(Segment(passage_text[word.start : word.end], True))
        position = word.end
    segments.append(
        Segment(passage_text[position:end] + ("…" if end < len(passage_text) else ""), False)
    )
    return [segment for segment in segments if segment.text]


def search(
    session: Session, *, viewer: Viewer, filters: SearchFilters, paging: PageRequest
) -> SearchPage:
    """Passages of documents the caller may see that hold every word of the query (in any of
    its languages' forms), best first, with their snippets."""
    groups = checked_filters(filters)
    if filters.iso3 and (
        session.scalar(select(State.id).where(State.iso3 == filters.iso3.upper())) is None
    ):  # a State that does not exist finds nothing: say so (session 28's trial)
        raise InvalidParameter(
            N_("the search was not run"),
            problems=[
                Problem(
                    "state",
                    text_message(N_("no State %(iso3)s"), iso3=filters.iso3.upper()),
                )
            ],
        )
    if not groups:
        return SearchPage([], 0, [])
    matching, _ = _matching(session, groups)
    found = matching.subquery("found")
    base = (
        select(SearchPassage, Document, found.c.score)
        .join(found, found.c.id == SearchPassage.id)
        .join(Document, Document.id == SearchPassage.document_id)
        .where(*_filters(filters, viewer))
    )
    total = session.execute(select(func.count()).select_from(base.subquery())).scalar_one()
    rows = session.execute(
        base.options(selectinload(Document.state))
        .order_by(found.c.score.desc(), SearchPassage.id)
        .offset(paging.offset)
        .limit(paging.page_size)
    ).all()
    provision_ids = [p.provision_id for p, _, _ in rows if p.provision_id is not None]
    provisions = (
        {p.id: p for p in session.scalars(select(Provision).where(Provision.id.in_(provision_ids)))}
        if provision_ids
        else {}
    )
    hits = [
        SearchHit(
            passage=passage,
            document=document,
            state=document.state,
            provision=provisions.get(passage.provision_id) if passage.provision_id else None,
            score=float(score or 0),
            snippet=snippet(passage.text, passage.language, groups),
        )
        for passage, document, score in rows
    ]
    return SearchPage(hits, int(total), groups)


SEARCH_FACETS = ("state", "kind", "language", "year")


def search_facets(
    session: Session, *, viewer: Viewer, filters: SearchFilters
) -> dict[str, list[tuple[str, int]]]:
    """The search's facets, as Datasette shows them: for the State, the document's kind, the
    passage's language and the year the document was issued, each value with the number of
    passages `search` would find with that value chosen (the other filters kept, this one
    replaced); among the documents the caller may see, as `search` counts them. No query, no
    facets."""
    groups = checked_filters(filters)
    if not groups:
        return {}
    matching, _ = _matching(session, groups)
    found_ids = matching.subquery("found")
    columns: dict[str, Any] = {
        "state": State.iso3,
        "kind": Document.kind,
        "language": SearchPassage.language,
        "year": func.extract("year", Document.issued_on),
    }
    without = {
        "state": replace(filters, iso3=None),
        "kind": replace(filters, kind=None),
        "language": replace(filters, language=None),
        "year": replace(filters, year=None),
    }
    counted: dict[str, list[tuple[str, int]]] = {}
    for name, column in columns.items():
        statement = (
            select(column, func.count(SearchPassage.id))
            .join(found_ids, found_ids.c.id == SearchPassage.id)
            .join(Document, Document.id == SearchPassage.document_id)
        )
        if name == "state":
            statement = statement.join(State, State.id == Document.state_id)
        rows = session.execute(
            statement.where(*_filters(without[name], viewer)).group_by(column)
        ).all()
        counted[name] = [
            (str(int(value)) if name == "year" else str(getattr(value, "value", value)), int(count))
            for value, count in rows
            if value is not None
        ]
    return counted


@dataclass(frozen=True)
class Similar:
    provision: Provision
    document: Document
    score: float


def similar_provisions(
    session: Session, *, viewer: Viewer, provision_id: int, limit: int = SIMILAR
) -> list[Similar]:
    """Provisions of other States' documents closest in meaning to this one (any language),
    among those the caller may see."""
    source = visible_provision(session, viewer=viewer, provision_id=provision_id)
    if source.embedding is None:
        return []
    document = session.get(Document, source.document_id)
    assert document is not None
    other_state = (
        or_(Document.state_id.is_(None), Document.state_id != document.state_id)
        if document.state_id is not None
        else Document.id != document.id
    )
    rows = session.execute(
        select(Provision.id, Provision.embedding)
        .join(Document, Document.id == Provision.document_id)
        .where(
            Provision.embedding.is_not(None),
            Provision.document_id != document.id,
            other_state,
            visible(Document.visibility, viewer, Document.state_id),
        )
    ).all()
    if not rows:
        return []
    vectors = from_bytes([bytes(blob) for _, blob in rows if blob is not None])
    scores = vectors @ from_bytes([source.embedding])[0]
    best = np.argsort(-scores)[:limit]
    chosen = {int(rows[i][0]): float(scores[i]) for i in best}
    found = session.execute(
        select(Provision, Document)
        .join(Document, Document.id == Provision.document_id)
        .where(Provision.id.in_(list(chosen)))
    ).all()
    results = [Similar(p, d, chosen[p.id]) for p, d in found]
    return sorted(results, key=lambda s: -s.score)


@dataclass(frozen=True)
class NamedRecord:
    kind: str  # state | field | request | offer
    label: str  # English for a State or a field: the portal names it in the reader's language
    url: str
    code: str = ""  # a State's ISO code, a field's code


def _named_in(query: str, language: str) -> tuple[list[str], list[str]]:
    """The States and fields whose name in `language` (not English: the database holds it)
    holds the query, case, accents and Arabic letter forms aside ("egypte" finds Égypte)."""
    if language == "en" or language not in UN_LANGUAGES:
        return [], []
    wanted = fold(query)
    names = localized_names()

    def holding(dimension: str) -> list[str]:
        return [
            key
            for key, by_language in names[dimension].items()
            if wanted in fold(by_language.get(language, ""))
        ]

    return holding("state"), holding("field")


def find_by_name(
    session: Session, *, viewer: Viewer, query: str, language: str = "en", limit: int = 8
) -> list[NamedRecord]:
    """States and matrix fields whose name holds the query, in English or in the reader's
    `language` (public records), and the assistance requests and offers the caller may see
    whose title holds it."""
    query = query.strip()
    if len(query) < 2:
        return []
    pattern = f"%{query.replace('%', '').replace('_', '')}%"
    states_named, fields_named = _named_in(query, language)
    states = session.scalars(
        select(State)
        .where(
            or_(
                State.short_name.ilike(pattern),
                State.iso3 == query.upper(),
                State.iso3.in_(states_named),
            )
        )
        .order_by(State.short_name)
        .limit(limit)
    ).all()
    fields = session.scalars(
        select(FieldDefinition)
        .where(or_(FieldDefinition.name.ilike(pattern), FieldDefinition.code.in_(fields_named)))
        .order_by(FieldDefinition.id)
        .limit(limit)
    ).all()
    found = [NamedRecord("state", s.short_name, f"/states/{s.iso3}", s.iso3) for s in states]
    seen: set[str] = set()
    for field in fields:
        if field.code in seen:
            continue
        seen.add(field.code)
        found.append(NamedRecord("field", field.name, f"/fields/{field.code}", field.code))
    requests = session.scalars(
        select(AssistanceRequest)
        .where(AssistanceRequest.title.ilike(pattern), request_visible(viewer))
        .order_by(AssistanceRequest.id.desc())
        .limit(limit)
    ).all()
    found += [NamedRecord("request", r.title, f"/assistance/requests/{r.id}") for r in requests]
    offers = session.scalars(
        select(AssistanceOffer)
        .where(AssistanceOffer.title.ilike(pattern), offer_visible(viewer))
        .order_by(AssistanceOffer.id.desc())
        .limit(limit)
    ).all()
    found += [NamedRecord("offer", o.title, "/assistance") for o in offers]
    return found
