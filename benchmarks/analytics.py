"""Benchmark of the review statistics (issue: gaps, review statistics, transparency portal).

Over the demo database (all States x all editions) it computes the full statistics of a
comprehensive review (`review_statistics`: coverage at the start and the end of the period by
regional group, region, section, weapon category, column and field, the distribution of cells
marked X per State, the age of the information) and prints the time. In the same run it exports
the public dataset as CSV (the open-data package's `cells`, `editions`, `states` and `fields`
tables) and computes the same tallies with one hand-written DuckDB query over those files,
checks that both give equal numbers, and prints both times and the ratio.

Targets: <= 1 s, and <= 2x DuckDB.

    python benchmarks/analytics.py [--database sqlite:///PATH] [--runs 5]

Without --database it builds a fresh demo database in a temporary directory first (~20 s).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import duckdb

from un1540.db.engine import make_engine, make_session_factory
from un1540.io.datapackage import table_csv
from un1540.services.coverage.reads import coverage
from un1540.services.coverage.reads.review_statistics import review_statistics
from un1540.services.kernel.access import PUBLIC
from un1540.services.kernel.paging import ALL
from un1540.services.matrix import counting
from un1540.services.open_data.tables import public_dataset

START, END = date(2011, 4, 25), date(2016, 4, 24)
DIMENSIONS = ("group", "region", "section", "weapon", "column", "field")

# One query: the edition of each State in force on each date, its cells, every dimension's key
# (an OP1 cell counts for every weapon category its field applies to), and the tallies.
DUCKDB_QUERY = """
WITH dates(on_date) AS (VALUES (DATE '{start}'), (DATE '{end}')),
in_force AS (
    SELECT d.on_date, e.iso3, max(e.edition) AS edition
    FROM dates d JOIN read_csv('{dir}/editions.csv', header = true) e ON e.approved_on <= d.on_date
    GROUP BY d.on_date, e.iso3
),
cells AS (
    SELECT f.on_date, c.iso3, c.cell, c.field, c.weapon, c."column", coalesce(c.mark, '') AS mark,
           s.regional_group, s.m49_region, fl.section, fl.applies_to
    FROM in_force f
    JOIN read_csv('{dir}/cells.csv', header = true, all_varchar = true) c
      ON c.iso3 = f.iso3 AND CAST(c.edition AS INTEGER) = f.edition
    JOIN read_csv('{dir}/states.csv', header = true) s ON s.iso3 = c.iso3
    JOIN read_csv('{dir}/fields.csv', header = true) fl ON fl.field = c.field
),
keyed AS (
    SELECT on_date, iso3, mark, 'group' AS dimension, regional_group AS key FROM cells
    UNION ALL SELECT on_date, iso3, mark, 'region', m49_region FROM cells
    UNION ALL SELECT on_date, iso3, mark, 'section', section FROM cells
    UNION ALL SELECT on_date, iso3, mark, 'column', "column" FROM cells
    UNION ALL SELECT on_date, iso3, mark, 'field', field FROM cells
    UNION ALL SELECT on_date, iso3, mark, 'weapon',
        unnest(CASE WHEN weapon = 'any' THEN string_split(applies_to, ' ') ELSE [weapon] END)
    FROM cells
)
SELECT on_date, dimension, key, count(DISTINCT iso3) AS states,
       count(*) FILTER (WHERE mark = 'X') AS measures,
       count(*) FILTER (WHERE mark = '?') AS uncertain,
       count(*) FILTER (WHERE mark = 'NA') AS not_applicable,
       count(*) FILTER (WHERE mark = '') AS blank
