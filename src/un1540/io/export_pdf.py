"""The matrix as PDF: the same content and layout as the Word document, rendered by WeasyPrint.

Several States' matrices are rendered one State at a time and joined with pypdf (each State's
pages numbered on their own, one bookmark per State): WeasyPrint keeps the layout of every
page of a document in memory until it writes it, which for all 193 States at once took
gigabytes; one State at a time keeps the memory of one State's layout.

Every text the template writes goes through `printable` (schemas/text.py), then HTML escaping.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any, BinaryIO

from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from un1540.io.export_docx import EDITION_STATUS_WORDS, localized_matrix
from un1540.io.language import ENGLISH, DocumentLanguage
from un1540.io.matrix_collect import MatrixExport
from un1540.io.matrix_text import MARK_LEGEND, reconstructed_note, remarks_text, row_name
from un1540.reference.languages import N_
from un1540.schemas.matrix import MatrixRead
from un1540.schemas.text import printable
from un1540.services.kernel.instance import SYNTHETIC_NOTICE


def printable_value(value: Any) -> Any:
    """Jinja's finalize: every text printed is made printable first (markup stays markup,
    numbers and dates stay as they are)."""
    if isinstance(value, Markup):
        return Markup(printable(str(value)))
    return printable(value) if isinstance(value, str) else value


def css_string(text: str) -> Markup:
    """A text as a quoted CSS string for a page's margin box (a <style> element is raw text:
    HTML escaping would show as "&#39;"); only printable characters, no markup."""
    escaped = "".join(
        f"\\{ord(char):x} " if char in '\\"<>&' or not char.isprintable() else char
        for char in printable(text)
    )
    return Markup(f'"{escaped}"')


@lru_cache(maxsize=6)
def templates(language: str) -> Environment:
    """The templates in one of the six languages (an environment each: one render never
    sees another language's messages)."""
    environment = Environment(
        loader=FileSystemLoader(Path(__file__).resolve().parent / "templates"),
        autoescape=select_autoescape(["html"]),
        finalize=printable_value,
        extensions=["jinja2.ext.i18n"],
    )
    environment.install_gettext_translations(DocumentLanguage(language), newstyle=True)  # type: ignore[attr-defined]
    return environment


TEMPLATES = templates("en")


@dataclass(frozen=True)
class PrintRow:
    number: int
    name: str
    marks: list[str]
    remarks: list[str]


@dataclass(frozen=True)
class PrintSection:
    title: str
    adherence: bool
    weapons: list[str]
    per_weapon: int
    column_names: list[str]
    rows: list[PrintRow]


def _grids(matrix: MatrixRead, tr: DocumentLanguage = ENGLISH) -> list[PrintSection]:
    grids = []
    for section in matrix.sections:
        adherence = section.layout == ["adherence"]
        slots = (
            [] if adherence else [(w, c) for w in matrix.weapon_categories for c in section.layout]
        )
        rows = []
        for field in section.fields:
            by_slot = {(c.weapon, c.column): c for c in field.cells}
            marks = (
                [field.cells[0].mark]
                if adherence
                else [by_slot[s].mark if s in by_slot else "—" for s in slots]
            )
            remarks = remarks_text(
                field.cells,
                with_labels=not adherence,
                tr=tr,
                column_names=None if tr.language == "en" else matrix.column_kinds,
            ).splitlines()
            name = field.name if tr.language == "en" else tr.label("field", field.code, field.name)
            rows.append(
                PrintRow(
                    number=field.number,
                    name=row_name(name, field.reconstructed, tr),
                    marks=marks,
                    remarks=remarks,
                )
            )
        grids.append(
            PrintSection(
                title=section.title,
                adherence=adherence,
                weapons=list(matrix.weapon_categories),
                per_weapon=len(section.layout),
                column_names=[matrix.column_kinds.get(c, c) for _, c in slots],
                rows=rows,
            )
        )
    return grids


def _heading(matrix: MatrixRead, tr: DocumentLanguage) -> tuple[str, str]:
    """The title of a State's matrix and its edition's status, as printed."""
    if tr.language == "en":
        status = matrix.edition.status
        return (
            f"{'APPROVED' if status == 'approved' else status.upper()} 1540 COMMITTEE MATRIX",
            status,
        )
    status = tr.gettext(EDITION_STATUS_WORDS.get(matrix.edition.status, N_("Draft")))
    return tr.gettext(N_("1540 Committee matrix (%(status)s)")) % {"status": status}, status


def matrices_html(exports: list[MatrixExport], tr: DocumentLanguage = ENGLISH) -> str:
    synthetic = any(e.matrix.synthetic for e in exports)
    footer = (
        "SYNTHETIC DEMO DATA - not the records of the 1540 Committee"
        if synthetic
        else "1540 Committee matrix"
        if tr.language == "en"
        else tr.gettext(N_("Matrix of the 1540 Committee"))
    )
    matrices = [localized_matrix(e.matrix, tr) for e in exports]
    headings = [_heading(matrix, tr) for matrix in matrices]
    return (
        templates(tr.language)
        .get_template("matrix_print.html")
        .render(
            exports=exports,
            grids=[_grids(matrix, tr) for matrix in matrices],
            notes=[reconstructed_note(matrix, tr=tr) for matrix in matrices],
            headings=[heading for heading, _ in headings],
            statuses=[status for _, status in headings],
            state_names=[
                tr.label("state", m.state.iso3, m.state.name)
                if tr.language != "en"
                else m.state.name
                for m in matrices
            ],
            notice=SYNTHETIC_NOTICE,
            page_notice=css_string(SYNTHETIC_NOTICE) if synthetic else "",
            legend=tr.gettext(MARK_LEGEND),
            footer=css_string(footer),
            title=(
                "1540 Committee matrix"
                if tr.language == "en"
                else tr.gettext(N_("Matrix of the 1540 Committee"))
            ),
            lang=tr.language,
            direction=tr.direction,
        )
    )


def _render(exports: list[MatrixExport], tr: DocumentLanguage = ENGLISH) -> bytes:
    from weasyprint import HTML

    pdf: bytes = HTML(string=matrices_html(exports, tr)).write_pdf()
    return pdf


def matrices_pdf(exports: list[MatrixExport], tr: DocumentLanguage = ENGLISH) -> bytes:
    if len(exports) == 1:
        return _render(exports, tr)
    target = BytesIO()
    write_matrices_pdf(exports, target, tr=tr)
    return target.getvalue()


def write_matrices_pdf(
    exports: Iterable[MatrixExport],
    target: BinaryIO,
    *,
    total: int = 0,
    progress: Callable[[float], None] = lambda _fraction: None,
    tr: DocumentLanguage = ENGLISH,
) -> None:
    """Every State's matrix into one PDF, rendered one State at a time."""
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter()
    for done, export in enumerate(exports, start=1):
        matrix = export.matrix
        writer.append(
            PdfReader(BytesIO(_render([export], tr))),
            outline_item=f"{tr.label('state', matrix.state.iso3, matrix.state.name)} "
            f"({matrix.state.iso3})",
            import_outline=False,
        )
        progress(done / total if total else 0.0)
    writer.write(target)
