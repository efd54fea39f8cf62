"""A State's matrix (DOCX, PDF, XLSX) and the review's Word file in the reader's language, read
back from the files themselves (issue 13, item 1): the interface words translated, no English
interface word left, the framework's own titles of fields where it has them, Arabic right to
left, and the translated XLSX still imported as the English one is."""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from pypdf import PdfReader, PdfWriter
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from tests.factories import make_user
from tests.portal.test_workflow_pages import csrf, sign_in
from un1540.io import export_pdf
from un1540.io.export_pdf import matrices_html, matrices_pdf
from un1540.io.language import DocumentLanguage
from un1540.io.matrix_collect import MatrixExport, collect
from un1540.io.matrix_export import ExportFormat, export_matrices, write_every_matrix
from un1540.io.matrix_import import import_matrix_file
from un1540.io.review_report import render_review
from un1540.models import Build
from un1540.reference.names import localized_name
from un1540.services.coverage.reads.review_statistics import review_statistics
from un1540.services.kernel.access import PUBLIC

# The English interface words of the matrix documents (io/export_docx.py, export_pdf.py,
# matrix_text.py): none may be left in another language's file.
MATRIX_WORDS = [
    "Date of the first report",
    "Dates of addenda",
    "Dates of additional information",
    "Date of approval by the 1540 Committee",
    "Data field",
    "Source / remarks",
    "Instrument, organisation or arrangement",
    "COMMITTEE MATRIX",
    "the Committee has information on a measure",
]
REVIEW_WORDS = [
    "Comprehensive review of the implementation",
    "States with an approved matrix",
    "Share of applicable cells marked X",
    "Coverage at start",
    "Fields with the most and the fewest measures",
    "Annex: method and data sources",
    "National reports",
]
START, END = date(2011, 4, 25), date(2016, 4, 24)


def _docx_text(content: bytes) -> tuple[docx.document.Document, str]:
    document = docx.Document(io.BytesIO(content))
    texts = [p.text for p in document.paragraphs]
    for table in document.tables:
        texts += [cell.text for row in table.rows for cell in row.cells]
    return document, "\n".join(texts)


def _english_left(text: str, words: list[str]) -> list[str]:
    return [word for word in words if word in text]


def test_the_word_matrix_in_french_reads_french(session: Session) -> None:
    exported = export_matrices(
        session, viewer=PUBLIC, iso3="FRA", fmt=ExportFormat.docx, language="fr"
    )
    assert exported.file_name.endswith("-fr.docx")
    document, text = _docx_text(exported.content)
    french = DocumentLanguage("fr")
    header = {row.cells[0].text: row.cells[1].text for row in document.tables[0].rows}
    assert header[french.gettext("Date of the first report")] != "–"
    assert french.gettext("Data field") in text
    assert _english_left(text, MATRIX_WORDS) == []
    # The framework's own French title of a field, where it has one.
    title = localized_name("field", "op2.manufacture", "fr", "")
    assert title
    assert title in text


def test_the_word_matrix_in_arabic_reads_right_to_left(session: Session) -> None:
    content = export_matrices(
        session, viewer=PUBLIC, iso3="FRA", fmt=ExportFormat.docx, language="ar"
    ).content
    document, text = _docx_text(content)
    assert _english_left(text, MATRIX_WORDS) == []
    assert DocumentLanguage("ar").gettext("Date of the first report") in text
    body = document.element.body
    paragraphs = list(body.iter(qn("w:p")))
    assert paragraphs
    assert all(p.find(f"{qn('w:pPr')}/{qn('w:bidi')}") is not None for p in paragraphs)
    tables = list(body.iter(qn("w:tbl")))
    assert all(t.find(f"{qn('w:tblPr')}/{qn('w:bidiVisual')}") is not None for t in tables)
    # English stays left to right: no direction element at all.
    english = docx.Document(
        io.BytesIO(
            export_matrices(session, viewer=PUBLIC, iso3="FRA", fmt=ExportFormat.docx).content
        )
    )
    assert not list(english.element.body.iter(qn("w:bidi")))


def test_the_pdf_matrix_in_russian_and_arabic(session: Session) -> None:
    # Two of the matrix's sections: the same words as the whole file, in a few pages (the PDF
    # of a whole matrix takes seconds to render).
    exports = [
        replace(
            export, matrix=export.matrix.model_copy(update={"sections": export.matrix.sections[:2]})
        )
        for export in collect(session, viewer=PUBLIC, iso3="FRA")
    ]
    content = matrices_pdf(exports, DocumentLanguage("ru"))
    text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    text = " ".join(text.split())
    assert DocumentLanguage("ru").gettext("Dates of addenda") in text
    assert DocumentLanguage("ru").gettext("Data field") in text
    assert _english_left(text, MATRIX_WORDS) == []
    # Arabic: the page the PDF is made from reads right to left, in Arabic.
    page = matrices_html(exports, DocumentLanguage("ar"))
    assert '<html lang="ar" dir="rtl">' in page
    assert DocumentLanguage("ar").gettext("Data field") in page
    assert _english_left(page, MATRIX_WORDS) == []


