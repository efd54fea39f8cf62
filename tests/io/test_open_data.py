"""The open-data downloads: a valid Frictionless Data Package, reproducible, public only."""

from __future__ import annotations

import gzip
import io
import json
import tracemalloc
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from _pytest.monkeypatch import MonkeyPatch
from fastapi.testclient import TestClient
from frictionless import validate
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from tests.api.helpers import assert_error, assert_synthetic_json
from tests.conftest import DEMO_STATES, settings_for
from un1540.io.datapackage import package_zip
from un1540.io.downloads import open_data_package, write_open_data
from un1540.models import FundingEntry, Origin, Visibility
from un1540.services.coverage.reads.coverage import coverage_summary
from un1540.services.kernel.access import PUBLIC
from un1540.services.kernel.instance import SYNTHETIC_NOTICE
from un1540.services.kernel.paging import SUMMARY
from un1540.services.open_data.tables import public_dataset

DAY = date(2026, 1, 1)


def test_the_downloads_are_listed_with_sizes(client: TestClient) -> None:
    body = assert_synthetic_json(client.get("/api/v1/downloads"))
    names = [item["name"] for item in body["items"]]
    assert names[:2] == ["datapackage.zip", "dataset.json.gz"]
    assert {"states.csv", "cells.csv", "evidence.csv", "coverage_by_state.csv"} <= set(names)
    assert all(item["bytes"] > 0 for item in body["items"])
    assert body["licence"] == "CC-BY-4.0"


def test_the_data_package_passes_frictionless_validation(
    client: TestClient, tmp_path: Path
) -> None:
    response = client.get("/api/v1/downloads/datapackage.zip")
    assert response.status_code == 200
    assert response.headers["X-Synthetic-Data"] == "true"
    assert "synthetic-demo-datapackage.zip" in response.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        archive.extractall(tmp_path)
    package = json.loads((tmp_path / "datapackage.json").read_text(encoding="utf-8"))
    assert package["licenses"][0]["name"] == "CC-BY-4.0"
    assert package["synthetic"] is True
    assert SYNTHETIC_NOTICE in package["description"]
    assert "not a measure of compliance" in package["caveats"]
    assert "citation" in package
    report = validate(tmp_path / "datapackage.json")
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])[:10]


def test_each_csv_and_the_bulk_json_hold_the_same_rows(client: TestClient) -> None:
    states = client.get("/api/v1/downloads/states.csv").text.splitlines()
    assert len(states) == 194  # header + 193 States
    bulk = json.loads(gzip.decompress(client.get("/api/v1/downloads/dataset.json.gz").content))
    assert bulk["synthetic"] is True
    assert len(bulk["tables"]["states"]) == 193
    coverage = {row["iso3"]: row for row in bulk["tables"]["coverage_by_state"]}
    assert set(coverage) == set(DEMO_STATES)
    cells = client.get("/api/v1/downloads/cells.csv").text.splitlines()
    assert len(cells) - 1 == len(bulk["tables"]["cells"])
    assert_error(client.get("/api/v1/downloads/secrets.csv"), 404, "not_found")


def test_the_package_agrees_with_the_coverage_api(session: Session) -> None:
    dataset = public_dataset(session, viewer=PUBLIC)
    by_state = {
        row.key: row.tally
        for row in coverage_summary(session, viewer=PUBLIC, by="state", paging=SUMMARY).items
    }
    table = dataset.table("coverage_by_state")
    for iso3, cells, measures, *_ in table.rows:
        assert (cells, measures) == (by_state[iso3].cells, by_state[iso3].measures)
    latest = {}
    for iso3, edition, *_ in dataset.table("editions").rows:
        latest[iso3] = max(edition, latest.get(iso3, 0))
    counted = [row for row in dataset.table("cells").rows if row[1] == latest[row[0]]]
    assert sum(1 for row in counted if row[6] == "X") == sum(t.measures for t in by_state.values())


def test_the_package_is_reproducible(session: Session) -> None:
    first = package_zip(public_dataset(session, viewer=PUBLIC), as_of=DAY)
    second = package_zip(public_dataset(session, viewer=PUBLIC), as_of=DAY)
    assert first == second
    assert open_data_package(session, viewer=PUBLIC) == open_data_package(session, viewer=PUBLIC)


def test_the_download_page_lists_every_file(client: TestClient) -> None:
    page = client.get("/downloads")
    assert page.status_code == 200
    assert "/api/v1/downloads/datapackage.zip" in page.text
    assert "Synthetic demo data." in page.text
    assert "frictionless validate" in page.text


