"""Benchmark of the delayed open-data rebuild (issue 14, item 4; UN1540_REBUILD_DELAY_SECONDS).

Every write asks for an open-data rebuild. With the delay at 0 (the behaviour before) a build is
queued after each write and, under a steady stream of writes, the builds run back to back inside
the server (SQLite: its job worker thread), each outdated before it ends. With a delay, the
writes of that while leave one delayed job, which builds the data as it is when it runs.

For each delay given (default: 0, then 60) it starts `un1540 serve` on one demo database (SQLite,
built fresh in a temporary directory unless --database is given; a new files directory per run,
so no build is ready at the start), then, for `--seconds` (60), an expert writes one cell per
second through the API while 16 keep-alive clients read the State matrix JSON of every State
with editions. It then waits `--tail` seconds (90) with no load for the jobs left to run. It
prints, per delay: the open-data builds started before the writes (the server's start, the
drafts the writer opens), during them and in the tail (the build table, polled every 0.2 s
from before the server starts: a build lasts seconds; its recorded start decides the window),
the readers' req/s, p50 and p99 during the writes, and the server's CPU seconds during the
writes and in the tail. The load average is printed
before and after each run: on a shared machine, read the ratios more than the absolute figures.

    python benchmarks/rebuild_delay.py [--database URL] [--seconds 60] [--tail 90] [--delays 0 60]
"""

from __future__ import annotations

import argparse
import shutil
import sqlite3
import tempfile
import threading
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from loadgen import run_load
from portal import (
    Writer,
    build_demo,
    cpu_seconds,
    load_average,
    open_drafts,
    start_un1540,
    states_with_editions,
    write_token,
)


class BuildWatch(threading.Thread):
    """Polls the build table (a finished build may delete older ones): every open-data build
    seen started, with its start as recorded (UTC), and its last status."""

    def __init__(self, database_file: Path) -> None:
        super().__init__(daemon=True)
        self.database_file = database_file
        self.started: dict[int, tuple[str, str]] = {}  # build id -> (started_at, status)
        self.earlier: set[int] = set()
        self.failures = 0
        self.stop = threading.Event()

    def _rows(self, connection: sqlite3.Connection, query: str) -> list[tuple[object, ...]]:
        try:
            return connection.execute(query).fetchall()
        except sqlite3.OperationalError:  # busy: try again at the next poll
            self.failures += 1
            return []

    def run(self) -> None:
        connection = sqlite3.connect(f"file:{self.database_file}?mode=ro", uri=True, timeout=5)
        try:
            # Builds of an earlier run on this database are not counted.
            earlier = self._rows(connection, "SELECT id FROM build WHERE kind = 'open_data'")
            self.earlier = {int(str(build_id)) for (build_id,) in earlier}
            while not self.stop.is_set():
                for build_id, started_at, status in self._rows(
                    connection,
                    "SELECT id, started_at, status FROM build "
                    "WHERE kind = 'open_data' AND started_at IS NOT NULL",
                ):
                    key = int(str(build_id))
                    if key not in self.earlier:
                        self.started[key] = (str(started_at), str(status))
                self.stop.wait(0.2)
        finally:
            connection.close()

    def count(self, since: datetime, until: datetime) -> int:
        """Builds started in [since, until) (UTC)."""
        return sum(
            1
            for started_at, _status in self.started.values()
            if since <= datetime.fromisoformat(started_at).replace(tzinfo=UTC) < until
        )


@dataclass
class Run:
    delay: int
    writes: int
    write_failures: int
    builds_before: int
    builds_during: int
    builds_tail: int
    per_second: float
    p50: float
    p99: float
    errors: int
    cpu_during: float
    cpu_tail: float
    load_before: str
    load_after: str


