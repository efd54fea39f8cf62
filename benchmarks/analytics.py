"""Benchmark of the review statistics and of coverage on a date, at 1x and 10x history, beside
DuckDB with the same data already in its tables.

For each history length (the demo, and the demo with 10 times as many editions per State over
the same years, see `build_longer_history`), it:

- copies the approved editions' cells, the editions, the States and the fields from the
  un1540 database into DuckDB tables (typed, once, not timed), so DuckDB never re-parses a file;
- checks once that both give equal tallies (2 dates x 6 breakdowns: group, region, section,
  weapon, column, field; States, X, ?, NA and blank in each, from `coverage_trends`) and equal
  coverage by section on one date, and that the review's rows are those of `coverage_trends`;
- then alternates, round after round: un1540 `review_statistics` alone (with cold caches: the
  per-process cache and the parsed summaries emptied first, so the database is read), un1540
  coverage by section on a date (cold), the DuckDB query of the same review tallies, the DuckDB
  query of the same coverage on a date; and un1540's full-history reference path (every
  approved edition's marks, what the reads used before the summaries) in the first
  --reference-rounds rounds for comparison (0: left out).

It prints, for each, the median and the range (wall time) and the median CPU time, the ratio
to DuckDB, and the growth exponent from 1x to 10x (log(time ratio) / log(editions ratio)).
Targets (printed, not asserted): review statistics <= 1.5x DuckDB-with-tables at 1x and 10x,
growth exponent <= 0.3.

    python benchmarks/analytics.py [--database-1x sqlite:///A] [--database-10x sqlite:///B]
                                   [--rounds 7] [--keep DIR]

Without the database options it builds the demo database in a temporary directory (or in
--keep, where it is reused by the next run; a few minutes), then the 10x history from it
(`build_longer_history`, about a minute).
"""

from __future__ import annotations

import argparse
import csv
import math
import os
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import Engine, select

from un1540.db.engine import make_engine, make_session_factory
from un1540.io.demo import load_demo
from un1540.models import (
    CellDefinition,
    CellEntry,
    EditionStatus,
    FieldDefinition,
    MatrixEdition,
    Section,
    State,
)
from un1540.schemas.review_statistics import ReviewStatistics
from un1540.services.coverage.reads import coverage
from un1540.services.coverage.reads.review_statistics import review_statistics
from un1540.services.kernel.access import PUBLIC
from un1540.services.kernel.cache import CACHE
from un1540.services.kernel.paging import SUMMARY
from un1540.services.matrix.counting import reference_breakdown
from un1540.services.matrix.summaries import forget_parsed

START, END = date(2011, 4, 25), date(2016, 4, 24)
DIMENSIONS = ("group", "region", "section", "weapon", "column", "field")

TABLES = """
CREATE TABLE editions AS
    SELECT iso3, CAST(edition AS INTEGER) AS edition, CAST(approved_on AS DATE) AS approved_on
    FROM read_csv('{dir}/editions.csv', header = true, all_varchar = true);
CREATE TABLE cells AS
    SELECT iso3, CAST(edition AS INTEGER) AS edition, field, weapon, "column",
           coalesce(mark, '') AS mark
    FROM read_csv('{dir}/cells.csv', header = true, all_varchar = true);
CREATE TABLE states AS SELECT * FROM read_csv('{dir}/states.csv', header = true);
CREATE TABLE fields AS SELECT * FROM read_csv('{dir}/fields.csv', header = true);
"""