def test_the_funding_table_holds_what_the_public_may_see(session: Session) -> None:
    from un1540.services.assistance.reads.funding import funding_entries, visible_project_ids

    pledge = FundingEntry(
        kind="pledge",
        donor_name="Donor with a due date",
        donor_key="other:due",
        amount=100.0,
        currency="USD",
        made_on=date(2025, 1, 2),
        due_on=date(2026, 6, 30),
        origin=Origin.demo,
        visibility=Visibility.public,
    )
    session.add(pledge)
    session.flush()
    table = public_dataset(session, viewer=PUBLIC).table("funding")
    column = {name: index for index, (name, _, _) in enumerate(table.columns)}
    rows = [dict(zip(column, row, strict=True)) for row in table.rows]
    public_entries = {entry.id: entry for entry in funding_entries(session, viewer=PUBLIC)}
    assert rows, "the demo records funding"
    assert sorted(row["funding_id"] for row in rows) == sorted(public_entries)
    earmarked = {i: entry.project_id for i, entry in public_entries.items() if entry.project_id}
    shown = {row["funding_id"]: row["project_id"] for row in rows if row["project_id"] is not None}
    # A project appears only when the public may see it; every other earmark is blanked.
    assert set(shown.values()) <= visible_project_ids(session, PUBLIC)
    assert all(earmarked[i] == project for i, project in shown.items())
    assert all(row["synthetic"] is True for row in rows)  # the demo's entries say they are
    # A pledge's due date (funding_entry.due_on), and none for a contribution without one.
    assert column["due_on"] == column["made_on"] + 1
    assert all(row["due_on"] == public_entries[row["funding_id"]].due_on for row in rows)
    assert {row["funding_id"]: row["due_on"] for row in rows}[pledge.id] == date(2026, 6, 30)


def test_the_build_streams_rows_into_the_files(session: Session, tmp_path: Path) -> None:
    """The build writes each table row by row: its memory stays far below the size of what it
    writes (it held the whole dataset, the zip and the JSON document at once before)."""
    write_open_data(session, PUBLIC, tmp_path, lambda _fraction: None)  # caches, imports
    tracemalloc.start()
    try:
        details = write_open_data(session, PUBLIC, tmp_path, lambda _fraction: None)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    with gzip.open(tmp_path / "dataset.json.gz") as bulk:
        document = bulk.read()
    written = len(document) + sum(size for _, _, size in details["tables"])
    assert details["rows"]["cells"] == len(json.loads(document)["tables"]["cells"]) > 1000
    assert peak < written / 2, f"peak {peak / 1e6:.1f} MB for {written / 1e6:.1f} MB written"


def test_a_build_aborted_mid_way_leaves_the_previous_files_served(
    engine: Engine, sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: MonkeyPatch
) -> None:
    """A build that dies half-way through writing its files (the worker stops or fails) leaves
    nothing in place: the previous build's files are still the ones served, whole."""
    from tests.services.test_jobs import _change_something
    from un1540.io import builds as build_jobs
    from un1540.io.downloads import current_downloads
    from un1540.services.kernel.jobs import JobRun

    settings = settings_for(engine).model_copy(update={"files_dir": tmp_path})
    run = JobRun(sessions=sessions, settings=settings)
    build_jobs.run_build(run, kind="open_data", audience="public")
    with sessions() as session:
        first, _ = current_downloads(session, settings=settings)
        assert first is not None
        whole = (first.folder / "datapackage.zip").read_bytes()
        _change_something(session, email="writer@example.org", files_dir=tmp_path)

    def half_way(session: Session, viewer: Any, folder: Path, progress: Any) -> dict[str, Any]:
        (folder / "datapackage.zip").write_bytes(whole[: len(whole) // 2])
        raise OSError("the disk filled up half-way")

    monkeypatch.setitem(build_jobs.BUILDERS, "open_data", half_way)
    with pytest.raises(OSError, match="half-way"):
        build_jobs.run_build(run, kind="open_data", audience="public")
    with sessions() as session:
        served, state = current_downloads(session, settings=settings)
        assert served is not None
        assert state.failed is not None
        assert served.build.id == first.build.id  # the previous build, not the failed one
        path = served.get("datapackage.zip").path
        assert path is not None
        assert path.read_bytes() == whole
    # Nothing half-written is left in place: only the complete build's folder.
    assert [p.name for p in (tmp_path / "builds").iterdir()] == [first.build.location]
