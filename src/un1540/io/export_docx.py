"""The matrix as a Word document, laid out like the Committee's: a header with the State and its
report, addendum and approval dates, the standard disclaimer, then each section as a table.

Honest labels: every row whose wording was reconstructed says so ("[reconstructed]") and the
State's header counts them; with synthetic data, the notice is in the page header and footer of
every section, so it is on every page, not only the first.

Every text goes through `printable` (schemas/text.py): XML cannot hold control characters, so a
stored one shows as U+FFFD instead of failing the whole document."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from un1540.io.language import ENGLISH, DocumentLanguage
from un1540.io.matrix_collect import MatrixExport
from un1540.io.matrix_text import (
    MARK_LEGEND,
    date_text,
    reconstructed_note,
    remarks_text,
    row_name,
)
from un1540.reference.languages import N_
from un1540.schemas.matrix import MatrixRead, MatrixSectionRead
from un1540.schemas.text import printable
from un1540.services.kernel.instance import SYNTHETIC_NOTICE

if TYPE_CHECKING:
    from docx.document import Document
    from docx.table import Table

# python-docx is imported where a document is written, not with the module: a server that
# never writes one does not hold it (benchmarks/memory.py).
RED = (0xB4, 0x23, 0x18)  # the notice's colour (a docx.shared.RGBColor once written)
PAGE_WIDTH_CM = 26.7  # A4 landscape less 1.5 cm margins


def _fill_row(
    table: Table, values: list[str], *, bold: bool = False, centred: range = range(0)
) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    cells = table.add_row().cells  # type: ignore[no-untyped-call]  # (read once: it is slow)
    for index, (cell, value) in enumerate(zip(cells, values, strict=True)):
        paragraph = cell.paragraphs[0]
        paragraph.add_run(printable(value)).bold = bold
        if index in centred:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER


def _widths(table: Table, widths: list[float]) -> None:
    """Column widths in cm, written to the table grid (which LibreOffice and Word both read)."""
    from docx.shared import Cm

    table.autofit = False
    for column, width in zip(table.columns, widths, strict=True):
        column.width = Cm(width)


def _section_table(
    document: Document,
    section: MatrixSectionRead,
    weapons: dict[str, str],
    columns: dict[str, str],
    tr: DocumentLanguage = ENGLISH,
) -> None:
    from docx.enum.table import WD_TABLE_ALIGNMENT

    adherence = section.layout == ["adherence"]
    slots = [] if adherence else [(w, c) for w in weapons for c in section.layout]
    table = document.add_table(rows=0, cols=4 if adherence else 3 + len(slots))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    marks = range(2, 2 + max(1, len(slots)))
    if adherence:
        _widths(table, [1.0, 8.5, 1.5, PAGE_WIDTH_CM - 11.0])
        _fill_row(
            table,
            [
                tr.gettext(N_("No.")),
                tr.gettext(N_("Instrument, organisation or arrangement")),
                tr.gettext(N_("Yes")),
                tr.gettext(N_("Relevant information (signing, ratification, ...) and remarks")),
            ],
            bold=True,
            centred=marks,
        )
        for field in section.fields:
            cell = field.cells[0]
            values = [
                str(field.number),
                row_name(_field_name(field.code, field.name, tr), field.reconstructed, tr),
                cell.mark,
                remarks_text([cell], with_labels=False, tr=tr),
            ]
            _fill_row(table, values, centred=marks)
        return
    _widths(table, [1.0, 6.0] + [1.7] * len(slots) + [PAGE_WIDTH_CM - 7.0 - 1.7 * len(slots)])
    per_weapon = len(section.layout)
    groups = [
        weapon.upper() if index % per_weapon == 0 else "" for index, (weapon, _) in enumerate(slots)
    ]
    _fill_row(
        table,
        [
            tr.gettext(N_("No.")),
            tr.gettext(N_("Data field")),
            *groups,
            tr.gettext(N_("Source / remarks")),
        ],
        bold=True,
        centred=marks,
    )
    _fill_row(table, ["", "", *[columns[c] for _, c in slots], ""], bold=True, centred=marks)
    header = table.rows[0].cells
    for index in range(len(weapons)):  # each weapon's name spans its column kinds
        start = 2 + index * per_weapon
        merged = header[start].merge(header[start + per_weapon - 1])
        for paragraph in merged.paragraphs[1:]:  # merging keeps each cell's (empty) paragraph
            if not paragraph.text:
                paragraph._element.getparent().remove(paragraph._element)
    for field in section.fields:
        by_slot = {(c.weapon, c.column): c for c in field.cells}
        values = [by_slot[slot].mark if slot in by_slot else "—" for slot in slots]
        remarks = remarks_text(
            field.cells,
            with_labels=True,
            tr=tr,
            column_names=None if tr.language == "en" else columns,
        )
        name = row_name(_field_name(field.code, field.name, tr), field.reconstructed, tr)
        _fill_row(table, [str(field.number), name, *values, remarks], centred=marks)


# An edition's status as the documents print it (the portal's own labels of the statuses).
EDITION_STATUS_WORDS = {
    "draft": N_("Draft"),
    "shared": N_("Shared with the State"),
    "agreed": N_("Agreed by the State"),
    "approved": N_("Approved"),
}


def _field_name(code: str, english: str, tr: DocumentLanguage) -> str:
    """A field's title in the reader's language where the framework gives one (its `names`),
    else its official English title."""
    return english if tr.language == "en" else tr.label("field", code, english)


def localized_matrix(matrix: MatrixRead, tr: DocumentLanguage) -> MatrixRead:
    """The matrix with the framework's own titles of its sections, weapon categories and column
    kinds in the reader's language (those it has; English otherwise)."""
    if tr.language == "en":
        return matrix
    return matrix.model_copy(
        update={
            "sections": [
                section.model_copy(
                    update={"title": tr.label("section", section.code, section.title)}
                )
                for section in matrix.sections
            ],
            "weapon_categories": {
                code: tr.label("weapon", code, name)
                for code, name in matrix.weapon_categories.items()
            },
            "column_kinds": {
                code: tr.label("column", code, name) for code, name in matrix.column_kinds.items()
            },
        }
    )


