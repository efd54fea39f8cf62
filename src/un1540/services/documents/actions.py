"""Registering the documents the matrix cites as evidence, with or without a file."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import InvalidData, Problem, text
from un1540.models import Document, DocumentKind, Origin, Visibility
from un1540.models.base import today
from un1540.reference.languages import N_
from un1540.schemas.text import DOCUMENT_TITLE, FILE_NAME, REASON, SYMBOL, URL
from un1540.services.documents.reads import visible_document
from un1540.services.documents.rules import DOCUMENT_RULES, STATE_DOCUMENT_RULES, document_state
from un1540.services.kernel.access import Viewer, visible
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.guards import hold_row
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.kernel.unit_of_work import action

RESOLUTION_ADOPTED = date(2004, 4, 28)  # Security Council resolution 1540 (2004)
# Reports on the resolution: none can be older than it.
REPORT_KINDS = frozenset(
    {DocumentKind.national_report, DocumentKind.addendum, DocumentKind.additional_information}
)


@dataclass(frozen=True)
class DocumentInput:
    kind: str
    title: str
    language: str
    issued_on: date | None = None
    iso3: str | None = None
    symbol: str = ""
    url: str = ""
    # None: the action's default (a registered published document: public; an upload:
    # UPLOAD_VISIBILITY).
    visibility: Visibility | None = None


# Who sees an uploaded document unless the uploader chooses: the most restrictive visibility
# that includes both the uploader and the State it is about (who reviews the drafts citing it).
# Widening it later is its own audited step (change_document_visibility).
UPLOAD_VISIBILITY = Visibility.owning_state_and_committee
# Visibilities from the narrowest to the widest: each includes every reader of those before it.
WIDTH = {
    Visibility.committee: 0,
    Visibility.owning_state_and_committee: 1,
    Visibility.states_and_providers: 2,
    Visibility.public: 3,
}


def checked_document(document: DocumentInput) -> tuple[DocumentInput, list[Problem]]:
    """The description with its texts through the text policy, and everything wrong with it,
    each problem with the field it concerns."""
    problems: list[Problem] = []
    document = replace(
        document,
        title=DOCUMENT_TITLE.check(document.title, "title", problems),
        symbol=SYMBOL.check(document.symbol, "symbol", problems),
        url=URL.check(document.url, "url", problems),
    )
    kinds = [kind.value for kind in DocumentKind]
    if document.kind not in kinds:
        problems.append(
            Problem(
                "kind",
                text(
                    N_("must be one of %(kinds)s"),
                    kinds=", ".join(kinds),
                ),
            )
        )
    if not document.title.strip():
        problems.append(Problem("title", N_("is required")))
    if len(document.language) < 2 or not document.language.isalpha():
        problems.append(Problem("language", N_("must be a language code such as en, fr or ar")))
    if document.issued_on is not None and document.issued_on > today():
        problems.append(Problem("issued_on", N_("is in the future")))
    if (
        document.kind in REPORT_KINDS
        and document.issued_on is not None
        and document.issued_on < RESOLUTION_ADOPTED
    ):
        problems.append(
            Problem(
                "issued_on",
                text(
                    N_(
                        "%(isoformat)s is before resolution 1540 was adopted "
                        "(%(isoformat2)s); a %(replace)s on the resolution cannot be "
                        "older than it"
                    ),
                    isoformat=document.issued_on.isoformat(),
                    isoformat2=RESOLUTION_ADOPTED.isoformat(),
                    replace=document.kind.replace("_", " "),
                ),
            )
        )
    if document.url and not document.url.startswith(("http://", "https://")):
        problems.append(Problem("url", N_("must start with http:// or https://")))
    return document, problems


@dataclass(frozen=True)
class StoredFile:
    name: str
    sha256: str
    size: int
    content_type: str


@action
def register_document(
    session: Session,
    *,
    document: DocumentInput,
    origin: Origin,
    actor: str,
    stored: StoredFile | None = None,
) -> Document:
    """Validate and add one document; its audit event commits with it."""
    document, problems = checked_document(document)
    if problems:
        raise InvalidData(N_("the document is not valid; nothing was written"), problems=problems)
    state_id = state_by_iso3(session, document.iso3).id if document.iso3 else None
    visibility = document.visibility or Visibility.public  # a published document, by default
    record = Document(
        kind=DocumentKind(document.kind),
        state_id=state_id,
        title=document.title.strip(),
        symbol=document.symbol,
        issued_on=document.issued_on,
        language=document.language.lower(),
        url=document.url,
        origin=origin,
        visibility=visibility,
        file_name=stored.name if stored else "",
        file_sha256=stored.sha256 if stored else "",
        file_size=stored.size if stored else None,
        content_type=stored.content_type if stored else "",
        uploaded_by=actor if stored else "",
    )
    session.add(record)
    session.flush()
    record_event(
        session,
        actor=actor,
        action="document.register",
        entity_type="document",
        entity_id=str(record.id),
        after={
            "kind": document.kind,
            "title": record.title,
            "state": document.iso3,
            "origin": origin.value,
            "visibility": visibility.value,
            "file": {"name": stored.name, "sha256": stored.sha256, "size": stored.size}
            if stored
            else None,
        },
    )
    return record


# What uploaded files may be, recognised by their first bytes rather than by their name.
FILE_SIGNATURES: dict[str, tuple[bytes, ...]] = {
    "application/pdf": (b"%PDF-",),
    "application/zip": (b"PK\x03\x04",),  # DOCX, XLSX, ODT
    "application/msword": (b"\xd0\xcf\x11\xe0",),  # DOC, XLS
}
ALLOWED_SUFFIXES = {".pdf", ".docx", ".doc", ".odt", ".xlsx", ".xls", ".txt", ".html", ".htm"}


def detect_content_type(content: bytes, file_name: str) -> str | None:
    """The type of an uploaded file from its bytes; None when it is not a document we accept."""
    suffix = Path(file_name).suffix.lower()
    if suffix not in ALLOWED_SUFFIXES:
        return None
    for content_type, signatures in FILE_SIGNATURES.items():
        if content.startswith(signatures):
            return content_type
    if suffix in {".txt", ".html", ".htm"}:
        try:
            content.decode("utf-8")
        except UnicodeDecodeError:
            return None
        return "text/html" if suffix != ".txt" else "text/plain"
    return None


@dataclass(frozen=True)
class UploadedFile:
    name: str
    content: bytes


def _checksum(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _duplicate(
    session: Session, *, viewer: Viewer, state_id: int, content: bytes
) -> tuple[int, str] | None:
    """The (id, title) of the same file already registered for the State, when the uploader
    may see it: a second copy would split the evidence and the review between two records. A
    copy the uploader may not see is not named, nor refused (refusing would tell them it
    exists)."""
    found = session.execute(
        select(Document.id, Document.title)
        .where(
            Document.state_id == state_id,
            Document.file_sha256 == _checksum(content),
            visible(Document.visibility, viewer, Document.state_id),
        )
        .order_by(Document.id)
        .limit(1)
    ).first()
    return None if found is None else (found.id, found.title)


def _duplicate_problem(document_id: int, title: str) -> Problem:
    return Problem(
        "file",
        text(
            N_(
                "this file is already in the library as document %(document_id)s "
                "(%(title)s): open it there instead of uploading it again"
            ),
            document_id=document_id,
            # isolated in its own direction: a Latin title in an Arabic message, or the other
            # way, no longer takes the brackets and the number with it (session 28's trial)
            title=f"\u2068{title}\u2069",
        ),
    )


def _store(content: bytes, files_dir: Path) -> tuple[str, Path | None]:
    """Keep the bytes under their SHA-256 (written once, atomically); returns the checksum and
    the file if this call created it (to remove if the registration then fails)."""
    digest = _checksum(content)
    target = files_dir / digest[:2] / digest
    if target.exists():
        return digest, None
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_suffix(".part")
    temporary.write_bytes(content)
    temporary.replace(target)
    return digest, target


def _file_problems(upload: UploadedFile, max_bytes: int) -> tuple[list[Problem], str | None]:
    if not upload.content:
        return [
            Problem(
                "file",
                text(
                    N_("%(value)s is empty"),
                    value=upload.name or "the file",
                ),
            )
        ], None
    if len(upload.content) > max_bytes:
        size = len(upload.content) / 1_000_000
        return [
            Problem(
                "file",
                text(
                    N_("%(name)s is %(size)s MB; the limit is %(max_bytes)s MB"),
                    name=upload.name,
                    size=format(size, ".1f"),
                    max_bytes=max_bytes // 1_000_000,
                ),
            )
        ], None
    content_type = detect_content_type(upload.content, upload.name)
    if content_type is None:
        return [
            Problem(
                "file",
                text(
                    N_("%(name)s is not a PDF, Word, OpenDocument, Excel, text or HTML file"),
                    name=upload.name,
                ),
            )
        ], None
    return [], content_type


@action
def attach_document(
    session: Session,
    *,
    viewer: Viewer,
    document: DocumentInput,
    upload: UploadedFile | None,
    files_dir: Path,
    max_bytes: int,
) -> Document:
    """A document registered by an expert or by the State's own point of contact, with its file."""
    if document.iso3 is None:
        raise InvalidData(
            N_("the document was not saved"), problems=[Problem("state", N_("is required"))]
        )
    state = state_by_iso3(session, document.iso3)
    STATE_DOCUMENT_RULES.check(viewer, state.id, "register")
    if not document.url and upload is None:
        raise InvalidData(
            N_("the document was not saved"), problems=[Problem("file", N_("give a file or a URL"))]
        )
    if document.visibility is None:
        document = replace(document, visibility=UPLOAD_VISIBILITY)
    stored, created = None, None
    document, described = checked_document(document)
    if described:
        raise InvalidData(N_("the document was not saved; nothing was written"), problems=described)
    if upload is not None:
        problems, detected = _file_problems(upload, max_bytes)
        if problems:
            raise InvalidData(
                N_("the document was not saved; nothing was written"), problems=problems
            )
        found = _duplicate(session, viewer=viewer, state_id=state.id, content=upload.content)
        if found is not None:  # `details` lets a page or a client link to the one to open
            raise InvalidData(
                N_("the document was not saved; nothing was written"),
                problems=[_duplicate_problem(*found)],
                details={"duplicate_of": found[0]},
            )
        assert detected is not None
        name = FILE_NAME.require(
            Path(upload.name).name[: FILE_NAME.max_length],
            "file",
            message=N_("the document was not saved; nothing was written"),
        )
        digest, created = _store(upload.content, files_dir)
        stored = StoredFile(
            name=name,
            sha256=digest,
            size=len(upload.content),
            content_type=detected,
        )
    try:
        return register_document(
            session, document=document, origin=Origin.entry, actor=viewer.actor, stored=stored
        )
    except BaseException:
        if created is not None:  # nothing else refers to a file this call wrote
            created.unlink(missing_ok=True)
        raise


