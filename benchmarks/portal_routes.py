"""Every portal page and API read under 16 clients, right after a write (issue 13, Performance).

Builds a fresh SQLite demo database (or takes --database), starts `un1540 serve` on it with its
cache on (the default), signs an expert in with an API token (a token is accepted by the portal's
pages too, so the pages are those an expert sees: the most records), opens a draft of France's
matrix, and then, for every GET route of the app (the portal's pages and the API's reads, listed
from the app itself) with its path parameters filled from the demo's records:

1. writes one cell of France's draft through the API (the write raises the data versions, so
   the cached reads of France, of the matrix across States and of everything global are cold);
2. at once, 16 keep-alive clients each ask the route `--requests` times (3: 48 requests).

It prints, per route, p50 and p99 of those requests; then the slowest ten routes by p99,
whether the target (p99 < 1 s on every route, issue 13) holds, the routes over it, and the load
average before and after (on a shared machine, read the figures with it).

Files rendered by WeasyPrint or python-docx (.pdf, .docx), spreadsheets (.xlsx) and zips are
left out by default (they are downloads, not pages, and are benchmarked on their own:
benchmarks/all_states_pdf.py, matrix_io.py); `--files` includes them.

`--warm-first` asks each route once before its write (untimed): the burst then measures a
write between two visits (what a write outdates), not the process's first visit of the route
(which also fills what no write outdates: charts, layouts, formats).
`--routes REGEX` measures only the routes whose template matches (e.g.
`--routes '^/(reports/review|states|dashboard)$'`), for a before-and-after of a few routes.

`--postgres` builds the demo in a throwaway PostgreSQL 15 cluster (the tests' own, fsync on, as
in production) and measures there.

    python benchmarks/portal_routes.py [--database URL | --postgres] [--requests 3] [--files]
        [--csv OUT] [--routes REGEX] [--warm-first]
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import http.client
import json
import os
import re
import secrets
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from portal import BIN, build_demo, cpu_seconds, load_average, start_un1540

CONCURRENCY = 16
TARGET_MS = 1000.0
STATE = "FRA"
CELL = "op2.manufacture:cw:legal_framework"
FILES = (".pdf", ".docx", ".xlsx", ".zip", ".gz")
# Where a path parameter's value is found: a list of the API, and the key of its first item.
LISTS = {
    "request_id": ("/api/v1/assistance/requests", "id"),
    "offer_id": ("/api/v1/assistance/offers", "id"),
    "project_id": ("/api/v1/assistance/projects", "id"),
    "document_id": (f"/api/v1/states/{STATE}/documents", "id"),
    "contact_id": ("/api/v1/contacts", "id"),
    "plan_id": ("/api/v1/action-plans", "id"),
    "visit_id": ("/api/v1/visits", "id"),
    "incident_id": ("/api/v1/incidents", "id"),
    "activity_id": ("/api/v1/activities", "id"),
    "event_id": ("/api/v1/events", "id"),
    "statement_id": ("/api/v1/statements", "id"),
    "commitment_id": ("/api/v1/commitments", "id"),
    "notification_id": ("/api/v1/notifications", "id"),
}
FIXED = {
    "iso3": STATE,
    "number": "1",
    "before": "1",
    "after": "2",
    "cell": CELL,
    "cell_key": CELL,
    "code": "op2.use",
    "field": "op2.use",
    "framework": "un1540-matrix",
    "version": "reconstructed-2016",
    "organisation": "iaea",
    "name": "cells.csv",
    "fmt": "csv",
    "risk_id": "online_payments",
    "build_id": "1",  # the first build (the open data, public), once the server has made it
    "provision_id": "1",
}


def cli(env: dict[str, str], *arguments: str, stdin: str = "") -> str:
    done = subprocess.run(
        [BIN / "un1540", *arguments], env=env, input=stdin, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"un1540 {' '.join(arguments)} failed: {done.stderr[-500:]}")
    return done.stdout


def expert_token(env: dict[str, str]) -> str:
    email = f"routes.{secrets.token_hex(4)}@example.org"
    cli(
        env,
        "users",
        "create",
        "--email",
        email,
        "--role",
        "expert",
        stdin=secrets.token_urlsafe(24) + "\n",
    )
    return cli(env, "users", "token", "--email", email, "--scope", "write").strip()  # fmt: skip


def call(
    connection: http.client.HTTPConnection, method: str, path: str, token: str, body: Any = None
) -> tuple[int, bytes]:
    headers = {"Accept": "*/*", "Authorization": f"Bearer {token}"}
    payload = None
    if body is not None:
        payload = json.dumps(body).encode()
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def get_routes(url: str) -> list[str]:
    """Every GET route template of the app (portal and API), from the app itself."""
    from un1540.settings import Settings
    from un1540.web.app import create_app

    app = create_app(Settings(database_url=url))
    templates = set()
    for route in app.routes:  # however the routers are nested (as the confidentiality crawl)
        contexts = (
            route.effective_route_contexts()
            if hasattr(route, "effective_route_contexts")
            else [route]
        )
        for context in contexts:
            path = getattr(context, "path", None)
            if path and "GET" in (getattr(context, "methods", None) or ()):
                templates.add(str(path))
    return sorted(templates)


def fill_values(connection: http.client.HTTPConnection, token: str) -> dict[str, str]:
    values = dict(FIXED)
    for name, (path, key) in LISTS.items():
        status, body = call(connection, "GET", f"{path}?page_size=1", token)
        if status != 200:
            continue
        data = json.loads(body)
        items = data.get("items") or next(
            (v for v in data.values() if isinstance(v, list) and v), []
        )
        if items and isinstance(items[0], dict) and key in items[0]:
            values[name] = str(items[0][key])
    return values


def open_draft(connection: http.client.HTTPConnection, token: str) -> int:
    status, body = call(connection, "POST", f"/api/v1/states/{STATE}/editions", token, {})
    if status == 201:
        return int(json.loads(body)["edition"]["number"])
    found = re.search(rb'"open_edition":\s*(\d+)', body)
    if status == 409 and found:
        return int(found[1])
    raise SystemExit(f"opening a draft of {STATE} answered {status}: {body[:300]!r}")


def write_cell(connection: http.client.HTTPConnection, token: str, draft: int) -> None:
    path = f"/api/v1/states/{STATE}/editions/{draft}/cells/{CELL}"
    status, body = call(connection, "GET", path, token)
    if status == 200:
        current = json.loads(body)
        change = {"mark": "X" if current["mark"] != "X" else "?", "version": current["version"]}
        status, body = call(connection, "PATCH", path, token, change)
    if status != 200:
        raise SystemExit(f"the write answered {status}: {body[:300]!r}")


def write_with_retries(port: int, token: str, draft: int, attempts: int = 3) -> None:
    """The write before each route, on a new connection (the server closes idle ones after
    5 s), tried again if an overloaded server dropped the connection."""
    for attempt in range(attempts):
        writing = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
        try:
            write_cell(writing, token, draft)
            return
        except (ConnectionError, http.client.HTTPException):
            if attempt == attempts - 1:
                raise
            time.sleep(1)
        finally:
            writing.close()


async def _client(
    port: int, path: str, token: str, requests: int, latencies: list[float], statuses: list[int]
) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    request = (
        f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: */*\r\n"
        f"Authorization: Bearer {token}\r\n\r\n"
    ).encode()
    try:
        for _ in range(requests):
            started = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            pairs = (line.partition(":") for line in lines[1:] if line)
            headers = {key.strip().lower(): value.strip() for key, _, value in pairs}
            if "content-length" in headers:
                await reader.readexactly(int(headers["content-length"]))
            elif headers.get("transfer-encoding") == "chunked":
                while True:
                    size = int((await reader.readline()).strip(), 16)
                    await reader.readexactly(size + 2)
                    if size == 0:
                        break
            latencies.append((time.perf_counter() - started) * 1000)
            statuses.append(int(lines[0].split()[1]))
            if headers.get("connection", "").lower() == "close":
                break
    finally:
        writer.close()


@dataclass
class Measured:
    template: str
    url: str
    p50: float
    p99: float
    statuses: dict[int, int]
    cpu_ms: float  # the server's CPU time per request (user + system), whatever the load


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def measure(port: int, path: str, token: str, requests: int) -> tuple[list[float], list[int]]:
    latencies: list[float] = []
    statuses: list[int] = []

    async def run() -> None:
        await asyncio.gather(
            *(_client(port, path, token, requests, latencies, statuses) for _ in range(CONCURRENCY))
        )

    asyncio.run(run())
    return latencies, statuses


def measure_once(port: int, path: str, token: str) -> None:
    """One request, untimed (`--warm-first`)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    try:
        call(connection, "GET", path, token)
    finally:
        connection.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="a database holding the demo (default: build one)")
    parser.add_argument("--requests", type=int, default=3, help="requests per client per route")
    parser.add_argument("--files", action="store_true", help="include PDF, Word, XLSX and zips")
    parser.add_argument("--csv", type=Path, help="write every route's figures to this file")
    parser.add_argument(
        "--routes", type=re.compile, help="only the route templates this regex matches"
    )
    parser.add_argument(
        "--warm-first", action="store_true", help="ask each route once before its write"
    )
    parser.add_argument(
        "--postgres", action="store_true", help="build the demo in a throwaway PostgreSQL cluster"
    )
    arguments = parser.parse_args()
    if not arguments.postgres:
        measure_routes(arguments)
        return
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.pg_cluster import TemporaryCluster

    cluster = TemporaryCluster(durable=True)
    cluster.start()
    try:
        arguments.database = cluster.create_database("routes")
        print("Building the demo database on PostgreSQL ...", flush=True)
        cli({**os.environ, "UN1540_DATABASE_URL": arguments.database}, "init", "--demo")
        measure_routes(arguments)
    finally:
        cluster.stop()


