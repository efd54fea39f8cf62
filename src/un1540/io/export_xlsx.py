"""The matrix as an XLSX workbook: an About sheet, then one sheet per section, like the matrix.

Every text is written through `_put`: as a string cell (data type "s", an inline string), never a
formula, whatever it starts with (a remark "=HYPERLINK(...)" stays text), and through `printable`
(schemas/text.py), since XML cannot hold control characters.
"""

from __future__ import annotations

import io
from datetime import UTC, datetime

from openpyxl import Workbook
from openpyxl.cell import Cell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.worksheet.worksheet import Worksheet

from un1540.io.language import ENGLISH, DocumentLanguage
from un1540.io.matrix_collect import MatrixExport
from un1540.io.matrix_text import TREATY_COLUMNS, reconstructed_note, treaty_values
from un1540.io.xlsx_layout import (
    ABOUT_SHEET,
    FIRST_DATA_ROW,
    NOT_IN_FIELD,
    WORDING_HEADER,
    SectionSheet,
    section_sheets,
)
from un1540.reference.languages import N_
from un1540.schemas.matrix import MATRIX_DISCLAIMER
from un1540.schemas.text import printable
from un1540.services.kernel.instance import SYNTHETIC_NOTICE
from un1540.services.matrix.layout import FrameworkLayout

FILLS = {
    "X": PatternFill("solid", fgColor="DFF3E6"),
    "?": PatternFill("solid", fgColor="FFF1CC"),
    "NA": PatternFill("solid", fgColor="E7EBEF"),
    NOT_IN_FIELD: PatternFill("solid", fgColor="F3F3F3"),
}
BOLD = Font(bold=True)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTRE = Alignment(horizontal="center", vertical="top")


def _put(sheet: Worksheet, row: int, column: int, value: str | int | None) -> Cell:
    """Write one cell: a text always as text, printable; a number as a number."""
    cell = sheet.cell(row=row, column=column)
    assert isinstance(cell, Cell)  # nothing here is merged
    if isinstance(value, str):
        cell.value = printable(value)
        cell.data_type = "s"  # never "f": a text that starts with "=" is not a formula
    else:
        cell.value = value
    return cell


