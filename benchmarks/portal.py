"""Benchmark of the portal and API (issue: foundation).

Starts `un1540 serve` on a demo database and measures, at 16 concurrent keep-alive clients on
loopback: requests/s and p50/p99 latency for the State matrix JSON and the State page, and the
server's peak RSS. In the same run it serves the same cells with Datasette (over a copy of the
data as one row-per-cell SQLite table, filtered by State) and prints both req/s and the ratio.

Targets: matrix JSON p99 < 50 ms; at least Datasette's req/s; RSS < 300 MB.

    python benchmarks/portal.py [--database sqlite:///PATH] [--seconds 10]

Without --database it builds a fresh demo database in a temporary directory first (~20 s).
"""

from __future__ import annotations

import argparse
import csv
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from loadgen import LoadResult, run_load

BIN = Path(sys.executable).parent
CONCURRENCY = 16


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not answer within {timeout} s")


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM in /proc")


def build_demo(directory: Path) -> str:
    url = f"sqlite:///{directory / 'demo.sqlite3'}"
    print("Building the demo database ...", flush=True)
    subprocess.run(
        [BIN / "un1540", "init", "--demo"],
        env={**os.environ, "UN1540_DATABASE_URL": url},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return url


def start_un1540(url: str) -> tuple[int, subprocess.Popen[bytes]]:
    """`un1540 serve` on a free port over the database at url, answering."""
    port = free_port()
    server = subprocess.Popen(
        [BIN / "un1540", "serve", "--port", str(port)],
        env={**os.environ, "UN1540_DATABASE_URL": url},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
    except BaseException:
        server.terminate()
        raise
    return port, server


def export_cells(url: str, directory: Path) -> tuple[Path, list[str]]:
    """The cells of each State's latest approved edition, one row per cell, via the API's CSV."""
    database = directory / "cells.db"
    port, server = start_un1540(url)
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/v1/states.csv") as response:
            states = [
                row["iso3"]
                for row in csv.DictReader(response.read().decode().splitlines())
                if row["latest_edition"]
            ]
        connection = sqlite3.connect(database)
        columns = None
        for iso3 in states:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/api/v1/states/{iso3}/matrix.csv"
            ) as response:
                rows = list(csv.DictReader(response.read().decode().splitlines()))
            if columns is None:
                columns = list(rows[0])
                connection.execute(
                    f"CREATE TABLE cells ({', '.join(f'[{c}] TEXT' for c in columns)})"
                )
            connection.executemany(
                f"INSERT INTO cells VALUES ({', '.join('?' for _ in columns)})",
                [tuple(row[c] for c in columns) for row in rows],
            )
        connection.execute("CREATE INDEX cells_iso3 ON cells (iso3)")
        connection.commit()
        count = connection.execute("SELECT count(*) FROM cells").fetchone()[0]
        connection.close()
        print(f"Datasette copy: {count} cells of {len(states)} States in one table", flush=True)
        return database, states
    finally:
        server.terminate()
        server.wait()


def pin(pid: int, core: int) -> None:
    """Keep a server on one core and the load generator on another (when there are two)."""
    if (os.cpu_count() or 1) >= 2:
        os.sched_setaffinity(pid, {core})


def cold_pass(port: int, paths: list[str]) -> float:
    """Request every path once, one at a time; returns the median cold latency in ms."""
    timings = []
    for path in paths:
        started = time.perf_counter()
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}") as response:
            response.read()
        timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings)[len(timings) // 2]


def measure(name: str, port: int, paths: list[str], seconds: float) -> LoadResult:
    cold = cold_pass(port, paths)
    print(
        f"  {name:<34} first request per State (cold, one at a time): median {cold:.1f} ms",
        flush=True,
    )
    result = run_load("127.0.0.1", port, paths, concurrency=CONCURRENCY, seconds=seconds)
    print(
        f"  {name:<34} {result.per_second:8.1f} req/s   p50 {result.median:6.1f} ms   "
        f"p99 {result.percentile(99):6.1f} ms   "
        f"({result.requests} requests, {result.errors} errors)",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", help="an existing demo database URL (default: build one)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per scenario")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="un1540-bench-"))
    try:
        url = args.database or build_demo(directory)
        cells_db, states = export_cells(url, directory)
        matrix_paths = [f"/api/v1/states/{iso3}/matrix" for iso3 in states]
        page_paths = [f"/states/{iso3}" for iso3 in states]
        datasette_paths = [
            f"/cells/cells.json?iso3={iso3}&_size=max&_shape=objects" for iso3 in states
        ]

        print(
            f"\n{CONCURRENCY} concurrent keep-alive clients on loopback, "
            f"{args.seconds:.0f} s per scenario, measured after one untimed pass over every "
            "State and 2 s of load;\n"
            f"{os.cpu_count()} CPU cores: each server pinned to core 0, "
            "the load generator to core 1.\n"
        )
        pin(os.getpid(), 1)
        port, server = start_un1540(url)
        try:
            pin(server.pid, 0)
            matrix = measure("un1540  State matrix JSON", port, matrix_paths, args.seconds)
            page = measure("un1540  State page (HTML)", port, page_paths, args.seconds)
            rss = peak_rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait()

        datasette_port = free_port()
        datasette = subprocess.Popen(
            [
                BIN / "datasette",
                "serve",
                "--immutable",
                str(cells_db),
                "--port",
                str(datasette_port),
                "--setting",
                "max_returned_rows",
                "1000",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(f"http://127.0.0.1:{datasette_port}/cells.json", datasette)
            pin(datasette.pid, 0)
            baseline = measure(
                "Datasette  same cells, JSON", datasette_port, datasette_paths, args.seconds
            )
        finally:
            datasette.terminate()
            datasette.wait()

        ratio = matrix.per_second / baseline.per_second
        print(f"\n  un1540 matrix JSON vs Datasette: {ratio:.2f}x the requests per second")
        print(f"  un1540 server peak RSS: {rss:.0f} MB")
        checks = [
            ("matrix JSON p99 < 50 ms", matrix.percentile(99) < 50),
            ("matrix JSON req/s >= Datasette", ratio >= 1.0),
            ("server RSS < 300 MB", rss < 300),
            ("no errors", matrix.errors == page.errors == baseline.errors == 0),
        ]
        print(
            "\nTargets: "
            + "; ".join(f"{label}: {'met' if ok else 'NOT met'}" for label, ok in checks)
        )
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
