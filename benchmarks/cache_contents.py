"""What fills the cache of one process after every page (issue 14, item 4: server memory).

Builds the app in this process on a copy of a demo database (the server's warm-up off), visits
every page that `memory.py` visits (the fixed portal pages, every State's page, documents page
and matrix JSON, every field's page) through the ASGI app, then prints the process's resident
memory (VmRSS), the cache's own estimate of what it holds, and that estimate by kind of value
(the first element of the cache key: "page", "matrix_json", "summaries_in_force", ...) and by
the type of the values, and the response bodies it keeps (pages and matrix JSON: kept
gzip-compressed, web/compression.py) inflated, then compressed again at zlib levels 1 and 6 with
the CPU time of each (`time.process_time`); then empties the cache, collects garbage and gives
freed memory back to the system (glibc `malloc_trim`) and prints the RSS again, so that the
cache's real cost shows beside its estimate. Figures, not assertions.

    python benchmarks/cache_contents.py [--database PATH.sqlite3] [--keep DIR]

Without `--database` it builds the demo (as analytics.py does) in `--keep` or a temporary folder.
"""

from __future__ import annotations

import argparse
import collections
import ctypes
import gc
import os
import re
import shutil
import sys
import tempfile
from collections.abc import Hashable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

MB = 2**20


def resident_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def kind_of(key: Hashable) -> str:
    """The first string of a cache key (its name), however deep the tuples nest."""
    while isinstance(key, tuple) and key:
        if isinstance(key[0], str):
            return key[0]
        key = key[0]
    return type(key).__name__


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", type=Path, help="a demo SQLite file (copied, not changed)")
    parser.add_argument("--keep", type=Path, help="build the demo here once and reuse it")
    args = parser.parse_args()
    directory = Path(tempfile.mkdtemp(prefix="un1540-cache-"))
    try:
        source = args.database
        if source is None:
            from analytics import build_database

            folder = args.keep or directory
            folder.mkdir(parents=True, exist_ok=True)
            source = folder / "demo-1x.sqlite3"
            build_database(source)
        copy = directory / "probe.sqlite3"
        shutil.copy(source, copy)
        os.environ["UN1540_DATABASE_URL"] = f"sqlite:///{copy}"
        os.environ["UN1540_WARM_UP"] = "false"
        probe()
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def probe() -> None:
    from starlette.testclient import TestClient

    from memory import FIXED_PAGES
    from un1540.services.kernel.cache import CACHE
    from un1540.web.app import create_app

    with TestClient(create_app()) as client:
        print(f"after start: RSS {resident_mb():.0f} MB", flush=True)
        listing = client.get("/api/v1/states?page_size=500").json()
        states = [item["iso3"] for item in listing["items"]]
        fields = sorted(set(re.findall(r'href="/fields/([^"/?#]+)"', client.get("/fields").text)))
        paths = list(FIXED_PAGES)
        for iso3 in states:
            paths += [f"/states/{iso3}", f"/states/{iso3}/documents"]
            paths += [f"/api/v1/states/{iso3}/matrix"]
        paths += [f"/fields/{code}" for code in fields]
        failed = [path for path in paths if client.get(path).status_code != 200]
        entries = CACHE.contents()
        print(
            f"after every page ({len(paths)} paths, {len(failed)} not 200): RSS "
            f"{resident_mb():.0f} MB; the cache's estimate {CACHE.bytes / MB:.1f} MB in "
            f"{len(entries)} entries (budget {CACHE.budget / MB:.0f} MB)",
            flush=True,
        )
        by_kind: collections.Counter[str] = collections.Counter()
        count: collections.Counter[str] = collections.Counter()
        by_type: collections.Counter[str] = collections.Counter()
        for key, value, size in entries:
            by_kind[kind_of(key)] += size
            count[kind_of(key)] += 1
            first = value[0] if isinstance(value, tuple) and value else None
            name = type(value).__name__ + (f"({type(first).__name__})" if first else "")
            by_type[name] += size
        print("  by kind of key (estimate):")
        for kind, size in by_kind.most_common(15):
            print(f"    {kind:32s} {count[kind]:5d} entries {size / MB:7.1f} MB")
        print("  by type of value (estimate):")
        for name, size in by_type.most_common(8):
            print(f"    {name:32s} {size / MB:7.1f} MB")
        compression_levels(entries)
        del entries  # holds every value: let the cache's clearing free them
        CACHE.clear()
        gc.collect()
        ctypes.CDLL("libc.so.6").malloc_trim(0)
        print(f"after emptying the cache and malloc_trim: RSS {resident_mb():.0f} MB")


def compression_levels(entries: list[tuple[Hashable, object, int]]) -> None:
    """The cached response bodies: their size inflated and as kept, and what compressing them
    at zlib level 1 or 6 gives and costs (CPU time), and inflating them."""
    import time
    import zlib

    from un1540.web.compression import Body, gunzip
    from un1540.web.portal.page_cache import CachedPage

    bodies: list[tuple[str, bytes, bool]] = []
    for key, value, _size in entries:
        if isinstance(value, CachedPage):
            bodies.append((kind_of(key), value.body, value.gzipped))
        elif isinstance(value, tuple) and value and isinstance(value[0], Body):
            bodies.append((kind_of(key), value[0].data, value[0].gzipped))
    if not bodies:
        return
    print("  response bodies (pages, matrix JSON):")
    for kind in sorted({kind for kind, _, _ in bodies}):
        kept = [(data, gzipped) for name, data, gzipped in bodies if name == kind]
        started = time.process_time()
        plain = [gunzip(data) if gzipped else data for data, gzipped in kept]
        inflate_ms = (time.process_time() - started) * 1000 / len(kept)
        line = (
            f"    {kind:12s} {len(kept):4d} bodies: {sum(map(len, plain)) / MB:6.1f} MB inflated, "
            f"{sum(len(data) for data, _ in kept) / MB:5.1f} MB kept "
            f"({sum(gzipped for _, gzipped in kept)} compressed); inflating "
            f"{inflate_ms:.2f} ms each"
        )
        for level in (1, 6):
            started = time.process_time()
            packed = [zlib.compress(data, level, wbits=31) for data in plain]
            ms = (time.process_time() - started) * 1000 / len(plain)
            line += (
                f"; level {level}: {sum(map(len, packed)) / MB:4.1f} MB, "
                f"{sum(map(len, plain)) / sum(map(len, packed)):4.1f}x, {ms:.2f} ms each"
            )
        print(line, flush=True)


if __name__ == "__main__":
    main()
