"""Exporting matrices in every format: CSV (one row per cell), JSON, XLSX, DOCX and PDF."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from un1540.errors import InvalidParameter, Problem
from un1540.io.csv_export import matrix_csv
from un1540.io.export_pdf import matrices_pdf, write_matrices_pdf
from un1540.io.language import DocumentLanguage
from un1540.io.matrix_collect import MatrixExport, collect, every_latest
from un1540.models import Framework
from un1540.schemas.matrix import MatrixBundle
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.envelope import envelope
from un1540.services.matrix.layout import framework_layout


class ExportFormat(StrEnum):
    csv = "csv"
    json = "json"
    xlsx = "xlsx"
    docx = "docx"
    pdf = "pdf"


MEDIA_TYPES = {
    ExportFormat.csv: "text/csv; charset=utf-8",
    ExportFormat.json: "application/json",
    ExportFormat.xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ExportFormat.docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ExportFormat.pdf: "application/pdf",
}

# The formats written in the reader's language (CSV and JSON are data, the same in every one).
LANGUAGE_FORMATS = (ExportFormat.xlsx, ExportFormat.docx, ExportFormat.pdf)


@dataclass(frozen=True)
class ExportedFile:
    content: bytes
    media_type: str
    file_name: str
    synthetic: bool


def _csv(exports: list[MatrixExport]) -> bytes:
    parts = [matrix_csv(export.matrix) for export in exports]
    # One header line for the whole file.
    return (parts[0] + "".join(part.split("\n", 1)[1] for part in parts[1:])).encode()


def _single_framework(session: Session, exports: list[MatrixExport]) -> Framework:
    slugs = {export.matrix.edition.framework for export in exports}
    if len(slugs) > 1:
        raise InvalidParameter.naming(
            [Problem("format", f"XLSX holds one framework version; found {sorted(slugs)}")]
        )
    code, version = next(iter(slugs)).split("/", 1)
    return session.scalars(
        select(Framework).where(Framework.code == code, Framework.version == version)
    ).one()


def export_matrices(
    session: Session,
    *,
    viewer: Viewer,
    iso3: str | None,
    fmt: ExportFormat,
    edition: int | None = None,
    language: str = "en",
) -> ExportedFile:
    """One State's matrix (or every State's latest) as a file in `fmt`; XLSX, DOCX and PDF
    in `language` (one of the six; CSV and JSON are data, the same in every language)."""
    reader = DocumentLanguage(language)
    exports = collect(session, viewer=viewer, iso3=iso3, edition=edition)
    synthetic = any(export.matrix.synthetic for export in exports)
    content = _content(session, exports, fmt, single=iso3 is not None, reader=reader)
    stem = (
        f"{exports[0].matrix.state.iso3}-matrix-edition-{exports[0].matrix.edition.number}"
        if iso3
        else "matrices"
    )
    if language != "en" and fmt in LANGUAGE_FORMATS:
        stem += f"-{language}"
    name = f"{'synthetic-demo-' if synthetic else ''}{stem}.{fmt.value}"
    return ExportedFile(
        content=content, media_type=MEDIA_TYPES[fmt], file_name=name, synthetic=synthetic
    )


def _content(
    session: Session,
    exports: list[MatrixExport],
    fmt: ExportFormat,
    single: bool,
    reader: DocumentLanguage | None = None,
) -> bytes:
    reader = reader or DocumentLanguage("en")
    synthetic = any(export.matrix.synthetic for export in exports)
    if fmt is ExportFormat.csv:
        content = _csv(exports)
    elif fmt is ExportFormat.json:
        if single:
            content = exports[0].matrix.model_dump_json(indent=1).encode()
        else:
            bundle = MatrixBundle(**envelope(synthetic), matrices=[e.matrix for e in exports])
            content = bundle.model_dump_json(indent=1).encode()
    elif fmt is ExportFormat.xlsx:
        # openpyxl and python-docx where a file is written: a server writing none holds neither.
        from un1540.io.export_xlsx import matrices_xlsx

        content = matrices_xlsx(
            exports, framework_layout(session, _single_framework(session, exports)), reader
        )
    elif fmt is ExportFormat.docx:
        from un1540.io.export_docx import matrices_docx

        content = matrices_docx(exports, reader)
    else:
        content = matrices_pdf(exports, reader)
    return content


def stream_every_matrix(
    session: Session,
    viewer: Viewer,
    fmt: ExportFormat,
    target: BinaryIO,
    progress: Callable[[float], None] = lambda _fraction: None,
    language: str = "en",
) -> tuple[int, bool]:
    """Every State's latest matrix in `fmt` written to `target`: (how many States, whether any
    is synthetic). The PDF is written one State at a time (the layout of one State in memory);
    the other formats are made in memory from every State's matrix. XLSX, DOCX and PDF are
    written in `language` (Arabic right to left), as a single State's file is."""
    reader = DocumentLanguage(language)
    total, exports = every_latest(session, viewer=viewer)
    seen: list[bool] = []

    def counted() -> Any:
        for done, export in enumerate(exports, start=1):
            seen.append(export.matrix.synthetic)
            if fmt is not ExportFormat.pdf:
                progress(0.7 * done / total)
            yield export

    if fmt is ExportFormat.pdf:
        write_matrices_pdf(counted(), target, total=total, progress=progress, tr=reader)
    else:
        collected = list(counted())
        target.write(_content(session, collected, fmt, single=False, reader=reader))
    return total, any(seen)


def every_matrix_name(fmt: ExportFormat, language: str = "en") -> str:
    """The file name of every State's matrices ("matrices-fr.pdf" in French)."""
    if language != "en" and fmt in LANGUAGE_FORMATS:
        return f"matrices-{language}.{fmt.value}"
    return f"matrices.{fmt.value}"


def write_every_matrix(
    session: Session,
    viewer: Viewer,
    fmt: ExportFormat,
    folder: Path,
    progress: Callable[[float], None],
    language: str = "en",
) -> dict[str, Any]:
    """The builder of every State's latest matrix in `fmt` and `language` (a background job):
    the file into `folder`; returns what the build record keeps of it."""
    name = every_matrix_name(fmt, language)
    with (folder / name).open("wb") as target:
        total, synthetic = stream_every_matrix(session, viewer, fmt, target, progress, language)
    return {
        "file_name": f"{'synthetic-demo-' if synthetic else ''}{name}",
        "stored_as": name,
        "media_type": MEDIA_TYPES[fmt],
        "synthetic": synthetic,
        "states": total,
        "language": language,
        "bytes": (folder / name).stat().st_size,
    }
