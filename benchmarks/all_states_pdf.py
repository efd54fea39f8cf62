"""Benchmark of every State's matrices as one PDF: time and peak memory (issue 15, item 4).

WeasyPrint keeps the layout of every page of a document until it writes it, so the PDF of all
193 States in one document grew to gigabytes. The export now renders one State at a time and
joins the pages with pypdf. This script builds a SQLite demo database of the first N States
(or uses the one given), then renders the all-States PDF both ways, each in a process of its
own, and prints seconds (wall and the process's CPU), pages, bytes, the process's peak resident
memory (ru_maxrss) and the load average before and after (on a shared machine the wall time
follows the load; the CPU time and the peak memory do not).

Modes: "whole" (every State in one WeasyPrint document: the old way), "per-state" (one State at a
time, joined in memory) and "build" (what the worker and `un1540 export matrix --all` run:
`stream_every_matrix`, one State at a time, into a file; `--lang` its language).

    python benchmarks/all_states_pdf.py [--states 40] [--database sqlite:///PATH]
        [--only whole|per-state|build] [--lang fr] [--keep DIR]
"""

from __future__ import annotations

import argparse
import io
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

MODES = ("whole", "per-state", "build")


def _prepare(states: int, directory: Path) -> str:
    from un1540.db.engine import make_engine, make_session_factory
    from un1540.db.migrate import upgrade
    from un1540.io.demo import load_demo
    from un1540.reference.states import load_states
    from un1540.services.matrix.actions.frameworks import load_reference_data

    url = f"sqlite:///{directory / 'demo.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions() as session, session.begin():
        load_reference_data(session, actor="benchmark")
    codes = sorted(state.iso3 for state in load_states())[:states]
    with sessions() as session, session.begin():
        load_demo(session, only=codes)
    engine.dispose()
    return url


def _progress() -> Callable[[float], None]:
    """Prints, every tenth of the way, the fraction done, CPU seconds and RSS so far."""
    shown = [0.0]

    def report(fraction: float) -> None:
        if fraction - shown[0] >= 0.1 or fraction >= 1.0:
            shown[0] = fraction
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(
                f"  {fraction:.0%}: {time.process_time():.0f} s CPU, peak RSS {peak:.0f} MB",
                file=sys.stderr,
                flush=True,
            )

    return report


def _render(url: str, mode: str, language: str) -> None:
    """In this process: render, then print one line of figures."""
    from pypdf import PdfReader

    from un1540.db.engine import make_engine, make_session_factory
    from un1540.io.export_pdf import _render as render_whole
    from un1540.io.export_pdf import write_matrices_pdf
    from un1540.io.language import DocumentLanguage
    from un1540.io.matrix_collect import every_latest
    from un1540.io.matrix_export import ExportFormat, stream_every_matrix
    from un1540.services.kernel.access import PUBLIC

    sessions = make_session_factory(make_engine(url))
    load_before = os.getloadavg()
    started, cpu_started = time.perf_counter(), time.process_time()
    with sessions() as session:
        if mode == "build":
            path = Path(f"matrices-{language}.pdf")
            with path.open("wb") as target:
                total, _ = stream_every_matrix(
                    session, PUBLIC, ExportFormat.pdf, target, _progress(), language=language
                )
            content = path.read_bytes()
        else:
            total, exports = every_latest(session, viewer=PUBLIC)
            if mode == "whole":
                content = render_whole(list(exports), DocumentLanguage(language))
            else:
                buffer = io.BytesIO()
                write_matrices_pdf(exports, buffer, total=total, tr=DocumentLanguage(language))
                content = buffer.getvalue()
    seconds = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    pages = len(PdfReader(io.BytesIO(content)).pages)
    load_after = os.getloadavg()
    print(
        f"{mode:>9} ({language}): {total} States, {pages} pages, {len(content) / 1e6:.1f} MB, "
        f"{seconds:.1f} s wall, {cpu:.1f} s CPU, peak RSS {peak_mb:.0f} MB, "
        f"load average {load_before[0]:.2f} -> {load_after[0]:.2f}",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--states", type=int, default=40)
    parser.add_argument("--database", help="an existing demo database (sqlite:///PATH)")
    parser.add_argument("--only", choices=MODES)
    parser.add_argument("--lang", default="en", choices=("ar", "zh", "en", "fr", "ru", "es"))
    parser.add_argument("--keep", type=Path, help="build the demo database in DIR and keep it")
    parser.add_argument("--render", nargs=3, help=argparse.SUPPRESS)  # url mode lang (subprocess)
    arguments = parser.parse_args()
    if arguments.render:
        _render(*arguments.render)
        return
    with tempfile.TemporaryDirectory(prefix="un1540-pdf-") as directory:
        if arguments.database:
            url = arguments.database
        else:
            started = time.process_time()
            where = arguments.keep or Path(directory)
            where.mkdir(parents=True, exist_ok=True)
            url = _prepare(arguments.states, where)
            print(f"demo of {arguments.states} States: {time.process_time() - started:.0f} s CPU")
        for mode in [arguments.only] if arguments.only else MODES:
            subprocess.run(
                [sys.executable, __file__, "--render", url, mode, arguments.lang],
                check=True,
                cwd=directory,
            )


if __name__ == "__main__":
    main()
