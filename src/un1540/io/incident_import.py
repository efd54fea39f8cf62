"""Reading a CSV file of incidents for `un1540 import incidents` (services/incidents/actions.py
records them, all or nothing).

Columns (header row, UTF-8): occurred_on, states, category, material_class, kind, source are
required; reported_on, grouping, organisation, confirmation, summary, fields, restricted,
share_with_state are optional. Dates are YYYY-MM-DD; states and fields are lists separated by
semicolons (fields empty: the kind's default fields); restricted and share_with_state are
true/false (yes/no, 1/0; empty: false). Every problem names the file, row and column.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from un1540.errors import InvalidData, Problem, listed
from un1540.models import Origin
from un1540.schemas.incidents import IncidentCreate
from un1540.schemas.text import FILE_NAME, unneutralised
from un1540.services.incidents.actions import IncidentImport, import_incidents
from un1540.services.incidents.rules import incident_rules
from un1540.services.kernel.access import Viewer

REQUIRED_COLUMNS = ("occurred_on", "states", "category", "material_class", "kind", "source")
OPTIONAL_COLUMNS = (
    "reported_on",
    "grouping",
    "organisation",
    "confirmation",
    "summary",
    "fields",
    "restricted",
    "share_with_state",
)
LISTS = ("states", "fields")
FLAGS = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False, "": False}
MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000


def _text(content: bytes, file_name: str) -> str:
    if not content.strip():
        raise InvalidData(
            f"{file_name} is empty", problems=[Problem(file_name, "the file is empty")]
        )
    if len(content) > MAX_BYTES:
        raise InvalidData(
            f"{file_name} is too large",
            problems=[Problem(file_name, f"at most {MAX_BYTES // (1024 * 1024)} MB")],
        )
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise InvalidData(
            f"{file_name} is not UTF-8 text",
            problems=[Problem(file_name, "not a UTF-8 CSV file (is it a spreadsheet?)")],
        ) from error


def _row_values(
    record: dict[str, str | None], where: str, problems: list[Problem]
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column, raw in record.items():
        text = unneutralised((raw or "").strip())
        if column in LISTS:
            items = [part.strip() for part in text.split(";") if part.strip()]
            if column == "fields" and not items:
                continue  # the kind's default fields
            values[column] = [item.upper() for item in items] if column == "states" else items
        elif column in ("restricted", "share_with_state"):
            if text.lower() not in FLAGS:
                problems.append(
                    Problem(f"{where}, column {column}", f"{text[:20]!r} is not true or false")
                )
                continue
            values[column] = FLAGS[text.lower()]
        elif column in ("reported_on", "organisation") and not text:
            continue
        elif column in ("grouping", "confirmation") and not text:
            continue  # the default
        else:
            values[column] = text
    return values


def csv_records(
    content: bytes,
    *,
    file_name: str,
    required: Sequence[str],
    optional: Sequence[str],
    problems: list[Problem],
) -> Iterator[tuple[int, str, dict[str, str | None]]]:
    """Each data row of a CSV import as (line, where, record), shared by the file imports: a
    wrong header or an unreadable file raises InvalidData at once; too many rows and rows with
    more cells than columns are added to `problems` (naming the row)."""
    reader = csv.DictReader(io.StringIO(_text(content, file_name), newline=""))
    try:
        columns = [name.strip() for name in reader.fieldnames or [] if isinstance(name, str)]
        missing = [name for name in required if name not in columns]
        unknown = [name for name in columns if name not in (*required, *optional)]
        header = [Problem(f"{file_name}, header", f"missing column {name}") for name in missing]
        header += [
            Problem(f"{file_name}, header", f"unknown column {name[:60]}") for name in unknown
        ]
        if header:
            raise InvalidData(f"{file_name} has the wrong columns", problems=header)
        reader.fieldnames = columns
        for line, record in enumerate(reader, start=2):
            if line - 1 > MAX_ROWS:
                problems.append(Problem(file_name, f"more than {MAX_ROWS} rows"))
                break
            where = f"{file_name}, row {line}"
            if None in record:
                problems.append(Problem(where, "more cells than columns"))
                continue
            yield line, where, record
    except csv.Error as error:
        raise InvalidData(
            f"{file_name} is not a readable CSV file; nothing was imported",
            problems=[
                Problem(
                    f"{file_name}, row {reader.reader.line_num}", f"cannot be read as CSV ({error})"
                )
            ],
        ) from None


def parse_incidents(
    content: bytes, *, file_name: str
) -> tuple[list[tuple[int, IncidentCreate]], list[Problem]]:
    """The rows that could be read as incidents, with their line numbers, and the problems of
    those that could not (each naming its row and column). A wrong header or an unreadable file
    raises InvalidData at once."""
    file_name = FILE_NAME.require(
        file_name, "file name", message="the file was not imported; nothing was written"
    )
    rows: list[tuple[int, IncidentCreate]] = []
    problems: list[Problem] = []
    for line, where, record in csv_records(
        content,
        file_name=file_name,
        required=REQUIRED_COLUMNS,
        optional=OPTIONAL_COLUMNS,
        problems=problems,
    ):
        row_problems: list[Problem] = []
        values = _row_values(record, where, row_problems)
        try:
            data = IncidentCreate.model_validate(values)
        except ValidationError as error:
            for item in error.errors():
                column = str(item["loc"][0]) if item["loc"] else "?"
                row_problems.append(Problem(f"{where}, column {column}", item["msg"]))
        else:
            rows.append((line, data))  # checked against the data too, so all is said
        problems += row_problems
    return rows, listed(problems, file_name)


def import_incident_file(
    session: Session,
    content: bytes,
    *,
    file_name: str,
    viewer: Viewer,
    dry_run: bool = False,
    origin: Origin = Origin.import_,
) -> IncidentImport:
    """Read the file and record every incident in it, or none (the caller's right first)."""
    incident_rules.check(viewer, None, "import_incidents")
    rows, problems = parse_incidents(content, file_name=file_name)
    return import_incidents(
        session,
        viewer=viewer,
        rows=rows,
        problems=problems,
        file_name=file_name,
        dry_run=dry_run,
        origin=origin,
    )
