"""Peak memory of the open-data build, streamed against the previous approach (issue 14).

The open-data build (the background job behind /downloads) used to read every table of the
public dataset into lists, build the data package zip and the whole JSON document in memory,
then compress and write them: its memory grew with the data (about 20 times the data's size;
out of memory under 4 GB at 10x history). It now streams: each table is read from the database
in batches and written row by row into the zip's CSV and the gzip-compressed JSON at once.

This script runs each approach in a process of its own (so each peak is its own) on a database
given or found, and prints seconds, bytes written and the peak resident memory (VmHWM), and
the ratio of the previous approach's peak to the streamed one's. It also checks that both give
the same tables (each CSV inside the zip, and the JSON document, byte for byte).

    python benchmarks/open_data_build.py --database sqlite:///PATH [--database ...]
        [--only streamed|previous] [--limit-mb 4096]

Databases: the demo (`make demo`), or those benchmarks/analytics.py keeps (`--keep DIR`: the
1x demo and its 10x history). The child processes are limited to `--limit-mb` of address space,
so that a build that would take the machine's memory fails instead (printed as such).
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

MODES = ("previous", "streamed")

CHILD = r"""
import gzip, hashlib, io, json, resource, sys, tempfile, time, zipfile
from pathlib import Path

url, mode, limit_mb = sys.argv[1], sys.argv[2], int(sys.argv[3])
limit = limit_mb * 1024 * 1024
resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

from un1540.db.engine import make_engine, make_session_factory
from un1540.io.datapackage import _columns, _cell, _json_value, descriptor
from un1540.io.datapackage import write_open_data_files
from un1540.io.downloads import data_as_of, write_open_data
from un1540.services.kernel.access import PUBLIC
from un1540.services.kernel.instance import SYNTHETIC_NOTICE
from un1540.services.open_data.tables import public_dataset


def previous(session, folder):
    # The build as it was before it streamed (io/downloads.py at f0869a2): every table in
    # lists, the zip and the JSON document made in memory, then compressed and written.
    import csv
    as_of = data_as_of(session)
    dataset = public_dataset(session, viewer=PUBLIC)
    tables = [(table, table.rows) for table in dataset.tables]  # the whole dataset
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        package = descriptor(dataset, as_of=as_of)
        def put(name, content):
            info = zipfile.ZipInfo(name, date_time=(2004, 4, 28, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, content)
        put("datapackage.json", json.dumps(package, indent=2).encode("utf-8"))
        for table, rows in tables:
            notice = [SYNTHETIC_NOTICE] if dataset.synthetic else []
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow([name for name, _, _ in _columns(table, dataset.synthetic)])
            writer.writerows(notice + [_cell(value) for value in row] for row in rows)
            put(f"data/{table.name}.csv", text.getvalue().encode("utf-8"))
    zipped = buffer.getvalue()
    body = {
        "synthetic": dataset.synthetic,
        "notice": SYNTHETIC_NOTICE if dataset.synthetic else None,
        "metadata": {k: v for k, v in package.items() if k != "resources"},
        "tables": {
            table.name: [
                {name: _json_value(value) for (name, _, _), value in zip(table.columns, row)}
                for row in rows
            ]
            for table, rows in tables
        },
    }
    bulk = gzip.compress(json.dumps(body, ensure_ascii=False).encode("utf-8"), mtime=0)
    (folder / "datapackage.zip").write_bytes(zipped)
    (folder / "dataset.json.gz").write_bytes(bulk)
    return len(zipped) + len(bulk)


def digests(folder):
    # A digest of each table's CSV inside the zip, and of the JSON document (decompressed).
    found = {}
    with zipfile.ZipFile(folder / "datapackage.zip") as archive:
        for name in sorted(archive.namelist()):
            if name.startswith("data/"):
                with archive.open(name) as member:
                    found[name] = hashlib.file_digest(member, "sha256").hexdigest()
    with gzip.open(folder / "dataset.json.gz") as bulk:
        found["dataset.json"] = hashlib.file_digest(bulk, "sha256").hexdigest()
    return found


sessions = make_session_factory(make_engine(url))
started = time.perf_counter()
with sessions() as session, tempfile.TemporaryDirectory() as name:
    folder = Path(name)
    if mode == "previous":
        size = previous(session, folder)
    else:
        size = write_open_data(session, PUBLIC, folder, lambda _fraction: None)["bytes"]
    seconds = time.perf_counter() - started
    with open("/proc/self/status") as status:  # VmHWM: ru_maxrss keeps the parent's size
        peak = int(next(line for line in status if line.startswith("VmHWM")).split()[1])
    print(json.dumps({"seconds": seconds, "bytes": size, "peak_kb": peak,
                      "digests": digests(folder)}))
"""


def run(url: str, mode: str, limit_mb: int) -> dict[str, object]:
    """One build in a child process: its figures, or why it failed."""
    done = subprocess.run(
        [sys.executable, "-c", CHILD, url, mode, str(limit_mb)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONHASHSEED": "0"},
    )
    if done.returncode != 0:
        last = (done.stderr.strip().splitlines() or ["?"])[-1]
        return {"failed": f"{last} (address space limited to {limit_mb} MB)"}
    figures: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


def database_size(url: str) -> str:
    if url.startswith("sqlite:///"):
        return f"{Path(url.removeprefix('sqlite:///')).stat().st_size / 1e6:.0f} MB database"
    return "PostgreSQL"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", action="append", required=True, help="a database URL")
    parser.add_argument("--only", choices=MODES, help="run one approach only")
    parser.add_argument("--limit-mb", type=int, default=4096)
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(f"open-data build, each approach in a process of its own (load {load:.1f})")
    for url in args.database:
        print(f"\n{url} ({database_size(url)})")
        results = {}
        for mode in [args.only] if args.only else list(MODES):
            figures = run(url, mode, args.limit_mb)
            results[mode] = figures
            if "failed" in figures:
                print(f"  {mode:9}: FAILED: {figures['failed']}")
                continue
            print(
                f"  {mode:9}: {float(str(figures['seconds'])):6.1f} s, "
                f"{int(str(figures['bytes'])) / 1e6:7.1f} MB of files, "
                f"peak RSS {int(str(figures['peak_kb'])) / 1024:6.0f} MB"
            )
        old, new = results.get("previous"), results.get("streamed")
        if old and new and "failed" not in new:
            peak = int(str(new["peak_kb"])) / 1024
            verdict = "met" if peak < 500 else "NOT met"
            print(f"  target: streamed build under 500 MB: {verdict} ({peak:.0f} MB)")
            if "failed" not in old:
                ratio = int(str(old["peak_kb"])) / int(str(new["peak_kb"]))
                same = old["digests"] == new["digests"]
                print(f"  previous / streamed peak RSS: {ratio:.1f}x")
                print(f"  same tables and JSON, byte for byte: {'yes' if same else 'NO'}")
                if not same:
                    before, after = dict(old["digests"]), dict(new["digests"])  # type: ignore[call-overload]
                    differ = sorted(
                        k for k in before.keys() | after.keys() if before.get(k) != after.get(k)
                    )
                    print(f"    differing: {', '.join(differ)}")


if __name__ == "__main__":
    main()
