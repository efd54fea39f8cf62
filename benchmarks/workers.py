"""Scale-out on one machine: `un1540 serve --workers 2` against `--workers 1` on PostgreSQL.

    .venv/bin/python benchmarks/workers.py [--database-url postgresql+psycopg://.../demo]
        [--seconds 20] [--clients 32] [--rounds 3]

The database must hold the demo (`un1540 init --demo`); it is only read. Without
`--database-url`, a throwaway PostgreSQL cluster is started (as the tests do) and the demo built
in it first (about 2 minutes), so `make benchmark` prints this figure too.

Two workloads, each alternating one server with 1 process then one with 2 (`--no-worker`: no job
worker competes for the CPU) over the rounds; C closed-loop keep-alive connections (`wrk`, the
Debian package, which `make system-packages` installs: a C load generator whose CPU per answer
is a few hundredths of a millisecond) read the State pages of 20 States and their matrix JSON
for the given time after a warm-up:
- **uncached** (`UN1540_CACHE_MB=0`): every request reads the database and renders, so the
  servers' processes do the work, as under a stream of writes or of readers of many pages.
- **cached**: what a visitor reads most, each answer a fraction of a millisecond of the server's
  CPU.
Each run prints the CPU per answer of the server's processes, of PostgreSQL's (those serving
the benchmark's database, on this machine) and of the load generator: they share the two cores,
so the server's share of the total caps what a second process can add (2 x that share). The
target (>= 1.7x on 2 cores, issue 14) is printed for each workload.
Prints requests per second per round, the median of each and the ratio 2 workers / 1 worker,
with the load average before and after: on a shared machine other programs take CPU too.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import resource
import shutil
import signal
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from pg_demo import demo_on_postgres

BIN = Path(sys.executable).parent
STATES = ["FRA", "DEU", "BRA", "CHN", "USA", "NGA", "KEN", "JPN", "IND", "MEX"]
STATES += ["ARG", "AUS", "CAN", "EGY", "ITA", "POL", "TUR", "ZAF", "KOR", "PER"]
PATHS = [f"/states/{iso3}" for iso3 in STATES] + [
    f"/api/v1/states/{iso3}/matrix.json" for iso3 in STATES
]
TARGET = 1.7


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start(url: str, workers: int, cached: bool) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    cache = {} if cached else {"UN1540_CACHE_MB": "0"}
    process = subprocess.Popen(
        [BIN / "un1540", "serve", "--no-worker", "--workers", str(workers), "--port", str(port)],
        env={**os.environ, "UN1540_DATABASE_URL": url, **cache},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,  # stopped with its worker processes
    )
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return process, port
        except OSError:
            time.sleep(0.2)
    stop(process)
    raise SystemExit("the server did not start")


def stop(process: subprocess.Popen[bytes]) -> None:
    """The server and its worker processes (its process group)."""
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=60)
    finally:
        with contextlib.suppress(ProcessLookupError):  # all ended already
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def drive(port: int, clients: int, seconds: float) -> tuple[int, int, float]:
    """Closed-loop keep-alive clients for `seconds`: `wrk` (C, one thread, `clients`
    connections, benchmarks/wrk_paths.lua: every path in turn, gzip accepted as a browser does),
    light enough that the servers have the cores nearly to themselves (Python's asyncio
    generator, loadgen.py, cost as much CPU per cached answer as the server did). The numbers
    of answers and of errors, and the seconds the run took."""
    if shutil.which("wrk") is None:
        raise SystemExit("wrk not found: `make system-packages` installs it (Debian package wrk)")
    run = subprocess.run(
        [
            "wrk", "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "60s",
            "-s", str(Path(__file__).with_name("wrk_paths.lua")), f"http://127.0.0.1:{port}/",
        ],
        env={**os.environ, "WRK_PATHS": " ".join(PATHS)},
        capture_output=True,
        text=True,
        check=True,
    )  # fmt: skip
    result = next(line for line in run.stdout.splitlines() if line.startswith("RESULT "))
    answers, bad_status, socket_errors, microseconds = map(int, result.split()[1:])
    return answers, bad_status + socket_errors, microseconds / 1e6


def cpu_seconds(wanted: Callable[[int, str], bool]) -> float:
    """User and system CPU seconds of the live processes `wanted(session id, command line)`."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            fields = Path(entry.path, "stat").read_text().rpartition(") ")[2].split()
            command = Path(entry.path, "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:  # ended meanwhile
            continue
        if wanted(int(fields[3]), command):
            total += int(fields[11]) + int(fields[12])
    return total / ticks


def server_cpu(server: subprocess.Popen[bytes]) -> float:
    """The server's and its worker processes' (its session's: started with a new one)."""
    return cpu_seconds(lambda session, _command: session == server.pid)


def postgres_cpu(database_url: str) -> float:
    """PostgreSQL's backends serving the database on this machine (none if it is elsewhere):
    their command line reads `postgres: <user> <database> <client>`."""
    database = make_url(database_url).database
    return cpu_seconds(
        lambda _session, command: command.startswith("postgres: ") and f" {database} " in command
    )


@dataclass
class Measure:
    per_second: float
    client_ms: float  # CPU per answer of the load generator
    server_ms: float  # of the server's processes
    postgres_ms: float  # of PostgreSQL's processes on this machine
    server_cores: float  # the server's CPU seconds per second: how much of the cores it had


def measure(url: str, workers: int, clients: int, seconds: float, cached: bool) -> Measure:
    """Requests per second, and the CPU per request of the clients, the server and PostgreSQL."""
    process, port = start(url, workers, cached)
    try:
        # Warm every process's cache: enough requests that each worker has seen every path.
        drive(port, clients, max(5.0, seconds / 4))
        before = (
            resource.getrusage(resource.RUSAGE_CHILDREN),
            server_cpu(process),
            postgres_cpu(url),
        )
        answers, errors, took = drive(port, clients, seconds)
        after = (
            resource.getrusage(resource.RUSAGE_CHILDREN),
            server_cpu(process),
            postgres_cpu(url),
        )
        if errors:
            raise SystemExit(f"{errors} requests failed with {workers} worker(s)")
        per_answer = 1000 / max(1, answers)
        client = after[0].ru_utime + after[0].ru_stime - before[0].ru_utime - before[0].ru_stime
        return Measure(
            per_second=answers / took,
            client_ms=client * per_answer,
            server_ms=(after[1] - before[1]) * per_answer,
            postgres_ms=(after[2] - before[2]) * per_answer,
            server_cores=(after[1] - before[1]) / took,
        )
    finally:
        stop(process)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database-url", help="a PostgreSQL demo database (default: build one in a new cluster)"
    )
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    if args.database_url:
        compare(args.database_url, args.clients, args.seconds, args.rounds)
        return
    with demo_on_postgres("workers") as url:
        compare(url, args.clients, args.seconds, args.rounds)


