"""`un1540 backup` and `un1540 restore`, on SQLite and PostgreSQL.

The round trip: a database with demo data for a few States, audited writes (an edition edited,
shared, agreed and approved; a document uploaded with its file) is backed up by the command,
restored by the command into a new, empty database and files directory, and compared: every row
of every table, the audit log, the open dataset's tables (as data) and the files, identical.
"""

from __future__ import annotations

import io
import json
import tarfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, inspect, select, text
from sqlalchemy.orm import Session

from tests.conftest import DatabaseFactory
from tests.crash.harness import assert_sound, run
from tests.factories import make_user, waive_evidence_rules
from un1540.db.backup import (
    MANIFEST,
    create_backup,
    find_pg_program,
    pg_environment,
    read_manifest,
    restore_backup,
)
from un1540.db.engine import make_engine, make_session_factory
from un1540.db.migrate import MIGRATIONS_DIR, current_revision, head_revision, upgrade
from un1540.errors import Conflict, InvalidData, MissingProgram, Un1540Error
from un1540.io.demo import load_demo
from un1540.models import AuditEvent, Base
from un1540.services.documents.actions import DocumentInput, UploadedFile, attach_document
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.services.matrix.actions.cells import update_cell
from un1540.services.matrix.actions.editions import (
    agree_edition,
    approve_edition,
    open_draft,
    share_edition,
)
from un1540.services.matrix.inputs import CellChange
from un1540.services.matrix.reads.editions import entry_for, find_edition
from un1540.services.open_data.tables import public_dataset

STATES = ["FRA", "KIR", "NGA"]
CELL = "op2.use:bw:enforcement"
PDF = b"%PDF-1.4\n% a national report\n%%EOF\n"


def version_of(session: Session, viewer: Viewer, iso3: str, number: int) -> int:
    _, edition = find_edition(session, viewer=viewer, iso3=iso3, number=number)
    return entry_for(session, edition, CELL).revision


def edit(engine: Engine, viewer: Viewer, iso3: str, number: int, remark: str) -> None:
    with make_session_factory(engine)() as session:
        update_cell(
            session,
            viewer=viewer,
            iso3=iso3,
            number=number,
            cell_key=CELL,
            change=CellChange(
                mark="X", remark=remark, version=version_of(session, viewer, iso3, number)
            ),
            reason="round trip",
        )


@pytest.fixture(scope="module")
def files_dir(tmp_path_factory: pytest.TempPathFactory, backend: str) -> Path:
    return tmp_path_factory.mktemp(f"original-{backend}") / "files"


@pytest.fixture(scope="module")
def original(database_factory: DatabaseFactory, files_dir: Path) -> Iterator[Engine]:
    """Demo data for a few States, then audited writes, an approved edition and a document.

    Shared by the module's tests (of one backend): they only read it, but for the one that
    backs it up under writers, which adds a draft of its own."""
    engine = database_factory.create(demo=False)
    yield _fill(engine, files_dir)
    engine.dispose()


def _fill(fresh_engine: Engine, files_dir: Path) -> Engine:
    sessions = make_session_factory(fresh_engine)
    with sessions() as session, session.begin():
        load_demo(session, only=STATES)
        expert = make_user(session, role="expert")
        committee = make_user(session, role="committee")
        number = open_draft(session, viewer=expert, iso3="FRA", reason="new law").number
    for remark in ("Law 2024-17", "Law 2024-17, art. 3"):
        edit(fresh_engine, expert, "FRA", number, remark)
    with sessions() as session, session.begin():
        attach_document(
            session,
            viewer=expert,
            document=DocumentInput(
                kind="national_report", title="Report", language="fr", iso3="FRA"
            ),
            upload=UploadedFile(name="report.pdf", content=PDF),
            files_dir=files_dir,
            max_bytes=10_000_000,
        )
        share_edition(session, viewer=expert, iso3="FRA", number=number)
        agree_edition(session, viewer=expert, iso3="FRA", number=number)
        waive_evidence_rules(session, viewer=committee, iso3="FRA", number=number)
        approve_edition(session, viewer=committee, iso3="FRA", number=number, reason="meeting 112")
    (files_dir / "imports").mkdir(parents=True)
    (files_dir / "imports" / ("0" * 64)).write_bytes(b"iso3,cell,mark\n")
    return fresh_engine