def test_the_xlsx_in_spanish_and_arabic_and_its_import(session: Session) -> None:
    content = export_matrices(
        session, viewer=PUBLIC, iso3="FRA", fmt=ExportFormat.xlsx, language="es"
    ).content
    workbook = load_workbook(io.BytesIO(content))
    spanish = DocumentLanguage("es")
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True)}
    assert about[spanish.gettext("Framework")] == "un1540-matrix/reconstructed-2016"
    assert spanish.gettext("Marks") in about
    assert "Disclaimer" not in about
    title = workbook["op2"]["A1"].value
    assert title.startswith(localized_name("section", "op2", "es", "") or "?")
    # The translated workbook imports as the English one does: no change to the cells.
    expert = make_user(session, role="expert")
    report = import_matrix_file(
        session,
        viewer=expert,
        content=content,
        file_name="fra-es.xlsx",
        only="FRA",
        dry_run=True,
        max_bytes=10_000_000,
    )
    assert report.changed == 0  # type: ignore[attr-defined]
    arabic = load_workbook(
        io.BytesIO(
            export_matrices(
                session, viewer=PUBLIC, iso3="FRA", fmt=ExportFormat.xlsx, language="ar"
            ).content
        )
    )
    assert all(sheet.sheet_view.rightToLeft for sheet in arabic.worksheets)


def test_the_review_word_file_in_arabic(session: Session) -> None:
    language = "ar"
    stats = review_statistics(session, viewer=PUBLIC, start=START, end=END)
    document, text = _docx_text(render_review(stats, "docx", language))
    reader = DocumentLanguage(language)
    assert reader.gettext("States with an approved matrix") in text
    assert reader.gettext("Annex: method and data sources") in text
    assert _english_left(text, REVIEW_WORDS) == []
    paragraphs = list(document.element.body.iter(qn("w:p")))
    assert all(p.find(f"{qn('w:pPr')}/{qn('w:bidi')}") is not None for p in paragraphs)


def test_the_api_takes_the_language_and_refuses_an_unknown_one(client: TestClient) -> None:
    response = client.get("/api/v1/states/FRA/matrix.docx?lang=fr")
    assert response.status_code == 200
    assert '-fr.docx"' in response.headers["content-disposition"]
    _, text = _docx_text(response.content)
    assert DocumentLanguage("fr").gettext("Date of the first report") in text
    refused = client.get("/api/v1/states/FRA/matrix.pdf?lang=xx")
    assert refused.status_code == 422
    assert refused.json()["error"]["code"] == "invalid_parameter"


def test_every_states_file_is_built_in_the_readers_language(
    client: TestClient, session: Session
) -> None:
    """Every State's matrices at once (a background build, inline in the tests): the portal's
    request and link carry the page's language, the API's `lang` picks the build, and a French
    build is never served to an English reader (one build per data version, format and
    language)."""
    make_user(session, role="expert", email="every-lang@example.org")
    session.flush()
    sign_in(client, "every-lang@example.org")
    page = client.get("/downloads?lang=fr")
    started = client.post("/downloads/matrices/xlsx", data={"csrf_token": csrf(page.text)})
    assert started.status_code == 200
    assert 'href="/api/v1/matrices.xlsx?lang=fr"' in started.text  # the build's own page
    listed = client.get("/downloads")
    assert 'href="/api/v1/matrices.xlsx?lang=fr"' in listed.text

    french = DocumentLanguage("fr")
    answer = client.get("/api/v1/matrices.xlsx?lang=fr")
    assert answer.status_code == 200
    assert 'matrices-fr.xlsx"' in answer.headers["content-disposition"]
    workbook = load_workbook(io.BytesIO(answer.content))
    about = {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True)}
    assert french.gettext("Framework") in about
    assert french.gettext("Marks") in about
    assert "Disclaimer" not in about
    assert str(workbook["op2"]["A1"].value).startswith(localized_name("section", "op2", "fr", "?"))

    english = client.get("/api/v1/matrices.xlsx?lang=en")
    assert english.status_code == 200
    assert 'matrices.xlsx"' in english.headers["content-disposition"]
    about = {
        row[0]: row[1]
        for row in load_workbook(io.BytesIO(english.content))["About"].iter_rows(values_only=True)
    }
    assert "Framework" in about
    assert french.gettext("Marks") not in about
    kinds = set(session.scalars(select(Build.kind).where(Build.kind.like("matrices.%"))))
    assert kinds == {"matrices.xlsx", "matrices.xlsx.fr"}
    # CSV is data, the same in every language: one build whatever the language asked.
    assert client.get("/api/v1/matrices.csv?lang=ar").status_code == 200
    assert client.get("/api/v1/matrices.csv").status_code == 200
    assert (
        session.scalar(
            select(func.count()).select_from(Build).where(Build.kind.like("matrices.csv%"))
        )
        == 1
    )
    assert client.get("/api/v1/matrices.docx?lang=xx").status_code == 422


def test_every_states_pdf_is_drawn_in_the_readers_language(
    session: Session, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The all-States PDF build in Arabic: every State's pages drawn from the Arabic, right to
    left page, bookmarked by the State's Arabic name. The page is what WeasyPrint draws: a
    blank page stands in for its drawing here (a second a State), the database is real."""
    drawn: list[str] = []

    def draw(exports: list[MatrixExport], tr: DocumentLanguage) -> bytes:
        drawn.append(matrices_html(exports, tr))
        blank, target = PdfWriter(), io.BytesIO()
        blank.add_blank_page(width=595, height=842)
        blank.write(target)
        return target.getvalue()

    monkeypatch.setattr(export_pdf, "_render", draw)
    details = write_every_matrix(
        session, PUBLIC, ExportFormat.pdf, tmp_path, lambda _done: None, language="ar"
    )
    assert details["file_name"].endswith("matrices-ar.pdf")
    assert details["states"] == len(drawn) > 1
    arabic = DocumentLanguage("ar")
    for page in drawn:
        assert '<html lang="ar" dir="rtl">' in page
        assert arabic.gettext("Data field") in page
        assert _english_left(page, MATRIX_WORDS) == []
    reader = PdfReader(tmp_path / details["stored_as"])
    bookmarks = [item.title for item in reader.outline]  # type: ignore[union-attr]
    assert localized_name("state", "FRA", "ar", "France") + " (FRA)" in bookmarks