def one_run(url: str, token: str, delay: int, seconds: float, tail: float) -> Run:
    files = Path(tempfile.mkdtemp(prefix="un1540-rebuild-files-"))
    load_before = load_average()
    watch = BuildWatch(Path(url.removeprefix("sqlite:///")))
    watch.start()
    port, server = start_un1540(
        url,
        UN1540_REBUILD_DELAY_SECONDS=str(delay),
        UN1540_FILES_DIR=str(files),
        UN1540_WARM_UP="false",
    )
    try:
        states = states_with_editions(port)
        paths = [f"/api/v1/states/{iso3}/matrix" for iso3 in states]
        drafts = open_drafts(port, token)
        run_load("127.0.0.1", port, paths, seconds=2, warmup=0)  # warm the caches
        writer = Writer(port, token, drafts, 1.0)
        cpu_start, start = cpu_seconds(server.pid), datetime.now(UTC)
        writer.start()
        result = run_load("127.0.0.1", port, paths, seconds=seconds, warmup=0)
        writer.stop.set()
        writer.join()
        end, cpu_end = datetime.now(UTC), cpu_seconds(server.pid)
        time.sleep(tail)
        cpu_after = cpu_seconds(server.pid)
        watch.stop.set()
        watch.join()
        for build_id, (started_at, status) in sorted(watch.started.items()):
            print(f"  build {build_id}: started {started_at} UTC, {status}")
        print(f"  writes {start:%H:%M:%S}-{end:%H:%M:%S} UTC; busy polls {watch.failures}")
        return Run(
            delay=delay,
            writes=writer.writes,
            write_failures=writer.failures,
            builds_before=watch.count(datetime.min.replace(tzinfo=UTC), start),
            builds_during=watch.count(start, end),
            builds_tail=watch.count(end, datetime.now(UTC)),
            per_second=result.per_second,
            p50=result.percentile(50),
            p99=result.percentile(99),
            errors=result.errors,
            cpu_during=cpu_end - cpu_start,
            cpu_tail=cpu_after - cpu_end,
            load_before=load_before,
            load_after=load_average(),
        )
    finally:
        watch.stop.set()
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(files, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="a SQLite URL of a demo database (default: built)")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--tail", type=float, default=90.0)
    parser.add_argument("--delays", type=int, nargs="+", default=[0, 60])
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="un1540-rebuild-bench-"))
    try:
        url = args.database or build_demo(directory)
        if not url.startswith("sqlite:///"):
            raise SystemExit("this benchmark reads the build table of a SQLite file")
        token = write_token(url)
        runs = []
        for delay in args.delays:
            print(f"Delay {delay} s: {args.seconds:.0f} s of writes, {args.tail:.0f} s of tail")
            runs.append(one_run(url, token, delay, args.seconds, args.tail))
        print()
        print(
            f"{'delay':>6} {'writes':>7} {'builds (before)':>16} {'builds (writes)':>16} "
            f"{'builds (tail)':>14} "
            f"{'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'CPU s (writes)':>15} "
            f"{'CPU s (tail)':>13}  load before -> after"
        )
        for run in runs:
            print(
                f"{run.delay:>6} {run.writes:>7} {run.builds_before:>16} "
                f"{run.builds_during:>16} {run.builds_tail:>14} "
                f"{run.per_second:>7.1f} {run.p50:>7.1f} {run.p99:>7.1f} {run.cpu_during:>15.1f} "
                f"{run.cpu_tail:>13.1f}  {run.load_before} -> {run.load_after}"
            )
            if run.write_failures or run.errors:
                print(f"       ({run.write_failures} failed writes, {run.errors} failed reads)")
        if len(runs) >= 2 and runs[-1].per_second and runs[0].per_second:
            first, last = runs[0], runs[-1]
            print(
                f"\nreaders' throughput, delay {last.delay} s / delay {first.delay} s: "
                f"{last.per_second / first.per_second:.2f}x; builds started over the writes "
                f"and tail: {first.builds_during + first.builds_tail} -> "
                f"{last.builds_during + last.builds_tail}"
            )
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
