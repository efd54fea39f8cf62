"""Importing a plan's measures (and their milestones) from a CSV or XLSX file: every row checked,
every problem named by file, row and column, and nothing written unless all of it is valid; a
dry run checks everything and writes nothing (docs/action-plans.md, "Importing measures").

One row per milestone; the measure's own columns are read from its first row. A row whose
`measure` is empty, or repeats the previous row's, adds a milestone to the previous measure.

    measure, description, fields, weapons, owner_agency, status, progress,
    assistance_requests, milestone, due_on, milestone_status, done_on

`measure` and `fields` are required headers; the others may be left out. Lists (fields,
weapons, assistance_requests) are separated by `;`, `,` or spaces; dates are YYYY-MM-DD (or
date cells in XLSX). The first sheet of a workbook is read.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from un1540.errors import InvalidData, Problem, Un1540Error
from un1540.io.xlsx_guard import XlsxLimits, xlsx_refusal
from un1540.schemas.action_plans import MeasureCreate
from un1540.schemas.text import unneutralised
from un1540.services.action_plans.actions import ImportOutcome, import_measures
from un1540.services.action_plans.reads import get_plan, latest_plan
from un1540.services.action_plans.rules import EDITORS, plan_rules
from un1540.services.action_plans.validation import Where
from un1540.services.kernel.access import Viewer, require

COLUMNS = (
    "measure",
    "description",
    "fields",
    "weapons",
    "owner_agency",
    "status",
    "progress",
    "assistance_requests",
    "milestone",
    "due_on",
    "milestone_status",
    "done_on",
)
REQUIRED = ("measure", "fields")
MAX_ROWS = 2_000
MAX_BYTES = 5_000_000
MAX_PROBLEMS = 50
# The column each input field of a measure, and of a milestone, is read from.
MEASURE_COLUMNS = {
    "title": "measure",
    "description": "description",
    "fields": "fields",
    "weapons": "weapons",
    "owner_agency": "owner_agency",
    "status": "status",
    "progress": "progress",
    "assistance_requests": "assistance_requests",
}
MILESTONE_COLUMNS = {
    "title": "milestone",
    "due_on": "due_on",
    "status": "milestone_status",
    "done_on": "done_on",
}
_SPLIT = re.compile(r"[;,\s]+")


@dataclass
class _Measure:
    row: int
    values: dict[str, Any]
    milestone_rows: list[int] = field(default_factory=list)


@dataclass
class ParsedPlanFile:
    file_name: str
    measures: list[MeasureCreate]
    wheres: list[Where]
    milestone_wheres: list[Callable[[int], Where]]
    problems: list[Problem]


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _place(file_name: str, row: int, column: str) -> str:
    return f"{file_name}, row {row}, column {column}"


def _rows_of_csv(content: bytes, file_name: str, problems: list[Problem]) -> list[list[str]]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        problems.append(Problem(file_name, "is not UTF-8 text; save the CSV as UTF-8"))
        return []
    reader = csv.reader(io.StringIO(text, newline=""))
    rows: list[list[str]] = []
    try:
        for row in reader:
            if len(rows) > MAX_ROWS:
                problems.append(Problem(file_name, f"has more than {MAX_ROWS:,} rows"))
                return []
            rows.append([unneutralised(cell.strip()) for cell in row])
    except csv.Error as error:
        problems.append(Problem(f"{file_name}, line {reader.line_num}", f"is not CSV ({error})"))
        return []
    return rows


def _rows_of_xlsx(content: bytes, file_name: str, problems: list[Problem]) -> list[list[str]]:
    limits = XlsxLimits(max_rows=MAX_ROWS + 10, max_cells=(MAX_ROWS + 10) * 40)
    refusal = xlsx_refusal(content, limits)
    if refusal is not None:
        problems.append(Problem(file_name, refusal))
        return []
    from openpyxl import load_workbook  # here, not with the module: see matrix_import

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Un1540Error:
        raise
    except Exception as error:  # any error of the XML or zip libraries on a hostile file
        problems.append(
            Problem(file_name, f"not a readable XLSX workbook ({type(error).__name__})")
        )
        return []
    try:
        sheet = workbook.worksheets[0]
        rows: list[list[str]] = []
        for row in sheet.iter_rows(max_col=len(COLUMNS) + 10, values_only=True):
            if len(rows) > MAX_ROWS:
                problems.append(Problem(file_name, f"has more than {MAX_ROWS:,} rows"))
                return []
            rows.append([_text(cell) for cell in row])
        return rows
    except Exception as error:  # broken XML inside the sheet, found while reading it
        problems.append(
            Problem(file_name, f"not a readable XLSX workbook ({type(error).__name__})")
        )
        return []
    finally:
        workbook.close()


def _group(
    rows: Sequence[Sequence[str]], file_name: str, problems: list[Problem]
) -> list[_Measure]:
    """The measures of the file, each with the rows of its milestones."""
    header = [cell.strip().lower() for cell in rows[0]]
    unknown = [name for name in header if name and name not in COLUMNS]
    if unknown:
        problems.append(
            Problem(
                f"{file_name}, row 1",
                f"unknown column(s): {', '.join(unknown)} (allowed: {', '.join(COLUMNS)})",
            )
        )
    missing = [name for name in REQUIRED if name not in header]
    if missing:
        problems.append(Problem(f"{file_name}, row 1", f"missing column(s): {', '.join(missing)}"))
    if unknown or missing:
        return []
    position = {name: header.index(name) for name in COLUMNS if name in header}
    measures: list[_Measure] = []
    for number, row in enumerate(rows[1:], start=2):
        cells = {name: (row[i] if i < len(row) else "") for name, i in position.items()}
        if not any(cells.values()):
            continue
        title = cells.get("measure", "")
        if title and (not measures or measures[-1].values["title"] != title):
            values: dict[str, Any] = {"title": title, "milestones": []}
            for name, column in MEASURE_COLUMNS.items():
                text = cells.get(column, "")
                if name == "title" or not text:
                    continue
                if name in ("fields", "weapons", "assistance_requests"):
                    values[name] = [part for part in _SPLIT.split(text) if part]
                else:
                    values[name] = text
            measures.append(_Measure(number, values))
        elif not measures:
            problems.append(
                Problem(_place(file_name, number, "measure"), "the first row names no measure")
            )
            continue
        milestone = {
            name: cells.get(column, "")
            for name, column in MILESTONE_COLUMNS.items()
            if cells.get(column, "")
        }
        if milestone:
            measures[-1].values["milestones"].append(milestone)
            measures[-1].milestone_rows.append(number)
    if not measures and not problems:
        problems.append(Problem(file_name, "holds no measure"))
    return measures


def _validation_problems(
    error: ValidationError, file_name: str, measure: _Measure
) -> list[Problem]:
    found = []
    for item in error.errors():
        location = item["loc"]
        name = str(location[0]) if location else "measure"
        if name == "milestones" and len(location) >= 2 and isinstance(location[1], int):
            row = measure.milestone_rows[location[1]]
            column = MILESTONE_COLUMNS.get(
                str(location[2]) if len(location) > 2 else "", "milestone"
            )
        else:
            row, column = measure.row, MEASURE_COLUMNS.get(name, name)
        found.append(Problem(_place(file_name, row, column), item["msg"]))
    return found


def parse_plan_file(file_name: str, content: bytes) -> ParsedPlanFile:
    """The measures of a CSV or XLSX file, and what is wrong with it (file, row, column)."""
    problems: list[Problem] = []
    parsed = ParsedPlanFile(file_name, [], [], [], problems)
    if len(content) > MAX_BYTES:
        problems.append(Problem(file_name, f"is larger than {MAX_BYTES:,} bytes"))
        return parsed
    lower = file_name.lower()
    if lower.endswith(".xlsx"):
        rows = _rows_of_xlsx(content, file_name, problems)
    elif lower.endswith(".csv"):
        rows = _rows_of_csv(content, file_name, problems)
    else:
        problems.append(Problem(file_name, "must be a .csv or .xlsx file"))
        return parsed
    if problems:
        return parsed
    if not rows:
        problems.append(Problem(file_name, "is empty"))
        return parsed
    for measure in _group(rows, file_name, problems):
        try:
            parsed.measures.append(MeasureCreate.model_validate(measure.values))
        except ValidationError as error:
            problems.extend(_validation_problems(error, file_name, measure))
            continue
        parsed.wheres.append(_measure_where(file_name, measure.row))
        parsed.milestone_wheres.append(_milestone_where(file_name, measure.milestone_rows))
    return parsed


def _measure_where(file_name: str, row: int) -> Where:
    return lambda name: _place(file_name, row, MEASURE_COLUMNS.get(name, name))


def _milestone_where(file_name: str, rows: list[int]) -> Callable[[int], Where]:
    return lambda index: (
        lambda name: _place(file_name, rows[index], MILESTONE_COLUMNS.get(name, name))
    )


def _refusal(file_name: str, problems: Iterable[Problem]) -> InvalidData:
    listed = list(problems)
    return InvalidData(
        f"{file_name}: {len(listed)} problem(s); nothing was imported",
        problems=listed[:MAX_PROBLEMS],
    )


def import_plan_file(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str,
    file_name: str,
    content: bytes,
    plan_id: int | None = None,
    dry_run: bool = False,
) -> ImportOutcome:
    """Add the measures of a file to a plan of the State (`plan_id`, else its latest): all of
    them or, when anything is wrong, none (InvalidData naming file, row and column)."""
    require(viewer, *EDITORS, action="import measures")
    plan = (
        get_plan(session, viewer=viewer, plan_id=plan_id, iso3=iso3)
        if plan_id is not None
        else latest_plan(session, viewer=viewer, iso3=iso3)
    )
    plan_rules.check(viewer, plan, "add_measure")  # who may, before what the file holds
    parsed = parse_plan_file(file_name, content)
    problems = list(parsed.problems)
    try:
        # With problems already, the rows that were read are still checked (a dry run), so
        # that every problem of the file is listed at once.
        outcome = import_measures(
            session,
            viewer=viewer,
            plan=plan,
            measures=parsed.measures,
            wheres=parsed.wheres,
            milestone_wheres=parsed.milestone_wheres,
            file_name=file_name,
            dry_run=dry_run or bool(problems),
        )
    except InvalidData as error:
        problems += error.problems
    if problems:
        raise _refusal(file_name, problems)
    return outcome
