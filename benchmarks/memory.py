"""Memory of the server and of the open-data build (issue 14, item 4), at 1x and 10x history.

For each history length asked (`--history 1 10`; 10x is built from the 1x demo with
analytics.build_longer_history: each approved edition followed by nine more with the same cells):

1. starts `un1540 serve` on the database and prints its resident memory (VmRSS) after start;
2. visits every page once, anonymously: the fixed portal pages, every State's page, documents
   page and matrix JSON, every field's page, the API lists; prints VmRSS and the peak (VmHWM);
3. has an expert make `--writes` writes (default 1,000) through the API, editing a cell of the
   drafts of five States in turn (each write outdates that State's page and matrix and the
   aggregates), visiting the written State's page and matrix after each write, and prints
   VmRSS every tenth of the way, so growth per write shows; then visits every page again;
4. runs the open-data build (`write_open_data`, what the job worker runs) for the public in a
   process of its own and prints its peak RSS (VmHWM). The child is limited to
   `--build-limit-mb` of address space so that a build that would take the machine's memory
   fails instead (printed as such).

On SQLite the server runs its job worker as a thread of its own process, so the open-data build
that the visit to /downloads asks for runs inside the server and its memory counts in the
server's RSS and peak (on PostgreSQL a separate `un1540 worker` would hold it).

Targets (issue 14, printed, not asserted): server RSS < 300 MB after every page and 1,000
writes at 10x history; the open-data build < 500 MB at 10x.

    python benchmarks/memory.py [--history 1 10] [--writes 1000] [--keep DIR] [--no-build]
                                [--set UN1540_CACHE_MB=64]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from portal import call, load_average, open_drafts, start_un1540, write_token

CELL = "op2.manufacture:cw:legal_framework"
FIXED_PAGES = [
    "/",
    "/states",
    "/downloads",
    "/priorities",
    "/dashboard",
    "/trends",
    "/compare",
    "/assistance",
    "/who-what-where",
    "/funding",
    "/fields",
    "/reports/review",
    "/login",
    "/api/v1/states?page_size=500",
    "/api/v1/coverage",
    "/api/v1/trends?from=2011-01-01&to=2016-12-31",
    "/api/v1/compare?states=FRA,DEU,BRA",
    "/api/v1/frameworks",
    "/api/v1/assistance/offers",
    "/api/v1/assistance/requests",
    "/api/v1/assistance/projects",
    "/api/v1/states.csv",
]


def status_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no {key} in /proc/{pid}/status")


def memory(pid: int) -> str:
    return f"RSS {status_mb(pid, 'VmRSS'):.0f} MB (peak {status_mb(pid, 'VmHWM'):.0f} MB)"


def fetch(connection: http.client.HTTPConnection, path: str) -> tuple[int, bytes]:
    connection.request("GET", path, headers={"Accept": "*/*"})
    response = connection.getresponse()
    return response.status, response.read()


def every_page(port: int, pid: int, *, report: bool = False) -> tuple[int, int]:
    """Every page once; returns (pages visited, pages that did not answer 200). Prints the
    pages that did not answer 200 and those after which the peak RSS rose most; with `report`,
    also the kinds of path (a State's or field's pages taken together) while which the RSS grew
    most (summed over their visits; the job worker's thread grows it meanwhile too)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    _, body = fetch(connection, "/api/v1/states?page_size=500")
    states = [item["iso3"] for item in json.loads(body)["items"]]
    _, fields_page = fetch(connection, "/fields")
    fields = sorted(set(re.findall(r'href="/fields/([^"/?#]+)"', fields_page.decode())))
    paths = list(FIXED_PAGES)
    for iso3 in states:
        paths += [f"/states/{iso3}", f"/states/{iso3}/documents", f"/api/v1/states/{iso3}/matrix"]
    paths += [f"/fields/{code}" for code in fields]
    failed = 0
    rises = []
    grown: dict[str, float] = {}  # kind of path -> VmRSS growth summed over its visits
    for path in paths:
        before, resident = status_mb(pid, "VmHWM"), status_mb(pid, "VmRSS")
        status, _ = fetch(connection, path)
        rises.append((status_mb(pid, "VmHWM") - before, path))
        kind = re.sub(r"/states/[A-Z]{3}|/fields/[^/?]+", lambda m: m[0][:8] + "*", path)
        grown[kind] = grown.get(kind, 0.0) + status_mb(pid, "VmRSS") - resident
        if status != 200:
            failed += 1
            print(f"    {path} answered {status}", flush=True)
    connection.close()
    largest = [f"{path} +{mb:.0f} MB" for mb, path in sorted(rises, reverse=True)[:4] if mb >= 10]
    if largest:
        print(f"    the peak rose most after: {', '.join(largest)}", flush=True)
    if report:
        most = sorted(grown.items(), key=lambda item: -item[1])[:8]
        print(
            "    RSS grew most while answering: "
            + ", ".join(f"{kind} {mb:+.0f} MB" for kind, mb in most),
            flush=True,
        )
    return len(paths), failed


def writes(port: int, pid: int, token: str, drafts: dict[str, int], count: int) -> int:
    """count writes through the API, reading the written State back after each."""
    failed = 0
    started = time.perf_counter()
    states = list(drafts)
    for number in range(1, count + 1):
        iso3 = states[number % len(states)]
        path = f"/api/v1/states/{iso3}/editions/{drafts[iso3]}/cells/{CELL}"
        # a new connection each time: uvicorn closes one left idle 5 s, as on a loaded machine
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        status, body = call(connection, "GET", path, token)
        if status == 200:
            current = json.loads(body)
            change = {"mark": "X" if current["mark"] != "X" else "?", "version": current["version"]}
            status, body = call(connection, "PATCH", path, token, change)
        failed += status != 200
        fetch(connection, f"/states/{iso3}")
        fetch(connection, f"/api/v1/states/{iso3}/matrix")
        connection.close()
        if number % max(1, count // 10) == 0 or number == count:
            print(
                f"    after {number:>5} writes: {memory(pid)}  "
                f"({(time.perf_counter() - started) / number * 1000:.0f} ms per write and reads)",
                flush=True,
            )
    return failed


BUILD_CHILD = """
import resource, sys, tempfile, time


def peak_rss_kb():
    # VmHWM of this process's memory, not ru_maxrss: on Linux ru_maxrss keeps the parent's
    # resident size across fork and exec (the benchmark's own, 500 MB after its page visits).
    with open("/proc/self/status") as status:
        return int(next(line for line in status if line.startswith("VmHWM")).split()[1])

from pathlib import Path
from un1540.db.engine import make_engine, make_session_factory
from un1540.io.downloads import write_open_data
from un1540.services.kernel.access import PUBLIC
limit = int(sys.argv[2]) * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
engine = make_engine(sys.argv[1])
started = time.perf_counter()
with make_session_factory(engine)() as session, tempfile.TemporaryDirectory() as folder:
    details = write_open_data(session, PUBLIC, Path(folder), lambda _f: None)
peak = peak_rss_kb()
print(f"{time.perf_counter() - started:.1f} {details['bytes']} {peak}")
"""


def open_data_build(url: str, limit_mb: int) -> str:
    """The open-data build in a process of its own: its time, output size and peak RSS."""
    done = subprocess.run(
        [sys.executable, "-c", BUILD_CHILD, url, str(limit_mb)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return f"FAILED ({last}); address space limited to {limit_mb} MB"
    seconds, size, peak = done.stdout.split()[-3:]
    return (
        f"{float(seconds):.1f} s, {int(size) / 1e6:.1f} MB of files, "
        f"peak RSS {int(peak) / 1024:.0f} MB"
    )


def measure(
    url: str, label: str, count: int, limit_mb: int | None, settings: dict[str, str]
) -> dict[str, float | str]:
    print(f"\n{label}: load average {load_average()}", flush=True)
    token = write_token(url)
    port, server = start_un1540(url, **settings)
    try:
        print(f"  after start:             {memory(server.pid)}", flush=True)
        started = time.perf_counter()
        visited, failed = every_page(port, server.pid, report=True)
        print(
            f"  after every page:        {memory(server.pid)}  ({visited} pages, {failed} not "
            f"200, {time.perf_counter() - started:.0f} s)",
            flush=True,
        )
        after_pages = status_mb(server.pid, "VmRSS")
        drafts = open_drafts(port, token)
        print(f"  {count} writes to drafts of {', '.join(drafts)}:", flush=True)
        failures = writes(port, server.pid, token, drafts, count)
        after_writes = status_mb(server.pid, "VmRSS")
        every_page(port, server.pid)
        after_again = status_mb(server.pid, "VmRSS")
        print(f"  after every page again:  {memory(server.pid)}", flush=True)
        peak = status_mb(server.pid, "VmHWM")
    finally:
        server.terminate()
        server.wait()
    build = "not run (--no-build)" if limit_mb is None else open_data_build(url, limit_mb)
    print(f"  open-data build (own process): {build}", flush=True)
    return {
        "pages": after_pages,
        "writes": after_writes,
        "again": after_again,
        "peak": peak,
        "failures": failures + failed,
        "build": build,
    }


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--history", type=int, nargs="+", default=[1, 10], help="1 and/or 10")
    parser.add_argument("--writes", type=int, default=1000)
    parser.add_argument("--build-limit-mb", type=int, default=4096)
    parser.add_argument(
        "--keep", type=Path, help="keep the demo databases in this folder (and reuse them)"
    )
    parser.add_argument(
        "--no-build", action="store_true", help="skip the open-data build in its own process"
    )
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="an environment variable for the server, e.g. UN1540_CACHE_MB=64 (repeatable)",
    )
    args = parser.parse_args()
    directory = args.keep or Path(tempfile.mkdtemp(prefix="un1540-memory-"))
    directory.mkdir(parents=True, exist_ok=True)
    try:
        from analytics import build_database, build_longer_history

        demo = directory / "demo-1x.sqlite3"
        base_url = build_database(demo)
        results = {}
        for factor in args.history:
            if factor == 1:
                url = base_url
            else:
                url = build_longer_history(demo, directory / f"demo-{factor}x.sqlite3", factor)
            # each run writes to its own copy, so a kept database stays as built
            run_copy = directory / f"run-{factor}x-{os.getpid()}.sqlite3"
            shutil.copyfile(url.removeprefix("sqlite:///"), run_copy)
            results[factor] = measure(
                f"sqlite:///{run_copy}",
                f"{factor}x history",
                args.writes,
                None if args.no_build else args.build_limit_mb,
                dict(setting.split("=", 1) for setting in args.set),
            )
            for leftover in directory.glob(f"{run_copy.name}*"):
                leftover.unlink()
        print(f"\nLoad average after: {load_average()}")
        print("Targets (issue 14, at 10x history):")
        if 10 in results:
            ten = results[10]
            server_ok = max(float(ten["pages"]), float(ten["writes"])) < 300
            print(
                f"  {'met    ' if server_ok else 'NOT met'}  server RSS < 300 MB after every "
                f"page ({float(ten['pages']):.0f} MB) and {args.writes} writes "
                f"({float(ten['writes']):.0f} MB)"
            )
            match = re.search(r"peak RSS (\d+) MB", str(ten["build"]))
            if str(ten["build"]).startswith("not run"):
                print(f"  not measured  open-data build < 500 MB: {ten['build']}")
            elif match:
                verdict = "met    " if int(match.group(1)) < 500 else "NOT met"
                print(f"  {verdict}  open-data build < 500 MB: {ten['build']}")
            else:
                print(f"  NOT met  open-data build < 500 MB: {ten['build']}")
        else:
            print("  not measured: run with --history 10")
    finally:
        if args.keep is None:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