FROM keyed
GROUP BY ALL
ORDER BY ALL
"""

Tallies = dict[tuple[str, str, str], tuple[int, int, int, int, int]]


def ensure_database(url: str | None, directory: Path) -> str:
    if url:
        return url
    url = f"sqlite:///{directory / 'demo.sqlite3'}"
    print("Building the demo database (all 193 States) ...", flush=True)
    subprocess.run(
        [str(Path(sys.executable).parent / "un1540"), "init", "--demo"],
        env={"UN1540_DATABASE_URL": url, "PATH": "/usr/bin:/bin"},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    return url


def forget_caches() -> None:
    """Every run starts cold: the per-process caches of the counting services are emptied."""
    for module in (counting, coverage):
        cache = getattr(module, "_CACHE", None)
        if cache is not None:
            cache._items.clear()


def un1540_tallies(url: str) -> tuple[float, Tallies]:
    engine = make_engine(url)
    sessions = make_session_factory(engine)
    forget_caches()
    with sessions() as session:
        started = time.perf_counter()
        review = review_statistics(session, viewer=PUBLIC, start=START, end=END)
        # The field table is part of the statistics too (most and fewest measures).
        by_dimension = {
            by: coverage.coverage_trends(
                session, viewer=PUBLIC, start=START, end=END, by=by, paging=ALL
            )
            for by in DIMENSIONS
        }
        elapsed = time.perf_counter() - started
    engine.dispose()
    assert review.end.states > 0
    tallies: Tallies = {}
    for by, trends in by_dimension.items():
        for row in trends.items:
            for point in (row.start, row.end):
                if point is None or point.on not in (START, END):
                    continue
                t = point.tally
                key = (point.on.isoformat(), by, row.key)
                tallies[key] = (point.states, t.measures, t.uncertain, t.not_applicable, t.blank)
    return elapsed, tallies


def export_csv(url: str, directory: Path) -> None:
    engine = make_engine(url)
    with make_session_factory(engine)() as session:
        dataset = public_dataset(session, viewer=PUBLIC)
    engine.dispose()
    for name in ("cells", "editions", "states", "fields"):
        (directory / f"{name}.csv").write_bytes(table_csv(dataset.table(name)))


def duckdb_tallies(directory: Path) -> tuple[float, Tallies]:
    query = DUCKDB_QUERY.format(start=START, end=END, dir=directory)
    started = time.perf_counter()
    rows = duckdb.connect().execute(query).fetchall()
    elapsed = time.perf_counter() - started
    tallies: Tallies = {
        (on.isoformat(), dimension, key): (states, measures, uncertain, na, blank)
        for on, dimension, key, states, measures, uncertain, na, blank in rows
    }
    return elapsed, tallies


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", help="an existing demo database URL")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each (median shown)")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="un1540-bench-") as folder:
        directory = Path(folder)
        url = ensure_database(options.database, directory)
        export_csv(url, directory)
        size = sum((directory / f"{n}.csv").stat().st_size for n in ("cells", "editions"))
        print(f"Exported the public dataset as CSV ({size / 1e6:.1f} MB) to {directory}")
        ours = [un1540_tallies(url) for _ in range(options.runs)]
        theirs = [duckdb_tallies(directory) for _ in range(options.runs)]
        if ours[0][1] != theirs[0][1]:
            differing = sorted(set(ours[0][1].items()) ^ set(theirs[0][1].items()))[:10]
            raise SystemExit(f"the results differ, e.g. {differing}")
        ours_time = statistics.median(elapsed for elapsed, _ in ours)
        theirs_time = statistics.median(elapsed for elapsed, _ in theirs)
        print(
            f"Review statistics {START} to {END}: {len(ours[0][1])} tallies "
            f"(2 dates x {len(DIMENSIONS)} dimensions), equal in both."
        )
        print(
            f"un1540 review_statistics (cold caches): {ours_time:.3f} s (median of {options.runs})"
        )
        print(f"DuckDB, one query over the CSV:          {theirs_time:.3f} s")
        ratio = ours_time / theirs_time
        verdict = "met" if ours_time <= 1 and ratio <= 2 else "NOT met"
        print(f"Ratio un1540 / DuckDB: {ratio:.2f}x. Targets (<= 1 s, <= 2x DuckDB): {verdict}.")


if __name__ == "__main__":
    main()