def compare(database_url: str, clients: int, seconds: float, rounds: int) -> None:
    """Both workloads, 1 process then 2, alternating over the rounds; the ratios."""
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}", flush=True)
    workloads = {"uncached": False, "cached": True}
    runs: dict[tuple[str, int], list[Measure]] = {
        (name, workers): [] for name in workloads for workers in (1, 2)
    }
    for round_number in range(1, rounds + 1):
        for name, cached in workloads.items():
            for workers in (1, 2):
                run = measure(database_url, workers, clients, seconds, cached)
                runs[name, workers].append(run)
                print(
                    f"round {round_number}: {name:<8} {workers} worker(s) {run.per_second:8.1f}"
                    f" req/s; CPU ms per request: server {run.server_ms:.2f}, PostgreSQL "
                    f"{run.postgres_ms:.2f}, clients {run.client_ms:.3f}; the server used "
                    f"{run.server_cores:.2f} cores",
                    flush=True,
                )
    for name in workloads:
        one = [run.per_second for run in runs[name, 1]]
        two = [run.per_second for run in runs[name, 2]]
        ratio = statistics.median(two) / statistics.median(one)
        print(
            f"{name}: median 1 worker {statistics.median(one):.1f} req/s (range {min(one):.1f}-"
            f"{max(one):.1f}); 2 workers {statistics.median(two):.1f} req/s (range "
            f"{min(two):.1f}-{max(two):.1f})"
        )
        # If one process has a whole core, two can at best have both: the share of each
        # request's CPU that is the server's own caps the ratio at 2 x that share.
        server, postgres, client = (
            statistics.median(getattr(run, part) for run in runs[name, 2])
            for part in ("server_ms", "postgres_ms", "client_ms")
        )
        share = server / (server + postgres + client)
        cores = [statistics.median(run.server_cores for run in runs[name, n]) for n in (1, 2)]
        print(
            f"{name}: CPU ms per request with 2 workers: server {server:.2f}, PostgreSQL "
            f"{postgres:.2f}, clients {client:.3f} (the server's share {share:.0%}: at most "
            f"{2 * share:.2f}x on 2 cores); the server used {cores[0]:.2f} cores with 1 worker, "
            f"{cores[1]:.2f} with 2"
        )
        verdict = ("met" if ratio >= TARGET else "NOT met") + f": target >= {TARGET}x"
        print(f"{name}: 2 workers / 1 worker: {ratio:.2f}x on {os.cpu_count()} cores ({verdict})")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
