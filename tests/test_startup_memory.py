"""What a server process holds once started: libraries only some requests need are imported by
those requests, not at start (benchmarks/memory.py; docs/performance.md "mem9")."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from sqlalchemy import Engine

# Each writes or reads files that most requests never ask for: python-docx (Word documents; it
# pulls in lxml), openpyxl (spreadsheets), matplotlib (the review's charts in Word only) and
# Alembic (migrations; the health check reads the revisions without it).
ON_DEMAND = ("docx", "openpyxl", "matplotlib", "alembic")

PROBE = """
import json, sys
import un1540.cli  # `un1540 serve` is the server's process
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


REVIEW_PROBE = """
import json, sys
from fastapi.testclient import TestClient
from un1540.web.app import create_app
with TestClient(create_app()) as client:
    for path in ("/reports/review", "/reports/review?lang=ar", "/reports/review?lang=zh"):
        response = client.get(path)
        assert response.status_code == 200, (path, response.status_code)
        assert 'src="data:image/svg+xml;base64,' in response.text, path
    assert client.get("/healthz").json()["database"]["status"] == "ok"
print(json.dumps(sorted(name for name in {names} if name in sys.modules)))
"""


def test_the_review_page_and_the_health_check_import_none_of_them(engine: Engine) -> None:
    """The review's charts are SVG written by io/charts.py itself: showing the page (which the
    server's warm-up does at start) leaves matplotlib out of the process; the health check
    (which benchmarks and load balancers poll) reads the schema's revisions without Alembic
    (mem10)."""
    done = subprocess.run(
        [sys.executable, "-c", REVIEW_PROBE.format(names=repr(ON_DEMAND))],
        capture_output=True,
        text=True,
        check=True,
        env={
            "UN1540_DATABASE_URL": engine.url.render_as_string(hide_password=False),
            "PATH": "/usr/bin",
        },
        timeout=300,
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