def measure_routes(arguments: argparse.Namespace) -> None:
    """Every route of the demo at `arguments.database` (or a fresh SQLite demo), as above."""
    with tempfile.TemporaryDirectory(prefix="un1540-routes-") as directory:
        url = arguments.database or build_demo(Path(directory))
        env = {**os.environ, "UN1540_DATABASE_URL": url}
        token = expert_token(env)
        templates = get_routes(url)
        if arguments.routes:
            templates = [t for t in templates if arguments.routes.search(t)]
        before = load_average()
        port, server = start_un1540(url)
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
            values = fill_values(connection, token)
            draft = open_draft(connection, token)
            connection.close()
            results: list[Measured] = []
            skipped: list[str] = []
            for template in templates:
                names = re.findall(r"\{([^}:]+)(?::path)?\}", template)
                if any(name not in values for name in names):
                    missing = ", ".join(name for name in names if name not in values)
                    skipped.append(f"{template} (no value for {missing})")
                    continue
                path = template
                for name in names:
                    path = re.sub(r"\{" + name + r"(?::path)?\}", values[name], path, count=1)
                if not arguments.files and path.endswith(FILES):
                    skipped.append(f"{template} (a file download; --files includes it)")
                    continue
                if arguments.warm_first:
                    measure_once(port, path, token)
                write_with_retries(port, token, draft)
                cpu_before = cpu_seconds(server.pid)
                latencies, statuses = measure(port, path, token, arguments.requests)
                cpu = (cpu_seconds(server.pid) - cpu_before) * 1000 / len(latencies)
                counted: dict[int, int] = {}
                for status in statuses:
                    counted[status] = counted.get(status, 0) + 1
                results.append(
                    Measured(
                        template,
                        path,
                        percentile(latencies, 50),
                        percentile(latencies, 99),
                        counted,
                        cpu,
                    )
                )
                print(
                    f"{results[-1].p99:9.1f} ms p99  {results[-1].p50:8.1f} ms p50  "
                    f"{cpu:7.1f} ms CPU/request  {path}",
                    flush=True,
                )
        finally:
            server.terminate()
            server.wait(timeout=30)
        after = load_average()

    print()
    print(
        f"{len(results)} routes, {CONCURRENCY} clients x {arguments.requests} requests each, "
        "each right after a write; load average before: "
        f"{before}, after: {after} ({os.cpu_count()} CPUs)"
    )
    print("The slowest ten routes by p99:")
    print(f"{'p99 ms':>9} {'p50 ms':>9} {'CPU ms':>8}  statuses  route")
    slowest = sorted(results, key=lambda m: m.p99, reverse=True)
    for m in slowest[:10]:
        statuses = ",".join(f"{code}x{count}" for code, count in sorted(m.statuses.items()))
        print(f"{m.p99:9.1f} {m.p50:9.1f} {m.cpu_ms:8.1f}  {statuses:8}  {m.url}")
    over = [m for m in results if m.p99 >= TARGET_MS]
    verdict = "holds" if not over else f"MISSED on {len(over)} route(s)"
    print(f"Target p99 < {TARGET_MS:.0f} ms on every route: {verdict}")
    # What the load does not change: the server's own CPU per request, the costliest ten.
    print("The costliest ten routes by the server's CPU time per request:")
    for m in sorted(results, key=lambda m: m.cpu_ms, reverse=True)[:10]:
        print(f"{m.cpu_ms:9.1f} ms CPU  {m.p99:9.1f} ms p99  {m.url}")
    failing = [m for m in results if any(code >= 500 for code in m.statuses)]
    if failing:
        print("Server errors on:", ", ".join(m.url for m in failing))
    if skipped:
        print(f"Not measured ({len(skipped)}):")
        for line in skipped:
            print("  ", line)
    if arguments.csv:
        with arguments.csv.open("w", newline="") as out:
            table = csv.writer(out)
            table.writerow(["route", "url", "p50_ms", "p99_ms", "cpu_ms", "statuses"])
            for m in slowest:
                figures = [
                    f"{m.p50:.1f}",
                    f"{m.p99:.1f}",
                    f"{m.cpu_ms:.1f}",
                    json.dumps(m.statuses),
                ]
                table.writerow([m.template, m.url, *figures])


if __name__ == "__main__":
    sys.exit(main())
