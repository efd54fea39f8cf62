"""Ingesting a document file into the library, and reading its scanned pages in the
background (OCR, a job with progress)."""

from __future__ import annotations

import logging
from dataclasses import replace
from pathlib import Path

from sqlalchemy import delete, func, insert, select, text
from sqlalchemy.orm import Session

from un1540.analytics.text import ocr
from un1540.analytics.text.embeddings import embed, to_bytes
from un1540.analytics.text.extract import PAGE_SEPARATOR, ExtractedText, join_pages
from un1540.errors import Conflict, InvalidData, NotFound
from un1540.errors import text as text_
from un1540.models import (
    Document,
    DocumentKind,
    DocumentText,
    Provision,
    ProvisionLink,
    SearchPassage,
    TextStatus,
)
from un1540.reference.languages import N_
from un1540.services.documents.actions import DocumentInput, UploadedFile, attach_document
from un1540.services.documents.rules import DOCUMENT_RULES, document_state
from un1540.services.kernel.access import Viewer, system_viewer
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.jobs import JobRun, defer_job, job_task
from un1540.services.kernel.unit_of_work import action
from un1540.services.library.reading import ReadDocument, analyse, read_file
from un1540.services.library.reads import documents_read_before

LOGGER = logging.getLogger("un1540.library")
OCR_TASK = "un1540.library.ocr"
EMBED_TASK = "un1540.library.embed"
READ_STALE_TASK = "un1540.library.read_stale"
SPLIT_KINDS = frozenset({DocumentKind.legislation})  # the kinds divided into provisions


