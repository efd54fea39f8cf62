"""Scale-out on one machine: `un1540 serve --workers 2` against `--workers 1` on PostgreSQL.

    .venv/bin/python benchmarks/workers.py [--database-url postgresql+psycopg://.../demo]
        [--seconds 20] [--clients 8] [--rounds 3]

The database must hold the demo (`un1540 init --demo`); it is only read. Without
`--database-url`, a throwaway PostgreSQL cluster is started (as the tests do) and the demo built
in it first (about 2 minutes), so `make benchmark` prints this figure too.

Two workloads, each alternating one server with 1 process then one with 2 (`--no-worker`: no job
worker competes for the CPU) over the rounds; C closed-loop keep-alive clients read the State
pages of 20 States and their matrix JSON for the given time after a warm-up:
- **uncached** (`UN1540_CACHE_MB=0`): every request reads the database and renders, so the
  servers' processes do the work, as under a stream of writes or of readers of many pages.
- **cached**: what a visitor reads most, each answer a fraction of a millisecond of the server's
  CPU; the clients (one process, benchmarks/loadgen.py) run on the same two cores and cost
  about as much per request as the server, so two server processes cannot have both cores to
  themselves (the clients' CPU per request is printed).
The target (>= 1.7x on 2 cores, issue 14) is printed for each workload.
Prints requests per second per round, the median of each and the ratio 2 workers / 1 worker,
with the load average before and after: on a shared machine other programs take CPU too.
"""

from __future__ import annotations

import argparse
import contextlib
import http.client
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

from loadgen import run_load
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


def drive(port: int, clients: int, seconds: float) -> tuple[int, int]:
    """Closed-loop keep-alive clients for `seconds` (benchmarks/loadgen.py, the load generator of
    portal.py: asyncio in one thread, gzip accepted as a browser does); the numbers of answers
    and of errors."""
    result = run_load(
        "127.0.0.1", port, PATHS, concurrency=clients, seconds=seconds, warmup=0,
        accept_encoding="gzip, deflate",
    )  # fmt: skip
    return result.requests, result.errors


def measure(
    url: str, workers: int, clients: int, seconds: float, cached: bool
) -> tuple[float, float]:
    """Requests per second, and the clients' CPU milliseconds per request."""
    process, port = start(url, workers, cached)
    try:
        # Warm every process's cache: enough requests that each worker has seen every path.
        drive(port, clients, max(5.0, seconds / 4))
        cpu = time.process_time()
        answers, errors = drive(port, clients, seconds)
        client_ms = (time.process_time() - cpu) * 1000 / max(1, answers)
        if errors:
            raise SystemExit(f"{errors} requests failed with {workers} worker(s)")
        return answers / seconds, client_ms
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
    parser.add_argument("--clients", type=int, default=8)
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
    rates: dict[tuple[str, int], list[float]] = {
        (name, workers): [] for name in workloads for workers in (1, 2)
    }
    client_ms: dict[tuple[str, int], list[float]] = {key: [] for key in rates}
    for round_number in range(1, rounds + 1):
        for name, cached in workloads.items():
            for workers in (1, 2):
                rate, cost = measure(database_url, workers, clients, seconds, cached)
                rates[name, workers].append(rate)
                client_ms[name, workers].append(cost)
                print(
                    f"round {round_number}: {name:<8} {workers} worker(s) {rate:8.1f} req/s "
                    f"(clients' CPU {cost:.2f} ms per request)",
                    flush=True,
                )
    for name in workloads:
        one, two = statistics.median(rates[name, 1]), statistics.median(rates[name, 2])
        ratio = two / one
        print(
            f"{name}: median 1 worker {one:.1f} req/s (range {min(rates[name, 1]):.1f}-"
            f"{max(rates[name, 1]):.1f}); 2 workers {two:.1f} req/s (range "
            f"{min(rates[name, 2]):.1f}-{max(rates[name, 2]):.1f}); clients' CPU per request "
            f"{statistics.median(client_ms[name, 1]):.2f} / "
            f"{statistics.median(client_ms[name, 2]):.2f} ms"
        )
        verdict = ("met" if ratio >= TARGET else "NOT met") + f": target >= {TARGET}x"
        print(f"{name}: 2 workers / 1 worker: {ratio:.2f}x on {os.cpu_count()} cores ({verdict})")
    print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
