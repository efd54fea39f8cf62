"""Reading a matrix from XLSX (the export's layout) or CSV (one row per cell), checking every row.

Nothing here writes: the result is the cells found and every problem, each with where it is
(sheet, row and column, or CSV line and column). The service applies the cells only when there
is no problem at all.

The readers are bounded whatever the file holds: an XLSX is refused before openpyxl opens it when
it would cost more than a matrix can (io/xlsx_guard.py: a zip bomb, a DOCTYPE, too many rows or
cells), sheets and CSV files are read row by row and refused past the most rows a matrix can
have, and problems are collected up to MAX_PROBLEMS (then only counted). A file the parsers
cannot read (not a zip, broken XML, a CSV field past the csv module's limit) is a problem naming
the file, never a server error. Remarks go through the text policy (schemas/text.py), refusals
named by the cell's place in the file.

Every problem's message and place are English for the API and the command line, and marked for
the catalogues (`N_`, `errors.text`), so that the portal shows them in the reader's language
(web/portal/messages.py): "feuille op2, ligne 5, colonne E : marque 'Y' ...".
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import (
    MAX_LISTED_PROBLEMS,
    InvalidData,
    Problem,
    Un1540Error,
    more_problems,
    text,
)
from un1540.io.language import DocumentLanguage
from un1540.io.matrix_text import TREATY_COLUMNS
from un1540.io.xlsx_guard import XlsxLimits, xlsx_refusal
from un1540.io.xlsx_layout import (
    ABOUT_SHEET,
    FIRST_DATA_ROW,
    NOT_IN_FIELD,
    SectionSheet,
    section_sheets,
)
from un1540.models import Framework, MatrixEdition, State
from un1540.models.base import today
from un1540.reference.crosswalks import ASSERTED_BY, TREATY_STATUSES, treaty_fields
from un1540.reference.languages import N_, UN_LANGUAGES
from un1540.schemas.matrix import TreatyStatusInput
from un1540.schemas.text import FILE_NAME, REMARK, TextRefused, unneutralised
from un1540.schemas.workflow import ImportReport
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.collector import collection_paused
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.matrix.actions.imports import (
    TREATY_CLEARED,
    ImportedCell,
    TreatyCleared,
    import_cells,
)
from un1540.services.matrix.actions.treaties import treaty_problems
from un1540.services.matrix.layout import FieldInfo, FrameworkLayout, framework_layout
from un1540.services.matrix.reads.editions import find_edition
from un1540.services.matrix.reads.frameworks import default_framework
from un1540.services.matrix.rules import import_refusal

MARKS = {"X": "X", "?": "?", "NA": "NA", "": ""}
# The About sheet's "Framework" row, as an export in any of the six languages labels it.
FRAMEWORK_LABELS = frozenset(
    DocumentLanguage(language).gettext("Framework") for language in UN_LANGUAGES
)
MAX_PROBLEMS = MAX_LISTED_PROBLEMS  # listed; the others are counted


@dataclass(frozen=True)
class Verbatim:
    """A name from the file put into a message as it is written there (a column "mark", a sheet
    "op2", a file's name): never looked up in the catalogues, as a `str` parameter would be."""

    value: str

    def __str__(self) -> str:
        return self.value


def _column_letter(column: int) -> str:
    """openpyxl's letters of a column (1: A, 27: AA)."""
    from openpyxl.utils import get_column_letter

    return get_column_letter(column)


def sheet_place(sheet: str, row: int | None = None, column: int | None = None) -> str:
    """Where in a workbook: "sheet op2", "sheet op2, row 5", "sheet op2, row 5, column E"."""
    if row is None:
        return text(N_("sheet %(sheet)s"), sheet=Verbatim(sheet))
    if column is None:
        return text(N_("sheet %(sheet)s, row %(row)s"), sheet=Verbatim(sheet), row=row)
    return text(
        N_("sheet %(sheet)s, row %(row)s, column %(column)s"),
        sheet=Verbatim(sheet),
        row=row,
        column=_column_letter(column),
    )


def line_place(line: int, column: str | None = None, file_name: str | None = None) -> str:
    """Where in a CSV file: "line 5", "line 5, column mark", "data.csv, line 5, column mark"."""
    if file_name is None:
        if column is None:
            return text(N_("line %(line)s"), line=line)
        return text(N_("line %(line)s, column %(column)s"), line=line, column=Verbatim(column))
    if column is None:
        return text(N_("%(file)s, line %(line)s"), file=Verbatim(file_name), line=line)
    return text(
        N_("%(file)s, line %(line)s, column %(column)s"),
        file=Verbatim(file_name),
        line=line,
        column=Verbatim(column),
    )


ROW_SLACK = 1_000  # empty or note rows a sheet or a CSV may hold besides the matrix's own


@dataclass
class ParsedMatrix:
    file_name: str
    cells: list[ImportedCell] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # the first MAX_PROBLEMS
    more_problems: int = 0  # found past MAX_PROBLEMS, counted only
    framework: str | None = None

    def states(self) -> list[str]:
        return sorted({cell.iso3 for cell in self.cells})

    def add_problem(self, where: str, message: str, *, always: bool = False) -> None:
        """Listed while fewer than MAX_PROBLEMS are; `always`: the reason reading stopped."""
        if always or len(self.problems) < MAX_PROBLEMS:
            self.problems.append(Problem(where, message))
        else:
            self.more_problems += 1

    def reported_problems(self) -> list[Problem]:
        """The problems listed, and a last line counting those that are not."""
        if not self.more_problems:
            return list(self.problems)
        return [*self.problems, more_problems(self.file_name, self.more_problems)]


class _TooManyRows(Exception):
    """A sheet or CSV file has more rows than a matrix can (reported, then reading stops)."""


class _Checker:
    """The checks both formats share: State, field, cell, mark, remark, duplicates."""

    def __init__(self, parsed: ParsedMatrix, layout: FrameworkLayout, states: set[str]) -> None:
        self.parsed, self.layout, self.states = parsed, layout, states
        self.seen: dict[tuple[str, str], str] = {}
        # Read once per file, not once per row (it walks the framework's crosswalks).
        self.treaty_fields = treaty_fields(layout.slug)
        self.today = today()
        self.remarks: dict[str, str | TextRefused] = {}

    def problem(self, where: str, message: str) -> None:
        self.parsed.add_problem(where, message)

    def state(self, value: object, where: str) -> str | None:
        iso3 = _text(value).upper()
        if iso3 not in self.states:
            self.problem(
                where,
                text(
                    N_("unknown State %(code)s (use an ISO 3166-1 alpha-3 code, e.g. FRA)"),
                    code=repr(iso3[:20]),
                ),
            )
            return None
        return iso3

    def mark(self, value: object, where: str) -> str | None:
        found = _text(value).upper()
        if found not in MARKS:
            self.problem(
                where, text(N_("mark %(mark)s is not X, ?, NA or empty"), mark=repr(found[:20]))
            )
            return None
        return MARKS[found]

    def remark(self, value: object, where: str, *, from_csv: bool = False) -> str | None:
        """The remark through the text policy; None (a problem) when it is refused. From a CSV,
        the quote the CSV export puts before a formula-like text comes off first."""
        given = _text(value)
        given = unneutralised(given) if from_csv else given
        cleaned = self.remarks.get(given)
        if cleaned is None:  # once per distinct remark of the file, not once per cell
            try:
                cleaned = REMARK.clean(given)
            except TextRefused as refused:
                cleaned = refused
            self.remarks[given] = cleaned
        if isinstance(cleaned, TextRefused):
            self.problem(where, text(N_("the remark %(problem)s"), problem=cleaned.message))
            return None
        return cleaned

    def treaty(
        self, field_code: str, values: dict[str, object], where: Callable[[str], str]
    ) -> tuple[bool, TreatyStatusInput | TreatyCleared | None]:
        """The treaty status of TREATY_COLUMNS `values` (ok, status): (True, TREATY_CLEARED)
        when they are empty for a treaty field (the file clears what is recorded), (True, None)
        when they are empty for any other field; (False, None) after naming each problem by
        `where(column)`."""
        texts = {name: values.get(name) for name in TREATY_COLUMNS}
        instrument = self.treaty_fields.get(field_code)
        if all(_text(value) == "" for value in texts.values()):
            return True, (TREATY_CLEARED if instrument is not None else None)
        if instrument is None:
            self.problem(
                where("treaty_status"),
                text(
                    N_("%(field)s is not an OP1 treaty field: leave the treaty columns empty"),
                    field=Verbatim(field_code),
                ),
            )
            return False, None
        ok = True
        status, asserted = _text(texts["treaty_status"]), _text(texts["asserted_by"])
        if status not in TREATY_STATUSES:
            self.problem(
                where("treaty_status"),
                text(
                    N_("treaty status %(status)s is not one of %(allowed)s"),
                    status=repr(status[:30]),
                    allowed=", ".join(TREATY_STATUSES),
                ),
            )
            ok = False
        if asserted not in ASSERTED_BY:
            self.problem(
                where("asserted_by"),
                text(
                    N_("asserted_by %(value)s is not one of %(allowed)s"),
                    value=repr(asserted[:30]),
                    allowed=", ".join(ASSERTED_BY),
                ),
            )
            ok = False
        dates: dict[str, date | None] = {}
        for name in ("signed_on", "status_on"):
            value = texts[name]
            if isinstance(value, datetime):
                dates[name] = value.date()
            elif isinstance(value, date):
                dates[name] = value
            elif _text(value) == "":
                dates[name] = None
            else:
                try:
                    dates[name] = date.fromisoformat(_text(value))
                except ValueError:
                    self.problem(
                        where(name),
                        text(
                            N_("%(column)s %(value)s is not a date (YYYY-MM-DD)"),
                            column=Verbatim(name),
                            value=repr(_text(value)[:30]),
                        ),
                    )
                    ok = False
        if not ok:
            return False, None
        treaty = TreatyStatusInput.model_validate(
            {"status": status, "asserted_by": asserted, **dates}
        )
        found = treaty_problems(instrument, treaty, on=self.today)
        for problem in found:
            column = problem.where if problem.where in TREATY_COLUMNS else "treaty_status"
            self.problem(
                where(column),
                text(
                    N_("%(column)s: %(problem)s"),
                    column=Verbatim(problem.where),
                    problem=problem.message,
                ),
            )
        return (False, None) if found else (True, treaty)

    def add(
        self,
        iso3: str,
        key: str,
        mark: str,
        remark: str | None,
        where: str,
        treaty: TreatyStatusInput | TreatyCleared | None = None,
    ) -> None:
        first = self.seen.get((iso3, key))
        if first is not None:
            self.problem(
                where,
                text(
                    N_("duplicate cell %(cell)s for %(iso3)s (first at %(first)s)"),
                    cell=Verbatim(key),
                    iso3=iso3,
                    first=first,
                ),
            )
            return
        self.seen[(iso3, key)] = where
        self.parsed.cells.append(ImportedCell(iso3, key, mark, remark, where, treaty))


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _check_headers(
    checker: _Checker, sheet_layout: SectionSheet, rows: Sequence[Sequence[object]]
) -> bool:
    expected = sheet_layout.header_rows()
    ok = True
    for offset, wanted in enumerate(expected):
        found = rows[offset] if offset < len(rows) else ()
        for column, header in enumerate(wanted, start=1):
            value = _text(found[column - 1]) if column - 1 < len(found) else ""
            if value != header:
                checker.problem(
                    sheet_place(sheet_layout.name, offset + 2, column),
                    _header_refusal(header, value),
                )
                ok = False
    return ok


def _header_refusal(wanted: str, found: str) -> str:
    return text(
        N_("expected the header %(expected)s, found %(found)s; keep the export's columns"),
        expected=repr(wanted),
        found=repr(found[:60]),
    )


def _treaty_headers(
    checker: _Checker, sheet_layout: SectionSheet, row2: Sequence[object]
) -> bool | None:
    """Whether an OP1-style sheet has the treaty status columns (a file exported before them
    has not); None after naming a column whose header is neither the expected one nor empty."""
    if not sheet_layout.adherence:
        return False
    start = sheet_layout.treaty_start
    found = [
        _text(row2[start - 1 + offset]) if start - 1 + offset < len(row2) else ""
        for offset in range(len(TREATY_COLUMNS))
    ]
    if not any(found):
        return False
    for offset, (value, wanted) in enumerate(zip(found, TREATY_COLUMNS, strict=True)):
        if value != wanted:
            checker.problem(
                sheet_place(sheet_layout.name, 2, start + offset), _header_refusal(wanted, value)
            )
            return None
    return True


def _xlsx_row(
    checker: _Checker,
    sheet_layout: SectionSheet,
    fields: dict[str, FieldInfo],
    row_number: int,
    row: Sequence[object],
    with_treaty: bool = False,
) -> None:
    cells = list(row) + [None] * (sheet_layout.read_width - len(row))
    if all(_text(v) == "" for v in cells[: sheet_layout.width]):
        return
    sheet = sheet_layout.name

    def at(column: int) -> str:
        return sheet_place(sheet, row_number, column)

    iso3 = checker.state(cells[0], at(1))
    code = _text(cells[4])
    found_field = fields.get(code)
    if found_field is None:
        checker.problem(
            at(5),
            text(
                N_("unknown field code %(code)s in section %(section)s"),
                code=repr(code[:60]),
                section=Verbatim(sheet),
            ),
        )
    if iso3 is None or found_field is None:
        return
    defined = {cell.key for cell in found_field.cells}
    for index, slot in enumerate(sheet_layout.slots):
        mark_column = sheet_layout.mark_start + index
        remark_column = sheet_layout.remark_start + index
        raw_mark, raw_remark = cells[mark_column - 1], cells[remark_column - 1]
        key = slot.key(found_field.code)
        if key not in defined:
            if _text(raw_mark) not in ("", NOT_IN_FIELD) or _text(raw_remark):
                checker.problem(
                    at(mark_column),
                    text(
                        N_("%(field)s does not apply to %(weapon)s: leave it empty"),
                        field=Verbatim(found_field.code),
                        weapon=slot.weapon.upper(),
                    ),
                )
            continue
        mark = checker.mark(raw_mark, at(mark_column))
        remark = checker.remark(raw_remark, at(remark_column))
        treaty_ok, treaty = True, None
        if with_treaty:
            start = sheet_layout.treaty_start
            treaty_ok, treaty = checker.treaty(
                found_field.code,
                {name: cells[start - 1 + offset] for offset, name in enumerate(TREATY_COLUMNS)},
                _xlsx_place(sheet, row_number, start),
            )
        if mark is not None and remark is not None and treaty_ok:
            checker.add(
                iso3,
                key,
                mark,
                remark,
                at(mark_column),
                treaty,
            )


def _xlsx_sheet(
    checker: _Checker,
    sheet_layout: SectionSheet,
    rows: Iterator[tuple[int, Sequence[object]]],
) -> None:
    """Check the header rows, then every data row as it is read."""
    fields = {f.code: f for f in sheet_layout.section.fields}
    header: list[Sequence[object]] = []
    with_treaty: bool | None = False
    for row_number, row in rows:
        if row_number < FIRST_DATA_ROW:
            header.append(row)
            if row_number == FIRST_DATA_ROW - 1:
                if not _check_headers(checker, sheet_layout, header[1:3]):
                    return
                with_treaty = _treaty_headers(checker, sheet_layout, header[1])
                if with_treaty is None:
                    return
            continue
        _xlsx_row(checker, sheet_layout, fields, row_number, row, bool(with_treaty))
    if len(header) < FIRST_DATA_ROW - 1:
        _check_headers(checker, sheet_layout, header[1:3])


def _bounded_rows(
    rows: Iterator[Sequence[object]], limit: int, where: str, checker: _Checker
) -> Iterator[tuple[int, Sequence[object]]]:
    """(row number, row) up to `limit` rows; past it a problem, and the reading stops."""
    for number, row in enumerate(rows, start=1):
        if number > limit:
            checker.parsed.add_problem(
                where,
                text(
                    N_(
                        "has more than %(limit)s rows; a matrix sheet has one row per State and "
                        "field"
                    ),
                    limit=f"{limit:,}",
                ),
                always=True,
            )
            raise _TooManyRows
        yield number, row


def xlsx_limits(layout: FrameworkLayout, states: set[str]) -> XlsxLimits:
    """The most rows and cells a sheet of this framework's matrix can hold for every State."""
    sheets = section_sheets(layout)
    rows = FIRST_DATA_ROW + len(states) * max(len(s.section.fields) for s in sheets) + ROW_SLACK
    return XlsxLimits(max_rows=rows, max_cells=rows * (max(s.width for s in sheets) + 16))


def _parse_xlsx(content: bytes, checker: _Checker) -> None:
    file_name = checker.parsed.file_name
    refusal = xlsx_refusal(content, xlsx_limits(checker.layout, checker.states))
    if refusal is not None:
        checker.problem(file_name, refusal)
        return
    # openpyxl here, not with the module: a server that reads no workbook does not hold it.
    from openpyxl import load_workbook

    from un1540.io.xlsx_values import sheet_values

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Un1540Error:
        raise
    except Exception as error:  # any error of the XML or zip libraries on a hostile file
        checker.problem(file_name, _unreadable(error))
        return
    sheet_name = ""
    try:
        if ABOUT_SHEET in workbook.sheetnames:
            sheet_name = ABOUT_SHEET
            for row in workbook[ABOUT_SHEET].iter_rows(max_row=20, max_col=2, values_only=True):
                if len(row) >= 2 and _text(row[0]) in FRAMEWORK_LABELS:
                    checker.parsed.framework = _text(row[1])[:200]
        sheets = section_sheets(checker.layout)
        missing = [s.name for s in sheets if s.name not in workbook.sheetnames]
        for name in missing:
            checker.problem(
                sheet_place(name), N_("is missing; keep every section sheet of the export")
            )
        for sheet_layout in sheets:
            if sheet_layout.name not in workbook.sheetnames:
                continue
            sheet_name = sheet_layout.name
            limit = (
                FIRST_DATA_ROW + len(checker.states) * len(sheet_layout.section.fields) + ROW_SLACK
            )
            rows = sheet_values(workbook[sheet_layout.name], max_col=sheet_layout.read_width)
            try:
                _xlsx_sheet(
                    checker,
                    sheet_layout,
                    _bounded_rows(rows, limit, sheet_place(sheet_layout.name), checker),
                )
            except _TooManyRows:
                return
    except Un1540Error:
        raise
    except Exception as error:  # broken XML inside a sheet, found while reading it
        where = (
            text(
                N_("%(file)s, sheet %(sheet)s"),
                file=Verbatim(file_name),
                sheet=Verbatim(sheet_name),
            )
            if sheet_name
            else file_name
        )
        checker.problem(where, _unreadable(error))
    finally:
        workbook.close()


def _unreadable(error: Exception) -> str:
    return text(N_("not a readable XLSX workbook (%(error)s)"), error=_describe(error))


def _describe(error: Exception) -> str:
    said = str(error).strip()
    name = type(error).__name__
    return f"{name}: {said[:200]}" if said else name


def _parse_csv(content: bytes, checker: _Checker) -> None:
    file_name = checker.parsed.file_name
    try:
        decoded = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        checker.problem(file_name, N_("is not UTF-8 text; save the CSV as UTF-8"))
        return
    reader = csv.DictReader(io.StringIO(decoded, newline=""))
    try:
        _csv_rows(reader, checker)
    except csv.Error as error:
        where = line_place(reader.reader.line_num, file_name=file_name)
        if "field larger than field limit" in str(error):
            checker.problem(
                where,
                text(
                    N_(
                        "a field is longer than %(limit)s characters (a remark takes at most "
                        "%(most)s)"
                    ),
                    limit=f"{csv.field_size_limit():,}",
                    most=f"{REMARK.max_length:,}",
                ),
            )
        else:
            checker.problem(where, text(N_("cannot be read as CSV (%(error)s)"), error=str(error)))
    except _TooManyRows:
        pass


def _csv_rows(reader: csv.DictReader[str], checker: _Checker) -> None:
    file_name = checker.parsed.file_name
    columns = {name for name in reader.fieldnames or [] if isinstance(name, str)}
    has_cell = "cell" in columns or {"field", "weapon", "column"} <= columns
    for required, present in (
        ("iso3", "iso3" in columns),
        ("cell", has_cell),
        ("mark", "mark" in columns),
    ):
        if not present:
            checker.problem(
                line_place(1, file_name=file_name),
                text(N_("missing the column %(column)s"), column=repr(required)),
            )
    if checker.parsed.problems:
        return
    has_remark = "remark" in columns
    has_treaty = bool(columns & set(TREATY_COLUMNS))
    limit = len(checker.states) * len(checker.layout.cells) + ROW_SLACK
    for count, row in enumerate(reader, start=1):
        if count > limit:
            checker.parsed.add_problem(
                line_place(reader.reader.line_num, file_name=file_name),
                text(
                    N_(
                        "the file has more than %(limit)s rows; a matrix has one row per State "
                        "and cell; reading stopped there"
                    ),
                    limit=f"{limit:,}",
                ),
                always=True,
            )
            raise _TooManyRows
        line = reader.line_num
        where = line_place(line)
        iso3 = checker.state(row.get("iso3"), line_place(line, "iso3"))
        key = _text(row.get("cell")) or ":".join(
            _text(row.get(k)) for k in ("field", "weapon", "column")
        )
        cell = checker.layout.by_key.get(key)
        if cell is None:
            field_code = key.split(":", 1)[0]
            if field_code in checker.layout.fields:
                checker.problem(
                    line_place(line, "cell"),
                    text(
                        N_("%(cell)s: the field does not apply to that weapon category"),
                        cell=Verbatim(key[:200]),
                    ),
                )
            else:
                checker.problem(
                    line_place(line, "cell"),
                    text(
                        N_("unknown field code %(code)s (in %(cell)s)"),
                        code=repr(field_code[:60]),
                        cell=repr(key[:100]),
                    ),
                )
        mark = checker.mark(row.get("mark"), line_place(line, "mark"))
        remark = (
            checker.remark(row.get("remark"), line_place(line, "remark"), from_csv=True)
            if has_remark
            else None
        )
        treaty_ok, treaty = True, None
        if has_treaty and cell is not None:
            treaty_ok, treaty = checker.treaty(
                cell.field_code,
                {name: row.get(name) for name in TREATY_COLUMNS},
                _csv_place(file_name, line),
            )
            if key != f"{cell.field_code}:any:adherence":
                if isinstance(treaty, TreatyStatusInput):
                    checker.problem(
                        line_place(line, "treaty_status", file_name), N_("not a treaty cell")
                    )
                    treaty_ok = False
                treaty = None
        if iso3 is not None and cell is not None and mark is not None and treaty_ok:
            if has_remark and remark is None:
                continue  # refused by the text policy: already a problem
            checker.add(iso3, key, mark, remark, where, treaty)


def _xlsx_place(sheet: str, row: int, start: int) -> Callable[[str], str]:
    """Where a treaty column of a sheet row is: sheet, row, column letter and name."""
    return lambda name: text(
        N_("sheet %(sheet)s, row %(row)s, column %(column)s (%(name)s)"),
        sheet=Verbatim(sheet),
        row=row,
        column=_column_letter(start + TREATY_COLUMNS.index(name)),
        name=Verbatim(name),
    )


def _csv_place(file_name: str, line: int) -> Callable[[str], str]:
    """Where a treaty column of a CSV row is: file, line and column."""
    return lambda name: line_place(line, name, file_name)


def parse_matrix_file(
    content: bytes, file_name: str, *, layout: FrameworkLayout, states: set[str], max_bytes: int
) -> ParsedMatrix:
    """Every cell of the file and every problem with it; the file type is told by its content.

    Never raises for what the file holds: whatever is wrong is in `problems`."""
    parsed = ParsedMatrix(file_name=file_name)
    checker = _Checker(parsed, layout, states)
    name = file_name.lower()
    if not content:
        checker.problem(file_name, N_("the file is empty"))
    elif len(content) > max_bytes:
        checker.problem(
            file_name,
            text(
                N_("the file is %(size)s MB; the limit is %(limit)s MB"),
                size=f"{len(content) / 1e6:.1f}",
                limit=max_bytes // 1_000_000,
            ),
        )
    elif content.startswith(b"PK\x03\x04") and name.endswith(".xlsx"):
        _parse_xlsx(content, checker)
    elif name.endswith(".csv") and not content.startswith(
        (b"PK\x03\x04", b"%PDF", b"\xd0\xcf\x11\xe0")
    ):
        _parse_csv(content, checker)
    else:
        checker.problem(
            file_name, N_("wrong file type: import an XLSX workbook (as exported) or a CSV file")
        )
    if not parsed.problems and not parsed.cells:
        checker.problem(file_name, N_("holds no cells to import"))
    if parsed.framework and parsed.framework != layout.slug:
        checker.problem(
            sheet_place(ABOUT_SHEET),
            text(
                N_("the file is for framework %(found)s; the edition uses %(framework)s"),
                found=parsed.framework[:100],
                framework=layout.slug,
            ),
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
    file_name = FILE_NAME.require(
        file_name, "file name", message=N_("the file was not imported; nothing was written")
    )
    with collection_paused():
        parsed = parse_matrix_file(
            content, file_name, layout=layout, states=states, max_bytes=max_bytes
        )
        if parsed.problems:
            raise InvalidData(
                text(
                    N_("%(file)s was not imported; nothing was written"), file=Verbatim(file_name)
                ),
                problems=parsed.reported_problems(),
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
