"""Reading a matrix from XLSX (the export's layout) or CSV (one row per cell), checking every row.

Nothing here writes: the result is the cells found and every problem, each with where it is
(sheet, row and column, or CSV line and column). The service applies the cells only when there
is no problem at all.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter
from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import InvalidData, Problem
from un1540.io.xlsx_layout import (
    ABOUT_SHEET,
    FIRST_DATA_ROW,
    NOT_IN_FIELD,
    SectionSheet,
    section_sheets,
)
from un1540.models import Framework, MatrixEdition, State
from un1540.schemas.workflow import ImportReport
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.matrix.actions.imports import ImportedCell, import_cells
from un1540.services.matrix.layout import FrameworkLayout, framework_layout
from un1540.services.matrix.reads.editions import find_edition
from un1540.services.matrix.reads.frameworks import default_framework
from un1540.services.matrix.rules import import_refusal

MARKS = {"X": "X", "?": "?", "NA": "NA", "": ""}


@dataclass
class ParsedMatrix:
    file_name: str
    cells: list[ImportedCell] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    framework: str | None = None

    def states(self) -> list[str]:
        return sorted({cell.iso3 for cell in self.cells})


class _Checker:
    """The checks both formats share: State, field, cell, mark, duplicates."""

    def __init__(self, parsed: ParsedMatrix, layout: FrameworkLayout, states: set[str]) -> None:
        self.parsed, self.layout, self.states = parsed, layout, states
        self.seen: dict[tuple[str, str], str] = {}

    def problem(self, where: str, message: str) -> None:
        self.parsed.problems.append(Problem(where, message))

    def state(self, value: object, where: str) -> str | None:
        iso3 = str(value or "").strip().upper()
        if iso3 not in self.states:
            self.problem(
                where, f"unknown State {iso3!r} (use an ISO 3166-1 alpha-3 code, e.g. FRA)"
            )
            return None
        return iso3

    def mark(self, value: object, where: str) -> str | None:
        text = "" if value is None else str(value).strip().upper()
        if text not in MARKS:
            self.problem(where, f"mark {text!r} is not X, ?, NA or empty")
            return None
        return MARKS[text]

    def add(self, iso3: str, key: str, mark: str, remark: str | None, where: str) -> None:
        first = self.seen.get((iso3, key))
        if first is not None:
            self.problem(where, f"duplicate cell {key} for {iso3} (first at {first})")
            return
        self.seen[(iso3, key)] = where
        self.parsed.cells.append(ImportedCell(iso3, key, mark, remark, where))


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _check_headers(
    checker: _Checker, sheet_layout: SectionSheet, rows: Sequence[Sequence[object]]
) -> bool:
    expected = sheet_layout.header_rows()
    ok = True
    for offset, wanted in enumerate(expected):
        found = rows[offset] if offset < len(rows) else ()
        for column, text in enumerate(wanted, start=1):
            value = _text(found[column - 1]) if column - 1 < len(found) else ""
            if value != text:
                checker.problem(
                    f"sheet {sheet_layout.name}, row {offset + 2}, "
                    f"column {get_column_letter(column)}",
                    f"expected the header {text!r}, found {value!r}; keep the export's columns",
                )
                ok = False
    return ok


def _xlsx_sheet(
    checker: _Checker, sheet_layout: SectionSheet, values: Sequence[Sequence[object]]
) -> None:
    if not _check_headers(checker, sheet_layout, values[1:3]):
        return
    fields = {f.code: f for f in sheet_layout.section.fields}
    for row_number, row in enumerate(values[FIRST_DATA_ROW - 1 :], start=FIRST_DATA_ROW):
        cells = list(row) + [None] * (sheet_layout.width - len(row))
        if all(_text(v) == "" for v in cells[: sheet_layout.width]):
            continue
        where = f"sheet {sheet_layout.name}, row {row_number}"
        iso3 = checker.state(cells[0], f"{where}, column A")
        code = _text(cells[4])
        found_field = fields.get(code)
        if found_field is None:
            checker.problem(
                f"{where}, column E", f"unknown field code {code!r} in section {sheet_layout.name}"
            )
        if iso3 is None or found_field is None:
            continue
        defined = {cell.key for cell in found_field.cells}
        for index, slot in enumerate(sheet_layout.slots):
            mark_column = sheet_layout.mark_start + index
            remark_column = sheet_layout.remark_start + index
            raw_mark, raw_remark = cells[mark_column - 1], cells[remark_column - 1]
            key = slot.key(found_field.code)
            if key not in defined:
                if _text(raw_mark) not in ("", NOT_IN_FIELD) or _text(raw_remark):
                    checker.problem(
                        f"{where}, column {get_column_letter(mark_column)}",
                        f"{found_field.code} does not apply to {slot.weapon.upper()}: "
                        "leave it empty",
                    )
                continue
            mark = checker.mark(raw_mark, f"{where}, column {get_column_letter(mark_column)}")
            if mark is not None:
                checker.add(
                    iso3,
                    key,
                    mark,
                    _text(raw_remark),
                    f"{where}, column {get_column_letter(mark_column)}",
                )


def _parse_xlsx(content: bytes, checker: _Checker) -> None:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as error:
        checker.problem(checker.parsed.file_name, f"not a readable XLSX workbook ({error})")
        return
    try:
        if ABOUT_SHEET in workbook.sheetnames:
            for row in workbook[ABOUT_SHEET].iter_rows(max_row=20, max_col=2, values_only=True):
                if _text(row[0]) == "Framework":
                    checker.parsed.framework = _text(row[1])
        sheets = section_sheets(checker.layout)
        missing = [s.name for s in sheets if s.name not in workbook.sheetnames]
        for name in missing:
            checker.problem(f"sheet {name}", "is missing; keep every section sheet of the export")
        for sheet_layout in sheets:
            if sheet_layout.name in workbook.sheetnames:
                values = list(
                    workbook[sheet_layout.name].iter_rows(
                        max_col=sheet_layout.width, values_only=True
                    )
                )
                _xlsx_sheet(checker, sheet_layout, values)
    finally:
        workbook.close()


def _parse_csv(content: bytes, checker: _Checker) -> None:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        checker.problem(checker.parsed.file_name, "is not UTF-8 text; save the CSV as UTF-8")
        return
    reader = csv.DictReader(io.StringIO(text))
    columns = set(reader.fieldnames or [])
    has_cell = "cell" in columns or {"field", "weapon", "column"} <= columns
    for required, present in (
        ("iso3", "iso3" in columns),
        ("cell", has_cell),
        ("mark", "mark" in columns),
    ):
        if not present:
            checker.problem(
                f"{checker.parsed.file_name}, line 1", f"missing the column {required!r}"
            )
    if checker.parsed.problems:
        return
    has_remark = "remark" in columns
    for row in reader:
        where = f"line {reader.line_num}"
        iso3 = checker.state(row.get("iso3"), f"{where}, column iso3")
        key = _text(row.get("cell")) or ":".join(
            _text(row.get(k)) for k in ("field", "weapon", "column")
        )
        cell = checker.layout.by_key.get(key)
        if cell is None:
            field_code = key.split(":", 1)[0]
            if field_code in checker.layout.fields:
                checker.problem(
                    f"{where}, column cell",
                    f"{key}: the field does not apply to that weapon category",
                )
            else:
                checker.problem(
                    f"{where}, column cell", f"unknown field code {field_code!r} (in {key!r})"
                )
        mark = checker.mark(row.get("mark"), f"{where}, column mark")
        if iso3 is not None and cell is not None and mark is not None:
            checker.add(iso3, key, mark, _text(row.get("remark")) if has_remark else None, where)


def parse_matrix_file(
    content: bytes, file_name: str, *, layout: FrameworkLayout, states: set[str], max_bytes: int
) -> ParsedMatrix:
    """Every cell of the file and every problem with it; the file type is told by its content."""
    parsed = ParsedMatrix(file_name=file_name)
    checker = _Checker(parsed, layout, states)
    name = file_name.lower()
    if not content:
        checker.problem(file_name, "the file is empty")
    elif len(content) > max_bytes:
        checker.problem(
            file_name,
            f"the file is {len(content) / 1e6:.1f} MB; the limit is {max_bytes // 1_000_000} MB",
        )
    elif content.startswith(b"PK\x03\x04") and name.endswith(".xlsx"):
        _parse_xlsx(content, checker)
    elif name.endswith(".csv") and not content.startswith(
        (b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0")
    ):
        _parse_csv(content, checker)
    else:
        checker.problem(
            file_name, "wrong file type: import an XLSX workbook (as exported) or a CSV file"
        )
    if not parsed.problems and not parsed.cells:
        checker.problem(file_name, "holds no cells to import")
    if parsed.framework and parsed.framework != layout.slug:
        checker.problem(
            f"sheet {ABOUT_SHEET}",
            f"the file is for framework {parsed.framework}; the edition uses {layout.slug}",
        )
    return parsed


def check_may_import(
    session: Session, *, viewer: Viewer, iso3: str | None, edition: int | None
) -> None:
    """Refuse an import before anything of its file is read: NotFound if the edition is not
    visible to the viewer, else Unauthenticated or Forbidden unless the viewer may import."""
    if iso3 is not None and edition is not None:
        find_edition(session, viewer=viewer, iso3=iso3, number=edition)
    refusal = import_refusal(viewer)
    if refusal is not None:
        raise refusal


def import_matrix_file(
    session: Session,
    *,
    viewer: Viewer,
    content: bytes,
    file_name: str,
    only: str | None,
    dry_run: bool,
    max_bytes: int,
    edition: int | None = None,
    reason: str = "",
) -> ImportReport:
    """Check the whole file, then import it (or, in a dry run, say what would change)."""
    check_may_import(session, viewer=viewer, iso3=only, edition=edition)
    layout = framework_layout(session, _framework_for(session, only))
    states = set(session.scalars(select(State.iso3)))
    parsed = parse_matrix_file(
        content, file_name, layout=layout, states=states, max_bytes=max_bytes
    )
    if parsed.problems:
        raise InvalidData(
            f"{file_name} was not imported; nothing was written", problems=parsed.problems
        )
    return import_cells(
        session,
        viewer=viewer,
        cells=parsed.cells,
        layout=layout,
        file_name=file_name,
        only=only,
        dry_run=dry_run,
        reason=reason,
        edition=edition,
    )


def _framework_for(session: Session, iso3: str | None) -> Framework:
    """The framework of the State's open or latest edition, else the default one."""
    if iso3 is not None:
        state = state_by_iso3(session, iso3)
        framework_id = session.scalar(
            select(MatrixEdition.framework_id)
            .where(MatrixEdition.state_id == state.id)
            .order_by(MatrixEdition.number.desc())
            .limit(1)
        )
        if framework_id is not None:
            framework = session.get(Framework, framework_id)
            assert framework is not None
            return framework
    return default_framework(session)
