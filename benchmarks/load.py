"""Proven under load: mixed traffic against `un1540 serve` on loopback, bounded in time.

    .venv/bin/python benchmarks/load.py                 # 10 minutes, 16 clients, SQLite demo
    .venv/bin/python benchmarks/load.py --seconds 60    # a shorter run
    .venv/bin/python benchmarks/load.py --database-url postgresql+psycopg://...  # an empty PG db

What it does, in one run:
1. builds the demo database (`un1540 init --demo`) in a temporary directory (or uses the empty
   database given), creates an expert, a State's point of contact (France) and a provider
   (the IAEA) with write tokens, and has the expert open and share a draft of France's matrix;
2. starts `un1540 serve` on a free port, visits every page once, then runs the same mix for
   `--warmup` seconds (default 60: caches fill, the first background builds run; its errors
   count), and reads the server's resident memory (RSS) then, as the start figure;
3. drives N closed-loop clients (keep-alive HTTP/1.1, one request at a time each) for the given
   time: 80% reads over portal pages and the API, 20% writes by the three kinds of writer,
   each client editing its own cell (so an edit never races another: a 409 here is an error);
4. prints requests, errors by kind, p50/p99 per kind of request, requests per second, and the
   server's RSS at start and end with its growth, and each minute between; the target is 0
   errors and growth under 10%.

The figures depend on the machine: read them beside the load average printed with them.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from portal import BIN, free_port, wait_until_up

STATE, ORGANISATION = "FRA", "iaea"
WRITE_SHARE = 0.2

READS = [
    "/",
    "/states",
    "/states/FRA",
    "/states/DEU",
    "/states/KEN",
    "/fields/op1.npt",
    "/who-what-where",
    "/fields",
    "/dashboard",
    "/priorities",
    "/assistance",
    "/downloads",
    "/api/v1/states?page_size=50",
    "/api/v1/states/FRA/matrix",
    "/api/v1/states/BRA/matrix",
    "/api/v1/states/JPN/editions",
    "/api/v1/coverage",
    "/api/v1/frameworks",
    "/api/v1/assistance/offers",
    "/api/v1/assistance/requests",
]


@dataclass
class Writers:
    expert: str
    state_poc: str
    provider: str
    edition: int
    cells: list[str]


@dataclass
class Tally:
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: Counter[str] = field(default_factory=Counter)
    samples: dict[str, str] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def sample(self, key: str, text: str) -> None:
        with self.lock:
            self.samples.setdefault(key, text)

    def record(self, kind: str, millis: float, error: str | None) -> None:
        with self.lock:
            self.latencies.setdefault(kind, []).append(millis)
            if error is not None:
                self.errors[f"{kind}: {error}"] += 1


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc")


def cli(env: dict[str, str], *args: str, stdin: str = "") -> str:
    done = subprocess.run(
        [str(BIN / "un1540"), *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"un1540 {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def write_token(env: dict[str, str], email: str, role: str, *extra: str) -> str:
    password = secrets.token_urlsafe(24)  # long and random: passes any password policy
    cli(env, "users", "create", "--email", email, "--role", role, *extra, stdin=password + "\n")
    return cli(env, "users", "token", "--email", email, "--scope", "write").strip()


def call(
    connection: http.client.HTTPConnection,
    method: str,
    path: str,
    token: str | None = None,
    body: object | None = None,
) -> tuple[int, bytes]:
    headers = {"Accept": "*/*"}
    payload = None
    if token is not None:
        headers["Authorization"] = f"Bearer {token}"
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def prepare(port: int, env: dict[str, str], clients: int) -> Writers:
    expert = write_token(env, "load.expert@example.org", "expert")
    state_poc = write_token(env, "load.poc@example.org", "state_poc", "--state", STATE)
    provider = write_token(env, "load.provider@example.org", "provider", "--org", ORGANISATION)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    status, body = call(connection, "POST", f"/api/v1/states/{STATE}/editions", expert, {})
    if status != 201:
        raise SystemExit(f"opening a draft answered {status}: {body[:300]!r}")
    edition = json.loads(body)["edition"]["number"]
    status, body = call(
        connection, "POST", f"/api/v1/states/{STATE}/editions/{edition}/share", expert, {}
    )
    if status != 200:
        raise SystemExit(f"sharing the draft answered {status}: {body[:300]!r}")
    status, body = call(connection, "GET", f"/api/v1/states/{STATE}/matrix", expert)
    cells = [
        cell["id"]
        for section in json.loads(body)["sections"]
        for row in section["fields"]
        for cell in row["cells"]
    ]
    connection.close()
    return Writers(expert, state_poc, provider, edition, cells[:clients])


def one_write(
    connection: http.client.HTTPConnection, writers: Writers, cell: str, rng: random.Random
) -> tuple[str, int, bytes, set[int]]:
    """One write by an expert (edit a cell), a State (comment, request) or a provider (offer)."""
    base = f"/api/v1/states/{STATE}/editions/{writers.edition}"
    roll = rng.random()
    if roll < 0.4:
        status, body = call(connection, "GET", f"{base}/cells/{cell}", writers.expert)
        if status != 200:
            return "expert edits a cell", status, body, {200}
        current = json.loads(body)
        mark = "?" if current["mark"] != "?" else "X"
        change = {
            "mark": mark,
            "remark": f"load test {rng.random():.6f}",
            "version": current["version"],
        }
        status, body = call(connection, "PATCH", f"{base}/cells/{cell}", writers.expert, change)
        return "expert edits a cell", status, body, {200}
    if roll < 0.65:
        comment = {"cell": cell, "body": f"A question from the State ({rng.random():.6f})"}
        status, body = call(connection, "POST", f"{base}/comments", writers.state_poc, comment)
        return "State comments", status, body, {201}
    if roll < 0.8:
        request = {
            "state": STATE,
            "title": f"Training for customs officers ({rng.randrange(10**6)})",
            "consent": "committee",
            "items": [{"description": "Border control training", "help_types": ["training"]}],
        }
        status, body = call(
            connection, "POST", "/api/v1/assistance/requests", writers.state_poc, request
        )
        return "State files a request", status, body, {201}
    offer = {
        "organisation": ORGANISATION,
        "title": f"Nuclear security workshop ({rng.randrange(10**6)})",
        "help_types": ["training"],
        "weapons": ["nw"],
        "capacity": 2,
    }
    status, body = call(connection, "POST", "/api/v1/assistance/offers", writers.provider, offer)
    return "provider offers", status, body, {201}


def client(
    index: int, port: int, writers: Writers, stop_at: float, tally: Tally, seed: int
) -> None:
    rng = random.Random(seed * 1000 + index)
    cell = writers.cells[index % len(writers.cells)]
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    while time.perf_counter() < stop_at:
        started = time.perf_counter()
        try:
            if rng.random() < WRITE_SHARE:
                kind, status, body, expected = one_write(connection, writers, cell, rng)
            else:
                path = rng.choice(READS)
                kind = "API read" if path.startswith("/api/") else "portal read"
                status, body = call(connection, "GET", path)
                expected = {200}
            error = None if status in expected else f"HTTP {status}"
            if error is not None:
                tally.sample(f"{kind}: {error}", body[:200].decode(errors="replace"))
        except (OSError, http.client.HTTPException) as failure:
            kind, error = "connection", type(failure).__name__
            connection.close()
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        tally.record(kind, (time.perf_counter() - started) * 1000, error)
    connection.close()


def drive(
    port: int, writers: Writers, seconds: float, tally: Tally, seed: int, clients: int
) -> None:
    """Run `clients` closed-loop clients for `seconds`, recording into `tally`."""
    stop_at = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=client, args=(i, port, writers, stop_at, tally, seed))
        for i in range(clients)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def sample_rss(pid: int, until: float, samples: list[float]) -> None:
    while time.perf_counter() < until:
        time.sleep(min(60.0, max(0.0, until - time.perf_counter())))
        try:
            samples.append(rss_mb(pid))
        except (OSError, RuntimeError):
            return


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=600.0, help="how long the load runs")
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument(
        "--warmup", type=float, default=60.0, help="seconds of the same mix before measuring"
    )
    parser.add_argument("--seed", type=int, default=1540)
    parser.add_argument("--database-url", help="an empty database to fill (default: SQLite)")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="un1540-load-") as directory:
        url = options.database_url or f"sqlite:///{Path(directory) / 'load.sqlite3'}"
        env = {**os.environ, "UN1540_DATABASE_URL": url, "UN1540_FILES_DIR": f"{directory}/files"}
        print(f"Building the demo database on {url.split('://')[0]} ...", flush=True)
        cli(env, "init", "--demo")
        port = free_port()
        server = subprocess.Popen(
            [str(BIN / "un1540"), "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_until_up(f"http://127.0.0.1:{port}/healthz", server)
            writers = prepare(port, env, options.clients)
            warm = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            for path in READS:  # every page once, so the start figure includes what reads load
                call(warm, "GET", path)
            warm.close()
            # Then the same mix for a while, not timed but with its errors counted: the caches
            # fill to what this traffic keeps and the first background builds run, so the
            # growth printed is that of a server in its working state (a leak), not its warm-up.
            warmup = Tally()
            drive(port, writers, options.warmup, warmup, options.seed + 1, options.clients)
            start_rss = rss_mb(server.pid)
            samples: list[float] = []
            tally = Tally()
            began = time.perf_counter()
            monitor = threading.Thread(
                target=sample_rss, args=(server.pid, began + options.seconds, samples), daemon=True
            )
            monitor.start()
            drive(port, writers, options.seconds, tally, options.seed, options.clients)
            elapsed = time.perf_counter() - began
            end_rss = rss_mb(server.pid)
            crashed = server.poll() is not None
        finally:
            server.terminate()
            server.wait(timeout=30)

    for kind, count in warmup.errors.items():  # an error while warming up is an error too
        tally.errors[f"warm-up {kind}"] += count
        tally.samples.setdefault(f"warm-up {kind}", warmup.samples.get(kind, ""))
    report(tally, elapsed, options, start_rss, end_rss, crashed)
    print("server RSS each minute (MB): " + ", ".join(f"{value:.0f}" for value in samples))


def report(
    tally: Tally,
    elapsed: float,
    options: argparse.Namespace,
    start_rss: float,
    end_rss: float,
    crashed: bool,
) -> None:
    total = sum(len(values) for values in tally.latencies.values())
    errors = sum(tally.errors.values())
    writes = sum(
        len(values)
        for kind, values in tally.latencies.items()
        if kind not in {"API read", "portal read", "connection"}
    )
    load1, load5, _ = os.getloadavg()
    print(
        f"\nMixed load: {options.clients} clients, {elapsed:.0f} s, "
        f"load average {load1:.2f} (1 min) {load5:.2f} (5 min), {os.cpu_count()} cores"
    )
    share = writes / max(total, 1)
    print(f"requests {total:,} ({total / elapsed:.1f}/s), writes {writes:,} ({share:.0%})")
    print(f"{'kind':<24}{'count':>8}{'p50 ms':>10}{'p99 ms':>10}")
    for kind, values in sorted(tally.latencies.items()):
        p50, p99 = percentile(values, 50), percentile(values, 99)
        print(f"{kind:<24}{len(values):>8}{p50:>10.1f}{p99:>10.1f}")
    everything = [value for values in tally.latencies.values() for value in values]
    p50, p99 = percentile(everything, 50), percentile(everything, 99)
    print(f"{'all':<24}{total:>8}{p50:>10.1f}{p99:>10.1f}")
    print(f"errors {errors}" + ("" if errors else " (target: 0)"))
    for kind, count in tally.errors.most_common():
        print(f"  {count:>6}  {kind}  e.g. {tally.samples.get(kind, '')!r}")
    growth = (end_rss - start_rss) / start_rss
    print(
        f"server RSS {start_rss:.0f} MB at start, {end_rss:.0f} MB at end: "
        f"{growth:+.1%} (target: under +10%)" + (" -- THE SERVER DIED" if crashed else "")
    )
    if errors or crashed:
        sys.exit(1)


if __name__ == "__main__":
    main()