@action
def change_document_visibility(
    session: Session,
    *,
    viewer: Viewer,
    document_id: int,
    visibility: Visibility,
    reason: str = "",
    confirmed: bool = False,
) -> Document:
    """Change who may see a document: narrowing at once, widening only when `confirmed` (the
    portal asks first). The audit records who, before, after and why."""
    document = visible_document(session, viewer=viewer, document_id=document_id)
    DOCUMENT_RULES.check(viewer, document_state(document), "change_visibility")
    problems: list[Problem] = []
    reason = REASON.check(reason, "reason", problems)
    widening = WIDTH[visibility] > WIDTH[document.visibility]
    if widening and not confirmed:
        problems.append(
            Problem(
                "confirm",
                text(
                    N_(
                        "widening who may see document %(id)s from %(value)s to "
                        "%(value2)s must be confirmed"
                    ),
                    id=document.id,
                    value=document.visibility.value,
                    value2=visibility.value,
                ),
            )
        )
    if problems:
        raise InvalidData(N_("who may see the document was not changed"), problems=problems)
    if visibility is document.visibility:
        return document
    hold_row(session, document, Document.visibility)  # still the visibility judged (guards.py)
    before = {"visibility": document.visibility.value}
    document.visibility = visibility
    session.flush()
    record_event(
        session,
        actor=viewer.actor,
        action="document.widen" if widening else "document.narrow",
        entity_type="document",
        entity_id=str(document.id),
        before=before,
        after={
            "visibility": visibility.value,
            "state": document.state.iso3 if document.state else None,
        },
        reason=reason,
    )
    return document


def store_upload(
    upload: UploadedFile, *, files_dir: Path, max_bytes: int
) -> tuple[StoredFile, Path | None]:
    """Check and keep an uploaded file for another domain's record (a statement's file): the
    stored file, and the path this call created (to remove if the registration then fails).
    Refused files raise InvalidData naming `file`; nothing is written then."""
    problems, detected = _file_problems(upload, max_bytes)
    if problems:
        raise InvalidData(N_("the file was not accepted; nothing was written"), problems=problems)
    assert detected is not None
    name = FILE_NAME.require(
        Path(upload.name).name[: FILE_NAME.max_length],
        "file",
        message=N_("the file was not accepted; nothing was written"),
    )
    digest, created = _store(upload.content, files_dir)
    return StoredFile(name, digest, len(upload.content), detected), created
