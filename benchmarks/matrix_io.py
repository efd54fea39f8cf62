"""Benchmark of matrix import and export (issue: the matrix workflow).

Imports all 193 States' demo matrices from one XLSX workbook (each into a new draft, after
"experts" changed about 5% of the marks in the file), and exports all of them to one Word
document, on SQLite and on a throwaway PostgreSQL 15 cluster (durable: fsync on). Prints
seconds and cells per second, and each import's ratio to the 10 s target (issue 14) and
PostgreSQL's to SQLite. Targets: import <= 10 s on both, export <= 60 s.

    python benchmarks/matrix_io.py [--database sqlite:///PATH] [--sqlite-only]

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
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook

from un1540.db.engine import make_engine, make_session_factory
from un1540.io.matrix_export import ExportFormat, export_matrices
from un1540.io.matrix_import import import_matrix_file
from un1540.io.xlsx_layout import FIRST_DATA_ROW
from un1540.services.kernel.access import system_viewer

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from tests.pg_cluster import TemporaryCluster  # the tests' throwaway cluster

BIN = Path(sys.executable).parent
CHANGED_SHARE = 0.05
IMPORT_TARGET = 10.0  # seconds, on SQLite and on PostgreSQL (issue 14)
EXPORT_TARGET = 60.0


def prepare(database: str | None, directory: Path) -> str:
    """A demo database to work on: a fresh one (SQLite file or the URL given), or a copy."""
    if database is None or database.startswith("postgresql"):
        url = database or f"sqlite:///{directory / 'bench.sqlite3'}"
        print(f"Building the demo database on {url.split(':')[0]} ...", flush=True)
        subprocess.run(
            [BIN / "un1540", "init", "--demo"],
            check=True,
            stdout=subprocess.DEVNULL,
            env={**os.environ, "UN1540_DATABASE_URL": url},
        )
        return url
    target = directory / "bench.sqlite3"
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
        # The mark columns: from the seventh up to the first remark (the remarks, the field's
        # wording and an OP1 sheet's treaty status columns come after them).
        headers = [
            sheet.cell(row=2, column=column).value for column in range(1, sheet.max_column + 1)
        ]
        marks = list(range(7, headers.index("Remarks") + 1))
        for row in range(FIRST_DATA_ROW, sheet.max_row + 1):
            for column in marks:
                cell = sheet.cell(row=row, column=column)
                if cell.value != "—" and rng.random() < CHANGED_SHARE:
                    cell.value = "X" if cell.value != "X" else "?"
                    changed += 1
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue(), changed


@dataclass
class Figures:
    database: str
    states: int
    cells: int
    changed_in_file: int
    changed: int
    xlsx_seconds: float
    xlsx_bytes: int
    import_seconds: float
    export_seconds: float
    docx_bytes: int


def measure(url: str, label: str) -> Figures:
    sessions = make_session_factory(make_engine(url))
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
    with sessions() as session:
        started = time.perf_counter()
        document = export_matrices(session, viewer=operator, iso3=None, fmt=ExportFormat.docx)
        export_seconds = time.perf_counter() - started
    return Figures(
        database=label,
        states=len(report.states),
        cells=report.changed + report.unchanged,
        changed_in_file=changed,
        changed=report.changed,
        xlsx_seconds=xlsx_seconds,
        xlsx_bytes=len(workbook),
        import_seconds=import_seconds,
        export_seconds=export_seconds,
        docx_bytes=len(document.content),
    )


def show(figures: Figures) -> None:
    cells = figures.cells
    print(
        f"\n{figures.database}: {figures.states} States, {cells:,} cells; "
        f"{figures.changed_in_file:,} marks changed in the workbook."
    )
    rows = [
        (
            "export to XLSX (to make the file)",
            figures.xlsx_seconds,
            f"{figures.xlsx_bytes / 1e6:.1f} MB",
        ),
        (
            f"import from XLSX into {figures.states} drafts",
            figures.import_seconds,
            f"{figures.changed:,} cells changed, each audited",
        ),
        ("export all to DOCX", figures.export_seconds, f"{figures.docx_bytes / 1e6:.1f} MB"),
    ]
    for label, seconds, note in rows:
        print(f"  {label:<36} {seconds:6.1f} s {cells / seconds:9,.0f} cells/s   {note}")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", help="an existing demo database (sqlite:///PATH); it is copied, not changed"
    )
    parser.add_argument("--sqlite-only", action="store_true", help="skip the PostgreSQL run")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="un1540-matrix-io-"))
    results = []
    try:
        results.append(measure(prepare(args.database, directory), "SQLite"))
        show(results[-1])
        if not args.sqlite_only:
            cluster = TemporaryCluster(durable=True)  # fsync on, as in production
            cluster.start()
            try:
                url = cluster.create_database("bench")
                results.append(measure(prepare(url, directory), "PostgreSQL 15 (durable)"))
                show(results[-1])
            finally:
                cluster.stop()
    finally:
        shutil.rmtree(directory, ignore_errors=True)
    print()
    for figures in results:
        print(
            f"Import on {figures.database}: {figures.import_seconds:.1f} s, "
            f"{figures.import_seconds / IMPORT_TARGET:.2f}x the {IMPORT_TARGET:.0f} s target "
            f"({'met' if figures.import_seconds <= IMPORT_TARGET else 'NOT met'}); "
            f"DOCX export {figures.export_seconds:.1f} s "
            f"({'met' if figures.export_seconds <= EXPORT_TARGET else 'NOT met'}: "
            f"<= {EXPORT_TARGET:.0f} s)"
        )
    if len(results) == 2:
        ratio = results[1].import_seconds / results[0].import_seconds
        print(
            f"PostgreSQL / SQLite import time: {ratio:.2f}x "
            "(issue 14's baseline: 52 s / 24 s = 2.17x)"
        )
    load1, load5, _ = os.getloadavg()
    print(f"load average {load1:.2f} (1 min) {load5:.2f} (5 min) on {os.cpu_count()} cores")


if __name__ == "__main__":
    main()
