"""The comprehensive review: figures agreeing with coverage, reproducible in three formats."""

from __future__ import annotations

import io
import shutil
import subprocess
import zipfile
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.api.helpers import assert_error, assert_synthetic_json
from un1540.errors import InvalidParameter
from un1540.io.review_report import render_review, review_body
from un1540.services.coverage.reads.coverage import coverage_summary
from un1540.services.coverage.reads.review_statistics import review_statistics
from un1540.services.kernel.access import PUBLIC
from un1540.services.kernel.paging import SUMMARY

START, END = date(2011, 4, 25), date(2016, 4, 24)


def test_the_figures_agree_with_coverage_on_each_date(session: Session) -> None:
    stats = review_statistics(session, viewer=PUBLIC, start=START, end=END)
    for headline, on in ((stats.start, START), (stats.end, END)):
        coverage = coverage_summary(session, viewer=PUBLIC, as_of=on, paging=SUMMARY)
        assert headline.states == coverage.states_with_editions
        assert headline.measures == coverage.items[0].tally.measures
    groups = next(table for table in stats.tables if table.by == "group")
    at_end = coverage_summary(session, viewer=PUBLIC, by="group", as_of=END, paging=SUMMARY)
    assert {row.key: row.coverage_end for row in groups.rows} == {
        row.key: row.tally.coverage for row in at_end.items
    }
    assert [t.by for t in stats.tables] == ["group", "region", "section", "weapon", "column"]
    assert stats.most_covered_fields[0].coverage_end is not None
    assert stats.synthetic is True
    with pytest.raises(InvalidParameter):
        review_statistics(session, viewer=PUBLIC, start=END, end=START)


@pytest.mark.parametrize("fmt", ["html", "docx", "pdf"])
def test_the_report_built_twice_is_identical(session: Session, fmt: str) -> None:
    stats = review_statistics(session, viewer=PUBLIC, start=START, end=END)
    first = render_review(stats, fmt)
    again = render_review(review_statistics(session, viewer=PUBLIC, start=START, end=END), fmt)
    assert first == again
    if fmt == "docx":
        with zipfile.ZipFile(io.BytesIO(first)) as archive:
            document = archive.read("word/document.xml").decode()
        assert "SYNTHETIC DEMO DATA" in document
        assert "Annex: method and data sources" in document
    if fmt == "pdf":
        assert first.startswith(b"%PDF")


def test_the_body_has_every_section_chart_and_the_annex(session: Session) -> None:
    body = review_body(review_statistics(session, viewer=PUBLIC, start=START, end=END))
    assert body.count("<svg") == 6  # five tables and the distribution
    for heading in ("1. Summary", "By regional group", "By weapon category", "Annex"):
        assert heading in body
    assert "not a measure of compliance" in body


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is installed by make test")
def test_the_word_file_opens_in_libreoffice(session: Session, tmp_path: Path) -> None:
    stats = review_statistics(session, viewer=PUBLIC, start=START, end=END)
    source = tmp_path / "review.docx"
    source.write_bytes(render_review(stats, "docx"))
    converted = subprocess.run(
        ["soffice", "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert converted.returncode == 0, converted.stderr
    assert (tmp_path / "review.pdf").read_bytes().startswith(b"%PDF")


def test_the_review_page_api_and_files(client: TestClient) -> None:
    page = client.get("/reports/review?from=2011-04-25&to=2016-04-24")
    assert page.status_code == 200
    assert "Comprehensive review of the implementation" in page.text
    assert "/api/v1/reports/review.docx?from=2011-04-25&amp;to=2016-04-24" in page.text
    body = assert_synthetic_json(client.get("/api/v1/reports/review?from=2011-04-25&to=2016-04-24"))
    assert body["start"]["on"] == "2011-04-25"
    pdf = client.get("/api/v1/reports/review.pdf?from=2011-04-25&to=2016-04-24")
    assert pdf.headers["content-type"] == "application/pdf"
    assert "synthetic-demo-review-2011-04-25-2016-04-24.pdf" in pdf.headers["content-disposition"]
    assert_error(
        client.get("/api/v1/reports/review?from=2016-01-01&to=2011-01-01"),
        422,
        "invalid_parameter",
        "to",
    )
    assert client.get("/reports/review?from=2016-13-01").status_code == 422


def _overflowing(box: object, left: float, right: float, found: list[str]) -> None:
    """Boxes of some width that pass either edge of the page's content area (WeasyPrint's
    layout): the right one, or the left one where a right-to-left table would be cut off."""
    x, width = getattr(box, "position_x", 0.0), getattr(box, "margin_width", None)
    if width is not None and width() > 0.5:
        if x + width() > right + 0.5:
            found.append(f"{type(box).__name__} ends at {x + width():.0f} > {right:.0f}")
        if x < left - 0.5:
            found.append(f"{type(box).__name__} starts at {x:.0f} < {left:.0f}")
    for child in getattr(box, "children", []):
        _overflowing(child, left, right, found)


def test_the_pdf_tables_fit_the_page(session: Session) -> None:
    """Every table of the review PDF, its widest (eight columns) included, fits the page's width:
    no column is cut off at the right margin, nor at the left one in Arabic (right to left)."""
    from weasyprint import HTML

    from un1540.io.review_report import review_html

    stats = review_statistics(session, viewer=PUBLIC, start=START, end=END)
    for language in ("en", "ar"):
        document = HTML(string=review_html(stats, language)).render()
        found: list[str] = []
        for page in document.pages:
            box = page._page_box
            left = box.content_box_x()
            for child in box.children:  # the page's content; not its margin boxes (the footer)
                if "Margin" not in type(child).__name__:
                    _overflowing(child, left, left + box.width, found)
        assert found == [], (language, found[:5])