def _fts(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def clear_text(session: Session, document_id: int) -> None:
    """Forget a document's provisions and passages (before they are read again)."""
    if _fts(session):
        session.execute(
            text(
                "DELETE FROM search_fts WHERE rowid IN "
                "(SELECT id FROM search_passage WHERE document_id = :id)"
            ),
            {"id": document_id},
        )
    session.execute(delete(SearchPassage).where(SearchPassage.document_id == document_id))
    source_ids = select(Provision.id).where(Provision.document_id == document_id)
    session.execute(delete(ProvisionLink).where(ProvisionLink.source_id.in_(source_ids)))
    session.execute(
        delete(Provision).where(Provision.document_id == document_id, Provision.level == 3)
    )
    session.execute(
        delete(Provision).where(Provision.document_id == document_id, Provision.level == 2)
    )
    session.execute(delete(Provision).where(Provision.document_id == document_id))


def store_text(
    session: Session, document: Document, read: ReadDocument, *, status: TextStatus
) -> DocumentText:
    """Write what was read of a document: text, provisions, links, passages (and the FTS rows)."""
    clear_text(session, document.id)
    extracted = read.extracted
    record = session.get(DocumentText, document.id)
    if record is None:
        record = DocumentText(document_id=document.id)
        session.add(record)
    record.text = extracted.text
    record.page_starts = list(extracted.page_starts)
    record.pages = extracted.pages
    record.ocr_pages = list(extracted.pages_without_text)
    record.status = status
    record.progress = 100 if status is not TextStatus.reading else 0
    record.languages = read.languages
    record.patterns_version = read.patterns_version
    ids: list[int] = []
    for position, provision in enumerate(read.provisions):
        split = provision.split
        row = Provision(
            document_id=document.id,
            position=position,
            parent_id=ids[split.parent] if split.parent is not None else None,
            kind=split.kind,
            level=split.level,
            number=split.number[:60],
            label=split.label[:200],
            heading=split.heading[:200],
            text=provision.text,
            start=split.start,
            end=split.end,
            page=provision.page,
            page_end=provision.page_end,
            language=provision.language,
            embedding=provision.embedding,
        )
        session.add(row)
        session.flush()
        ids.append(row.id)
    by_key = {p.split.key: ids[i] for i, p in enumerate(read.provisions) if p.split.level == 2}
    links = [
        {"source_id": ids[i], "target_id": by_key[key], "kind": kind}
        for i, p in enumerate(read.provisions)
        for key, kind in p.split.references
        if key in by_key and by_key[key] != ids[i]
    ]
    if links:
        session.execute(insert(ProvisionLink), links)
    passages = [
        SearchPassage(
            document_id=document.id,
            provision_id=ids[p.provision_index] if p.provision_index is not None else None,
            kind=p.kind,
            page=p.page,
            start=p.start,
            end=p.end,
            language=p.language,
            text=p.text,
            terms=p.terms,
        )
        for p in read.passages
    ]
    title = SearchPassage(
        document_id=document.id,
        provision_id=None,
        kind="title",
        page=None,
        start=0,
        end=0,
        language=document.language,
        text=document.title,
        terms=_title_terms(document),
    )
    session.add_all([*passages, title])
    session.flush()
    if _fts(session):
        rows = [{"id": p.id, "terms": p.terms} for p in [*passages, title]]
        session.execute(text("INSERT INTO search_fts(rowid, terms) VALUES (:id, :terms)"), rows)
    return record


def _title_terms(document: Document) -> str:
    from un1540.analytics.text.tokenise import index_terms

    return index_terms(f"{document.title} {document.symbol}", document.language)


@action
def ingest_document(
    session: Session,
    *,
    viewer: Viewer,
    document: DocumentInput,
    upload: UploadedFile,
    files_dir: Path,
    max_bytes: int,
    strict: bool = True,
) -> Document:
    """Register a document with its file and read it into the library: the original kept
    verbatim under its SHA-256, the text with its page map, a law's provisions, the search
    index. Scanned pages are read by OCR in a background job. A file that cannot be read is
    refused with nothing stored (`strict`); otherwise (an upload of another kind than a law)
    it is kept without text."""
    language = document.language.lower() or None
    split = document.kind == DocumentKind.legislation.value
    try:
        read = read_file(upload.content, upload.name, language, split=split, max_bytes=max_bytes)
    except InvalidData:
        if strict:
            raise
        read = None
    if read is not None and not language:
        document = replace(document, language=read.language)
    record = attach_document(
        session,
        viewer=viewer,
        document=document,
        upload=upload,
        files_dir=files_dir,
        max_bytes=max_bytes,
    )
    if read is None:
        return record
    record.pages = read.extracted.pages
    scanned = read.extracted.pages_without_text
    status = TextStatus.reading if scanned else TextStatus.ready
    stored = store_text(session, record, read, status=status)
    record_event(
        session,
        actor=viewer.actor,
        action="document.read",
        entity_type="document",
        entity_id=str(record.id),
        after={
            "pages": stored.pages,
            "provisions": len(read.provisions),
            "scanned_pages": scanned,
            "language": read.language,
            "state": document.iso3,
        },
    )
    if not scanned:
        embed_soon(session, document_id=record.id)
    if scanned and not defer_job(
        session, OCR_TASK, arguments={"document_id": record.id}, lock=f"ocr:{record.id}"
    ):
        # No queue in this process (the command line on SQLite): the caller runs ocr_document.
        LOGGER.info("document %s: %s scanned pages wait for OCR", record.id, len(scanned))
    return record


@action
def register_with_text(
    session: Session,
    *,
    viewer: Viewer,
    document: DocumentInput,
    upload: UploadedFile | None,
    files_dir: Path,
    max_bytes: int,
) -> Document:
    """A document registered through the portal or the API: with a file, read into the
    library (a law must be readable, else it is refused with nothing stored; a file of
    another kind that cannot be read is kept without text); without one, as before."""
    if upload is None:
        return attach_document(
            session,
            viewer=viewer,
            document=document,
            upload=None,
            files_dir=files_dir,
            max_bytes=max_bytes,
        )
    return ingest_document(
        session,
        viewer=viewer,
        document=document,
        upload=upload,
        files_dir=files_dir,
        max_bytes=max_bytes,
        strict=document.kind == DocumentKind.legislation.value,
    )


def _pages_of(stored: DocumentText) -> list[str]:
    starts = stored.page_starts
    ends = [start - len(PAGE_SEPARATOR) for start in starts[1:]] + [len(stored.text)]
    return [stored.text[start:end] for start, end in zip(starts, ends, strict=True)]


def ocr_document(
    session: Session, *, document_id: int, files_dir: Path, progress: object = None
) -> DocumentText:
    """Read the scanned pages of a document by OCR, then split and index it again. Each page
    that fails is noted (ocr_notes), never fatal. `progress(done, total)` is told per page."""
    document = session.get(Document, document_id)
    stored = session.get(DocumentText, document_id)
    if document is None or stored is None:
        raise LookupError(f"no document {document_id} with text")
    pdf = files_dir / document.file_sha256[:2] / document.file_sha256
    pages = _pages_of(stored)
    notes: dict[str, str] = {}
    todo = list(stored.ocr_pages)
    # A document of scanned pages only, uploaded without its language: OCR reads the six
    # languages, then the language is detected from what it read (session 28's trial: read as
    # English, a Russian or Arabic scan came out as Latin letters).
    detect = not stored.languages
    language = None if detect else document.language
    for done, page in enumerate(todo, start=1):
        reading = ocr.read_page(pdf, page, language)
        if reading.error:
            notes[str(page)] = reading.error
        else:
            pages[page - 1] = reading.text
        stored.progress = int(done * 100 / max(1, len(todo)))
        if callable(progress):
            progress(done, len(todo))
        session.flush()
    joined, starts = join_pages(pages)
    extracted = ExtractedText(text=joined, page_starts=starts, pages_without_text=[])
    status = TextStatus.ready
    try:
        read = analyse(
            extracted,
            document.file_name,
            language,
            split=document.kind is DocumentKind.legislation,
        )
        if detect:
            document.language = read.language
    except Exception as error:  # nothing readable came out of OCR: keep the document, say so
        notes["document"] = str(error)
        read = ReadDocument(extracted=extracted, language=document.language, languages={})
        status = TextStatus.failed if not joined.strip() else TextStatus.ready
    if not joined.strip():  # OCR read nothing on any page
        status = TextStatus.failed
    stored = store_text(session, document, read, status=status)
    embed_provisions(session, document_id=document.id)
    stored.ocr_pages = todo
    stored.ocr_notes = notes
    return stored


def embed_provisions(session: Session, *, document_id: int) -> int:
    """The "laws like this" vectors of a document's articles, sections and schedules (those
    without one); returns how many were computed."""
    rows = list(
        session.scalars(
            select(Provision)
            .where(
                Provision.document_id == document_id,
                Provision.embedding.is_(None),
                (Provision.level == 2) | (Provision.kind == "schedule"),
            )
            .order_by(Provision.position)
        )
    )
    if rows:
        vectors = embed([row.text for row in rows])
        for row, vector in zip(rows, vectors, strict=True):
            row.embedding = to_bytes(vector)
        session.flush()
    return len(rows)


def embed_soon(session: Session, *, document_id: int) -> None:
    """The "laws like this" vectors of a document just read: by a worker after the commit, or
    now when this process has no queue (the command line on SQLite)."""
    if not defer_job(
        session, EMBED_TASK, arguments={"document_id": document_id}, lock=f"embed:{document_id}"
    ):
        embed_provisions(session, document_id=document_id)


@job_task(EMBED_TASK)
def embed_task(run: JobRun, *, document_id: int) -> None:
    """The background job: vectors of a document just read (ingest stays quick)."""
    with run.sessions() as session:
        embed_provisions(session, document_id=int(document_id))
        session.commit()


@action
def read_again(session: Session, *, viewer: Viewer, document_id: int) -> DocumentText:
    """Split and index a document's stored text again with the reading of today (its
    provisions, their links and vectors, its search passages): after the heading patterns or
    the language tools improved (e.g. laws in traditional Chinese, docs/library.md). The text,
    its pages and the original file are kept; provision ids change."""
    document = session.get(Document, document_id)
    stored = session.get(DocumentText, document_id)
    if document is None or stored is None:
        raise NotFound(text_(N_("document %(id)s has no text to read again"), id=document_id))
    DOCUMENT_RULES.check(viewer, document_state(document), "read_again")
    if stored.status is TextStatus.reading:
        raise Conflict(
            text_(N_("document %(id)s is still being read (OCR); try again later"), id=document_id)
        )
    before = session.scalar(
        select(func.count()).select_from(Provision).where(Provision.document_id == document_id)
    )
    extracted = ExtractedText(text=stored.text, page_starts=list(stored.page_starts))
    read = analyse(
        extracted,
        document.file_name,
        document.language or None,
        split=document.kind is DocumentKind.legislation,
    )
    ocr_pages, ocr_notes = stored.ocr_pages, stored.ocr_notes
    stored = store_text(session, document, read, status=stored.status)
    stored.ocr_pages, stored.ocr_notes = ocr_pages, ocr_notes  # what OCR did stays on record
    record_event(
        session,
        actor=viewer.actor,
        action="document.read_again",
        entity_type="document",
        entity_id=str(document.id),
        before={"provisions": before},
        after={"provisions": len(read.provisions), "patterns": read.patterns_version},
    )
    embed_soon(session, document_id=document.id)
    return stored


@action
def queue_stale_reads(session: Session) -> int:
    """At a server's start: the documents read with older heading patterns than today's (an
    upgrade improved the reading) are read again by a background job, without an operator.
    Returns how many wait (0: nothing queued)."""
    stale = len(documents_read_before(session))
    if stale and defer_job(session, READ_STALE_TASK, lock=READ_STALE_TASK):
        LOGGER.info("%s documents read with older heading patterns: reading them again", stale)
        return stale
    return 0


@job_task(READ_STALE_TASK)
def read_stale_task(run: JobRun) -> None:
    """The background job: each document read with older heading patterns, read again (one
    write each, as `un1540 documents read-again --stale`). A document still being read by OCR
    is left: its OCR stores it with today's patterns."""
    viewer = system_viewer("system: reading after an upgrade")
    with run.sessions() as session:
        todo = documents_read_before(session)
    for document_id in todo:
        run.stop_if_asked()  # the rest waits for the next start
        with run.sessions() as session:
            try:
                read_again(session, viewer=viewer, document_id=document_id)
            except (Conflict, NotFound) as left:  # being read by OCR; removed meanwhile
                LOGGER.info("document %s left as it is: %s", document_id, left.message)


@action
def read_scanned_pages(
    session: Session, *, document_id: int, files_dir: Path, progress: object = None
) -> DocumentText:
    """OCR of a document's scanned pages in the caller's process (the command line on
    SQLite, which has no worker), committed as one write."""
    return ocr_document(session, document_id=document_id, files_dir=files_dir, progress=progress)


@job_task(OCR_TASK)
def ocr_task(run: JobRun, *, document_id: int) -> None:
    """The background job: OCR of a document's scanned pages, progress saved per page."""
    with run.sessions() as session:

        def saved(done: int, total: int) -> None:
            run.stop_if_asked()
            session.commit()

        ocr_document(
            session, document_id=int(document_id), files_dir=run.settings.files_dir, progress=saved
        )
        session.commit()
