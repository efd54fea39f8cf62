"""The `un1540` command, run as a user would run it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from un1540.reference.frameworks import bundled_frameworks


def run(*args: str, database: Path | str, **env: str) -> subprocess.CompletedProcess[str]:
    url = database if isinstance(database, str) else f"sqlite:///{database}"
    environment = {**os.environ, "UN1540_DATABASE_URL": url, **env}
    return subprocess.run(
        [sys.executable, "-m", "un1540", *args],
        capture_output=True,
        text=True,
        env=environment,
        timeout=120,
        check=False,
    )


def test_every_command_has_help(tmp_path: Path) -> None:
    for command in ([], ["init"], ["serve"], ["db", "upgrade"], ["import", "framework"]):
        result = run(*command, "--help", database=tmp_path / "x.sqlite3")
        assert result.returncode == 0, result.stderr
        assert "Usage" in result.stdout


def test_init_loads_reference_data_and_is_safe_to_repeat(tmp_path: Path) -> None:
    database = tmp_path / "un1540.sqlite3"
    first = run("init", database=database)
    assert first.returncode == 0, first.stderr
    assert "193 States" in first.stdout
    assert "Demo data" not in first.stdout
    again = run("init", database=database)
    assert again.returncode == 0, again.stderr


def test_serve_refuses_an_unreachable_database_in_one_line(tmp_path: Path) -> None:
    result = run("serve", database="postgresql://someone:hunter2@127.0.0.1:1/un1540")
    assert result.returncode == 6
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith(
        "error: cannot connect to database postgresql+psycopg://someone:***@127.0.0.1:1/un1540"
    )
    assert "hunter2" not in result.stderr
    assert "Traceback" not in result.stderr


def test_serve_refuses_a_missing_sqlite_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "db.sqlite3"
    result = run("serve", database=missing)
    assert result.returncode == 6
    assert "run `un1540 init`" in result.stderr
    assert not missing.parent.exists()


def test_serve_refuses_several_workers_on_sqlite_saying_why(tmp_path: Path) -> None:
    """It used to start one process silently; now it says why not, and exits 4."""
    database = tmp_path / "db.sqlite3"
    assert run("init", database=database).returncode == 0
    result = run("serve", "--workers", "2", "--port", "1", database=database)
    assert result.returncode == 4, result.stderr
    assert "invalid parameter --workers" in result.stderr
    assert "need PostgreSQL" in result.stderr
    assert "Serving" not in result.stdout
    assert "Traceback" not in result.stderr


def test_serve_on_a_busy_port_says_so_in_one_line_and_exits_1(tmp_path: Path) -> None:
    """It used to print uvicorn's own error log and exit 3."""
    import socket

    database = tmp_path / "db.sqlite3"
    assert run("init", database=database).returncode == 0
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        result = run("serve", "--port", str(port), database=database)
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert lines == [
        f"error: port {port} on 127.0.0.1 is already in use (is un1540 already running?); "
        "stop that program or choose another port with --port"
    ]
    assert "Serving" not in result.stdout


def test_db_upgrade(tmp_path: Path) -> None:
    result = run("db", "upgrade", database=tmp_path / "db.sqlite3")
    assert result.returncode == 0, result.stderr
    assert "is at head" in result.stdout


@pytest.fixture
def initialised(tmp_path: Path) -> Path:
    database = tmp_path / "db.sqlite3"
    assert run("init", database=database).returncode == 0
    return database


def test_import_a_new_framework_version(initialised: Path, tmp_path: Path) -> None:
    raw = bundled_frameworks()[0].spec.model_dump(mode="json")
    raw["version"] = "official-2027"
    path = tmp_path / "official.yml"
    path.write_text(
        "# A test framework\n" + yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8"
    )
    result = run("import", "framework", str(path), database=initialised)
    assert result.returncode == 0, result.stderr
    assert "un1540-matrix/official-2027: created, 341 cells" in result.stdout
    again = run("import", "framework", str(path), "--make-default", database=initialised)
    assert "(default): updated" in again.stdout


def test_import_a_broken_framework_reports_each_problem(initialised: Path, tmp_path: Path) -> None:
    raw = bundled_frameworks()[0].spec.model_dump(mode="json")
    raw["version"] = "broken"
    raw["sections"][1]["fields"][0]["applies_to"] = ["xw"]
    raw["sections"][2]["fields"][0]["code"] = "op2.wrong_section"
    path = tmp_path / "broken.yml"
    path.write_text(yaml.safe_dump(raw), encoding="utf-8")
    result = run("import", "framework", str(path), database=initialised)
    assert result.returncode == 4
    assert "broken.yml is not a valid framework file" in result.stderr
    assert "sections[1] (op2).fields[0] (op2.manufacture).applies_to" in result.stderr
    assert "must start with 'op3ab.'" in result.stderr
    listed = run("import", "framework", str(tmp_path / "missing.yml"), database=initialised)
    assert listed.returncode == 2


def test_delete_local_asks_then_deletes_the_sqlite_file_and_uploads_never_postgresql(
    tmp_path: Path,
) -> None:
    """`make clean-data`: the demo database lived on in the user's data directory, shared by
    every clone, and nothing removed it."""
    database, files = tmp_path / "db.sqlite3", tmp_path / "files"
    assert run("init", database=database, UN1540_FILES_DIR=str(files)).returncode == 0
    (files / "documents").mkdir(parents=True)
    (files / "documents" / "law.pdf").write_bytes(b"%PDF-1.4")
    kept = subprocess.run(
        [sys.executable, "-m", "un1540", "db", "delete-local"],
        input="n\n",
        capture_output=True,
        text=True,
        env={
            **os.environ,
            "UN1540_DATABASE_URL": f"sqlite:///{database}",
            "UN1540_FILES_DIR": str(files),
        },
        timeout=120,
        check=False,
    )
    assert kept.returncode == 1
    assert str(database) in kept.stdout
    assert "Nothing was deleted." in kept.stdout
    assert database.exists()
    deleted = run("db", "delete-local", "--yes", database=database, UN1540_FILES_DIR=str(files))
    assert deleted.returncode == 0, deleted.stderr
    assert not database.exists()
    assert not files.exists()
    refused = run("db", "delete-local", "--yes", database="postgresql://u:secret@127.0.0.1:1/x")
    assert refused.returncode == 4
    assert "never deletes a PostgreSQL database" in refused.stderr
    assert "secret" not in refused.stderr