# One query: the edition of each State in force on each date, its cells, every dimension's key
# (an OP1 cell counts for every weapon category its field applies to), and the tallies.
REVIEW_QUERY = """
WITH dates(on_date) AS (VALUES (DATE '{start}'), (DATE '{end}')),
in_force AS (
    SELECT d.on_date, e.iso3, max(e.edition) AS edition
    FROM dates d JOIN editions e ON e.approved_on <= d.on_date
    GROUP BY d.on_date, e.iso3
),
counted AS (
    SELECT f.on_date, c.iso3, c.field, c.weapon, c."column", c.mark,
           s.regional_group, s.m49_region, fl.section, fl.applies_to
    FROM in_force f
    JOIN cells c ON c.iso3 = f.iso3 AND c.edition = f.edition
    JOIN states s ON s.iso3 = c.iso3
    JOIN fields fl ON fl.field = c.field
),
keyed AS (
    SELECT on_date, iso3, mark, 'group' AS dimension, regional_group AS key FROM counted
    UNION ALL SELECT on_date, iso3, mark, 'region', m49_region FROM counted
    UNION ALL SELECT on_date, iso3, mark, 'section', section FROM counted
    UNION ALL SELECT on_date, iso3, mark, 'column', "column" FROM counted
    UNION ALL SELECT on_date, iso3, mark, 'field', field FROM counted
    UNION ALL SELECT on_date, iso3, mark, 'weapon',
        unnest(CASE WHEN weapon = 'any' THEN string_split(applies_to, ' ') ELSE [weapon] END)
    FROM counted
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

# Coverage by section on one date.
ON_DATE_QUERY = """
WITH in_force AS (
    SELECT iso3, max(edition) AS edition FROM editions
    WHERE approved_on <= DATE '{end}' GROUP BY iso3
)
SELECT fl.section, count(DISTINCT c.iso3),
       count(*) FILTER (WHERE c.mark = 'X'), count(*) FILTER (WHERE c.mark = '?'),
       count(*) FILTER (WHERE c.mark = 'NA'), count(*) FILTER (WHERE c.mark = '')
