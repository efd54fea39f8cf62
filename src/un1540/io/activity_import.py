"""Reading a CSV file of organisations' activities for `un1540 import activities`
(services/activities/actions.py records them, all or nothing). The file's decoding and size
checks are the incident import's (io/incident_import.py).

Columns (header row, UTF-8): organisation, state, programme, fields, start_on are required;
description, weapons, end_on, visibility are optional. Dates are YYYY-MM-DD; fields and
weapons are lists separated by semicolons (weapons empty: every category); visibility empty:
owning_state_and_committee. Every problem names the file, row and column.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from un1540.errors import Problem, listed
from un1540.io.incident_import import csv_records
from un1540.models import Origin
from un1540.schemas.activities import ActivityCreate
from un1540.schemas.text import FILE_NAME, unneutralised
from un1540.services.activities.actions import ActivityImport, import_activities
from un1540.services.activities.rules import activity_rules
from un1540.services.kernel.access import Viewer

REQUIRED_COLUMNS = ("organisation", "state", "programme", "fields", "start_on")
OPTIONAL_COLUMNS = ("description", "weapons", "end_on", "visibility")
LISTS = ("fields", "weapons")


def _row_values(record: dict[str, str | None]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for column, raw in record.items():
        text = unneutralised((raw or "").strip())
        if column in LISTS:
            values[column] = [part.strip() for part in text.split(";") if part.strip()]
        elif column in ("end_on", "visibility", "description") and not text:
            continue  # open-ended, the default visibility, no description
        elif column == "state":
            values[column] = text.upper()
        else:
            values[column] = text
    return values


def parse_activities(
    content: bytes, *, file_name: str
) -> tuple[list[tuple[int, ActivityCreate]], list[Problem]]:
    """The rows that could be read as activities, with their line numbers, and the problems of
    those that could not (each naming its row and column). A wrong header or an unreadable file
    raises InvalidData at once."""
    file_name = FILE_NAME.require(
        file_name, "file name", message="the file was not imported; nothing was written"
    )
    rows: list[tuple[int, ActivityCreate]] = []
    problems: list[Problem] = []
    for line, where, record in csv_records(
        content,
        file_name=file_name,
        required=REQUIRED_COLUMNS,
        optional=OPTIONAL_COLUMNS,
        problems=problems,
    ):
        try:
            data = ActivityCreate.model_validate(_row_values(record))
        except ValidationError as error:
            for item in error.errors():
                column = str(item["loc"][0]) if item["loc"] else "?"
                problems.append(Problem(f"{where}, column {column}", item["msg"]))
        else:
            rows.append((line, data))  # checked against the data too, so all is said
    return rows, listed(problems, file_name)


def import_activity_file(
    session: Session,
    content: bytes,
    *,
    file_name: str,
    viewer: Viewer,
    dry_run: bool = False,
    origin: Origin = Origin.import_,
) -> ActivityImport:
    """Read the file and record every activity in it, or none (the caller's right first)."""
    activity_rules.check(viewer, None, "import_activities")
    rows, problems = parse_activities(content, file_name=file_name)
    return import_activities(
        session,
        viewer=viewer,
        rows=rows,
        problems=problems,
        file_name=file_name,
        dry_run=dry_run,
        origin=origin,
    )
