"""`un1540 users`, `un1540 export matrix` and `un1540 import matrix`, run as an operator would."""

from __future__ import annotations

import csv
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest

DEMO = ["NGA", "FRA"]


def run(*args: str, database: Path, stdin: str = "") -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "UN1540_DATABASE_URL": f"sqlite:///{database}"}
    return subprocess.run(
        [sys.executable, "-m", "un1540", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        timeout=180,
        check=False,
    )


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A small demo database made through the library (the CLI's own init is tested elsewhere)."""
    from tests.conftest import DatabaseFactory
    from un1540.db.engine import make_session_factory
    from un1540.io.demo import load_demo

    directory = tmp_path_factory.mktemp("cli")
    engine = DatabaseFactory("sqlite", None, directory).create(demo=False)
    with make_session_factory(engine)() as session, session.begin():
        load_demo(session, only=DEMO)
    engine.dispose()
    return directory / "test-1.sqlite3"


def test_users_create_list_token_disable(database: Path) -> None:
    created = run(
        "users",
        "create",
        "--email",
        "Ada@Example.org",
        "--role",
        "expert",
        database=database,
        stdin="a long passphrase\n",
    )
    assert created.returncode == 0, created.stderr
    assert "ada@example.org created (expert)" in created.stdout
    duplicate = run(
        "users",
        "create",
        "--email",
        "ada@example.org",
        "--role",
        "expert",
        database=database,
        stdin="a long passphrase\n",
    )
    assert duplicate.returncode == 5
    short = run(
        "users",
        "create",
        "--email",
        "bo@example.org",
        "--role",
        "state_poc",
        database=database,
        stdin="x\n",
    )
    assert short.returncode == 4
    assert "state:" in short.stderr
    assert "password:" in short.stderr
    token = run(
        "users", "token", "--email", "ada@example.org", "--scope", "write", database=database
    )
    assert token.returncode == 0, token.stderr
    assert token.stdout.strip().startswith("u1540_")
    assert "shown only this once" in token.stderr
    listed = run("users", "list", database=database)
    assert "ada@example.org" in listed.stdout
    assert run("users", "disable", "--email", "ada@example.org", database=database).returncode == 0
    assert "no " in run("users", "list", database=database).stdout
    assert run("users", "revoke", "--prefix", "u1540_nope", database=database).returncode == 3


def test_users_set_password_replaces_a_forgotten_one(database: Path) -> None:
    from sqlalchemy import create_engine

    from un1540.db.engine import make_session_factory
    from un1540.services.accounts.actions import authenticate

    args = ("--email", "cy@example.org")
    created = run(
        "users",
        "create",
        *args,
        "--role",
        "committee",
        database=database,
        stdin="first passphrase\n",
    )
    assert created.returncode == 0, created.stderr
    too_short = run("users", "set-password", *args, database=database, stdin="short\n")
    assert too_short.returncode == 4
    assert "password:" in too_short.stderr
    unknown = run(
        "users", "set-password", "--email", "nobody@example.org", database=database, stdin="x" * 12
    )
    assert unknown.returncode == 3
    reset = run("users", "set-password", *args, database=database, stdin="second passphrase\n")
    assert reset.returncode == 0, reset.stderr
    engine = create_engine(f"sqlite:///{database}")
    with make_session_factory(engine)() as session, session.begin():
        old = authenticate(session, email="cy@example.org", password="first passphrase")
        new = authenticate(session, email="cy@example.org", password="second passphrase")
        assert old is None
        assert new is not None
        assert new.password_changed_at is not None
    engine.dispose()


def test_export_every_format(database: Path, tmp_path: Path) -> None:
    for fmt in ("csv", "json", "xlsx", "docx", "pdf"):
        output = tmp_path / f"nga.{fmt}"
        result = run(
            "export",
            "matrix",
            "--state",
            "NGA",
            "--format",
            fmt,
            "-o",
            str(output),
            database=database,
        )
        assert result.returncode == 0, result.stderr
        assert output.stat().st_size > 500
        assert "synthetic demo data" in result.stdout
    every = tmp_path / "all.csv"
    assert (
        run(
            "export", "matrix", "--all", "--format", "csv", "-o", str(every), database=database
        ).returncode
        == 0
    )
    assert {row["iso3"] for row in csv.DictReader(io.StringIO(every.read_text()))} == set(DEMO)
    both = run(
        "export",
        "matrix",
        "--all",
        "--state",
        "NGA",
        "--format",
        "csv",
        "-o",
        str(every),
        database=database,
    )
    assert both.returncode == 4


def test_import_dry_run_then_for_real(database: Path, tmp_path: Path) -> None:
    exported = tmp_path / "fra.csv"
    run(
        "export",
        "matrix",
        "--state",
        "FRA",
        "--format",
        "csv",
        "-o",
        str(exported),
        database=database,
    )
    rows = list(csv.DictReader(io.StringIO(exported.read_text())))
    changed = next(row for row in rows if row["mark"] == "")
    changed["mark"] = "X"
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    edited = tmp_path / "fra-edited.csv"
    edited.write_text(buffer.getvalue())
    dry = run("import", "matrix", str(edited), "--state", "FRA", "--dry-run", database=database)
    assert dry.returncode == 0, dry.stderr
    assert f"{changed['cell']}: blank -> X (gained)" in dry.stdout
    assert "Dry run: nothing was written." in dry.stdout
    real = run(
        "import", "matrix", str(edited), "--state", "FRA", "--reason", "test", database=database
    )
    assert real.returncode == 0, real.stderr
    assert "1 cell(s) changed" in real.stdout
    again = run("import", "matrix", str(edited), "--state", "FRA", "--dry-run", database=database)
    assert "0 cell(s) would change" in again.stdout


def test_import_refuses_a_bad_file_with_its_places(database: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "iso3,cell,mark\nFRA,op2.use:nw:enforcement,maybe\nXYZ,op2.use:nw:enforcement,X\n"
    )
    result = run("import", "matrix", str(bad), "--state", "FRA", database=database)
    assert result.returncode == 4
    assert "line 2, column mark: mark 'MAYBE' is not X, ?, NA or empty" in result.stderr
    assert "line 3, column iso3: unknown State 'XYZ'" in result.stderr
    assert (
        run("import", "matrix", str(bad), database=database).returncode == 4
    )  # neither --state nor --all


def test_import_indicators_checks_the_whole_file_and_reports(
    database: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("iso3,indicator,value\nFRA,transit_hub,1\nZZZ,transit_hub,x\n", encoding="utf-8")
    refused = run("import", "indicators", str(bad), database=database)
    assert refused.returncode == 4
    assert "row 3, column iso3: unknown State 'ZZZ'" in refused.stderr
    assert "row 3, column value" in refused.stderr
    assert "Traceback" not in refused.stderr
    good = tmp_path / "good.csv"
    good.write_text("iso3,indicator,value,year\nFRA,transit_hub,1,2024\n", encoding="utf-8")
    dry = run("import", "indicators", str(good), "--dry-run", database=database)
    assert dry.returncode == 0, dry.stderr
    assert "would import 1 value(s)" in dry.stdout
    done = run("import", "indicators", str(good), database=database)
    assert done.returncode == 0, done.stderr
    assert "imported 1 value(s) for 1 State(s) (transit_hub); 1 existing value(s) replaced" in (
        done.stdout
    )


def test_import_incidents_all_or_nothing_with_a_dry_run(database: Path, tmp_path: Path) -> None:
    header = "occurred_on,states,category,material_class,kind,source\n"
    bad = tmp_path / "incidents-bad.csv"
    bad.write_text(
        header
        + "2021-03-04,FRA,radioactive,sealed_source,theft,state_reported\n"
        + "2999-01-01,ZZZ,radioactive,sealed_source,theft,state_reported\n",
        encoding="utf-8",
    )
    refused = run("import", "incidents", str(bad), database=database)
    assert refused.returncode == 4
    assert "incidents-bad.csv, row 3, column states: unknown State 'ZZZ'" in refused.stderr
    assert "incidents-bad.csv, row 3, column occurred_on: is in the future" in refused.stderr
    assert "Traceback" not in refused.stderr
    good = tmp_path / "incidents.csv"
    good.write_text(
        header + "2021-03-04,FRA;NGA,radioactive,sealed_source,theft,state_reported\n",
        encoding="utf-8",
    )
    dry = run("import", "incidents", str(good), "--dry-run", database=database)
    assert dry.returncode == 0, dry.stderr
    assert "would import 1 incident(s) concerning 2 State(s). Dry run" in dry.stdout
    done = run("import", "incidents", str(good), database=database)
    assert done.returncode == 0, done.stderr
    assert "imported 1 incident(s) concerning 2 State(s)." in done.stdout
    # The bad file's good row was not written (all or nothing), nor the dry run's: once more is
    # a duplicate of the one import.
    again = run("import", "incidents", str(good), database=database)
    assert again.returncode == 4
    assert "row 2, column occurred_on: an incident with the same date" in again.stderr


def test_import_activities_all_or_nothing_with_a_dry_run(database: Path, tmp_path: Path) -> None:
    header = "organisation,state,programme,fields,weapons,start_on,end_on\n"
    good_row = "wco,FRA,Customs course,op3cd.border_control,,2030-01-01,2030-06-30\n"
    bad = tmp_path / "activities-bad.csv"
    bad.write_text(
        header + good_row + "nobody,FRA,Course,op3cd.border_control,cw,2030-06-01,2030-01-01\n",
        encoding="utf-8",
    )
    refused = run("import", "activities", str(bad), database=database)
    assert refused.returncode == 4
    assert "activities-bad.csv, row 3, column organisation: unknown organisation" in (
        refused.stderr
    )
    assert "activities-bad.csv, row 3, column end_on: the period ends" in refused.stderr
    assert "Traceback" not in refused.stderr
    good = tmp_path / "activities.csv"
    good.write_text(header + good_row, encoding="utf-8")
    dry = run("import", "activities", str(good), "--dry-run", database=database)
    assert dry.returncode == 0, dry.stderr
    assert "would import 1 activit(y/ies) in 1 State(s). Dry run" in dry.stdout
    done = run("import", "activities", str(good), database=database)
    assert done.returncode == 0, done.stderr
    assert "imported 1 activit(y/ies) in 1 State(s)." in done.stdout


def test_notify_send_needs_an_smtp_server(database: Path) -> None:
    result = run("notify", "send", database=database)
    assert result.returncode == 4
    assert "UN1540_SMTP_HOST" in result.stderr


def _library_user(database: Path, email: str) -> None:
    """An account made in-process (cheaper than one more command)."""
    from sqlalchemy import create_engine

    from tests.factories import make_user
    from un1540.db.engine import make_session_factory

    engine = create_engine(f"sqlite:///{database}")
    with make_session_factory(engine)() as session:
        make_user(session, role="expert", email=email)
    engine.dispose()


def test_the_command_line_refuses_weak_passwords_saying_why(database: Path) -> None:
    common = run(
        "users",
        "create",
        "--email",
        "weak@example.org",
        "--role",
        "expert",
        database=database,
        stdin="password1234\n",
    )
    assert common.returncode == 4
    assert "password: is one of the most common passwords" in common.stderr
    # `users set-password` calls reset_password, which tests/security/test_password_policy.py
    # shows refusing weak passwords; its printing of problems is tested above.


def test_users_sign_out_ends_every_portal_session(database: Path) -> None:
    from datetime import timedelta

    from sqlalchemy import create_engine, func, select

    from un1540.db.engine import make_session_factory
    from un1540.models import WebSession
    from un1540.services.accounts.reads import find_user
    from un1540.services.accounts.sessions import SessionLimits, start_session

    _library_user(database, "dee@example.org")
    engine = create_engine(f"sqlite:///{database}")
    sessions = make_session_factory(engine)
    limits = SessionLimits(idle=timedelta(minutes=30), absolute=timedelta(hours=1))
    with sessions() as session:
        user = find_user(session, "dee@example.org")
        for _ in range(2):  # two browsers
            start_session(session, user=user, limits=limits)
    ended = run("users", "sign-out", "--email", "dee@example.org", database=database)
    assert ended.returncode == 0, ended.stderr
    assert "2 session(s) of dee@example.org ended" in ended.stdout
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(WebSession)) == 0
    engine.dispose()


def test_documents_ingest_reads_and_splits_a_law(database: Path, tmp_path: Path) -> None:
    """`un1540 documents ingest`: the law kept, read and split; a bad file refused (exit 4)."""
    from tests.analytics.test_provisions import FRENCH

    law = tmp_path / "code-de-la-defense.txt"
    law.write_text(FRENCH, encoding="utf-8")
    env_files = {"UN1540_FILES_DIR": str(tmp_path / "files")}
    os.environ.update(env_files)
    try:
        done = run("documents", "ingest", str(law), "--state", "FRA", database=database)
        assert done.returncode == 0, done.stderr
        assert "1 pages, 4 provisions" in done.stdout
        broken = tmp_path / "broken.pdf"
        broken.write_bytes(b"%PDF-1.4\n%%EOF\n")
        refused = run("documents", "ingest", str(broken), "--state", "FRA", database=database)
        assert refused.returncode == 4
        assert "broken.pdf" in refused.stderr
        assert "damaged" in refused.stderr
    finally:
        for key in env_files:
            os.environ.pop(key, None)


def test_documents_read_again_splits_a_law_with_todays_reading(
    database: Path, tmp_path: Path
) -> None:
    """`un1540 documents read-again ID | --all`: the stored text split and indexed again (a law
    in traditional Chinese stored with no provisions gets its articles); ids and --all together,
    or neither, are refused with nothing read (exit 4)."""
    from sqlalchemy import create_engine, delete, select

    from un1540.db.engine import make_session_factory
    from un1540.models import DocumentText, Provision, ProvisionLink

    law = tmp_path / "trade-act.txt"
    law.write_text(
        "第十三條　輸出入戰略性高科技貨品，應經許可。\n第二十七條　違反第十三條規定者，處罰鍰。\n"
    )
    env_files = {"UN1540_FILES_DIR": str(tmp_path / "files")}
    os.environ.update(env_files)
    try:
        done = run("documents", "ingest", str(law), "--state", "CHN", database=database)
        assert done.returncode == 0, done.stderr
        assert "2 provisions" in done.stdout
        document_id = int(done.stdout.split("Document ")[1].split(":")[0])
        engine = create_engine(f"sqlite:///{database}")
        with make_session_factory(engine)() as session, session.begin():  # as read before
            ids = select(Provision.id).where(Provision.document_id == document_id)
            session.execute(delete(ProvisionLink).where(ProvisionLink.source_id.in_(ids)))
            session.execute(delete(Provision).where(Provision.document_id == document_id))
        engine.dispose()
        again = run("documents", "read-again", str(document_id), database=database)
        assert again.returncode == 0, again.stderr
        assert f"Document {document_id}: 2 provisions (before: 0)." in again.stdout
        everything = run("documents", "read-again", "--all", database=database)
        assert everything.returncode == 0, everything.stderr
        assert f"Document {document_id}: 2 provisions (before: 2)." in everything.stdout
        for wrong in ([], [str(document_id), "--all"], ["--all", "--stale"]):
            refused = run("documents", "read-again", *wrong, database=database)
            assert refused.returncode == 4
            assert "give document ids, --all or --stale" in refused.stderr
        # After an upgrade whose heading patterns changed: `db upgrade` says how many documents
        # were read before, and `--stale` reads those again (session 26).
        engine = create_engine(f"sqlite:///{database}")
        with make_session_factory(engine)() as session, session.begin():
            stored = session.get(DocumentText, document_id)
            assert stored is not None
            stored.patterns_version = "1"
        engine.dispose()
        upgraded = run("db", "upgrade", database=database)
        assert upgraded.returncode == 0, upgraded.stderr
        assert "read with older heading patterns: 1. The next server reads" in upgraded.stdout
        assert "read-again --stale" in upgraded.stdout
        stale = run("documents", "read-again", "--stale", database=database)
        assert stale.returncode == 0, stale.stderr
        assert "Documents read with older heading patterns: 1." in stale.stdout
        assert f"Document {document_id}: 2 provisions (before: 2)." in stale.stdout
        assert "older heading patterns" not in run("db", "upgrade", database=database).stdout
        again = run("documents", "read-again", "--stale", database=database)
        assert "Documents read with older heading patterns: 0." in again.stdout
    finally:
        for key in env_files:
            os.environ.pop(key, None)
