"""Benchmark of matrix import and export (issue: the matrix workflow).

Imports all 193 States' demo matrices from one XLSX workbook (each into a new draft, after
"experts" changed about 5% of the marks in the file), and exports all of them to one Word
document. Prints seconds and cells per second. Targets: import <= 30 s, export <= 60 s.

    python benchmarks/matrix_io.py [--database sqlite:///PATH]

The database is never changed: the benchmark works on a fresh demo database, or on a copy of
the SQLite database given.
"""

from __future__ import annotations

import argparse
import io
import os
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from openpyxl import load_workbook

from un1540.db.engine import make_engine, make_session_factory
from un1540.io.matrix_export import ExportFormat, export_matrices
from un1540.io.matrix_import import import_matrix_file
from un1540.io.xlsx_layout import FIRST_DATA_ROW
from un1540.services.kernel.access import system_viewer

BIN = Path(sys.executable).parent
CHANGED_SHARE = 0.05


def prepare(database: str | None, directory: Path) -> str:
    target = directory / "bench.sqlite3"
    if database is None:
        print("Building the demo database ...", flush=True)
        subprocess.run(
            [BIN / "un1540", "init", "--demo"],
            check=True,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "UN1540_DATABASE_URL": f"sqlite:///{target}"},
        )
    else:
        source = database.removeprefix("sqlite:///")
        with sqlite3.connect(source) as original, sqlite3.connect(target) as copy:
            original.backup(copy)  # includes what is still in the write-ahead log
    return f"sqlite:///{target}"


def edit_marks(content: bytes) -> tuple[bytes, int]:
    """Change about 5% of the marks, as experts editing the workbook would (seeded: repeatable)."""
    rng = random.Random(1540)
    workbook = load_workbook(io.BytesIO(content))
    changed = 0
    for sheet in workbook.worksheets[1:]:
        marks = [
            column
            for column in range(7, sheet.max_column + 1)
            if sheet.cell(row=2, column=column).value != "Remarks"
        ]
        for row in range(FIRST_DATA_ROW, sheet.max_row + 1):
            for column in marks:
                cell = sheet.cell(row=row, column=column)
                if cell.value != "—" and rng.random() < CHANGED_SHARE:
                    cell.value = "X" if cell.value != "X" else "?"
                    changed += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), changed


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", help="an existing demo database (sqlite:///PATH); it is copied, not changed"
    )
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="un1540-matrix-io-"))
    try:
        sessions = make_session_factory(make_engine(prepare(args.database, directory)))
        operator = system_viewer("benchmark")
        with sessions() as session:
            started = time.perf_counter()
            workbook = export_matrices(
                session, viewer=operator, iso3=None, fmt=ExportFormat.xlsx
            ).content
            xlsx_seconds = time.perf_counter() - started
        edited, changed = edit_marks(workbook)

        with sessions() as session:
            started = time.perf_counter()
            report = import_matrix_file(
                session,
                viewer=operator,
                content=edited,
                file_name="all-states.xlsx",
                only=None,
                dry_run=False,
                max_bytes=100_000_000,
            )
            session.commit()
            import_seconds = time.perf_counter() - started
        cells = report.changed + report.unchanged

        with sessions() as session:
            started = time.perf_counter()
            document = export_matrices(session, viewer=operator, iso3=None, fmt=ExportFormat.docx)
            export_seconds = time.perf_counter() - started
        states = len(report.states)

        print(f"\n{states} States, {cells:,} cells; {changed:,} marks changed in the workbook.")
        rows = [
            ("export to XLSX (to make the file)", xlsx_seconds, f"{len(workbook) / 1e6:.1f} MB"),
            (
                f"import from XLSX into {states} drafts",
                import_seconds,
                f"{report.changed:,} cells changed, each audited",
            ),
            ("export all to DOCX", export_seconds, f"{len(document.content) / 1e6:.1f} MB"),
        ]
        for label, seconds, note in rows:
            print(f"  {label:<36} {seconds:6.1f} s {cells / seconds:9,.0f} cells/s   {note}")
        checks = [
            ("import <= 30 s", import_seconds <= 30),
            ("export <= 60 s", export_seconds <= 60),
        ]
        print(
            "\nTargets: "
            + "; ".join(f"{label}: {'met' if ok else 'NOT met'}" for label, ok in checks)
        )
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