def every_row(engine: Engine) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table of the model (and the schema revision), in key order."""
    found = {}
    with engine.connect() as connection:
        for table in Base.metadata.sorted_tables:
            order = list(table.primary_key.columns) or list(table.columns)
            found[table.name] = [
                tuple(row) for row in connection.execute(select(table).order_by(*order))
            ]
        found["alembic_version"] = [
            tuple(row) for row in connection.execute(text("SELECT * FROM alembic_version"))
        ]
    return found


def open_data(engine: Engine) -> list[tuple[str, list[tuple[str, str, str]], list[list[Any]]]]:
    with make_session_factory(engine)() as session:
        dataset = public_dataset(session, viewer=PUBLIC)
    return [(table.name, table.columns, table.rows) for table in dataset.tables]


def audit_log(engine: Engine) -> list[tuple[Any, ...]]:
    with engine.connect() as connection:
        return [
            tuple(row)
            for row in connection.execute(select(AuditEvent.__table__).order_by(AuditEvent.id))
        ]


def files_in(directory: Path) -> dict[str, bytes]:
    return {
        str(path.relative_to(directory)): path.read_bytes()
        for path in sorted(directory.rglob("*"))
        if path.is_file()
    }


@pytest.fixture
def blank(database_factory: DatabaseFactory) -> Iterator[Engine]:
    """A new, empty database (no schema at all): where a restore drill restores."""
    engine = make_engine(database_factory.url())
    yield engine
    engine.dispose()


def test_a_backup_restored_into_a_new_database_is_identical(
    original: Engine, blank: Engine, files_dir: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "backups" / "un1540.tar"
    made = run(original, "backup", "-o", str(backup), files_dir=files_dir)
    assert made.returncode == 0, made.stderr
    assert f"Wrote {backup}" in made.stdout
    manifest = read_manifest(backup)
    assert (manifest.database, manifest.schema_revision) == (original.dialect.name, head_revision())
    assert manifest.files == 2
    assert backup.stat().st_mode & 0o077 == 0  # readable by its owner only
    assert not list(backup.parent.glob(".un1540-*"))  # no temporary left behind

    restored_files = tmp_path / "restored-files"
    restored = run(blank, "restore", str(backup), files_dir=restored_files)
    assert restored.returncode == 0, restored.stderr
    assert "The database passes its integrity check." in restored.stdout

    assert_sound(blank)
    assert every_row(blank) == every_row(original)
    assert audit_log(blank) == audit_log(original)
    assert len(audit_log(blank)) > 10
    assert open_data(blank) == open_data(original)
    assert files_in(restored_files) == files_in(files_dir)
    # The restored database takes new writes (PostgreSQL: its sequences came back too).
    with make_session_factory(blank)() as session:
        expert = make_user(session, role="expert", email="after@example.org")
        number = open_draft(session, viewer=expert, iso3="KIR").number
    edit(blank, expert, "KIR", number, "after the restore")


def test_restore_replaces_a_database_only_with_force(
    original: Engine, blank: Engine, files_dir: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "b.tar"
    create_backup(original, files_dir=files_dir, output=backup)
    expected = every_row(original)
    upgrade(blank)
    with blank.begin() as connection:
        connection.execute(text("CREATE TABLE later_feature (id INTEGER PRIMARY KEY)"))
    with pytest.raises(Conflict, match="--force"):
        restore_backup(blank, backup=backup, files_dir=tmp_path / "f")
    checked = restore_backup(blank, backup=backup, files_dir=tmp_path / "f", dry_run=True)
    assert (checked.dry_run, checked.replaced, checked.files) == (True, True, 2)
    assert "later_feature" in inspect(blank).get_table_names()
    assert not (tmp_path / "f").exists()
    result = restore_backup(blank, backup=backup, files_dir=tmp_path / "f", force=True)
    assert result.replaced
    blank.dispose()
    assert "later_feature" not in inspect(blank).get_table_names()
    assert every_row(blank) == expected


def test_a_backup_taken_while_writers_write_is_consistent(
    original: Engine, blank: Engine, files_dir: Path, tmp_path: Path
) -> None:
    """The online backup is one snapshot: each cell's version and its audit events agree."""
    sessions = make_session_factory(original)
    with sessions() as session, session.begin():
        expert = make_user(session, role="expert", email="busy@example.org")
        number = open_draft(session, viewer=expert, iso3="NGA").number
    done = threading.Event()
    writes = [0]

    def writer() -> None:
        while not done.is_set():
            edit(original, expert, "NGA", number, f"write {writes[0]}")
            writes[0] += 1

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        while writes[0] < 3:
            threading.Event().wait(0.01)
        create_backup(original, files_dir=files_dir, output=tmp_path / "busy.tar")
    finally:
        done.set()
        thread.join(timeout=60)
    restore_backup(blank, backup=tmp_path / "busy.tar", files_dir=tmp_path / "f")
    assert_sound(blank)
    with make_session_factory(blank)() as session:
        version = version_of(session, expert, "NGA", number)
        events = session.scalar(
            select(func.count())
            .select_from(AuditEvent)
            .where(
                AuditEvent.action == "cell.update", AuditEvent.entity_id == f"NGA/{number}/{CELL}"
            )
        )
    assert version >= 4
    assert events == version - 1


def _older_revision() -> str:
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    head = script.get_revision(head_revision())
    assert head is not None
    assert isinstance(head.down_revision, str)
    return head.down_revision


