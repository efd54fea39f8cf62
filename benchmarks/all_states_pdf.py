"""Benchmark of every State's matrices as one PDF: time and peak memory (issue 15, item 4).

WeasyPrint keeps the layout of every page of a document until it writes it, so the PDF of all
193 States in one document grew to gigabytes. The export now renders one State at a time and
joins the pages with pypdf. This script builds a SQLite demo database of the first N States
(or uses the one given), then renders the all-States PDF both ways, each in a process of its
own, and prints seconds, pages, bytes and the process's peak resident memory (ru_maxrss).

    python benchmarks/all_states_pdf.py [--states 40] [--database sqlite:///PATH] [--only new]
"""

from __future__ import annotations

import argparse
import io
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

MODES = ("whole", "per-state")


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


def _render(url: str, mode: str) -> None:
    """In this process: render, then print one line of figures."""
    from pypdf import PdfReader

    from un1540.db.engine import make_engine, make_session_factory
    from un1540.io.export_pdf import _render as render_whole
    from un1540.io.export_pdf import write_matrices_pdf
    from un1540.io.matrix_collect import every_latest
    from un1540.services.kernel.access import PUBLIC

    sessions = make_session_factory(make_engine(url))
    started = time.perf_counter()
    with sessions() as session:
        total, exports = every_latest(session, viewer=PUBLIC)
        if mode == "whole":
            content = render_whole(list(exports))
        else:
            target = io.BytesIO()
            write_matrices_pdf(exports, target, total=total)
            content = target.getvalue()
    seconds = time.perf_counter() - started
    pages = len(PdfReader(io.BytesIO(content)).pages)
    peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{mode:>9}: {total} States, {pages} pages, {len(content) / 1e6:.1f} MB, "
        f"{seconds:.1f} s, peak RSS {peak_mb:.0f} MB",
        flush=True,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--states", type=int, default=40)
    parser.add_argument("--database", help="an existing demo database (sqlite:///PATH)")
    parser.add_argument("--only", choices=MODES)
    parser.add_argument("--render", nargs=2, help=argparse.SUPPRESS)  # url mode (subprocess)
    arguments = parser.parse_args()
    if arguments.render:
        _render(*arguments.render)
        return
    with tempfile.TemporaryDirectory(prefix="un1540-pdf-") as directory:
        url = arguments.database or _prepare(arguments.states, Path(directory))
        for mode in [arguments.only] if arguments.only else MODES:
            subprocess.run(
                [sys.executable, __file__, "--render", url, mode], check=True, cwd=directory
            )


if __name__ == "__main__":
    main()
