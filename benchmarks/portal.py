"""Benchmark of the portal and API against its peers, fairly and in one run (issue 14, item 6).

Starts, side by side on one demo database:

- `un1540 serve` with its cache (the default), the "cached" server;
- `un1540 serve` with `UN1540_CACHE_MB=0` (the cache off: every request reads the database
  and renders), the "uncached" server;
- Datasette (the version pinned in constraints.txt) over the same rows: the cells of each
  State's latest approved edition, one row per cell, in one SQLite table indexed by State,
  queried with `_shape=array&_nocount=1&_nofacet=1` (no row count, no facet suggestions);
- the ceiling: a tiny FastAPI app on the same stack (FastAPI, Starlette, uvicorn) answering
  each path with the same bytes un1540 answered, pre-rendered in memory: asked with the same
  Accept-Encoding, so compressed (with its Content-Encoding) where un1540 sent them compressed.

Every request of every scenario carries the same `Accept-Encoding` (`--accept-encoding`,
default `gzip, deflate`, what HTTP libraries and every browser send; `""` for none). un1540
keeps its cached pages and matrix JSON gzip-compressed and sends them so to a client that
accepts gzip (web/compression.py); Datasette sends its JSON uncompressed whatever is asked. The
load generator does not inflate: it counts the bytes received, and each scenario prints the
encoding of its answers and their mean size.

Then, over `--rounds` rounds, it alternates every scenario (so a drift in the machine's speed
touches them all alike): the State matrix JSON and the State page, each cached, uncached and
cached with an expert writing one cell per second through the API (each write outdates one
State's page and matrix), Datasette, and the ceiling for both. Each scenario runs 16
keep-alive clients on loopback, rotating over every State with editions, for `--seconds`
after one second of load. For every scenario it prints the median and range over the rounds
of req/s, p50 and p99, and the server's CPU time per request (utime + stime of the server
process from /proc/PID/stat before and after the measured seconds, divided by the requests;
in the write scenarios it includes the writes).

Targets (issue 14, printed, not asserted): State page and matrix JSON with 16 readers and
1 write/s: p99 < 100 ms and >= 50% of their warm throughput; warm >= 40% of the in-memory
ceiling; matrix JSON uncached >= 3x Datasette on the same rows. The ratios are taken round by
round (paired) and their median and range printed. The load average is printed before and
after: on a shared machine read the ratios more than the absolute figures.

    python benchmarks/portal.py [--database URL] [--seconds 5] [--rounds 3]
        [--accept-encoding "gzip, deflate"]

Without --database it builds a fresh SQLite demo database in a temporary directory first
(~20 s). With a PostgreSQL URL (a database holding the demo) the same run measures un1540 on
PostgreSQL; Datasette always reads its SQLite copy.
"""

from __future__ import annotations

import argparse
import base64
import csv
import http.client
import json
import os
import re
import shutil
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from loadgen import LoadResult, run_load
from pg_demo import demo_on_postgres, init_demo

BIN = Path(sys.executable).parent
CONCURRENCY = 16
DRAFTS = ["FRA", "DEU", "BRA", "JPN", "KEN"]
CELL = "op2.manufacture:cw:legal_framework"
DATASETTE_QUERY = "_size=max&_shape=array&_nocount=1&_nofacet=1"
ACCEPT_ENCODING: str | None = "gzip, deflate"  # every request's (set by --accept-encoding)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_up(url: str, process: subprocess.Popen[bytes], timeout: float = 90) -> None:
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


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (fields 14 and 15 of /proc/PID/stat)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()  # the name may hold spaces
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def build_demo(directory: Path) -> str:
    url = f"sqlite:///{directory / 'demo.sqlite3'}"
    init_demo(url, "on SQLite")
    return url


def start_un1540(url: str, **settings: str) -> tuple[int, subprocess.Popen[bytes]]:
    """`un1540 serve` on a free port over the database at url, answering."""
    port = free_port()
    server = subprocess.Popen(
        [BIN / "un1540", "serve", "--port", str(port)],
        env={**os.environ, "UN1540_DATABASE_URL": url, **settings},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
    except BaseException:
        server.terminate()
        raise
    return port, server


def get(port: int, path: str) -> tuple[bytes, str]:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=120) as response:
        return response.read(), response.headers.get("content-type", "")


