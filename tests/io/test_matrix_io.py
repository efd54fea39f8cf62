"""Export in every format, import with every check, and the XLSX round trip."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from pathlib import Path

import docx
import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session

from tests.conftest import DEMO_STATES
from tests.factories import make_user
from un1540.errors import InvalidData
from un1540.io.matrix_export import ExportFormat, export_matrices
from un1540.io.matrix_import import import_matrix_file
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.services.matrix.reads.matrix import get_matrix

LIMIT = 5_000_000


def _cells(
    session: Session, viewer: Viewer, iso3: str, number: int | None = None
) -> dict[str, tuple[str, str]]:
    matrix = get_matrix(session, viewer=viewer, iso3=iso3, number=number)
    return {c.id: (c.mark, c.remark) for s in matrix.sections for f in s.fields for c in f.cells}


def _import(
    session: Session,
    viewer: Viewer,
    content: bytes,
    name: str,
    iso3: str | None = "FRA",
    dry_run: bool = False,
) -> object:
    return import_matrix_file(
        session,
        viewer=viewer,
        content=content,
        file_name=name,
        only=iso3,
        dry_run=dry_run,
        max_bytes=LIMIT,
    )


def test_every_format_for_one_state(session: Session) -> None:
    matrix = get_matrix(session, viewer=PUBLIC, iso3="FRA")
    for fmt in ExportFormat:
        exported = export_matrices(session, viewer=PUBLIC, iso3="FRA", fmt=fmt)
        assert exported.synthetic
        assert (
            exported.file_name
            == f"synthetic-demo-FRA-matrix-edition-{matrix.edition.number}.{fmt.value}"
        )
        assert exported.content
    rows = list(
        csv.DictReader(
            io.StringIO(
                export_matrices(
                    session, viewer=PUBLIC, iso3="FRA", fmt=ExportFormat.csv
                ).content.decode()
            )
        )
    )
    assert len(rows) == 341
    as_json = json.loads(
        export_matrices(session, viewer=PUBLIC, iso3="FRA", fmt=ExportFormat.json).content
    )
    assert as_json["edition"]["number"] == matrix.edition.number
    assert as_json["synthetic"] is True


def test_xlsx_lays_out_each_section_like_the_matrix(session: Session) -> None:
    content = export_matrices(session, viewer=PUBLIC, iso3="FRA", fmt=ExportFormat.xlsx).content
    workbook = load_workbook(io.BytesIO(content), read_only=True)
    assert workbook.sheetnames == ["About", "op1", "op2", "op3ab", "op3cd"]
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True)}
    assert about["Framework"] == "un1540-matrix/reconstructed-2016"
    assert "SYNTHETIC DEMO DATA" in about
    op2 = list(workbook["op2"].iter_rows(values_only=True))
    assert op2[1][:8] == ("ISO3", "State", "Edition", "No.", "Field code", "Field", "NW", "NW")
    assert op2[2][6] == "National legal framework"
    cells = _cells(session, PUBLIC, "FRA")
    first = op2[3]
    assert first[4] == "op2.manufacture"
    assert (first[6] or "") == cells["op2.manufacture:nw:legal_framework"][0]


def test_docx_reproduces_the_committee_document(session: Session) -> None:
    content = export_matrices(session, viewer=PUBLIC, iso3="FRA", fmt=ExportFormat.docx).content
    document = docx.Document(io.BytesIO(content))
    text = "\n".join(p.text for p in document.paragraphs)
    assert "APPROVED 1540 COMMITTEE MATRIX" in text
    assert "not a tool for measuring compliance" in text
    assert "SYNTHETIC DEMO DATA" in text
    header = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert header["State"] == "France"
    assert header["Date of the first report"] != "–"
    assert header["Date of approval by the 1540 Committee"]
    assert len(document.tables) == 5  # the header, then one table per section
    assert document.tables[2].rows[0].cells[2].text == "NW"


def test_all_states_in_one_file(session: Session) -> None:
    exported = export_matrices(session, viewer=PUBLIC, iso3=None, fmt=ExportFormat.csv)
    rows = list(csv.DictReader(io.StringIO(exported.content.decode())))
    assert sorted({row["iso3"] for row in rows}) == sorted(DEMO_STATES)
    assert len(rows) == 341 * len(DEMO_STATES)
    bundle = json.loads(
        export_matrices(session, viewer=PUBLIC, iso3=None, fmt=ExportFormat.json).content
    )
    assert len(bundle["matrices"]) == len(DEMO_STATES)


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by make test")
def test_docx_and_pdf_open_in_libreoffice(session: Session, tmp_path: Path) -> None:
    for fmt, target in ((ExportFormat.docx, "pdf"), (ExportFormat.pdf, "png")):
        source = tmp_path / f"matrix.{fmt.value}"
        source.write_bytes(export_matrices(session, viewer=PUBLIC, iso3="NGA", fmt=fmt).content)
        result = subprocess.run(
            [
                "soffice",
                "--headless",
                f"-env:UserInstallation=file://{tmp_path}/lo-profile",
                "--convert-to",
                target,
                "--outdir",
                str(tmp_path / "out"),
                str(source),
            ],
            capture_output=True,
            text=True,
            timeout=180,
            check=False,
        )
        converted = tmp_path / "out" / f"matrix.{target}"
        assert result.returncode == 0, result.stderr
        assert converted.exists(), result.stdout + result.stderr
        assert converted.stat().st_size > 1000


def test_xlsx_round_trip_gives_identical_cells(session: Session) -> None:
    expert = make_user(session, role="expert")
    before = _cells(session, PUBLIC, "FRA")
    content = export_matrices(session, viewer=PUBLIC, iso3="FRA", fmt=ExportFormat.xlsx).content
    report = _import(session, expert, content, "fra.xlsx")
    assert report.changed == 0  # type: ignore[attr-defined]
    draft = report.states[0].edition  # type: ignore[attr-defined]
    assert _cells(session, expert, "FRA", draft) == before


def test_csv_round_trip_and_a_real_change(session: Session) -> None:
    expert = make_user(session, role="expert")
    content = export_matrices(
        session, viewer=PUBLIC, iso3="NGA", fmt=ExportFormat.csv
    ).content.decode()
    rows = list(csv.DictReader(io.StringIO(content)))
    target = next(row for row in rows if row["mark"] != "X")
    target["mark"], target["remark"] = "X", "Act 7 of 2026"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    dry = _import(session, expert, buffer.getvalue().encode(), "nga.csv", iso3="NGA", dry_run=True)
    assert [c.cell for c in dry.states[0].changes] == [target["cell"]]  # type: ignore[attr-defined]
    assert (
        get_matrix(session, viewer=expert, iso3="NGA").edition.status == "approved"
    )  # nothing written
    done = _import(session, expert, buffer.getvalue().encode(), "nga.csv", iso3="NGA")
    draft = done.states[0].edition  # type: ignore[attr-defined]
    assert _cells(session, expert, "NGA", draft)[target["cell"]] == ("X", "Act 7 of 2026")


def _xlsx_with(session: Session, edits: dict[tuple[str, str], object]) -> bytes:
    content = export_matrices(session, viewer=PUBLIC, iso3="FRA", fmt=ExportFormat.xlsx).content
    workbook = load_workbook(io.BytesIO(content))
    for (sheet, coordinate), value in edits.items():
        workbook[sheet][coordinate] = value
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("edits", "where", "message"),
    [
        ({("op2", "E5"): "op2.teleport"}, "sheet op2, row 5, column E", "unknown field code"),
        ({("op2", "G4"): "Y"}, "sheet op2, row 4, column G", "is not X, ?, NA or empty"),
        ({("op3ab", "G15"): "X"}, "sheet op3ab, row 15, column G", "does not apply to NW"),
        ({("op2", "A6"): "ZZZ"}, "sheet op2, row 6, column A", "unknown State"),
        ({("op2", "E6"): "op2.manufacture"}, "sheet op2, row 6, column G", "duplicate cell"),
        ({("op2", "H3"): "Penalties"}, "sheet op2, row 3, column H", "expected the header"),
        ({("About", "B3"): "un1540-matrix/official-2030"}, "sheet About", "is for framework"),
    ],
)
def test_each_import_rule_names_sheet_row_and_column(
    session: Session, edits: dict[tuple[str, str], object], where: str, message: str
) -> None:
    expert = make_user(session, role="expert")
    with pytest.raises(InvalidData) as caught:
        _import(session, expert, _xlsx_with(session, edits), "fra.xlsx")
    assert any(p.where == where and message in p.message for p in caught.value.problems), (
        caught.value.problems
    )
    assert get_matrix(session, viewer=expert, iso3="FRA").edition.status == "approved"


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"", "empty.xlsx", "empty"),
        (b"x" * (LIMIT + 1), "big.csv", "the limit is"),
        (b"%PDF-1.4", "matrix.pdf", "wrong file type"),
        (b"PK\x03\x04junk", "matrix.xlsx", "not a readable XLSX"),
        (b"iso3,cell\nFRA,op2.use:nw:enforcement\n", "m.csv", "missing the column 'mark'"),
        (
            b"iso3,cell,mark\nFRA,op2.use:nw:enforcement,X\nFRA,op2.use:nw:enforcement,?\n",
            "m.csv",
            "duplicate cell",
        ),
        (
            b"iso3,cell,mark\nFRA,op3ab.genetic_engineering:nw:enforcement,X\n",
            "m.csv",
            "does not apply",
        ),
        (b"iso3,cell,mark\n\xff\xfe", "m.csv", "not UTF-8"),
        (b"iso3,cell,mark\nNGA,op2.use:nw:enforcement,X\n", "m.csv", "this import is for FRA only"),
    ],
)
def test_bad_files_are_refused_whole(
    session: Session, content: bytes, name: str, message: str
) -> None:
    expert = make_user(session, role="expert")
    with pytest.raises(InvalidData) as caught:
        _import(session, expert, content, name)
    assert any(message in p.message for p in caught.value.problems), caught.value.problems
