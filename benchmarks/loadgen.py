"""A small closed-loop HTTP/1.1 load generator: N keep-alive connections, each sending the next
request as soon as the previous answer is read. Used for both servers, so their figures compare.
"""

from __future__ import annotations

import asyncio
import statistics
import time
from dataclasses import dataclass


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    @property
    def median(self) -> float:
        return statistics.median(self.latencies_ms)


async def _read_response(reader: asyncio.StreamReader) -> int:
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {
        k.strip().lower(): v.strip()
        for k, _, v in (line.partition(":") for line in lines[1:] if line)
    }
    if "content-length" in headers:
        await reader.readexactly(int(headers["content-length"]))
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readline()).strip(), 16)
            await reader.readexactly(size + 2)
            if size == 0:
                break
    return status


async def _worker(
    host: str,
    port: int,
    paths: list[str],
    offset: int,
    stop_at: float,
    warm_until: float,
    latencies: list[float],
    counters: list[int],
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    index = offset
    try:
        while True:
            now = time.perf_counter()
            if now >= stop_at:
                return
            path = paths[index % len(paths)]
            index += 1
            writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nAccept: */*\r\n\r\n".encode())
            started = time.perf_counter()
            status = await _read_response(reader)
            finished = time.perf_counter()
            if started >= warm_until:
                latencies.append((finished - started) * 1000)
                counters[0] += 1
                if status != 200:
                    counters[1] += 1
    finally:
        writer.close()


async def _run(
    host: str, port: int, paths: list[str], concurrency: int, seconds: float, warmup: float
) -> LoadResult:
    start = time.perf_counter()
    warm_until = start + warmup
    stop_at = warm_until + seconds
    latencies: list[float] = []
    counters = [0, 0]
    await asyncio.gather(
        *(
            _worker(host, port, paths, i * 7, stop_at, warm_until, latencies, counters)
            for i in range(concurrency)
        )
    )
    return LoadResult(
        requests=counters[0], errors=counters[1], seconds=seconds, latencies_ms=latencies
    )


def run_load(
    host: str,
    port: int,
    paths: list[str],
    *,
    concurrency: int = 16,
    seconds: float = 10.0,
    warmup: float = 2.0,
) -> LoadResult:
    return asyncio.run(_run(host, port, paths, concurrency, seconds, warmup))