def states_with_editions(port: int) -> list[str]:
    body, _ = get(port, "/api/v1/states.csv")
    return [
        row["iso3"] for row in csv.DictReader(body.decode().splitlines()) if row["latest_edition"]
    ]


def export_cells(port: int, states: list[str], directory: Path) -> Path:
    """The cells of each State's latest approved edition, one row per cell, via the API's CSV."""
    database = directory / "cells.db"
    connection = sqlite3.connect(database)
    columns = None
    for iso3 in states:
        body, _ = get(port, f"/api/v1/states/{iso3}/matrix.csv")
        rows = list(csv.DictReader(body.decode().splitlines()))
        if columns is None:
            columns = list(rows[0])
            connection.execute(f"CREATE TABLE cells ({', '.join(f'[{c}] TEXT' for c in columns)})")
        connection.executemany(
            f"INSERT INTO cells VALUES ({', '.join('?' for _ in columns)})",
            [tuple(row[c] for c in columns) for row in rows],
        )
    connection.execute("CREATE INDEX cells_iso3 ON cells (iso3)")
    connection.commit()
    count = connection.execute("SELECT count(*) FROM cells").fetchone()[0]
    connection.close()
    print(f"Datasette copy: {count} cells of {len(states)} States in one table", flush=True)
    return database


def pre_render(port: int, paths: list[str], directory: Path) -> Path:
    """The bytes, media type and encoding un1540 answers for each path to the benchmark's
    Accept-Encoding (not inflated), for the ceiling app to serve."""
    bodies = {}
    headers = {"Accept": "*/*"}
    if ACCEPT_ENCODING is not None:
        headers["Accept-Encoding"] = ACCEPT_ENCODING
    for path in paths:
        request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
        with urllib.request.urlopen(request, timeout=120) as response:
            bodies[path] = {
                "body": base64.b64encode(response.read()).decode(),
                "type": response.headers.get("content-type", ""),
                "encoding": response.headers.get("content-encoding"),
                "vary": response.headers.get("vary"),
            }
    target = directory / "ceiling.json"
    target.write_text(json.dumps(bodies))
    return target


def serve_ceiling(bodies_file: Path, port: int) -> None:
    """The ceiling: FastAPI on uvicorn answering every path with pre-rendered bytes."""
    import uvicorn
    from fastapi import FastAPI, Response

    bodies = {
        path: (
            base64.b64decode(entry["body"]),
            entry["type"],
            {
                name: entry[key]
                for name, key in (("Content-Encoding", "encoding"), ("Vary", "vary"))
                if entry[key]
            },
        )
        for path, entry in json.loads(bodies_file.read_text()).items()
    }
    app = FastAPI()

    @app.get("/healthz")
    async def healthz() -> Response:
        return Response(b"ok", media_type="text/plain")

    @app.get("/{rest:path}")
    async def answer(rest: str) -> Response:
        body, media_type, headers = bodies[f"/{rest}"]
        return Response(body, media_type=media_type, headers=headers)

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", server_header=False)


def start_ceiling(bodies_file: Path) -> tuple[int, subprocess.Popen[bytes]]:
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, __file__, "--serve-ceiling", str(bodies_file), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until_up(f"http://127.0.0.1:{port}/healthz", process)
    return port, process


