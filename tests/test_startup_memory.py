"""What a server process holds once started: libraries only some requests need are imported by
those requests, not at start (benchmarks/memory.py; docs/performance.md "mem9")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

# Each writes or reads files that most requests never ask for: python-docx (Word documents; it
# pulls in lxml), openpyxl (spreadsheets) and matplotlib (the review's charts).
ON_DEMAND = ("docx", "openpyxl", "matplotlib")

PROBE = """
import json, sys
from un1540.web.app import create_app
create_app()
print(json.dumps(sorted(name for name in {names} if name in sys.modules)))
"""


def test_an_assembled_app_holds_no_library_only_some_requests_need(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(names=repr(ON_DEMAND))],
        capture_output=True,
        text=True,
        check=True,
        env={"UN1540_DATABASE_URL": f"sqlite:///{tmp_path / 'empty.sqlite3'}", "PATH": "/usr/bin"},
        timeout=120,
    )
    assert json.loads(done.stdout.splitlines()[-1]) == []


def test_the_documents_still_import_their_libraries_when_written() -> None:
    """The deferred imports are where the documents are written (a docx of the review)."""
    from un1540.io import export_docx

    assert "docx" not in vars(export_docx)
    import docx

    document = docx.Document()
    export_docx.mark_every_page(document, "notice")
    header = document.sections[0].header.paragraphs[0]
    assert header.text == "notice"
    assert header.runs[-1].font.color.rgb == docx.shared.RGBColor(*export_docx.RED)