FROM in_force f
JOIN cells c ON c.iso3 = f.iso3 AND c.edition = f.edition
JOIN fields fl ON fl.field = c.field
GROUP BY ALL ORDER BY ALL
"""

Tallies = dict[tuple[str, str, str], tuple[int, int, int, int, int]]


def copied_columns(db: sqlite3.Connection, table: str, *left_out: str) -> str:
    """Every column of the table but its id and those left out, so that a column added by a
    later migration is copied too (a fixed list broke when matrix_edition gained NOT NULL
    columns)."""
    names = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
    return ", ".join(name for name in names if name not in {"id", *left_out})


def build_longer_history(source: Path, path: Path, factor: int) -> str:
    """A copy of a demo database whose history is `factor` times as long: each approved
    edition followed by factor - 1 more with the same cells, evidence and summary, approved on
    dates spread evenly until the State's next edition (or the end of 2025), numbered in
    order. The edition in force on any date then holds the same marks as at 1x, over a history
    `factor` times as long. (Generating ten times as many editions with the demo generator
    took about 40 minutes of one core on this machine; this takes a minute or a few.)"""
    url = f"sqlite:///{path}"
    if path.exists():
        return url
    print(f"Building a {factor}x history from {source} in {path} ...", flush=True)
    started = time.perf_counter()
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    with sqlite3.connect(source) as origin, sqlite3.connect(partial) as target:
        origin.backup(target)
    with sqlite3.connect(partial) as db:
        editions = db.execute(
            "SELECT id, state_id, number, approved_on FROM matrix_edition "
            "WHERE status = 'approved' ORDER BY state_id, number"
        ).fetchall()
        db.execute("UPDATE matrix_edition SET number = number + 1000000")
        edition_columns = copied_columns(db, "matrix_edition", "number", "approved_on")
        cell_columns = copied_columns(db, "cell_entry", "edition_id")
        by_state: dict[int, list[tuple[int, date]]] = {}
        for edition_id, state_id, _, approved_on in editions:
            by_state.setdefault(state_id, []).append((edition_id, date.fromisoformat(approved_on)))
        for rows in by_state.values():
            number = 0
            for position, (edition_id, approved_on) in enumerate(rows):
                following = (
                    rows[position + 1][1] if position + 1 < len(rows) else date(2025, 12, 31)
                )
                gap = max((following - approved_on).days, 0)
                for copy in range(factor):
                    number += 1
                    on = date.fromordinal(approved_on.toordinal() + gap * copy // factor)
                    if copy == 0:
                        db.execute(
                            "UPDATE matrix_edition SET number = ? WHERE id = ?",
                            (number, edition_id),
                        )
                        continue
                    new_id = db.execute(
                        f"INSERT INTO matrix_edition (number, approved_on, {edition_columns}) "
                        f"SELECT ?, ?, {edition_columns} FROM matrix_edition WHERE id = ?",
                        (number, on.isoformat(), edition_id),
                    ).lastrowid
                    db.execute(
                        f"INSERT INTO cell_entry (edition_id, {cell_columns}) "
                        f"SELECT ?, {cell_columns} FROM cell_entry WHERE edition_id = ?",
                        (new_id, edition_id),
                    )
                    db.execute(
                        "INSERT INTO evidence (cell_entry_id, document_id, page, article, "
                        "paragraph, quotation, visibility) SELECT n.id, e.document_id, e.page, "
                        "e.article, e.paragraph, e.quotation, e.visibility FROM evidence e "
                        "JOIN cell_entry o ON o.id = e.cell_entry_id "
                        "JOIN cell_entry n ON n.edition_id = ? AND n.cell_id = o.cell_id "
                        "WHERE o.edition_id = ?",
                        (new_id, edition_id),
                    )
                    db.execute(
                        "INSERT INTO edition_summary (edition_id, tallies) "
                        "SELECT ?, tallies FROM edition_summary WHERE edition_id = ?",
                        (new_id, edition_id),
                    )
        db.execute(
            "INSERT INTO data_version (scope, version) VALUES ('matrix', 1) "
            "ON CONFLICT (scope) DO UPDATE SET version = version + 1"
        )
    partial.rename(path)
    print(f"  done in {time.perf_counter() - started:.0f} s", flush=True)
    return url


def build_database(path: Path) -> str:
    url = f"sqlite:///{path}"
    if path.exists():
        return url
    print(f"Building the demo database in {path} ...", flush=True)
    started = time.perf_counter()
    partial = path.with_suffix(".partial")
    partial.unlink(missing_ok=True)
    partial_url = f"sqlite:///{partial}"
    subprocess.run(
        [str(Path(sys.executable).parent / "un1540"), "init"],
        env={"UN1540_DATABASE_URL": partial_url, "PATH": "/usr/bin:/bin"},
        check=True,
        stdout=subprocess.DEVNULL,
    )
    engine = make_engine(partial_url)
    with make_session_factory(engine)() as session:
        written = load_demo(session)
    engine.dispose()
    partial.rename(path)
    print(f"  {written} editions in {time.perf_counter() - started:.0f} s", flush=True)
    return url


def export_tables(engine: Engine, directory: Path) -> int:
    """The approved editions and their cells (and the States and fields) as CSV, streamed from
    the database; returns the number of approved editions."""
    approved = MatrixEdition.status == EditionStatus.approved
    with make_session_factory(engine)() as session:
        editions = session.execute(
            select(State.iso3, MatrixEdition.number, MatrixEdition.approved_on)
            .join(State, State.id == MatrixEdition.state_id)
            .where(approved)
        ).all()
        _write(directory / "editions.csv", ("iso3", "edition", "approved_on"), editions)
        _write(
            directory / "states.csv",
            ("iso3", "regional_group", "m49_region"),
            session.execute(
                select(State.iso3, State.electoral_group_code, State.m49_region_code)
            ).all(),
        )
        _write(
            directory / "fields.csv",
            ("field", "section", "applies_to"),
            [
                (code, section, " ".join(applies))
                for code, section, applies in session.execute(
                    select(FieldDefinition.code, Section.code, FieldDefinition.applies_to).join(
                        Section, Section.id == FieldDefinition.section_id
                    )
                )
            ],
        )
        cells = session.execute(
            select(
                State.iso3,
                MatrixEdition.number,
                FieldDefinition.code,
                CellDefinition.weapon,
                CellDefinition.column,
                CellEntry.mark,
            )
            .join(MatrixEdition, MatrixEdition.id == CellEntry.edition_id)
            .join(State, State.id == MatrixEdition.state_id)
            .join(CellDefinition, CellDefinition.id == CellEntry.cell_id)
            .join(FieldDefinition, FieldDefinition.id == CellDefinition.field_id)
            .where(approved)
            .execution_options(yield_per=50_000)
        )
        _write(
            directory / "cells.csv",
            ("iso3", "edition", "field", "weapon", "column", "mark"),
            ((iso3, n, f, w, c, mark.value) for iso3, n, f, w, c, mark in cells),
        )
    return len(editions)


def _write(path: Path, header: tuple[str, ...], rows: Any) -> None:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


def cold() -> None:
    """Empty the per-process cache and the parsed summaries, so the database is read."""
    CACHE.clear()
    forget_parsed()


def un1540_review(engine: Engine) -> ReviewStatistics:
    """The review statistics, cold: what is timed."""
    cold()
    with make_session_factory(engine)() as session:
        review = review_statistics(session, viewer=PUBLIC, start=START, end=END)
    assert review.end.states > 0
    return review


def un1540_tallies(engine: Engine) -> Tallies:
    """The 2 dates x 6 tallies from `coverage_trends` (cold, not timed), checked against
    DuckDB; and the review's tables checked against them (the same States and coverage at both
    ends of every row, the same rows in the same order)."""
    review = un1540_review(engine)
    cold()
    tallies: Tallies = {}
    with make_session_factory(engine)() as session:
        for by in DIMENSIONS:
            trends = coverage.coverage_trends(
                session, viewer=PUBLIC, start=START, end=END, by=by, paging=SUMMARY
            )
            expected = [
                (
                    row.key,
                    row.start.states if row.start else 0,
                    row.end.states if row.end else 0,
                    row.start.tally.coverage if row.start else None,
                    row.end.tally.coverage if row.end else None,
                )
                for row in trends.items
            ]
            if by == "field":  # the review lists the most and the least covered fields
                shown = [*review.most_covered_fields, *review.least_covered_fields]
                known = {item[0]: item for item in expected}
                expected = [known[row.key] for row in shown if row.key in known]
            else:
                shown = next(table.rows for table in review.tables if table.by == by)
            got = [
                (row.key, row.states_start, row.states_end, row.coverage_start, row.coverage_end)
                for row in shown
            ]
            if got != expected:
                raise SystemExit(f"the review's {by} rows differ from coverage_trends")
            for row in trends.items:
                for point in (row.start, row.end):
                    if point is None or point.on not in (START, END):
                        continue
                    t = point.tally
                    key = (point.on.isoformat(), by, row.key)
                    tallies[key] = (
                        point.states,
                        t.measures,
                        t.uncertain,
                        t.not_applicable,
                        t.blank,
                    )
    return tallies


def un1540_on_date(engine: Engine) -> list[tuple[Any, ...]]:
    cold()
    with make_session_factory(engine)() as session:
        result = coverage.coverage_summary(
            session, viewer=PUBLIC, by="section", as_of=END, paging=SUMMARY
        )
    return [
        (
            row.key,
            row.states,
            row.tally.measures,
            row.tally.uncertain,
            row.tally.not_applicable,
            row.tally.blank,
        )
        for row in result.items
    ]


def un1540_reference(engine: Engine) -> None:
    """The full-history path over the same 2 dates x 6 tallies (every approved edition's marks,
    loaded from the database once, then tallied)."""
    cold()
    with make_session_factory(engine)() as session:
        for on in (START, END):
            for by in DIMENSIONS:
                reference_breakdown(session, PUBLIC, by, on)


def duckdb_review(connection: duckdb.DuckDBPyConnection) -> Tallies:
    rows = connection.execute(REVIEW_QUERY.format(start=START, end=END)).fetchall()
    return {
        (on.isoformat(), dimension, key): (states, measures, uncertain, na, blank)
        for on, dimension, key, states, measures, uncertain, na, blank in rows
    }


def duckdb_on_date(connection: duckdb.DuckDBPyConnection) -> list[tuple[Any, ...]]:
    return [tuple(row) for row in connection.execute(ON_DATE_QUERY.format(end=END)).fetchall()]


class Timer:
    def __init__(self) -> None:
        self.wall: list[float] = []
        self.cpu: list[float] = []

    def run(self, function: Callable[[], object]) -> None:
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        self.wall.append(time.perf_counter() - wall)
        self.cpu.append(time.process_time() - cpu)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)

    def line(self, label: str) -> str:
        return (
            f"  {label:<46} {self.median * 1000:8.1f} ms  "
            f"(range {min(self.wall) * 1000:.1f}-{max(self.wall) * 1000:.1f}, "
            f"CPU {statistics.median(self.cpu) * 1000:.1f} ms)"
        )


def measure(
    url: str, directory: Path, rounds: int, reference_rounds: int = 1
) -> tuple[int, dict[str, Timer]]:
    engine = make_engine(url)
    editions = export_tables(engine, directory)
    connection = duckdb.connect()
    connection.execute(TABLES.format(dir=directory))
    cells = connection.execute("SELECT count(*) FROM cells").fetchone()
    print(f"  {editions} approved editions, {cells[0] if cells else 0} cells in DuckDB tables")
    ours, theirs = un1540_tallies(engine), duckdb_review(connection)
    if ours != theirs:
        differing = sorted(set(ours.items()) ^ set(theirs.items()))[:10]
        raise SystemExit(f"the review tallies differ, e.g. {differing}")
    if un1540_on_date(engine) != duckdb_on_date(connection):
        raise SystemExit("coverage by section on the date differs")
    print(
        f"  {len(ours)} review tallies and the coverage on {END} equal in both "
        "(and the review's rows equal to coverage_trends')."
    )
    timers = {name: Timer() for name in ("review", "on_date", "duck_review", "duck_on_date", "ref")}
    for round_number in range(rounds):  # alternating: the load falls on every contender alike
        timers["review"].run(lambda: un1540_review(engine))
        timers["duck_review"].run(lambda: duckdb_review(connection))
        timers["on_date"].run(lambda: un1540_on_date(engine))
        timers["duck_on_date"].run(lambda: duckdb_on_date(connection))
        if round_number < reference_rounds:  # slow (every cell of the history): fewer rounds
            timers["ref"].run(lambda: un1540_reference(engine))
    connection.close()
    engine.dispose()
    return editions, timers


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-1x", help="an existing demo database URL (1x history)")
    parser.add_argument("--database-10x", help="an existing demo database URL (10x history)")
    parser.add_argument("--rounds", type=int, default=7, help="alternating rounds (median shown)")
    parser.add_argument("--keep", help="a folder where built databases are kept and reused")
    parser.add_argument(
        "--reference-rounds", type=int, default=1, help="rounds of the full-history path"
    )
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="un1540-bench-") as folder:
        built = Path(options.keep or folder)
        built.mkdir(parents=True, exist_ok=True)
        small = options.database_1x or build_database(built / "demo-1x.sqlite3")
        urls = {
            1: small,
            10: options.database_10x
            or build_longer_history(
                Path(small.removeprefix("sqlite:///")), built / "demo-10x.sqlite3", 10
            ),
        }
        results: dict[int, tuple[int, dict[str, Timer]]] = {}
        for history, url in urls.items():
            print(f"\n{history}x history ({url}):", flush=True)
            directory = Path(folder) / f"csv-{history}x"
            directory.mkdir()
            results[history] = measure(url, directory, options.rounds, options.reference_rounds)
            _editions, timers = results[history]
            print(timers["review"].line("un1540 review_statistics, cold"))
            print(timers["duck_review"].line("DuckDB, same tallies, data in tables"))
            print(timers["on_date"].line(f"un1540 coverage by section on {END}, cold"))
            print(timers["duck_on_date"].line("DuckDB, same coverage on the date"))
            if timers["ref"].wall:
                print(timers["ref"].line("un1540 full-history path (2 x 6 tallies), cold"))
            review = timers["review"].median / timers["duck_review"].median
            on_date = timers["on_date"].median / timers["duck_on_date"].median
            verdict = "met" if review <= 1.5 else "NOT met"
            print(
                f"  review statistics / DuckDB: {review:.2f}x (target <= 1.5x: {verdict}); "
                f"coverage on a date / DuckDB: {on_date:.2f}x"
            )
        (small, small_timers), (large, large_timers) = results[1], results[10]
        scale = math.log(large / small)
        print(
            f"\nGrowth from {small} to {large} approved editions "
            "(exponent = log t10/t1 / log n10/n1):"
        )
        for name, label in (
            ("review", "un1540 review_statistics"),
            ("on_date", "un1540 coverage on a date"),
            ("duck_review", "DuckDB review tallies"),
            ("ref", "un1540 full-history reference"),
        ):
            if not large_timers[name].wall or not small_timers[name].wall:
                continue
            exponent = math.log(large_timers[name].median / small_timers[name].median) / scale
            target = " (target <= 0.3: " + ("met)" if exponent <= 0.3 else "NOT met)")
            print(f"  {label:<34} {exponent:5.2f}{target if name == 'review' else ''}")
        print(f"Load average at the end: {os.getloadavg()}")


if __name__ == "__main__":
    main()