def _state(document: Document, export: MatrixExport, tr: DocumentLanguage = ENGLISH) -> None:
    from docx.shared import Pt, RGBColor

    matrix, reports = localized_matrix(export.matrix, tr), export.reports
    if matrix.synthetic:
        run = document.add_paragraph().add_run(SYNTHETIC_NOTICE)
        run.bold = True
        run.font.color.rgb = RGBColor(*RED)
    if tr.language == "en":
        status = (
            "APPROVED" if matrix.edition.status == "approved" else matrix.edition.status.upper()
        )
        heading = f"{status} 1540 COMMITTEE MATRIX"
        edition_status = matrix.edition.status
    else:
        edition_status = tr.gettext(EDITION_STATUS_WORDS.get(matrix.edition.status, N_("Draft")))
        heading = tr.gettext(N_("1540 Committee matrix (%(status)s)")) % {"status": edition_status}
    document.add_heading(printable(heading), level=1)
    note = reconstructed_note(matrix, tr=tr)
    if note:
        document.add_paragraph().add_run(note).bold = True
    header = document.add_table(rows=0, cols=2)
    header.style = "Table Grid"
    _widths(header, [8.0, PAGE_WIDTH_CM - 8.0])
    for label, value in [
        (N_("State"), tr.label("state", matrix.state.iso3, matrix.state.name)),
        (N_("Date of the first report"), date_text([reports.first_report])),
        (N_("Dates of addenda"), date_text(reports.addenda)),
        (N_("Dates of additional information"), date_text(reports.additional_information)),
        (N_("Edition"), f"{matrix.edition.number} ({edition_status})"),
        (N_("Date of approval by the 1540 Committee"), date_text([matrix.edition.approved_on])),
        (N_("Framework"), matrix.edition.framework),
    ]:
        _fill_row(header, [tr.gettext(label), value])
    document.add_paragraph().add_run(printable(tr.gettext(matrix.disclaimer))).italic = True
    document.add_paragraph().add_run(tr.gettext(MARK_LEGEND)).font.size = Pt(7.5)
    for section in matrix.sections:
        document.add_heading(printable(section.title), level=2)
        _section_table(document, section, matrix.weapon_categories, matrix.column_kinds, tr)