def _about(
    sheet: Worksheet, exports: list[MatrixExport], framework: str, tr: DocumentLanguage = ENGLISH
) -> None:
    """The About sheet in the reader's language (the import finds its "Framework" row in any
    of the six: io/matrix_import.py)."""
    synthetic = any(e.matrix.synthetic for e in exports)
    _ = tr.gettext
    lines = [
        (_(N_("1540 matrix export")), ""),
        (_(N_("Framework")), framework),
        (_(N_("States")), ", ".join(e.matrix.state.iso3 for e in exports)),
        (_(N_("Exported")), datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")),
        (_(N_("Disclaimer")), _(MATRIX_DISCLAIMER)),
        (
            _(N_("Marks")),
            _(
                N_(
                    "X: measure recorded; ?: reference may not be relevant or is incomplete; "
                    "NA: not applicable; empty: no information. — : the field does not apply to "
                    "that weapon category."
                )
            ),
        ),
        (
            _(N_("Import")),
            _(
                N_(
                    "Edit marks and remarks in the section sheets, keep the columns and header "
                    "rows as they are, and import the file into a draft edition (un1540 import "
                    "matrix, or the edition's page)."
                )
            ),
        ),
    ]
    marked = _(N_("The column %(column)s of each section sheet says so on each row.")) % {
        "column": repr(WORDING_HEADER)
    }
    notes = {reconstructed_note(e.matrix, marked=marked, tr=tr) for e in exports} - {""}
    if notes:
        lines.insert(2, (_(N_("Reconstructed rows")), " ".join(sorted(notes))))  # after Framework
    if synthetic:
        lines.insert(1, ("SYNTHETIC DEMO DATA", SYNTHETIC_NOTICE))
    for row, (label, value) in enumerate(lines, start=1):
        _put(sheet, row, 1, label).font = BOLD
        _put(sheet, row, 2, value).alignment = WRAP
    sheet.column_dimensions["A"].width = 22
    sheet.column_dimensions["B"].width = 110


def _section(
    sheet: Worksheet,
    layout: SectionSheet,
    exports: list[MatrixExport],
    synthetic: bool,
    tr: DocumentLanguage = ENGLISH,
) -> None:
    """A section's sheet: its title in the reader's language; the header rows (2 and 3) and
    the sheet's name as the import reads them, the same in every language."""
    title = tr.label("section", layout.section.code, layout.section.title) + (
        "  [SYNTHETIC DEMO DATA]" if synthetic else ""
    )
    _put(sheet, 1, 1, title).font = Font(bold=True, size=13)
    row2, row3 = layout.header_rows()
    for column, (upper, lower) in enumerate(zip(row2, row3, strict=True), start=1):
        _put(sheet, 2, column, upper).font = BOLD
        cell = _put(sheet, 3, column, lower or None)
        cell.font, cell.alignment = BOLD, Alignment(wrap_text=True, horizontal="center")
    _put(sheet, 2, layout.wording_column, WORDING_HEADER).font = BOLD
    if layout.adherence:
        for offset, name in enumerate(TREATY_COLUMNS):
            _put(sheet, 2, layout.treaty_start + offset, name).font = BOLD
    row = FIRST_DATA_ROW
    for export in exports:
        matrix = export.matrix
        section = next(s for s in matrix.sections if s.code == layout.section.code)
        for field in section.fields:
            cells = {(c.weapon, c.column): c for c in field.cells}
            values: list[str | int] = [
                matrix.state.iso3,
                matrix.state.name,
                matrix.edition.number,
                field.number,
                field.code,
                field.name,
            ]
            for column, value in enumerate(values, start=1):
                _put(sheet, row, column, value)
            wording = "reconstructed" if field.reconstructed else "verified"
            _put(sheet, row, layout.wording_column, wording)
            if layout.adherence and field.cells and field.cells[0].treaty is not None:
                for offset, value in enumerate(treaty_values(field.cells[0].treaty)):
                    _put(sheet, row, layout.treaty_start + offset, value or None)
            for index, slot in enumerate(layout.slots):
                found = cells.get((slot.weapon, slot.column))
                mark = found.mark if found else NOT_IN_FIELD
                cell = _put(sheet, row, layout.mark_start + index, mark or None)
                cell.alignment = CENTRE
                if mark in FILLS:
                    cell.fill = FILLS[mark]
                if found and found.remark:
                    remark = _put(sheet, row, layout.remark_start + index, found.remark)
                    remark.alignment = WRAP
            row += 1
    last = get_column_letter(layout.mark_start + len(layout.slots) - 1)
    marks = DataValidation(
        type="list",
        formula1='"X,?,NA"',
        allow_blank=True,
        error="A mark is X, ?, NA or empty.",
        showErrorMessage=True,
    )
    first = f"{get_column_letter(layout.mark_start)}{FIRST_DATA_ROW}"
    marks.add(f"{first}:{last}{max(row - 1, FIRST_DATA_ROW)}")
    sheet.add_data_validation(marks)
    sheet.freeze_panes = first
    widths = [6, 18, 8, 5, 26, 48] + [11] * len(layout.slots) + [30] * len(layout.slots) + [14]
    if layout.adherence:
        widths += [14] * len(TREATY_COLUMNS)
    for column, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(column)].width = width


def matrices_xlsx(
    exports: list[MatrixExport], layout: FrameworkLayout, tr: DocumentLanguage = ENGLISH
) -> bytes:
    """Every matrix in `exports` (all on the framework `layout`) in one workbook; Arabic
    sheets read from right to left."""
    workbook = Workbook()
    about = workbook.active
    assert about is not None
    about.title = ABOUT_SHEET
    _about(about, exports, layout.slug, tr)
    synthetic = any(e.matrix.synthetic for e in exports)
    for sheet_layout in section_sheets(layout):
        _section(workbook.create_sheet(sheet_layout.name), sheet_layout, exports, synthetic, tr)
    if tr.direction == "rtl":
        for sheet in workbook.worksheets:
            sheet.sheet_view.rightToLeft = True
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