def test_an_older_backup_is_migrated_and_a_newer_one_refused(
    database_factory: DatabaseFactory, blank: Engine, tmp_path: Path
) -> None:
    older = make_engine(database_factory.url())
    upgrade(older, _older_revision())
    backup = tmp_path / "old.tar"
    create_backup(older, files_dir=tmp_path / "none", output=backup)
    older.dispose()
    assert read_manifest(backup).schema_revision == _older_revision()

    # The same backup, as if a newer un1540 had made it.
    newer = tmp_path / "newer.tar"
    with tarfile.open(backup) as source, tarfile.open(newer, "w") as target:
        for member in source:
            content = source.extractfile(member)
            assert content is not None
            data = content.read()
            if member.name == MANIFEST:
                manifest = json.loads(data)
                manifest["schema_revision"] = "ffffffffffff"
                data = json.dumps(manifest).encode()
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    with pytest.raises(InvalidData, match="ffffffffffff is newer than this un1540 knows"):
        restore_backup(blank, backup=newer, files_dir=tmp_path / "f")
    assert inspect(blank).get_table_names() == []

    result = restore_backup(blank, backup=backup, files_dir=tmp_path / "f")
    assert result.upgraded_from == _older_revision()
    assert current_revision(blank) == head_revision()
    assert_sound(blank)


def test_a_damaged_backup_is_refused_and_nothing_is_written(
    original: Engine, blank: Engine, files_dir: Path, tmp_path: Path
) -> None:
    backup = tmp_path / "b.tar"
    create_backup(original, files_dir=files_dir, output=backup)
    with tarfile.open(backup) as archive:
        offset = archive.getmember(f"files/imports/{'0' * 64}").offset_data
    content = bytearray(backup.read_bytes())
    content[offset] ^= 0xFF
    damaged = tmp_path / "damaged.tar"
    damaged.write_bytes(bytes(content))
    restored_files = tmp_path / "restored-files"
    with pytest.raises(InvalidData, match="is damaged"):
        restore_backup(blank, backup=damaged, files_dir=restored_files)
    assert inspect(blank).get_table_names() == []
    assert files_in(restored_files) == {}
    truncated = tmp_path / "truncated.tar"
    truncated.write_bytes(bytes(content[: len(content) // 2]))
    with pytest.raises(InvalidData, match=r"not an un1540 backup|damaged|missing"):
        restore_backup(blank, backup=truncated, files_dir=restored_files)
    with pytest.raises(InvalidData, match="not an un1540 backup"):
        restore_backup(
            blank, backup=tmp_path / "files" / "imports" / ("0" * 64), files_dir=restored_files
        )
    assert inspect(blank).get_table_names() == []


def test_pg_dump_missing_or_older_than_the_server_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(MissingProgram, match=r"pg_dump was not found .*postgresql-client-15"):
        find_pg_program("pg_dump", server_major=15, bindir=tmp_path)
    old = tmp_path / "pg_dump"
    old.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    old.chmod(0o755)
    with pytest.raises(MissingProgram, match=r"older than the server \(PostgreSQL 15\).*9\.6\.24"):
        find_pg_program("pg_dump", server_major=15, bindir=tmp_path)
    program, version = find_pg_program("pg_dump", server_major=9, bindir=tmp_path)
    assert (program, version) == (old, "pg_dump (PostgreSQL) 9.6.24")


def test_the_password_goes_to_pg_dump_by_environment() -> None:
    env = pg_environment(
        "postgresql+psycopg://un1540:hunter2@db.example.org:5433/un1540?sslmode=require"
    )
    assert (env["PGPASSWORD"], env["PGHOST"], env["PGPORT"], env["PGUSER"]) == (
        "hunter2",
        "db.example.org",
        "5433",
        "un1540",
    )
    assert (env["PGDATABASE"], env["PGSSLMODE"]) == ("un1540", "require")


def test_pg_dump_gets_the_password_by_environment_and_a_failure_writes_nothing(
    database_factory: DatabaseFactory, backend: str, tmp_path: Path
) -> None:
    if backend != "postgresql":
        pytest.skip("pg_dump is for PostgreSQL")
    url = make_engine(database_factory.url()).url.set(password="hunter2")  # trust: not checked
    engine = make_engine(url.render_as_string(hide_password=False))
    upgrade(engine)
    bindir = tmp_path / "bin"
    bindir.mkdir()
    seen = tmp_path / "seen"
    fake = bindir / "pg_dump"
    fake.write_text(
        "#!/bin/sh\n"
        'if [ "$1" = --version ]; then echo "pg_dump (PostgreSQL) 99.0"; exit 0; fi\n'
        f'echo "$@" > {seen}; echo "$PGPASSWORD" >> {seen}\n'
        'echo "pg_dump: error: no space left on device" >&2; exit 1\n'
    )
    fake.chmod(0o755)
    output = tmp_path / "backups" / "b.tar"
    with pytest.raises(Un1540Error, match=r"pg_dump failed .*no space left on device"):
        create_backup(engine, files_dir=tmp_path / "f", output=output, pg_bindir=bindir)
    argv, password = seen.read_text().splitlines()
    assert "hunter2" not in argv
    assert password == "hunter2"
    assert list(output.parent.iterdir()) == []  # neither the backup nor a temporary
    engine.dispose()