# Where WordprocessingML wants each direction element: before the first of these siblings
# (the schema's order), else last.
_AFTER_BIDI = (
    "adjustRightInd",
    "snapToGrid",
    "spacing",
    "ind",
    "contextualSpacing",
    "mirrorIndents",
    "suppressOverlap",
    "jc",
    "textDirection",
    "textAlignment",
    "textboxTightWrap",
    "outlineLvl",
    "divId",
    "cnfStyle",
    "rPr",
    "sectPr",
    "pPrChange",
)
_AFTER_RTL = ("cs", "em", "lang", "eastAsianLayout", "specVanish", "oMath")
_AFTER_BIDI_VISUAL = (
    "tblStyleRowBandSize",
    "tblStyleColBandSize",
    "tblW",
    "jc",
    "tblCellSpacing",
    "tblInd",
    "tblBorders",
    "shd",
    "tblLayout",
    "tblCellMar",
    "tblLook",
    "tblCaption",
    "tblDescription",
    "tblPrChange",
)


def _set_flag(parent: Any, tag: str, successors: tuple[str, ...]) -> None:
    """Add the empty element w:`tag` to `parent` once, in its place in the schema's order."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    if parent.find(qn(f"w:{tag}")) is not None:
        return
    element = OxmlElement(f"w:{tag}")
    for child in parent:
        if child.tag in {qn(f"w:{name}") for name in successors}:
            child.addprevious(element)
            return
    parent.append(element)


def right_to_left(document: Document) -> None:
    """Every paragraph of the document read right to left (`w:bidi`), each table laid out from
    the right (`w:bidiVisual`), and runs in the complex-script direction (`w:rtl`), as Word
    writes an Arabic document; headers and footers too."""
    from docx.oxml.ns import qn

    parts = [document.element.body]
    for section in document.sections:
        parts += [section.header._element, section.footer._element]
    for part in parts:
        for paragraph in part.iter(qn("w:p")):
            _set_flag(paragraph.get_or_add_pPr(), "bidi", _AFTER_BIDI)
            for run in paragraph.iter(qn("w:r")):
                _set_flag(run.get_or_add_rPr(), "rtl", _AFTER_RTL)
        for table in part.iter(qn("w:tbl")):
            properties = table.find(qn("w:tblPr"))
            if properties is not None:
                _set_flag(properties, "bidiVisual", _AFTER_BIDI_VISUAL)


def mark_every_page(document: Document, notice: str) -> None:
    """The notice in the header and the footer of every section of the document, so that every
    page carries it (a first or even page of its own would need its own header: none is set)."""
    from docx.shared import Pt, RGBColor

    for section in document.sections:
        for part in (section.header, section.footer):
            part.is_linked_to_previous = False
            paragraph = part.paragraphs[0]
            paragraph.text = ""
            run = paragraph.add_run(notice)
            run.bold = True
            run.font.size = Pt(7.5)
            run.font.color.rgb = RGBColor(*RED)


def matrices_docx(exports: list[MatrixExport], tr: DocumentLanguage = ENGLISH) -> bytes:
    """One document, in the reader's language (`tr`); each State starts on a new page."""
    import docx
    from docx.enum.section import WD_ORIENT
    from docx.enum.text import WD_BREAK
    from docx.shared import Cm, Pt

    document = docx.Document()
    page = document.sections[0]
    page.orientation = WD_ORIENT.LANDSCAPE
    page.page_width, page.page_height = page.page_height, page.page_width
    for margin in ("left_margin", "right_margin", "top_margin", "bottom_margin"):
        setattr(page, margin, Cm(1.5))
    style = document.styles["Normal"]
    style.font.name, style.font.size = "Liberation Sans", Pt(8.5)
    for index, export in enumerate(exports):
        if index:
            document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)
        _state(document, export, tr)
    if any(export.matrix.synthetic for export in exports):
        mark_every_page(document, SYNTHETIC_NOTICE)
    if tr.direction == "rtl":
        right_to_left(document)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
