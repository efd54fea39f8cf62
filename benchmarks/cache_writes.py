"""Reads while data is written: the State page and matrix JSON under one write per second.

Starts `un1540 serve` on a demo database, opens a draft of a few States' matrices as an expert
(through the API, with a write token), then for the State matrix JSON and the State page
(rotating over every State with editions) measures, with 16 concurrent keep-alive clients:

1. warm, nothing written (the figure to compare with);
2. the same while an expert edits one cell per second (PATCH through the API, rotating over
   the drafts: each write outdates that State's page and matrix, and the aggregates).

It prints req/s, p50 and p99 of both and their ratio. Targets: under writes p99 < 100 ms and at
least 50% of the warm requests per second. The machine may be shared: the load average is
printed with the figures.

    python benchmarks/cache_writes.py [--database sqlite:///PATH] [--seconds 10]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path

from load import call, write_token
from loadgen import LoadResult, run_load
from portal import CONCURRENCY, build_demo, cold_pass, peak_rss_mb, pin, start_un1540

DRAFTS = ["FRA", "DEU", "BRA", "JPN", "KEN"]
CELL = "op2.manufacture:cw:legal_framework"
WRITES_PER_SECOND = 1.0


class Writer(threading.Thread):
    """An expert editing one cell of a draft per second, round the drafts."""

    def __init__(self, port: int, token: str, drafts: dict[str, int]) -> None:
        super().__init__(daemon=True)
        self.port, self.token, self.drafts = port, token, drafts
        self.stop = threading.Event()
        self.writes, self.failures, self.latencies = 0, 0, list[float]()

    def run(self) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=60)
        states = list(self.drafts)
        while not self.stop.is_set():
            due = time.perf_counter() + 1 / WRITES_PER_SECOND
            iso3 = states[self.writes % len(states)]
            path = f"/api/v1/states/{iso3}/editions/{self.drafts[iso3]}/cells/{CELL}"
            started = time.perf_counter()
            status, body = call(connection, "GET", path, self.token)
            if status == 200:
                current = json.loads(body)
                change = {
                    "mark": "X" if current["mark"] != "X" else "?",
                    "version": current["version"],
                }
                status, body = call(connection, "PATCH", path, self.token, change)
            self.latencies.append((time.perf_counter() - started) * 1000)
            self.writes += 1
            if status != 200:
                self.failures += 1
            self.stop.wait(max(0.0, due - time.perf_counter()))
        connection.close()


def open_drafts(port: int, token: str) -> dict[str, int]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    drafts = {}
    for iso3 in DRAFTS:
        status, body = call(connection, "POST", f"/api/v1/states/{iso3}/editions", token, {})
        if status != 201:
            raise SystemExit(f"opening a draft of {iso3} answered {status}: {body[:300]!r}")
        drafts[iso3] = json.loads(body)["edition"]["number"]
    connection.close()
    return drafts


def states_with_editions(port: int) -> list[str]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    status, body = call(connection, "GET", "/api/v1/states?page_size=500")
    connection.close()
    if status != 200:
        raise SystemExit(f"/api/v1/states answered {status}")
    return [s["iso3"] for s in json.loads(body)["items"] if s["latest_edition"] is not None]


def line(name: str, result: LoadResult) -> str:
    return (
        f"  {name:<40} {result.per_second:8.1f} req/s   p50 {result.median:6.1f} ms   "
        f"p99 {result.percentile(99):6.1f} ms   ({result.requests} requests, "
        f"{result.errors} errors)"
    )


def measure(
    name: str, port: int, token: str, drafts: dict[str, int], paths: list[str], seconds: float
) -> tuple[LoadResult, LoadResult, Writer]:
    cold = cold_pass(port, paths)
    print(f"  {name}: first request per State (cold, one at a time): median {cold:.1f} ms")
    warm = run_load("127.0.0.1", port, paths, concurrency=CONCURRENCY, seconds=seconds)
    print(line(f"{name}, warm, no writes", warm), flush=True)
    writer = Writer(port, token, drafts)
    writer.start()
    try:
        loaded = run_load("127.0.0.1", port, paths, concurrency=CONCURRENCY, seconds=seconds)
    finally:
        writer.stop.set()
        writer.join()
    print(line(f"{name}, {WRITES_PER_SECOND:g} write/s", loaded), flush=True)
    ratio = loaded.per_second / warm.per_second
    writes = sorted(writer.latencies)
    print(
        f"  {'':<40} {ratio:8.1%} of warm; {writer.writes} writes "
        f"({writer.failures} failed, median {writes[len(writes) // 2]:.0f} ms each)",
        flush=True,
    )
    return warm, loaded, writer


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", help="an existing demo database URL (default: build one)")
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per run")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="un1540-bench-"))
    try:
        url = args.database or build_demo(directory)
        env = {**os.environ, "UN1540_DATABASE_URL": url}
        token = write_token(env, "bench.expert@example.org", "expert")
        pin(os.getpid(), 1)
        port, server = start_un1540(url)
        try:
            pin(server.pid, 0)
            drafts = open_drafts(port, token)
            states = states_with_editions(port)
            print(
                f"\n{CONCURRENCY} concurrent keep-alive clients over {len(states)} States, "
                f"{args.seconds:.0f} s per run after 2 s of load; writes edit a cell of the "
                f"drafts of {', '.join(drafts)} in turn.\n{os.cpu_count()} CPU cores (server "
                f"on core 0, load on core 1); load average before: "
                f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}\n",
                flush=True,
            )
            results = [
                measure(
                    "State matrix JSON",
                    port,
                    token,
                    drafts,
                    [f"/api/v1/states/{iso3}/matrix" for iso3 in states],
                    args.seconds,
                ),
                measure(
                    "State page (HTML)",
                    port,
                    token,
                    drafts,
                    [f"/states/{iso3}" for iso3 in states],
                    args.seconds,
                ),
            ]
            rss = peak_rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait()
        print(
            f"\n  server peak RSS: {rss:.0f} MB; load average after: "
            f"{' '.join(f'{x:.2f}' for x in os.getloadavg())}"
        )
        checks = []
        for name, (warm, loaded, writer) in zip(
            ("matrix JSON", "State page"), results, strict=True
        ):
            checks.append((f"{name} p99 < 100 ms under writes", loaded.percentile(99) < 100))
            checks.append(
                (f"{name} >= 50% of warm under writes", loaded.per_second >= 0.5 * warm.per_second)
            )
            checks.append(
                (f"{name} no errors", warm.errors == loaded.errors == writer.failures == 0)
            )
        print(
            "\nTargets: "
            + "; ".join(f"{label}: {'met' if ok else 'NOT met'}" for label, ok in checks)
        )
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
