"""The demo database for the benchmarks: built by `un1540 init --demo`, and in a throwaway
PostgreSQL 15 cluster for those that measure PostgreSQL without being given a database
(`portal.py --postgres`, `workers.py`)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent


@contextmanager
def demo_on_postgres(name: str) -> Iterator[str]:
    """Start a cluster (fsync on, as in production: tests/pg_cluster.py), build the demo in a
    database `name` (`un1540 init --demo`, about 2 minutes), yield its URL, stop the cluster."""
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.pg_cluster import TemporaryCluster

    cluster = TemporaryCluster(durable=True)
    cluster.start()
    try:
        url = cluster.create_database(name)
        init_demo(url, "on PostgreSQL")
        yield url
    finally:
        cluster.stop()


def init_demo(url: str, where: str) -> None:
    """`un1540 init --demo` into the database at `url` (a fresh SQLite file or PostgreSQL
    database), saying so first."""
    print(f"Building the demo database {where} ...", flush=True)
    subprocess.run(
        [BIN / "un1540", "init", "--demo"],
        env={**os.environ, "UN1540_DATABASE_URL": url},
        check=True,
        stdout=subprocess.DEVNULL,
    )
