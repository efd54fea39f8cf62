"""Benchmark of matrix import and export (issue 14: the import of all 193 matrices <= 10 s on
SQLite and on PostgreSQL).

Builds the demo once on SQLite and once on a throwaway PostgreSQL 15 cluster (durable: fsync
on), exports every State's latest approved edition to one XLSX workbook, changes about 5% of the
marks in it (as experts editing it would, seeded so every run is the same), then, over
`--rounds` rounds, imports the workbook into a new draft for each of the 193 States on a fresh
copy of each demo database (a file copy on SQLite, CREATE DATABASE ... TEMPLATE on PostgreSQL),
alternating the backends (and, with `--baseline SRC`, the previous code: a `src` directory of it,
e.g. from `git archive`), so a drift in the machine's speed touches them all alike. Each import
runs in a process of its own and is timed from the file's bytes to the commit. It prints the
median and range over the rounds of the wall time, the CPU time of the importing process, the
CPU time of the PostgreSQL process serving it and the SQL statements it ran (on a shared machine
the CPU times are the steady figures), the ratio to the 10 s target, and, round by round,
PostgreSQL's time to SQLite's and, with a baseline, the new code's to the previous code's. Then
it exports every State to XLSX and to one Word document once on each (target <= 60 s), and
prints the load average before and after.

    python benchmarks/matrix_io.py [--rounds 3] [--baseline /tmp/old/src] [--sqlite-only]

The database given with `--database` (SQLite) is copied, never changed.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from openpyxl import load_workbook
from sqlalchemy import event, text

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


def _process_cpu(pid: int | None) -> float:
    """utime + stime of a process of this machine (PostgreSQL's backend), in seconds."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def import_once(url: str, workbook: Path) -> dict[str, float]:
    """Import the workbook into `url` (in this process, which runs one import and exits)."""
    engine = make_engine(url)
    statements = [0]

    def count(*_arguments: object) -> None:
        statements[0] += 1

    event.listen(engine, "before_cursor_execute", count)
    content = workbook.read_bytes()
    sessions = make_session_factory(engine)
    with sessions() as session:
        session.connection()  # connected before the clock starts, as a server's pool is
        server = (
            session.scalar(text("SELECT pg_backend_pid()"))
            if engine.dialect.name == "postgresql"
            else None
        )
        server_cpu = _process_cpu(server)
        statements[0] = 0
        started, cpu = time.perf_counter(), time.process_time()
        report = import_matrix_file(
            session,
            viewer=system_viewer("benchmark"),
            content=content,
            file_name="all-states.xlsx",
            only=None,
            dry_run=False,
            max_bytes=100_000_000,
        )
        session.commit()
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        server_cpu = _process_cpu(server) - server_cpu
    engine.dispose()
    return {
        "seconds": seconds,
        "cpu": cpu,
        "server_cpu": server_cpu,  # PostgreSQL's process serving the import; 0 on SQLite
        "statements": statements[0],
        "states": len(report.states),
        "changed": report.changed,
        "cells": report.changed + report.unchanged,
    }


@dataclass
class Backend:
    label: str
    template: str  # the demo database each round copies
    copy: Callable[[str], str]  # name -> URL of a fresh copy


def timed_import(backend: Backend, name: str, workbook: Path, src: Path | None) -> dict[str, float]:
    env = dict(os.environ)
    if src is not None:  # the previous code: its package first on the path
        env["PYTHONPATH"] = f"{src}{os.pathsep}{env.get('PYTHONPATH', '')}"
    result = subprocess.run(
        [sys.executable, __file__, "--import-into", backend.copy(name), "--workbook", workbook],
        check=True,
        capture_output=True,
        text=True,
        env=env,
    )
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def spread(values: list[float], unit: str = " s", digits: int = 1) -> str:
    if len(values) == 1:
        return f"{values[0]:.{digits}f}{unit}"
    return (
        f"{statistics.median(values):.{digits}f}{unit} "
        f"({min(values):.{digits}f}-{max(values):.{digits}f})"
    )


def export_figures(url: str) -> tuple[float, float, int]:
    """Seconds to export every State to XLSX and to DOCX, and the DOCX's size."""
    sessions = make_session_factory(make_engine(url))
    operator = system_viewer("benchmark")
    with sessions() as session:
        started = time.perf_counter()
        export_matrices(session, viewer=operator, iso3=None, fmt=ExportFormat.xlsx)
        xlsx = time.perf_counter() - started
        started = time.perf_counter()
        document = export_matrices(session, viewer=operator, iso3=None, fmt=ExportFormat.docx)
        docx = time.perf_counter() - started
    return xlsx, docx, len(document.content)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database", help="an existing demo database (sqlite:///PATH); it is copied, not changed"
    )
    parser.add_argument("--sqlite-only", action="store_true", help="skip the PostgreSQL run")
    parser.add_argument("--rounds", type=int, default=3, help="imports per backend (and code)")
    parser.add_argument(
        "--baseline", type=Path, help="the src directory of the previous code, to compare with"
    )
    parser.add_argument("--no-export", action="store_true", help="skip the DOCX export")
    parser.add_argument("--import-into", help=argparse.SUPPRESS)  # one import, in a child process
    parser.add_argument("--workbook", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.import_into:
        print(json.dumps(import_once(args.import_into, args.workbook)))
        return
    load_before = os.getloadavg()
    directory = Path(tempfile.mkdtemp(prefix="un1540-matrix-io-"))
    cluster: TemporaryCluster | None = None
    try:
        sqlite_template = prepare(args.database, directory)
        template_file = Path(sqlite_template.removeprefix("sqlite:///"))

        def sqlite_copy(name: str) -> str:
            target = directory / f"{name}.sqlite3"
            with sqlite3.connect(template_file) as original, sqlite3.connect(target) as copy:
                original.backup(copy)
            return f"sqlite:///{target}"

        backends = [Backend("SQLite", sqlite_template, sqlite_copy)]
        if not args.sqlite_only:
            cluster = TemporaryCluster(durable=True)  # fsync on, as in production
            cluster.start()
            pg_cluster = cluster
            backends.append(
                Backend(
                    "PostgreSQL 15 (durable)",
                    prepare(cluster.create_database("template_demo"), directory),
                    lambda name: pg_cluster.create_database(name, template="template_demo"),
                )
            )
        sessions = make_session_factory(make_engine(sqlite_template))
        with sessions() as session:
            content = export_matrices(
                session, viewer=system_viewer("benchmark"), iso3=None, fmt=ExportFormat.xlsx
            ).content
        edited, changed = edit_marks(content)
        workbook = directory / "edited.xlsx"
        workbook.write_bytes(edited)
        print(f"Workbook: {len(content) / 1e6:.1f} MB, {changed:,} marks changed.", flush=True)
        codes: list[tuple[str, Path | None]] = [("new", None)]
        if args.baseline:
            codes.append(("previous", args.baseline.resolve()))
        results: dict[tuple[str, str], list[dict[str, float]]] = {}
        for round_number in range(args.rounds):
            order = backends if round_number % 2 == 0 else backends[::-1]
            for backend in order:
                for code, src in codes if round_number % 2 == 0 else codes[::-1]:
                    name = f"r{round_number}_{code}"
                    figures = timed_import(backend, name, workbook, src)
                    results.setdefault((backend.label, code), []).append(figures)
                    print(
                        f"  round {round_number + 1}: {backend.label}, {code} code: "
                        f"{figures['seconds']:.1f} s (CPU {figures['cpu']:.1f} s, "
                        f"database server CPU {figures['server_cpu']:.1f} s, "
                        f"{figures['statements']:.0f} statements, load "
                        f"{os.getloadavg()[0]:.1f})",
                        flush=True,
                    )
        exports = {}
        if not args.no_export:
            for backend in backends:
                exports[backend.label] = export_figures(backend.template)
    finally:
        if cluster is not None:
            cluster.stop()
        shutil.rmtree(directory, ignore_errors=True)
    load_after = os.getloadavg()
    first = next(iter(results.values()))[0]
    print(
        f"\nImport of {first['states']:.0f} States' matrices ({first['cells']:,.0f} cells, "
        f"{first['changed']:,.0f} changed, each audited), {args.rounds} rounds, "
        "median (range):"
    )
    print(
        f"  {'backend, code':<32} {'wall':>18} {'CPU':>16} {'server CPU':>16} "
        f"{'statements':>10}  target"
    )
    for (label, code), runs in results.items():
        seconds = [run["seconds"] for run in runs]
        median = statistics.median(seconds)
        print(
            f"  {label + ', ' + code:<32} {spread(seconds):>18} "
            f"{spread([run['cpu'] for run in runs]):>16} "
            f"{spread([run['server_cpu'] for run in runs]):>16} "
            f"{statistics.median([run['statements'] for run in runs]):>10.0f}  "
            f"{median / IMPORT_TARGET:.2f}x the {IMPORT_TARGET:.0f} s target: "
            f"{'met' if median <= IMPORT_TARGET else 'NOT met'}"
        )

    def paired(a: tuple[str, str], b: tuple[str, str], what: str) -> None:
        if a in results and b in results:
            pairs = list(zip(results[a], results[b], strict=True))
            walls = [x["seconds"] / y["seconds"] for x, y in pairs]
            cpus = [(x["cpu"] + x["server_cpu"]) / (y["cpu"] + y["server_cpu"]) for x, y in pairs]
            print(
                f"  {what}: wall {spread(walls, 'x', 2)}, CPU (importer + database server) "
                f"{spread(cpus, 'x', 2)}, round by round"
            )

    for code, _ in codes:
        paired(
            ("PostgreSQL 15 (durable)", code),
            ("SQLite", code),
            f"PostgreSQL / SQLite, {code} code (issue 14's first figures: 52 s / 24 s = 2.17x)",
        )
    for backend in backends:
        paired(
            (backend.label, "new"), (backend.label, "previous"), f"{backend.label}: new / previous"
        )
    for label, (xlsx, docx, size) in exports.items():
        print(
            f"  {label}: export of every State to XLSX {xlsx:.1f} s, to DOCX {docx:.1f} s "
            f"({size / 1e6:.1f} MB; {'met' if docx <= EXPORT_TARGET else 'NOT met'}: "
            f"<= {EXPORT_TARGET:.0f} s)"
        )
    print(
        f"load average (1 min) {load_before[0]:.2f} before, {load_after[0]:.2f} after "
        f"(5 min: {load_before[1]:.2f}, {load_after[1]:.2f}) on {os.cpu_count()} cores"
    )


if __name__ == "__main__":
    main()
