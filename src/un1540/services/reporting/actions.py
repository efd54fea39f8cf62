"""Importing a register of national reports from a CSV file: all rows or none.

Each row is one report (a first national report, an addendum or additional information) of one
State, checked by the documents domain's own rule (`checked_document`), so a report dated before
resolution 1540 was adopted (28 April 2004) is refused here exactly as it is by the API and the
portal, naming its row and column.
"""

from __future__ import annotations

import csv
import hashlib
import io
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import MAX_LISTED_PROBLEMS, InvalidData, Problem, more_problems
from un1540.errors import text as text_message
from un1540.models import Origin, Role, State, Visibility
from un1540.reference.languages import N_
from un1540.schemas.text import FILE_NAME
from un1540.services.documents.actions import (
    REPORT_KINDS,
    DocumentInput,
    checked_document,
    register_document,
)
from un1540.services.kernel.access import Viewer, require
from un1540.services.kernel.audit import record_event
from un1540.services.kernel.unit_of_work import action

REQUIRED_COLUMNS = ["iso3", "kind", "issued_on", "language", "title"]
OPTIONAL_COLUMNS = ["symbol", "url", "visibility"]
# Who sees an imported report unless its row says: the Committee side only (widening is a
# choice made in the file, or later with its own audited step).
IMPORT_VISIBILITY = Visibility.committee
NOTHING_WRITTEN = "the reports were not imported; nothing was written"


@dataclass(frozen=True)
class ReportImport:
    file_name: str
    rows: int
    states: int
    sha256: str


def _text(content: bytes, file_name: str) -> str:
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidData(
            NOTHING_WRITTEN, problems=[Problem(file_name, N_("is not UTF-8 text"))]
        ) from None


def _row(
    record: dict[str, str | None], where: str, states: set[str]
) -> tuple[DocumentInput | None, list[Problem]]:
    def value(column: str) -> str:
        text = record.get(column)
        return text.strip() if isinstance(text, str) else ""

    problems: list[Problem] = []
    iso3 = value("iso3").upper()
    if iso3 not in states:
        problems.append(
            Problem(
                f"{where}, column iso3",
                text_message(
                    N_("unknown State %(iso3)s"),
                    iso3=repr(iso3[:20]),
                ),
            )
        )
    kind = value("kind")
    kinds = sorted(kind.value for kind in REPORT_KINDS)
    if kind not in kinds:
        problems.append(
            Problem(
                f"{where}, column kind",
                text_message(
                    N_("%(kind)s is not one of %(kinds)s"),
                    kind=repr(kind[:40]),
                    kinds=", ".join(kinds),
                ),
            )
        )
    issued_on: date | None = None
    try:
        issued_on = date.fromisoformat(value("issued_on"))
    except ValueError:
        problems.append(
            Problem(
                f"{where}, column issued_on",
                text_message(
                    N_("%(value)s is not a date (YYYY-MM-DD)"),
                    value=repr(value("issued_on")[:20]),
                ),
            )
        )
    visibility_text = value("visibility")
    visibility = IMPORT_VISIBILITY
    if visibility_text:
        try:
            visibility = Visibility(visibility_text)
        except ValueError:
            allowed = ", ".join(v.value for v in Visibility)
            problems.append(
                Problem(
                    f"{where}, column visibility",
                    text_message(
                        N_("%(visibility_text)s is not one of %(allowed)s"),
                        visibility_text=repr(visibility_text[:40]),
                        allowed=allowed,
                    ),
                )
            )
    document = DocumentInput(
        kind=kind,
        title=value("title"),
        language=value("language"),
        issued_on=issued_on,
        iso3=iso3,
        symbol=value("symbol"),
        url=value("url"),
        visibility=visibility,
    )
    document, described = checked_document(document)
    known = {problem.where.rsplit(" ", 1)[-1] for problem in problems}
    problems += [
        Problem(f"{where}, column {problem.where}", problem.message)
        for problem in described
        if problem.where not in known
    ]
    return (None if problems else document), problems


def parse_reports(content: bytes, *, file_name: str, states: set[str]) -> list[DocumentInput]:
    """Every row checked; raises InvalidData naming each problem's row and column."""
    file_name = FILE_NAME.require(file_name, "file name", message=NOTHING_WRITTEN)
    reader = csv.DictReader(io.StringIO(_text(content, file_name), newline=""))
    try:
        columns = [name.strip() for name in reader.fieldnames or [] if isinstance(name, str)]
        missing = [name for name in REQUIRED_COLUMNS if name not in columns]
        unknown = [n for n in columns if n not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
        header = [
            Problem(
                f"{file_name}, header",
                text_message(
                    N_("missing column %(value)s"),
                    value=n,
                ),
            )
            for n in missing
        ]
        header += [
            Problem(
                f"{file_name}, header",
                text_message(
                    N_("unknown column %(value)s"),
                    value=n[:60],
                ),
            )
            for n in unknown
        ]
        if header:
            raise InvalidData(
                text_message(
                    N_("%(file_name)s has the wrong columns; nothing was written"),
                    file_name=file_name,
                ),
                problems=header,
            )
        reader.fieldnames = columns
        documents: list[DocumentInput] = []
        problems: list[Problem] = []
        for line, record in enumerate(reader, start=2):
            document, found = _row(record, f"{file_name}, row {line}", states)
            problems += found
            if document is not None:
                documents.append(document)
    except csv.Error as error:
        raise InvalidData(
            text_message(
                N_("%(file_name)s is not a readable CSV file; nothing was written"),
                file_name=file_name,
            ),
            problems=[
                Problem(
                    f"{file_name}, row {reader.reader.line_num}",
                    text_message(
                        N_("cannot be read (%(error)s)"),
                        error=error,
                    ),
                )
            ],
        ) from None
    if problems:
        listed = problems[:MAX_LISTED_PROBLEMS]
        if len(problems) > MAX_LISTED_PROBLEMS:
            listed.append(more_problems(file_name, len(problems) - MAX_LISTED_PROBLEMS))
        raise InvalidData(NOTHING_WRITTEN, problems=listed)
    if not documents:
        raise InvalidData(NOTHING_WRITTEN, problems=[Problem(file_name, N_("holds no report"))])
    return documents


@action
def import_reports(
    session: Session, *, content: bytes, file_name: str, viewer: Viewer
) -> ReportImport:
    """Check the whole file, then register every report in it, with one audit event for the
    file (and one per report, as any registration)."""
    require(viewer, Role.expert, Role.committee, action=N_("import national reports"))
    states = set(session.scalars(select(State.iso3)))
    documents = parse_reports(content, file_name=file_name, states=states)
    for document in documents:
        register_document(session, document=document, origin=Origin.import_, actor=viewer.actor)
    checksum = hashlib.sha256(content).hexdigest()
    result = ReportImport(
        file_name=file_name,
        rows=len(documents),
        states=len({document.iso3 for document in documents}),
        sha256=checksum,
    )
    record_event(
        session,
        actor=viewer.actor,
        action="reports.import",
        entity_type="document",
        entity_id=file_name,
        after={"rows": result.rows, "states": result.states, "sha256": checksum},
    )
    return result
