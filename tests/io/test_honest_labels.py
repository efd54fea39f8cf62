"""Honest labels: the reconstructed flag on every row of every matrix export, the synthetic notice
on every page of the documents and on every row of every open-data CSV."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import date

import docx
import pytest
from openpyxl import load_workbook
from pypdf import PdfReader
from sqlalchemy.orm import Session

from un1540.io.datapackage import package_zip
from un1540.io.matrix_export import ExportFormat, export_matrices
from un1540.io.matrix_text import RECONSTRUCTED_MARK
from un1540.io.review_report import render_review
from un1540.io.xlsx_layout import FIRST_DATA_ROW, WORDING_HEADER, section_sheets
from un1540.services.coverage.reads.review_statistics import review_statistics
from un1540.services.kernel.access import PUBLIC
from un1540.services.kernel.instance import SYNTHETIC_NOTICE
from un1540.services.matrix.layout import framework_layout
from un1540.services.matrix.reads.frameworks import default_framework
from un1540.services.matrix.reads.matrix import get_matrix
from un1540.services.open_data.tables import public_dataset

SHORT = "SYNTHETIC DEMO DATA"


def _reconstructed(session: Session, iso3: str = "FRA") -> dict[str, bool]:
    """Field code -> whether its wording is reconstructed, from the framework itself."""
    matrix = get_matrix(session, viewer=PUBLIC, iso3=iso3)
    return {f.code: not f.verified for s in matrix.sections for f in s.fields}


def _export(session: Session, fmt: ExportFormat, iso3: str | None = "FRA") -> bytes:
    return export_matrices(session, viewer=PUBLIC, iso3=iso3, fmt=fmt).content


def test_the_framework_has_rows_of_both_kinds(session: Session) -> None:
    flags = _reconstructed(session)
    assert any(flags.values())
    assert not all(flags.values())


def test_every_csv_and_json_row_says_whether_it_is_reconstructed(session: Session) -> None:
    flags = _reconstructed(session)
    rows = list(csv.DictReader(io.StringIO(_export(session, ExportFormat.csv).decode())))
    assert rows
    for row in rows:
        assert row["reconstructed"] == ("true" if flags[row["field"]] else "false"), row["cell"]
    matrix = json.loads(_export(session, ExportFormat.json))
    fields = [field for section in matrix["sections"] for field in section["fields"]]
    assert {f["code"]: f["reconstructed"] for f in fields} == flags


def test_every_xlsx_row_says_whether_it_is_reconstructed(session: Session) -> None:
    flags = _reconstructed(session)
    workbook = load_workbook(io.BytesIO(_export(session, ExportFormat.xlsx)))
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True)}
    assert f"{sum(flags.values())} of the {len(flags)} rows" in about["Reconstructed rows"]
    seen = 0
    for layout in section_sheets(framework_layout(session, default_framework(session))):
        sheet = workbook[layout.name]
        assert sheet.cell(2, layout.wording_column).value == WORDING_HEADER
        for row in range(FIRST_DATA_ROW, sheet.max_row + 1):
            field = sheet.cell(row, 5).value
            wording = sheet.cell(row, layout.wording_column).value
            assert wording == ("reconstructed" if flags[field] else "verified"), (field, row)
            seen += 1
    assert seen == len(flags)


def _docx_rows(content: bytes) -> list[list[str]]:
    document = docx.Document(io.BytesIO(content))
    return [[cell.text for cell in row.cells] for table in document.tables for row in table.rows]


def test_the_word_matrix_marks_each_reconstructed_row_and_says_so(session: Session) -> None:
    flags = _reconstructed(session)
    matrix = get_matrix(session, viewer=PUBLIC, iso3="FRA")
    names = {f.name: f.code for s in matrix.sections for f in s.fields}
    content = _export(session, ExportFormat.docx)
    marked = {}
    for row in _docx_rows(content):
        name = row[1].removesuffix(f" {RECONSTRUCTED_MARK}")
        if name in names:
            marked[names[name]] = row[1].endswith(RECONSTRUCTED_MARK)
    assert marked == flags
    text = "\n".join(p.text for p in docx.Document(io.BytesIO(content)).paragraphs)
    assert f"{sum(flags.values())} of the {len(flags)} rows of this matrix are reconstructed" in (
        text
    )


def _docx_page_marks(content: bytes) -> list[tuple[str, str]]:
    document = docx.Document(io.BytesIO(content))
    return [
        (section.header.paragraphs[0].text, section.footer.paragraphs[0].text)
        for section in document.sections
    ]


def test_every_page_of_the_word_matrix_carries_the_synthetic_notice(session: Session) -> None:
    marks = _docx_page_marks(_export(session, ExportFormat.docx, None))  # every State
    assert marks
    for header, footer in marks:
        assert header == SYNTHETIC_NOTICE
        assert footer == SYNTHETIC_NOTICE


def _pdf_pages(content: bytes) -> list[str]:
    return [page.extract_text() for page in PdfReader(io.BytesIO(content)).pages]


def test_every_page_of_the_pdf_matrix_carries_the_notice_and_the_marks(session: Session) -> None:
    flags = _reconstructed(session)
    pages = _pdf_pages(_export(session, ExportFormat.pdf))
    assert len(pages) > 1
    for number, text in enumerate(pages, start=1):
        flat = " ".join(text.split())
        assert "It is not the 1540 Committee's records" in flat, number
    everything = " ".join(" ".join(pages).split())
    assert f"{sum(flags.values())} of the {len(flags)} rows of this matrix" in everything
    assert everything.count(RECONSTRUCTED_MARK) >= sum(flags.values())


@pytest.mark.parametrize("fmt", ["docx", "pdf"])
def test_every_page_of_the_review_carries_the_notice(session: Session, fmt: str) -> None:
    stats = review_statistics(
        session, viewer=PUBLIC, start=date(2011, 4, 25), end=date(2016, 4, 24)
    )
    content = render_review(stats, fmt)
    if fmt == "docx":
        marks = _docx_page_marks(content)
        assert marks
        assert all(h == f == SYNTHETIC_NOTICE for h, f in marks)
    else:
        pages = _pdf_pages(content)
        assert len(pages) > 1
        for number, text in enumerate(pages, start=1):
            assert "It is not the 1540 Committee's records" in " ".join(text.split()), number


def test_every_row_of_every_open_data_csv_carries_the_notice(session: Session) -> None:
    dataset = public_dataset(session, viewer=PUBLIC)
    assert dataset.synthetic
    with zipfile.ZipFile(io.BytesIO(package_zip(dataset, as_of=date(2026, 1, 1)))) as archive:
        package = json.loads(archive.read("datapackage.json"))
        names = [n for n in archive.namelist() if n.startswith("data/") and n.endswith(".csv")]
        assert len(names) == len(dataset.tables)
        for resource in package["resources"]:
            assert resource["schema"]["fields"][0]["name"] == "data_notice"
        for name in names:
            rows = list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8"))))
            assert rows, name
            assert all(row["data_notice"] == SYNTHETIC_NOTICE for row in rows), name
        cells = list(csv.DictReader(io.StringIO(archive.read("data/cells.csv").decode())))
        fields = list(csv.DictReader(io.StringIO(archive.read("data/fields.csv").decode())))
    verified = {row["field"]: row["verified"] for row in fields}
    assert {row["reconstructed"] for row in cells} == {"true", "false"}
    for row in cells:
        assert row["reconstructed"] == ("false" if verified[row["field"]] == "true" else "true")


def test_a_real_dataset_has_no_notice_column(empty_session: Session) -> None:
    dataset = public_dataset(empty_session, viewer=PUBLIC)
    assert not dataset.synthetic
    with zipfile.ZipFile(io.BytesIO(package_zip(dataset, as_of=date(2026, 1, 1)))) as archive:
        header = archive.read("data/states.csv").decode().splitlines()[0]
    assert header.startswith("iso3,")
