"""A server's resident memory after start and after the review page, in one process (mem10).

Assembles what `un1540 serve` holds (the CLI module, the app), asks `/healthz` (as a load
balancer or benchmarks/memory.py does), then the comprehensive review page in the six languages
(what the server's warm-up computes at start), and prints VmRSS after each and which of the
libraries only some requests need the process holds. Run it with PYTHONPATH pointing at another
checkout's src/ to compare two versions on the same database:

    python benchmarks/startup_memory.py sqlite:///path/to/demo.sqlite3
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

ON_DEMAND = ("matplotlib", "alembic", "docx", "openpyxl")


def rss_mb() -> float:
    status = Path("/proc/self/status").read_text()
    return int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) / 1024  # type: ignore[union-attr]


def main() -> None:
    os.environ["UN1540_DATABASE_URL"] = sys.argv[1]
    from fastapi.testclient import TestClient

    import un1540
    import un1540.cli  # the server's process is the `un1540` command
    from un1540.web.app import create_app

    client = TestClient(create_app())
    assert client.get("/healthz").status_code == 200
    started = rss_mb()
    for language in ("en", "fr", "es", "ru", "zh", "ar"):
        assert client.get(f"/reports/review?lang={language}").status_code == 200
    reviewed = rss_mb()
    held = [name for name in ON_DEMAND if name in sys.modules]
    print(f"un1540 from {Path(un1540.__file__).parent}")
    print(f"  the CLI and the app assembled, after /healthz: {started:.0f} MB")
    grown = reviewed - started
    print(f"  after the review page in six languages:        {reviewed:.0f} MB (+{grown:.0f})")
    print(f"  on-demand libraries held: {', '.join(held) or 'none'}")


if __name__ == "__main__":
    main()
