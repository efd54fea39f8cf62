"""What reading the data versions costs a warm request on PostgreSQL (pgwatch10, issue 14).

A warm anonymous read answered before routing (web/warm_reads.py) must read the versions of the
data after it arrived. Two ways, each driven by `--readers` concurrent tasks on one uvloop
event loop (as in `un1540 serve`), for `--calls` calls, over a throwaway PostgreSQL 15 cluster
(the tests') holding only the `data_version` table:

- before: a worker thread (`anyio.to_thread.run_sync`), a session from the engine's pool, and
  `current_versions` in it (the path warm reads took on PostgreSQL before pgwatch10, and still
  take when the watch cannot read);
- after: `PostgresVersionWatch.current()` on the event loop (kernel/data_version.py): one
  connection of its own, one read for every caller waiting, each read started after its
  callers arrived.

It prints, for each, the process CPU time per call (the figure to trust on a shared machine),
calls per second, and for the watch how many reads answered the calls. The load average is
printed before and after.

    python benchmarks/version_watch.py [--readers 16] [--calls 20000] [--rounds 3]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import time
from collections.abc import Awaitable, Callable
from pathlib import Path

import anyio.to_thread
import uvloop

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Engine
from tests.pg_cluster import TemporaryCluster

from un1540.db.engine import make_engine, make_session_factory
from un1540.models import DataVersion
from un1540.services.kernel.data_version import (
    PostgresVersionWatch,
    current_versions,
    raise_versions,
    state_scope,
)
from un1540.settings import Settings


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


async def drive(
    call: Callable[[], Awaitable[object]], readers: int, calls: int
) -> tuple[float, float]:
    """CPU ms per call and calls per second, `readers` tasks calling until `calls` are made."""
    made = 0

    async def reader() -> None:
        nonlocal made
        while made < calls:
            made += 1
            assert await call() is not None

    await call()  # connections made, statements prepared
    wall, cpu = time.perf_counter(), time.process_time()
    await asyncio.gather(*(reader() for _ in range(readers)))
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return cpu / made * 1000, made / wall


def measure(engine: Engine, readers: int, calls: int) -> dict[str, tuple[float, float, float]]:
    sessions = make_session_factory(engine)

    def in_session() -> object:
        with sessions() as session:
            return current_versions(session)

    watch = PostgresVersionWatch(engine)
    figures: dict[str, tuple[float, float, float]] = {}

    async def main() -> None:
        # As many worker threads as a server has (web/app.py, settings.web_threads).
        anyio.to_thread.current_default_thread_limiter().total_tokens = Settings().web_threads

        async def thread_path() -> object:
            return await anyio.to_thread.run_sync(in_session)

        cpu, rate = await drive(thread_path, readers, calls)
        figures["before: thread + session"] = (cpu, rate, float(calls))
        reads = watch.reads
        cpu, rate = await drive(watch.current, readers, calls)
        figures["after: PostgresVersionWatch"] = (cpu, rate, float(watch.reads - reads - 1))

    try:
        uvloop.run(main())
    finally:
        watch.close()
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--readers", type=int, default=16)
    parser.add_argument("--calls", type=int, default=20000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    cluster = TemporaryCluster()
    cluster.start()
    try:
        engine = make_engine(cluster.create_database("watch"))
        DataVersion.__table__.create(engine)
        with make_session_factory(engine)() as session, session.begin():
            raise_versions(session, ["global", "all", state_scope("FRA")])
        print(f"Load average before: {load_average()}", flush=True)
        print(f"{args.readers} concurrent callers, {args.calls} calls per run, uvloop")
        rounds: dict[str, list[tuple[float, float, float]]] = {}
        for number in range(1, args.rounds + 1):
            for name, figure in measure(engine, args.readers, args.calls).items():
                rounds.setdefault(name, []).append(figure)
                cpu, rate, reads = figure
                print(
                    f"  round {number}  {name:30} {cpu:7.4f} ms CPU/call  {rate:8.0f} calls/s"
                    f"  {reads:6.0f} reads",
                    flush=True,
                )
        print("Median over the rounds:")
        for name, figures in rounds.items():
            cpu = statistics.median(figure[0] for figure in figures)
            rate = statistics.median(figure[1] for figure in figures)
            print(f"  {name:30} {cpu:7.4f} ms CPU/call  {rate:8.0f} calls/s")
        before = statistics.median(f[0] for f in rounds["before: thread + session"])
        after = statistics.median(f[0] for f in rounds["after: PostgresVersionWatch"])
        print(f"CPU per call, after / before: {after / before:.1%}")
        print(f"Load average after: {load_average()}")
        engine.dispose()
    finally:
        cluster.stop()


if __name__ == "__main__":
    main()