def start_datasette(cells_db: Path) -> tuple[int, subprocess.Popen[bytes]]:
    port = free_port()
    process = subprocess.Popen(
        [
            BIN / "datasette",
            "serve",
            "--immutable",
            str(cells_db),
            "--port",
            str(port),
            "--setting",
            "max_returned_rows",
            "1000",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    wait_until_up(f"http://127.0.0.1:{port}/cells.json", process)
    return port, process


def pin(pid: int, core: int) -> None:
    """Keep a server on one core and the load generator on another (when there are two)."""
    if (os.cpu_count() or 1) >= 2:
        os.sched_setaffinity(pid, {core})


def cold_pass(port: int, paths: list[str]) -> float:
    """Request every path once, one at a time; returns the median cold latency in ms."""
    timings = []
    for path in paths:
        started = time.perf_counter()
        get(port, path)
        timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings)[len(timings) // 2]


def write_token(url: str) -> str:
    from load import write_token as make_token

    return make_token(
        {**os.environ, "UN1540_DATABASE_URL": url}, "bench.expert@example.org", "expert"
    )


def call(
    connection: http.client.HTTPConnection, method: str, path: str, token: str, body: object = None
) -> tuple[int, bytes]:
    headers = {"Accept": "*/*", "Authorization": f"Bearer {token}"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def open_drafts(port: int, token: str) -> dict[str, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    drafts = {}
    for iso3 in DRAFTS:
        status, body = call(connection, "POST", f"/api/v1/states/{iso3}/editions", token, {})
        if status == 201:
            drafts[iso3] = json.loads(body)["edition"]["number"]
        elif status == 409 and b'"open_edition"' in body:  # a database used before: reuse it
            drafts[iso3] = int(re.search(rb'"open_edition":\s*(\d+)', body)[1])  # type: ignore[index]
        else:
            raise SystemExit(f"opening a draft of {iso3} answered {status}: {body[:300]!r}")
    connection.close()
    return drafts


class Writer(threading.Thread):
    """An expert editing one cell of a draft per second through the API, round the drafts."""

    def __init__(self, port: int, token: str, drafts: dict[str, int], per_second: float) -> None:
        super().__init__(daemon=True)
        self.port, self.token, self.drafts, self.per_second = port, token, drafts, per_second
        self.stop = threading.Event()
        self.writes, self.failures = 0, 0

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        states = list(self.drafts)
        while not self.stop.is_set():
            due = time.perf_counter() + 1 / self.per_second
            iso3 = states[self.writes % len(states)]
            path = f"/api/v1/states/{iso3}/editions/{self.drafts[iso3]}/cells/{CELL}"
            status, body = call(connection, "GET", path, self.token)
            if status == 200:
                current = json.loads(body)
                change = {"mark": "X" if current["mark"] != "X" else "?"}
                change["version"] = current["version"]
                status, body = call(connection, "PATCH", path, self.token, change)
            self.writes += 1
            if status != 200:
                self.failures += 1
            self.stop.wait(max(0.0, due - time.perf_counter()))
        connection.close()


@dataclass
class Scenario:
    name: str
    port: int
    pid: int
    paths: list[str]
    writer: Callable[[], Writer] | None = None
    runs: list[tuple[LoadResult, float]] = field(default_factory=list)  # (load, CPU ms/request)
    write_failures: int = 0

    def run(self, seconds: float) -> None:
        run_load(
            "127.0.0.1", self.port, self.paths, concurrency=CONCURRENCY, seconds=1, warmup=0,
            accept_encoding=ACCEPT_ENCODING,
        )  # fmt: skip
        writer = self.writer() if self.writer is not None else None
        if writer is not None:
            writer.start()
        try:
            before = cpu_seconds(self.pid)
            result = run_load(
                "127.0.0.1", self.port, self.paths, concurrency=CONCURRENCY, seconds=seconds,
                warmup=0, accept_encoding=ACCEPT_ENCODING,
            )  # fmt: skip
            cpu = cpu_seconds(self.pid) - before
        finally:
            if writer is not None:
                writer.stop.set()
                writer.join()
                self.write_failures += writer.failures
        self.runs.append((result, cpu * 1000 / max(1, result.requests)))
        print(
            f"    {self.name:<40} {result.per_second:8.1f} req/s  p50 {result.median:7.1f} ms  "
            f"p99 {result.percentile(99):7.1f} ms  CPU {self.runs[-1][1]:6.2f} ms/req  "
            f"{result.encoding} {result.mean_body_kb:.1f} KB"
            + (f"  {result.errors} errors" if result.errors else "")
            + (
                f"  ({writer.writes} writes, {writer.failures} failed)"
                if writer is not None
                else ""
            ),
            flush=True,
        )

    def figure(self, of: Callable[[LoadResult, float], float]) -> list[float]:
        return [of(result, cpu) for result, cpu in self.runs]

    @property
    def errors(self) -> int:
        return sum(result.errors for result, _ in self.runs) + self.write_failures


def spread(values: list[float], fmt: str = "{:.1f}") -> str:
    return (
        f"{fmt.format(statistics.median(values))} "
        f"({fmt.format(min(values))}-{fmt.format(max(values))})"
    )


def per_second(result: LoadResult, _cpu: float) -> float:
    return result.per_second


def p50(result: LoadResult, _cpu: float) -> float:
    return result.median


def p99(result: LoadResult, _cpu: float) -> float:
    return result.percentile(99)


def cpu_per_request(_result: LoadResult, cpu: float) -> float:
    return cpu


def paired(a: Scenario, b: Scenario) -> list[float]:
    """a's req/s over b's, round by round."""
    return [x / y for x, y in zip(a.figure(per_second), b.figure(per_second), strict=True)]


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", help="an existing demo database URL (default: build one)")
    parser.add_argument("--seconds", type=float, default=5.0, help="measured seconds per run")
    parser.add_argument("--rounds", type=int, default=3, help="rounds over every scenario")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="build the demo in a throwaway PostgreSQL 15 cluster (the tests') and measure there",
    )
    parser.add_argument(
        "--accept-encoding",
        default=ACCEPT_ENCODING,
        help='the Accept-Encoding of every request (default "%(default)s"; "" for none)',
    )
    parser.add_argument("--serve-ceiling", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    globals()["ACCEPT_ENCODING"] = args.accept_encoding or None
    if args.serve_ceiling is not None:
        serve_ceiling(args.serve_ceiling, args.port)
        return
    if not args.postgres:
        compare(args.database, args.seconds, args.rounds)
        return
    with demo_on_postgres("portal") as url:
        compare(url, args.seconds, args.rounds)


def compare(database: str | None, seconds: float, rounds: int) -> None:
    """Every scenario, alternating over the rounds, then the figures and the targets."""
    directory = Path(tempfile.mkdtemp(prefix="un1540-bench-"))
    processes: list[subprocess.Popen[bytes]] = []
    try:
        url = database or build_demo(directory)
        token = write_token(url)
        print(f"Load average before: {load_average()}", flush=True)
        pin(os.getpid(), 1)
        port, server = start_un1540(url)
        processes.append(server)
        states = states_with_editions(port)
        matrix_paths = [f"/api/v1/states/{iso3}/matrix" for iso3 in states]
        page_paths = [f"/states/{iso3}" for iso3 in states]
        datasette_paths = [f"/cells/cells.json?iso3={iso3}&{DATASETTE_QUERY}" for iso3 in states]
        cells_db = export_cells(port, states, directory)
        bodies = pre_render(port, matrix_paths + page_paths, directory)
        drafts = open_drafts(port, token)
        uncached_port, uncached = start_un1540(url, UN1540_CACHE_MB="0")
        processes.append(uncached)
        datasette_port, datasette = start_datasette(cells_db)
        processes.append(datasette)
        ceiling_port, ceiling = start_ceiling(bodies)
        processes.append(ceiling)
        for process in processes:
            pin(process.pid, 0)

        def writer() -> Writer:
            return Writer(port, token, drafts, 1.0)

        scenarios = {
            "matrix": Scenario("un1540 matrix JSON, cached", port, server.pid, matrix_paths),
            "page": Scenario("un1540 State page, cached", port, server.pid, page_paths),
            "matrix uncached": Scenario(
                "un1540 matrix JSON, uncached", uncached_port, uncached.pid, matrix_paths
            ),
            "page uncached": Scenario(
                "un1540 State page, uncached", uncached_port, uncached.pid, page_paths
            ),
            "matrix writes": Scenario(
                "un1540 matrix JSON, 1 write/s", port, server.pid, matrix_paths, writer
            ),
            "page writes": Scenario(
                "un1540 State page, 1 write/s", port, server.pid, page_paths, writer
            ),
            "datasette": Scenario(
                "Datasette, same rows (_shape=array)",
                datasette_port,
                datasette.pid,
                datasette_paths,
            ),
            "matrix ceiling": Scenario(
                "ceiling: matrix JSON bytes from memory", ceiling_port, ceiling.pid, matrix_paths
            ),
            "page ceiling": Scenario(
                "ceiling: State page bytes from memory", ceiling_port, ceiling.pid, page_paths
            ),
        }
        for scenario in scenarios.values():
            if scenario.writer is None:
                cold = cold_pass(scenario.port, scenario.paths)
                print(f"  {scenario.name}: first request per path, one at a time: {cold:.1f} ms")
        print(
            f"\n{CONCURRENCY} concurrent keep-alive clients over {len(states)} States, "
            f"{seconds:g} s per run after 1 s of load, {rounds} rounds alternating "
            f"every scenario;\n{os.cpu_count()} CPU cores: servers on core 0, the load "
            f"generator on core 1; database {url.split(':')[0]}; Accept-Encoding: "
            f"{ACCEPT_ENCODING or '(none)'}\n",
            flush=True,
        )
        for number in range(1, rounds + 1):
            print(f"  Round {number} (load average {load_average()})", flush=True)
            for scenario in scenarios.values():
                scenario.run(seconds)
        rss = {
            "un1540 cached": peak_rss_mb(server.pid),
            "un1540 uncached": peak_rss_mb(uncached.pid),
            "Datasette": peak_rss_mb(datasette.pid),
            "ceiling": peak_rss_mb(ceiling.pid),
        }
        report(scenarios, rss)
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait()
        shutil.rmtree(directory, ignore_errors=True)


def report(scenarios: dict[str, Scenario], rss: dict[str, float]) -> None:
    print(f"\nMedian (range) over the rounds; load average after: {load_average()}\n")
    print(
        f"  {'scenario':<40} {'req/s':>20} {'p50 ms':>20} {'p99 ms':>20} {'CPU ms/req':>18} "
        f"{'encoding':>9} {'mean KB':>8}"
    )
    for scenario in scenarios.values():
        last = scenario.runs[-1][0]
        print(
            f"  {scenario.name:<40} {spread(scenario.figure(per_second)):>20} "
            f"{spread(scenario.figure(p50)):>20} {spread(scenario.figure(p99)):>20} "
            f"{spread(scenario.figure(cpu_per_request), '{:.2f}'):>18} "
            f"{last.encoding:>9} {last.mean_body_kb:8.1f}"
        )
    print("\n  Peak RSS: " + ", ".join(f"{name} {mb:.0f} MB" for name, mb in rss.items()))
    s = scenarios
    print("\nRatios, round by round (median, range):")
    checks = []
    for kind, label in (("matrix", "matrix JSON"), ("page", "State page")):
        under_writes = paired(s[f"{kind} writes"], s[kind])
        of_ceiling = paired(s[kind], s[f"{kind} ceiling"])
        writes_p99 = statistics.median(s[f"{kind} writes"].figure(p99))
        print(f"  {label} under 1 write/s / warm: {spread(under_writes, '{:.0%}')}")
        print(f"  {label} warm / ceiling:         {spread(of_ceiling, '{:.0%}')}")
        uncached = paired(s[f"{kind} uncached"], s[kind])
        print(f"  {label} uncached / warm:        {spread(uncached, '{:.0%}')}")
        checks += [
            (f"{label} p99 < 100 ms under 1 write/s ({writes_p99:.0f} ms)", writes_p99 < 100),
            (
                f"{label} >= 50% of warm under 1 write/s",
                statistics.median(under_writes) >= 0.5,
            ),
            (f"{label} warm >= 40% of the ceiling", statistics.median(of_ceiling) >= 0.4),
        ]
    versus = paired(s["matrix uncached"], s["datasette"])
    cached_versus = paired(s["matrix"], s["datasette"])
    print(f"  matrix JSON uncached / Datasette:    {spread(versus, '{:.2f}x')}")
    print(f"  matrix JSON cached / Datasette:      {spread(cached_versus, '{:.2f}x')}")
    checks.append(("matrix JSON uncached >= 3x Datasette", statistics.median(versus) >= 3))
    checks.append(("no errors", all(scenario.errors == 0 for scenario in s.values())))
    print("\nTargets (issue 14):")
    for label, ok in checks:
        print(f"  {'met    ' if ok else 'NOT met'}  {label}")


if __name__ == "__main__":
    main()
