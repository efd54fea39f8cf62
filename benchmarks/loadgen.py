"""A small closed-loop HTTP/1.1 load generator: N keep-alive connections, each sending the next
request as soon as the previous answer is read. Used for both servers, so their figures compare.

Every request carries the same `Accept-Encoding` (given, or none); the answers are not
inflated: the generator counts the bytes of the bodies received and the encodings they came in.
"""

from __future__ import annotations

import asyncio
import collections
import statistics
import time
from dataclasses import dataclass, field


@dataclass
class LoadResult:
    requests: int
    errors: int
    seconds: float
    latencies_ms: list[float]
    body_bytes: int = 0  # of the bodies received, as sent (not inflated)
    encodings: collections.Counter[str] = field(default_factory=collections.Counter)

    @property
    def per_second(self) -> float:
        return self.requests / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    @property
    def median(self) -> float:
        return statistics.median(self.latencies_ms)

    @property
    def mean_body_kb(self) -> float:
        return self.body_bytes / max(1, self.requests) / 1024

    @property
    def encoding(self) -> str:
        """The Content-Encoding of the answers (`identity` for none), most frequent first."""
        return "+".join(name for name, _ in self.encodings.most_common()) or "-"


async def _read_response(reader: asyncio.StreamReader) -> tuple[int, int, str]:
    """The status, the body's length as received, and its Content-Encoding."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    headers = {
        k.strip().lower(): v.strip()
        for k, _, v in (line.partition(":") for line in lines[1:] if line)
    }
    length = 0
    if "content-length" in headers:
        length = int(headers["content-length"])
        await reader.readexactly(length)
    elif headers.get("transfer-encoding") == "chunked":
        while True:
            size = int((await reader.readline()).strip(), 16)
            await reader.readexactly(size + 2)
            length += size
            if size == 0:
                break
    return status, length, headers.get("content-encoding", "identity")


async def _worker(
    host: str,
    port: int,
    paths: list[str],
    offset: int,
    stop_at: float,
    warm_until: float,
    latencies: list[float],
    counters: list[int],
    encodings: collections.Counter[str],
    accept_encoding: str | None,
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
            writer.write(request(host, port, path, accept_encoding))
            started = time.perf_counter()
            status, length, encoding = await _read_response(reader)
            finished = time.perf_counter()
            if started >= warm_until:
                latencies.append((finished - started) * 1000)
                counters[0] += 1
                counters[2] += length
                encodings[encoding] += 1
                if status != 200:
                    counters[1] += 1
    finally:
        writer.close()


def request(host: str, port: int, path: str, accept_encoding: str | None) -> bytes:
    """The request's bytes. Host names the port, as HTTP clients send it: a cached page is kept
    per full address, so the load must ask for the address the benchmarks' first requests
    (urllib's, with the port) warmed."""
    encoding = "" if accept_encoding is None else f"Accept-Encoding: {accept_encoding}\r\n"
    return (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: */*\r\n{encoding}\r\n").encode()


async def _run(
    host: str,
    port: int,
    paths: list[str],
    concurrency: int,
    seconds: float,
    warmup: float,
    accept_encoding: str | None,
) -> LoadResult:
    start = time.perf_counter()
    warm_until = start + warmup
    stop_at = warm_until + seconds
    latencies: list[float] = []
    counters = [0, 0, 0]  # requests, errors, body bytes
    encodings: collections.Counter[str] = collections.Counter()
    await asyncio.gather(
        *(
            _worker(
                host,
                port,
                paths,
                i * 7,
                stop_at,
                warm_until,
                latencies,
                counters,
                encodings,
                accept_encoding,
            )
            for i in range(concurrency)
        )
    )
    return LoadResult(
        requests=counters[0],
        errors=counters[1],
        seconds=seconds,
        latencies_ms=latencies,
        body_bytes=counters[2],
        encodings=encodings,
    )


def run_load(
    host: str,
    port: int,
    paths: list[str],
    *,
    concurrency: int = 16,
    seconds: float = 10.0,
    warmup: float = 2.0,
    accept_encoding: str | None = None,
) -> LoadResult:
    return asyncio.run(_run(host, port, paths, concurrency, seconds, warmup, accept_encoding))
