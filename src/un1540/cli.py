"""The `un1540` command: init, serve, db, import. Commands stay thin; services do the work."""

from __future__ import annotations

import getpass
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import orjson
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from un1540 import __version__
from un1540.analytics.evidence.model import Suggested
from un1540.analytics.evidence.text import LANGUAGES
from un1540.db.backup import create_backup, restore_backup
from un1540.db.engine import check_connection, make_engine, make_session_factory
from un1540.db.integrity import check_integrity
from un1540.db.migrate import current_revision, head_revision, upgrade
from un1540.errors import (
    DatabaseUnavailable,
    InvalidData,
    InvalidParameter,
    PortInUse,
    Problem,
    Un1540Error,
)
from un1540.io.action_plan_import import import_plan_file
from un1540.io.activity_import import import_activity_file
from un1540.io.briefing import briefing_file
from un1540.io.demo import load_demo
from un1540.io.incident_import import import_incident_file
from un1540.io.matrix_export import ExportFormat, export_matrices, stream_every_matrix
from un1540.io.matrix_import import import_matrix_file
from un1540.io.review_report import ReviewFormat, render_review
from un1540.io.sourced_events import load_sourced_event_records
from un1540.reference.framework_mappings import parse_mapping
from un1540.reference.frameworks import read_framework_file
from un1540.reference.languages import UN_LANGUAGES
from un1540.schemas.common import MAX_RECORD_ID
from un1540.schemas.workflow import ImportReport
from un1540.services.accounts.actions import issue_token, reset_password, revoke_token
from un1540.services.accounts.management import change_role, create_account, set_account_active
from un1540.services.accounts.reads import find_user, list_users, viewer_for
from un1540.services.accounts.sessions import sign_out_everywhere
from un1540.services.action_plans.notices import check_overdue_milestones
from un1540.services.commitments.notices import check_overdue_commitments
from un1540.services.contacts.actions import queue_contact_reminders
from un1540.services.contacts.reads import stale_contacts
from un1540.services.coverage.actions import import_indicators
from un1540.services.coverage.reads.review_statistics import review_statistics
from un1540.services.evidence.actions import retrain
from un1540.services.evidence.reads import MAX_PROVISIONS, ProvisionText, suggest_provisions
from un1540.services.inbox.deadlines import check_deadlines_near
from un1540.services.kernel.access import PUBLIC, Viewer, system_viewer
from un1540.services.kernel.jobs import PostgresJobs, configure_jobs
from un1540.services.kernel.lookups import state_count
from un1540.services.kernel.parameters import parse_date
from un1540.services.matrix.actions.frameworks import load_reference_data, store_framework
from un1540.services.matrix.actions.migrations import migrate_framework
from un1540.services.matrix.actions.reminders import send_review_reminders
from un1540.services.notifications.email import configure_email, send_pending_emails, smtp_settings
from un1540.services.profiles.briefing import visit_briefing
from un1540.services.reporting.actions import import_reports
from un1540.settings import Settings, get_settings, masked_url

CLI_ACTOR = "cli"
WORKER_HEALTHCHECK_SECONDS = 120  # serve --workers: how long a process may take to answer

app = typer.Typer(
    help="un1540: the information system of the UN Security Council resolution 1540 regime.",
    no_args_is_help=True,
    add_completion=False,
)
db_app = typer.Typer(help="Database schema commands.", no_args_is_help=True)
import_app = typer.Typer(
    help="Load data from files (validated; all or nothing).", no_args_is_help=True
)
app.add_typer(db_app, name="db")
app.add_typer(import_app, name="import")
export_app = typer.Typer(help="Write data to files.", no_args_is_help=True)
users_app = typer.Typer(help="Accounts and API tokens.", no_args_is_help=True)
report_app = typer.Typer(help="Reports built from the data.", no_args_is_help=True)
notify_app = typer.Typer(help="Notification e-mails.", no_args_is_help=True)
app.add_typer(export_app, name="export")
app.add_typer(report_app, name="report")
app.add_typer(notify_app, name="notify")
app.add_typer(users_app, name="users")
evidence_app = typer.Typer(
    help="Evidence suggestions for provisions of national law.", no_args_is_help=True
)
app.add_typer(evidence_app, name="evidence")
framework_app = typer.Typer(help="Matrix framework versions.", no_args_is_help=True)
app.add_typer(framework_app, name="framework")
contacts_app = typer.Typer(help="Points of contact and their freshness.", no_args_is_help=True)
app.add_typer(contacts_app, name="contacts")

console = Console(soft_wrap=True)
# The dry-run option every file import shares.
DryRunOption = Annotated[bool, typer.Option("--dry-run", help="Check the file; write nothing.")]
errors_console = Console(stderr=True, soft_wrap=True)


def _settings() -> Settings:
    return get_settings()


def _connected_engine(
    settings: Settings, *, must_exist: bool = False, any_revision: bool = False
) -> Engine:
    """An engine that has answered; with must_exist, the database must exist and (unless
    any_revision) its schema be current."""
    path = settings.sqlite_path()
    if must_exist and path is not None and not path.exists():
        raise DatabaseUnavailable(
            f"no database at {path}; run `un1540 init` (or `un1540 init --demo`) first"
        )
    engine = make_engine(settings.database_url, create_directory=not must_exist)
    check_connection(engine)
    if must_exist and not any_revision and current_revision(engine) != head_revision():
        raise DatabaseUnavailable(
            f"the database {masked_url(settings.database_url)} is not at the current schema; "
            "run `un1540 db upgrade` (or `un1540 init`)"
        )
    return engine


def _version_callback(value: bool) -> None:
    if value:
        console.print(f"un1540 {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version_callback, is_eager=True, help="Print the version."
        ),
    ] = False,
) -> None:
    """Settings come from UN1540_* environment variables (see docs/settings.md)."""


@app.command()
def init(
    demo: Annotated[
        bool, typer.Option("--demo", help="Also generate the synthetic demo dataset.")
    ] = False,
) -> None:
    """Create or upgrade the database and load the reference data (and, with --demo, demo data).

    Safe to run again: reference data is refreshed, and the demo is generated only once.
    """
    settings = _settings()
    engine = _connected_engine(settings)
    console.print(f"Database: {masked_url(settings.database_url)}")
    upgrade(engine)
    sessions = make_session_factory(engine)
    with sessions() as session:
        counts = load_reference_data(session, actor=CLI_ACTOR)
    console.print(
        f"Reference data: {counts['states']} States, {counts['regional_groups']} regional groups, "
        f"{counts['m49_areas']} M49 areas, {counts['organisations']} organisations, "
        f"{counts['frameworks']} framework version(s)."
    )
    with sessions() as session:
        sourced = load_sourced_event_records(session, actor=CLI_ACTOR)
    console.print(f"Sourced events: {sourced} real event(s) recorded from their public sources.")
    if not demo:
        return
    with sessions() as session:
        total = state_count(session)
        with Progress(
            TextColumn("Demo data"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("{task.description}"),
            TimeElapsedColumn(),
            console=console,
            transient=True,
        ) as progress:
            task = progress.add_task("", total=total)
            written = load_demo(
                session, progress=lambda iso3: progress.update(task, advance=1, description=iso3)
            )
    if written:
        console.print(
            f"Demo data: {written} synthetic approved editions for {total} States "
            "(labelled synthetic everywhere)."
        )
    else:
        console.print("Demo data: already loaded, left as it is.")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=1, max=65535, help="Port to listen on.")] = 8540,
    workers: Annotated[
        int,
        typer.Option(
            min=1, help="Server processes (more than 1 needs PostgreSQL; refused on SQLite)."
        ),
    ] = 1,
    with_worker: Annotated[
        bool | None,
        typer.Option(
            "--with-worker/--no-worker",
            help="Run the background-job worker inside the server (default: "
            "UN1540_WORKER_IN_PROCESS, true). --no-worker needs PostgreSQL and `un1540 worker`.",
        ),
    ] = None,
) -> None:
    """Serve the portal and the API (http://HOST:PORT), and run background jobs."""
    import os

    import uvicorn

    if with_worker is not None:
        # Through the environment, so that every server process (--workers) reads it.
        os.environ["UN1540_WORKER_IN_PROCESS"] = "true" if with_worker else "false"
        get_settings.cache_clear()
    settings = _settings()
    if workers > 1 and settings.is_sqlite:
        # Not silently one process: say why, before anything starts (exit code 4).
        raise InvalidParameter.naming(
            [
                Problem(
                    "--workers",
                    f"{workers} server processes need PostgreSQL: SQLite has one writer at a "
                    "time and its file serves one machine; set UN1540_DATABASE_URL to a "
                    "PostgreSQL database, or serve SQLite with one process (--workers 1)",
                )
            ]
        )
    _connected_engine(settings, must_exist=True).dispose()
    _check_port_free(host, port)
    console.print(f"Serving http://{host}:{port} from {masked_url(settings.database_url)}")
    if workers > 1:
        uvicorn.run(
            "un1540.web.asgi:app",
            host=host,
            port=port,
            workers=workers,
            # uvicorn restarts a process that does not answer its supervisor's ping within this
            # time (default 5 s). Loading the app takes a few seconds of CPU, which on a busy
            # machine stretched past 5 s: the processes were killed and restarted for ever.
            timeout_worker_healthcheck=WORKER_HEALTHCHECK_SECONDS,
            log_level="warning",
            server_header=False,  # no "server: uvicorn" banner
        )
    else:
        from un1540.web.app import create_app

        uvicorn.run(
            create_app(settings, warm_up=True),
            host=host,
            port=port,
            log_level="warning",
            server_header=False,
        )


def _check_port_free(host: str, port: int) -> None:
    """A clear one-line error (exit code 1) when the address is taken, before uvicorn prints
    its own traceback-like log and exits with 3."""
    import errno
    import socket

    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as error:
        raise InvalidParameter.naming(
            [Problem("--host", f"{host!r} is not an address of this machine ({error.strerror})")]
        ) from None
    family, kind, protocol, _, address = infos[0]
    with socket.socket(family, kind, protocol) as probe:
        # As uvicorn binds: SO_REUSEADDR, so a port in TIME_WAIT is not mistaken for a busy one.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(address)
        except OSError as error:
            if error.errno == errno.EADDRINUSE:
                raise PortInUse(
                    f"port {port} on {host} is already in use (is un1540 already running?); "
                    f"stop that program or choose another port with --port"
                ) from None
            raise PortInUse(f"cannot listen on {host}:{port}: {error.strerror}") from None


@app.command()
def worker(
    stalled_seconds: Annotated[
        int | None,
        typer.Option(
            min=1,
            help="Requeue jobs of workers silent this long (default: "
            "UN1540_WORKER_STALLED_SECONDS).",
        ),
    ] = None,
) -> None:
    """Run background jobs (PostgreSQL): e-mails, open-data and export builds, the daily
    reminders. Stop it with Ctrl+C or SIGTERM; a job it was running is queued again and
    finished by the next worker."""
    import asyncio

    import un1540.io.builds  # noqa: F401  (registers the build task)
    from un1540.services.kernel.workers import WorkerOptions, postgres_worker_app, work

    settings = _settings()
    if settings.is_sqlite:
        raise InvalidParameter.naming(
            [
                Problem(
                    "UN1540_DATABASE_URL",
                    "the job queue needs PostgreSQL; on SQLite `un1540 serve` runs the jobs",
                )
            ]
        )
    engine = _connected_engine(settings, must_exist=True)
    sessions = make_session_factory(engine)
    configure_email(sessions, settings)
    options = WorkerOptions(stalled_seconds=stalled_seconds or settings.worker_stalled_seconds)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    console.print(f"Worker on {masked_url(settings.database_url)}; Ctrl+C stops it.")
    try:
        asyncio.run(
            work(postgres_worker_app(settings, sessions), options, install_signal_handlers=True)
        )
    finally:
        engine.dispose()


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply the database migrations up to REVISION (default: the newest)."""
    from un1540.services.library.reads import documents_read_before

    settings = _settings()
    engine = _connected_engine(settings)
    upgrade(engine, revision)
    console.print(f"Database {masked_url(settings.database_url)} is at {revision}.")
    if revision == "head":  # the library's reading may have improved with this version
        with make_session_factory(engine)() as session:
            stale = len(documents_read_before(session))
        if stale:
            console.print(
                f"Documents of the library read with older heading patterns: {stale}. The "
                "next server reads them again in the background; or run `un1540 documents "
                "read-again --stale` now (docs/operations.md)."
            )


@db_app.command("check")
def db_check() -> None:
    """Check the database: pages and indexes, every foreign key, the schema revision.

    Read-only and safe while the server runs; for after a crash, or before and after a restore.
    """
    settings = _settings()
    engine = _connected_engine(settings, must_exist=True, any_revision=True)
    with console.status("Checking the database ..."):
        report = check_integrity(engine)
    url = masked_url(settings.database_url)
    if not report.ok:
        raise DatabaseUnavailable(
            f"the database {url} fails its check ({len(report.problems)} problem(s))",
            problems=[Problem("database", problem) for problem in report.problems],
        )
    console.print(
        f"Database {url} is sound: {report.tables} tables, {report.foreign_keys} foreign keys "
        f"checked, schema at {report.revision}."
    )


@db_app.command("delete-local")
def db_delete_local(
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete the embedded SQLite database and the uploaded files (`make clean-data`).

    Shows what it will delete and asks first. Refuses a PostgreSQL database: drop that with
    PostgreSQL's own tools."""
    import shutil

    settings = _settings()
    database = settings.sqlite_path()
    if database is None:
        raise InvalidParameter.naming(
            [
                Problem(
                    "UN1540_DATABASE_URL",
                    f"{masked_url(settings.database_url)} is not a SQLite file; un1540 never "
                    "deletes a PostgreSQL database",
                )
            ]
        )
    targets = [
        path
        for path in (database, *database.parent.glob(database.name + "-*"), settings.files_dir)
        if path.exists()
    ]
    if not targets:
        console.print(f"Nothing to delete: {database} and {settings.files_dir} do not exist.")
        return
    for path in targets:
        console.print(f"  {path}{'/' if path.is_dir() else ''}")
    if not yes and not typer.confirm("Delete these (the database and every uploaded file)?"):
        console.print("Nothing was deleted.")
        raise typer.Exit(1)
    for path in targets:
        if path.is_dir():
            shutil.rmtree(path)
        else:
            path.unlink()
    console.print("Deleted. `make run` creates a new database with demo data.")


@app.command()
def backup(
    output: Annotated[
        Path, typer.Option("-o", "--output", help="The backup file to write (a .tar).")
    ],
) -> None:
    """Back up the database and the uploaded files into one file; safe while the server runs.

    SQLite: SQLite's online backup of the database file. PostgreSQL: pg_dump's custom format
    (pg_dump of the server's version or newer: next to the server's, on PATH, or in
    UN1540_PG_BINDIR). The file is written whole or not at all.
    """
    settings = _settings()
    engine = _connected_engine(settings, must_exist=True, any_revision=True)
    with _file_progress("Files") as advance:
        result = create_backup(
            engine,
            files_dir=settings.files_dir,
            output=output,
            pg_bindir=settings.pg_bindir,
            say=console.print,
            advance=advance,
        )
    manifest = result.manifest
    console.print(
        f"Wrote {result.path} ({result.size:,} bytes): the {manifest.database} database at "
        f"schema revision {manifest.schema_revision} and {manifest.files} file(s), with their "
        "checksums in manifest.json."
    )


@app.command()
def restore(
    path: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="A file of `backup`."),
    ],
    force: Annotated[
        bool,
        typer.Option("--force", help="Replace the content of a database that holds data."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Check the backup whole; write nothing.")
    ] = False,
) -> None:
    """Restore a backup into the configured database and files directory.

    Everything is checked first (every checksum, the schema revision, the kind of database);
    a database that holds data is replaced only with --force. A backup of an older schema is
    migrated to the current one; one of a newer schema is refused. Stop the server first.
    """
    settings = _settings()
    engine = make_engine(settings.database_url)
    with _file_progress("Files checked") as advance:
        result = restore_backup(
            engine,
            backup=path,
            files_dir=settings.files_dir,
            force=force,
            dry_run=dry_run,
            pg_bindir=settings.pg_bindir,
            say=console.print,
            advance=advance,
        )
    url = masked_url(settings.database_url)
    if result.dry_run:
        replaced = " It would replace the data the database holds now." if result.replaced else ""
        console.print(f"Dry run: the backup is whole and can be restored into {url}.{replaced}")
        return
    for table in result.dropped:
        console.print(f"Dropped {table}: it is not in the backup.")
    upgraded = (
        f"; schema migrated from {result.upgraded_from} to the current one"
        if result.upgraded_from
        else ""
    )
    console.print(
        f"Restored the backup of {result.manifest.created_at} into {url} with {result.files} "
        f"file(s){upgraded}. The database passes its integrity check."
    )


@contextmanager
def _file_progress(label: str) -> Iterator[Callable[[int, int], None]]:
    """A progress bar over files, shown from the first file on (none when there is none)."""
    shown: list[Progress] = []

    def advance(done: int, total: int) -> None:
        if not shown:
            shown.append(
                Progress(
                    TextColumn(label),
                    BarColumn(),
                    MofNCompleteColumn(),
                    TimeElapsedColumn(),
                    console=console,
                    transient=True,
                )
            )
            shown[0].start()
            shown[0].add_task("", total=total)
        shown[0].update(shown[0].task_ids[0], completed=done, total=total)

    try:
        yield advance
    finally:
        for progress in shown:
            progress.stop()


@import_app.command("framework")
def import_framework(
    path: Annotated[
        Path,
        typer.Argument(exists=True, dir_okay=False, readable=True, help="Framework YAML file."),
    ],
    make_default: Annotated[
        bool, typer.Option("--make-default", help="Use this version when none is named.")
    ] = False,
) -> None:
    """Load a matrix framework version (e.g. the Committee's official template) from YAML."""
    definition = read_framework_file(path)
    settings = _settings()
    sessions = make_session_factory(_connected_engine(settings))
    with sessions() as session:
        framework, outcome = store_framework(
            session, definition=definition, actor=CLI_ACTOR, make_default=make_default
        )
        default = " (default)" if framework.is_default else ""
    console.print(
        f"Framework {definition.slug}{default}: {outcome}, {len(definition.cells())} cells."
    )


def _sessions() -> sessionmaker[Session]:
    """Sessions of a command. On PostgreSQL the jobs a write asks for (e-mails, rebuilds) are
    queued with it for the workers; on SQLite, whose queue lives in the server, e-mails are
    sent at once and the server rebuilds the files on the next visit."""
    settings = _settings()
    sessions = make_session_factory(_connected_engine(settings, must_exist=True))
    configure_email(sessions, settings)
    if not settings.is_sqlite:
        configure_jobs(sessions, PostgresJobs(rebuild_delay_seconds=settings.rebuild_delay_seconds))
    return sessions


def _operator(session: Session, acting_as: str | None) -> Viewer:
    """Who a command acts as: a named account (for the audit trail), or the shell's operator."""
    if acting_as is None:
        return system_viewer(f"cli:{getpass.getuser()}")
    user = find_user(session, acting_as)
    if not user.is_active:
        raise InvalidData(f"the account {user.email} is disabled")
    return viewer_for(user)


def _read_password() -> str:
    """From standard input when it is piped (scripts), else asked twice without echo."""
    if not sys.stdin.isatty():
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Password: ")
    if getpass.getpass("Password again: ") != first:
        raise InvalidData("the two passwords differ; nothing was written")
    return first


# The options that name a role and what it speaks for, shared by `users create` and `set-role`.
RoleOption = Annotated[str, typer.Option(help="state_poc, provider, expert, committee or admin.")]
StateOption = Annotated[
    str | None, typer.Option(help="ISO3 of the State a point of contact speaks for.")
]
OrgOption = Annotated[
    str | None, typer.Option(help="Code of a provider's organisation (e.g. iaea).")
]


@users_app.command("create")
def users_create(
    email: Annotated[str, typer.Option(help="The account's e-mail address (its sign-in name).")],
    role: RoleOption,
    state: StateOption = None,
    org: OrgOption = None,
    name: Annotated[str, typer.Option(help="Display name.")] = "",
    language: Annotated[
        str, typer.Option(help="Language of its e-mails: ar, zh, en, fr, ru or es.")
    ] = "en",
) -> None:
    """Create an account; the password is read from standard input (or asked for)."""
    password = _read_password()
    with _sessions()() as session:
        user = create_account(
            session,
            viewer=system_viewer(f"cli:{getpass.getuser()}"),
            email=email,
            password=password,
            role=role,
            state_iso3=state,
            organisation_code=org,
            display_name=name,
            language=language,
        )
        console.print(f"Account {user.email} created ({user.role.value}).")


@users_app.command("list")
def users_list() -> None:
    """Every account, with its role, State or organisation, and whether it is active."""
    with _sessions()() as session:
        table = Table("e-mail", "role", "State / organisation", "active", "last sign-in")
        for user in list_users(session):
            bound = (
                user.state.iso3
                if user.state
                else (user.organisation.code if user.organisation else "")
            )
            last = user.last_login_at.strftime("%Y-%m-%d %H:%M") if user.last_login_at else "never"
            table.add_row(
                user.email, user.role.value, bound, "yes" if user.is_active else "no", last
            )
        console.print(table)


@users_app.command("disable")
def users_disable(email: Annotated[str, typer.Option(help="The account to disable.")]) -> None:
    """Disable an account: it can no longer sign in, and its API tokens are revoked."""
    with _sessions()() as session:
        set_account_active(
            session, viewer=system_viewer(f"cli:{getpass.getuser()}"), email=email, active=False
        )
    console.print(f"Account {email} disabled; its tokens are revoked.")


@users_app.command("enable")
def users_enable(email: Annotated[str, typer.Option(help="The account to enable again.")]) -> None:
    """Enable a disabled account (its old tokens stay revoked)."""
    with _sessions()() as session:
        set_account_active(
            session, viewer=system_viewer(f"cli:{getpass.getuser()}"), email=email, active=True
        )
    console.print(f"Account {email} enabled.")


@users_app.command("set-role")
def users_set_role(
    email: Annotated[str, typer.Option(help="The account whose role changes.")],
    role: RoleOption,
    state: StateOption = None,
    org: OrgOption = None,
) -> None:
    """Give an account another role (its sessions end); never the last administrator's."""
    with _sessions()() as session:
        viewer = system_viewer(f"cli:{getpass.getuser()}")
        user = change_role(
            session,
            viewer=viewer,
            account_id=find_user(session, email).id,
            role=role,
            state_iso3=state,
            organisation_code=org,
        )
        console.print(f"Account {user.email} is now {user.role.value}.")


@users_app.command("set-password")
def users_set_password(
    email: Annotated[str, typer.Option(help="The account whose password is reset.")],
) -> None:
    """Set a new password for an account (read like `create`); its sessions end."""
    password = _read_password()
    with _sessions()() as session:
        reset_password(session, email=email, new=password, actor=f"cli:{getpass.getuser()}")
    console.print(f"Password of {email} set; its open sessions have ended.")


@users_app.command("sign-out")
def users_sign_out(
    email: Annotated[str, typer.Option(help="The account whose portal sessions end.")],
) -> None:
    """End every portal session of an account at once ("sign out everywhere").

    Its API tokens stay valid: revoke them with `users revoke`, or disable the account."""
    with _sessions()() as session:
        ended = sign_out_everywhere(
            session, viewer=system_viewer(f"cli:{getpass.getuser()}"), email=email
        )
    console.print(f"{ended} session(s) of {email} ended.")


@users_app.command("token")
def users_token(
    email: Annotated[str, typer.Option(help="The account the token acts as.")],
    scope: Annotated[str, typer.Option(help="read (reading only) or write.")] = "read",
    label: Annotated[str, typer.Option(help="What the token is for.")] = "",
) -> None:
    """Issue an API token and print it once (only its hash is kept)."""
    with _sessions()() as session:
        token, plain = issue_token(
            session, email=email, scope=scope, label=label, actor=f"cli:{getpass.getuser()}"
        )
        prefix = token.prefix
    print(plain)
    errors_console.print(f"Token {prefix}... ({scope}) for {email}; it is shown only this once.")


@users_app.command("revoke")
def users_revoke(
    prefix: Annotated[str, typer.Option(help="The token's first 12 characters.")],
) -> None:
    """Revoke an API token."""
    with _sessions()() as session:
        revoke_token(session, prefix=prefix, actor=f"cli:{getpass.getuser()}")
    console.print(f"Token {prefix}... revoked.")


@export_app.command("matrix")
def export_matrix(
    output: Annotated[Path, typer.Option("-o", "--output", help="The file to write.")],
    format: Annotated[ExportFormat, typer.Option("--format", help="csv, json, xlsx, docx or pdf.")],
    state: Annotated[str | None, typer.Option(help="ISO3 of one State.")] = None,
    all_states: Annotated[
        bool, typer.Option("--all", help="Every State's latest approved edition.")
    ] = False,
    edition: Annotated[int | None, typer.Option(min=1, help="With --state: this edition.")] = None,
    lang: Annotated[
        str, typer.Option("--lang", help="ar, zh, en, fr, ru or es (XLSX, DOCX and PDF).")
    ] = "en",
) -> None:
    """Export one State's matrix, or every State's, as CSV, JSON, XLSX, DOCX or PDF."""
    if (state is None) == (not all_states) or (edition is not None and state is None):
        raise InvalidParameter.naming(
            [Problem("--state/--all", "give --state ISO3 (optionally --edition) or --all")]
        )
    if lang not in UN_LANGUAGES:
        raise typer.BadParameter(f"one of {', '.join(UN_LANGUAGES)}", param_hint="--lang")
    with _sessions()() as session:
        viewer = system_viewer(f"cli:{getpass.getuser()}")
        with console.status("Exporting ..."):
            if all_states:  # written as it is made (the PDF one State at a time)
                with output.open("wb") as target:
                    _, synthetic = stream_every_matrix(
                        session, viewer, format, target, language=lang
                    )
            else:
                exported = export_matrices(
                    session, viewer=viewer, iso3=state, fmt=format, edition=edition, language=lang
                )
                output.write_bytes(exported.content)
                synthetic = exported.synthetic
    note = " (synthetic demo data)" if synthetic else ""
    console.print(f"Wrote {output} ({output.stat().st_size:,} bytes){note}.")


def _read_provisions(path: Path) -> list[ProvisionText]:
    """The lines of a JSONL file of provisions; a bad line is refused naming it and its key."""
    items: list[ProvisionText] = []
    problems: list[Problem] = []
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        raise InvalidData(f"cannot read {path}: {error}") from error
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        where = f"{path.name}:{number}"
        try:
            raw = orjson.loads(line)
        except orjson.JSONDecodeError:
            problems.append(Problem(where, "not a JSON object"))
            continue
        if not isinstance(raw, dict) or "id" not in raw:
            problems.append(Problem(f"{where}.id", "each line is an object with an id"))
            continue
        if not isinstance(raw.get("text"), str) or not raw["text"].strip():
            problems.append(Problem(f"{where}.text", "expected the provision's text"))
            continue
        language = raw.get("language")
        if language is not None and language not in LANGUAGES:
            problems.append(Problem(f"{where}.language", "expected one of en, fr, es, zh, ru, ar"))
            continue
        items.append(ProvisionText(raw["id"], raw["text"], language))
    if problems:
        raise InvalidData(f"{path.name}: no suggestion was written", problems=problems)
    return items


@evidence_app.command("suggest")
def evidence_suggest(
    input: Annotated[Path, typer.Option("--input", help="JSONL: {id, text, language?} a line.")],
    output: Annotated[Path, typer.Option("--output", help="JSONL: {id, language, suggestions}.")],
) -> None:
    """Suggest the matrix fields each provision is evidence for (offline, no database needed)."""
    items = _read_provisions(input)
    results: list[Suggested] = []
    for start in range(0, len(items), MAX_PROVISIONS):
        results.extend(suggest_provisions(items[start : start + MAX_PROVISIONS]))
    with output.open("wb") as written:
        for result in results:
            written.write(orjson.dumps(result.as_dict()) + b"\n")
    count = sum(len(result.suggestions) for result in results)
    console.print(f"Wrote {output}: {len(results)} provisions, {count} suggestions.")


@evidence_app.command("retrain")
def evidence_retrain(
    full: Annotated[
        bool,
        typer.Option(
            "--full",
            help="Train the whole model again (about a minute) instead of updating the kept "
            "base model with the decisions (seconds).",
        ),
    ] = False,
) -> None:
    """Teach the suggestion model the experts' decisions (the development set's model, kept,
    updated with them)."""
    with _sessions()() as session:
        model = retrain(session, full=full)
    console.print(
        f"Model {model.version}: {model.trained_on.get('examples', 0)} provisions, "
        f"{model.trained_on.get('decisions', 0)} from decisions; lexicon {model.lexicon_version}."
    )


@report_app.command("review")
def report_review(
    date_from: Annotated[str, typer.Option("--from", help="Start of the period, YYYY-MM-DD.")],
    date_to: Annotated[str, typer.Option("--to", help="End of the period, YYYY-MM-DD.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="The file to write.")],
    format: Annotated[
        ReviewFormat, typer.Option("--format", help="html, docx or pdf.")
    ] = ReviewFormat.html,
    lang: Annotated[str, typer.Option("--lang", help="ar, zh, en, fr, ru or es.")] = "en",
) -> None:
    """Build the tables and charts of a comprehensive review of a period, reproducibly.

    Counts the public, approved matrix editions in force at the start and the end of the
    period; the method and data sources are in the report's annex. The same data and command
    give the same file.
    """
    start, end = parse_date(date_from, "--from"), parse_date(date_to, "--to")
    if lang not in UN_LANGUAGES:
        raise typer.BadParameter(f"one of {', '.join(UN_LANGUAGES)}", param_hint="--lang")
    with _sessions()() as session:
        with console.status("Computing the review ..."):
            statistics = review_statistics(session, viewer=PUBLIC, start=start, end=end)
        with console.status(f"Writing {format.value.upper()} ..."):
            content = render_review(statistics, format.value, lang)
    output.write_bytes(content)
    note = " (synthetic demo data)" if statistics.synthetic else ""
    console.print(
        f"Wrote {output} ({len(content):,} bytes): review of {start} to {end}, "
        f"{statistics.end.states} States at the end{note}."
    )


@report_app.command("briefing")
def report_briefing(
    visit: Annotated[int, typer.Option("--visit", min=1, max=MAX_RECORD_ID, help="Visit number.")],
    output: Annotated[
        Path, typer.Option("-o", "--output", help="The file to write: .docx or .pdf.")
    ],
) -> None:
    """A country visit's briefing, generated from the data, as DOCX or PDF (by the extension)."""
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("docx", "pdf"):
        raise InvalidParameter.naming([Problem("--output", "name a .docx or .pdf file")])
    with _sessions()() as session:
        viewer = system_viewer(f"cli:{getpass.getuser()}")
        read, profile, briefing = visit_briefing(session, viewer=viewer, visit_id=visit)
    content, _name, _media = briefing_file(read, profile, fmt, synthetic=briefing.synthetic)
    output.write_bytes(content)
    note = " (synthetic demo data)" if briefing.synthetic else ""
    console.print(
        f"Wrote {output} ({len(content):,} bytes): briefing for visit {visit} to "
        f"{read.state.name}{note}."
    )


@notify_app.command("send")
def notify_send() -> None:
    """Send the notification e-mails still pending (for a timer, e.g. every few minutes).

    The portal sends them after each change already; this catches those a mail server that was
    down could not take. Needs UN1540_SMTP_HOST.
    """
    smtp = smtp_settings(_settings())
    if smtp is None:
        raise InvalidParameter.naming(
            [Problem("UN1540_SMTP_HOST", "set it to the SMTP server that sends the e-mails")]
        )
    with _sessions()() as session:
        sent = send_pending_emails(session, smtp)
    console.print(f"{sent} notification e-mail(s) sent.")


@notify_app.command("reminders")
def notify_reminders(
    on: Annotated[
        str | None,
        typer.Option(help="The day to act as of (YYYY-MM-DD); default today, in UTC."),
    ] = None,
) -> None:
    """Remind States of their review period (for a daily timer; docs/operations.md).

    The points of contact of each State with a shared draft it has not agreed to are told once,
    UN1540_REVIEW_REMINDER_DAYS before their response deadline, and once after it (a
    notification, and an e-mail when UN1540_SMTP_HOST is set). Running it twice sends nothing
    twice.
    """
    settings = _settings()
    day = parse_date(on, "--on") if on else None
    with _sessions()() as session:
        reminded = send_review_reminders(session, on=day, remind_days=settings.review_reminder_days)
    console.print(f"{reminded} edition(s) reminded about.")


@contacts_app.command("stale")
def contacts_stale(
    on: Annotated[
        str | None,
        typer.Option(help="The day to act as of (YYYY-MM-DD); default today, in UTC."),
    ] = None,
    remind: Annotated[
        bool,
        typer.Option(
            "--remind",
            help="Also remind the States (notification and e-mail) of the stale contacts not "
            "reminded yet, as a queued job.",
        ),
    ] = False,
) -> None:
    """List the points of contact not confirmed for UN1540_CONTACT_STALE_MONTHS months.

    With --remind (for a daily timer; docs/contacts.md), each stale contact's State (its points
    of contact) or organisation, and the contact itself, are reminded once per stale spell. On
    PostgreSQL the reminders are queued for the workers; on SQLite they are sent here.
    """
    settings = _settings()
    day = parse_date(on, "--on") if on else None
    months = settings.contact_stale_months
    with _sessions()() as session:
        rows = stale_contacts(session, on=day, stale_months=months)
        table = Table("id", "State / organisation", "name", "role", "last confirmed", "reminded")
        for contact in rows:
            party = (
                contact.state.iso3
                if contact.state
                else (contact.organisation.code if contact.organisation else "")
            )
            table.add_row(
                str(contact.id),
                party,
                contact.name,
                contact.role.value,
                contact.confirmed_on.isoformat(),
                contact.reminded_on.isoformat() if contact.reminded_on else "",
            )
        if rows:
            console.print(table)
        console.print(f"{len(rows)} stale point(s) of contact (not confirmed for {months} months).")
        if remind:
            sent = queue_contact_reminders(session, on=day, stale_months=months)
            if sent is None:
                console.print("Reminders queued for the workers.")
            else:
                console.print(f"{sent} stale point(s) of contact reminded about.")


@notify_app.command("overdue-milestones")
def notify_overdue_milestones_command(
    on: Annotated[
        str | None,
        typer.Option(help="The day to act as of (YYYY-MM-DD); default today, in UTC."),
    ] = None,
) -> None:
    """Tell of action plan milestones past their due date (for a daily timer).

    Queued as a job (run here when there is no queue): the State's points of contact and the
    experts are told once per milestone, by a notification and an e-mail.
    """
    day = parse_date(on, "--on") if on else None
    with _sessions()() as session:
        told = check_overdue_milestones(session, on=day)
    console.print(
        "The check is queued." if told is None else f"{told} overdue milestone(s) told of."
    )


@notify_app.command("deadlines")
def notify_deadlines_command(
    on: Annotated[
        str | None,
        typer.Option(help="The day to act as of (YYYY-MM-DD); default today, in UTC."),
    ] = None,
) -> None:
    """Tell who must act of the deadlines near (for a daily timer; docs/inbox.md).

    Action plan and project milestones and commitments due within UN1540_DEADLINE_REMINDER_DAYS:
    queued as a job (run here when there is no queue), told once per item and threshold.
    """
    day = parse_date(on, "--on") if on else None
    settings = _settings()
    with _sessions()() as session:
        told = check_deadlines_near(session, on=day, thresholds=settings.deadline_thresholds)
    console.print("The check is queued." if told is None else f"{told} deadline(s) near told of.")


@notify_app.command("overdue-commitments")
def notify_overdue_commitments_command(
    on: Annotated[
        str | None,
        typer.Option(help="The day to act as of (YYYY-MM-DD); default today, in UTC."),
    ] = None,
) -> None:
    """Remind the owners of commitments past their target date (for a daily timer).

    Queued as a job (run here when there is no queue): the State's points of contact or the
    organisation's contacts are reminded once per commitment, by a notification and an e-mail.
    """
    day = parse_date(on, "--on") if on else None
    with _sessions()() as session:
        reminded = check_overdue_commitments(session, on=day)
    console.print(
        "The check is queued."
        if reminded is None
        else f"{reminded} overdue commitment(s) reminded about."
    )


@import_app.command("matrix")
def import_matrix(
    path: Annotated[
        Path, typer.Argument(exists=True, dir_okay=False, readable=True, help="XLSX or CSV file.")
    ],
    state: Annotated[
        str | None, typer.Option(help="Import this State's rows into its draft.")
    ] = None,
    all_states: Annotated[
        bool, typer.Option("--all", help="Import every State in the file.")
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show the changes; write nothing.")
    ] = False,
    acting_as: Annotated[
        str | None, typer.Option("--as", help="Expert account to record as the author.")
    ] = None,
    reason: Annotated[str, typer.Option(help="Why (kept in the audit trail).")] = "",
) -> None:
    """Import a matrix file into draft editions (opened from the latest approved one if needed).

    Every problem is listed with its sheet, row and column; nothing is written unless the whole
    file is valid.
    """
    if state is None and not all_states:
        raise InvalidParameter.naming([Problem("--state/--all", "give --state ISO3 or --all")])
    settings = _settings()
    with _sessions()() as session:
        viewer = _operator(session, acting_as)
        with console.status(f"Checking {path.name} ..."):
            report = import_matrix_file(
                session,
                viewer=viewer,
                content=path.read_bytes(),
                file_name=path.name,
                only=state,
                dry_run=dry_run,
                max_bytes=settings.max_upload_mb * 1_000_000,
                reason=reason,
            )
    _print_import(report)


@import_app.command("action-plan")
def import_action_plan_command(
    path: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="CSV or XLSX: one row per milestone (docs/action-plans.md).",
        ),
    ],
    state: Annotated[str, typer.Option(help="The State whose plan the measures belong to.")],
    plan: Annotated[
        int | None,
        typer.Option(min=1, max=2_147_483_647, help="The plan's number; default its latest."),
    ] = None,
    dry_run: DryRunOption = False,
    acting_as: Annotated[
        str | None, typer.Option("--as", help="Expert account to record as the author.")
    ] = None,
) -> None:
    """Import the measures (and milestones) of a State's action plan from a file.

    Every problem is listed with its file, row and column; nothing is written unless the whole
    file is valid.
    """
    with _sessions()() as session:
        viewer = _operator(session, acting_as)
        outcome = import_plan_file(
            session,
            viewer=viewer,
            iso3=state,
            file_name=path.name,
            content=path.read_bytes(),
            plan_id=plan,
            dry_run=dry_run,
        )
    verb = "would add" if dry_run else "added"
    console.print(
        f"{path.name}: {verb} {outcome.measures} measure(s) and {outcome.milestones} "
        f"milestone(s) to action plan {outcome.plan.id}."
    )


@import_app.command("indicators")
def import_indicators_command(
    path: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="CSV with columns iso3, indicator, value and optionally year, source.",
        ),
    ],
    dry_run: DryRunOption = False,
    acting_as: Annotated[
        str | None, typer.Option("--as", help="Expert account to record as the author.")
    ] = None,
) -> None:
    """Import context indicators for the prioritisation aid (kept apart from the matrix).

    The indicators are the `indicator` factors of the method (reference/priorities.yml). Every
    problem is listed with its row and column; nothing is written unless the whole file is valid.
    Values already stored for the same State and indicator are replaced.
    """
    with _sessions()() as session:
        viewer = _operator(session, acting_as)
        result = import_indicators(
            session,
            content=path.read_bytes(),
            file_name=path.name,
            viewer=viewer,
            dry_run=dry_run,
        )
    verb = "would import" if dry_run else "imported"
    console.print(
        f"{path.name}: {verb} {result.rows} value(s) for {result.states} State(s) "
        f"({', '.join(result.indicators)}); {result.replaced} existing value(s) replaced."
        + (" Dry run: nothing was written." if dry_run else "")
    )


@import_app.command("reports")
def import_reports_command(
    path: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="CSV with columns iso3, kind, issued_on, language, title and optionally "
            "symbol, url, visibility.",
        ),
    ],
    acting_as: Annotated[
        str | None, typer.Option("--as", help="Expert account to record as the author.")
    ] = None,
) -> None:
    """Import a register of national reports (first reports, addenda, additional information).

    Every problem is listed with its row and column (a report dated before resolution 1540 was
    adopted, 28 April 2004, among them); nothing is written unless the whole file is valid. A
    row without a visibility is seen by the Committee side only (docs/reporting.md).
    """
    with _sessions()() as session:
        viewer = _operator(session, acting_as)
        result = import_reports(
            session, content=path.read_bytes(), file_name=path.name, viewer=viewer
        )
    console.print(f"{path.name}: imported {result.rows} report(s) for {result.states} State(s).")


@import_app.command("incidents")
def import_incidents_command(
    path: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="CSV of incidents (columns in docs/incidents.md).",
        ),
    ],
    dry_run: DryRunOption = False,
    acting_as: Annotated[
        str | None, typer.Option("--as", help="Expert account to record as the reporter.")
    ] = None,
) -> None:
    """Import incidents (CBRN material out of regulatory control; reference/incidents.yml).

    Every problem is listed with its file, row and column (unknown States, categories, kinds or
    fields, dates in the future or out of order, duplicates in the file or of recorded incidents);
    nothing is written unless the whole file is valid.
    """
    with _sessions()() as session:
        viewer = _operator(session, acting_as)
        result = import_incident_file(
            session, path.read_bytes(), file_name=path.name, viewer=viewer, dry_run=dry_run
        )
    verb = "would import" if dry_run else "imported"
    console.print(
        f"{path.name}: {verb} {result.rows} incident(s) concerning {result.states} State(s)."
        + (" Dry run: nothing was written." if dry_run else "")
    )


@import_app.command("activities")
def import_activities_command(
    path: Annotated[
        Path,
        typer.Argument(
            exists=True,
            dir_okay=False,
            readable=True,
            help="CSV of organisations' activities (columns in docs/activities.md).",
        ),
    ],
    dry_run: DryRunOption = False,
    acting_as: Annotated[
        str | None, typer.Option("--as", help="Committee-side account to record as.")
    ] = None,
) -> None:
    """Import what organisations do in States (programme, State, matrix fields, weapons, period).

    Every problem is listed with its file, row and column (unknown organisations, States, fields
    or weapon categories, a period ending before it starts); nothing is written unless the whole
    file is valid.
    """
    with _sessions()() as session:
        viewer = _operator(session, acting_as)
        result = import_activity_file(
            session, path.read_bytes(), file_name=path.name, viewer=viewer, dry_run=dry_run
        )
    verb = "would import" if dry_run else "imported"
    console.print(
        f"{path.name}: {verb} {result.rows} activit(y/ies) in {result.states} State(s)."
        + (" Dry run: nothing was written." if dry_run else "")
    )


@framework_app.command("migrate")
def framework_migrate(
    from_slug: Annotated[
        str, typer.Option("--from", help="Version the matrices are on, as code/version.")
    ],
    to_slug: Annotated[str, typer.Option("--to", help="Version to move to, as code/version.")],
    mapping: Annotated[
        Path,
        typer.Option(
            exists=True, dir_okay=False, readable=True, help="Mapping file (CSV, docs/cli.md)."
        ),
    ],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would happen; write nothing.")
    ] = False,
    acting_as: Annotated[
        str | None, typer.Option("--as", help="Expert account to record as the author.")
    ] = None,
    reason: Annotated[
        str, typer.Option(help="Why (kept in the audit trail).")
    ] = "Move to a new framework version",
) -> None:
    """Open a draft on the new version for every State whose latest approved edition is on the
    old one, carrying cells over by the mapping file and listing what nothing carries over.

    A mapping file naming an unknown field or cell is an error naming the file, row and column;
    nothing is written.
    """
    parsed = parse_mapping(mapping.read_bytes(), source_name=mapping.name)
    with _sessions()() as session:
        viewer = _operator(session, acting_as)
        report = migrate_framework(
            session,
            viewer=viewer,
            from_slug=from_slug,
            to_slug=to_slug,
            mapping=parsed,
            dry_run=dry_run,
            reason=reason,
        )
    console.print(
        f"{report.from_framework} -> {report.to_framework} by {report.mapping}: "
        f"{report.mapped_cells} cell pair(s)."
    )
    for title, keys in (
        ("Old cells nothing carries over", report.unmapped_from),
        ("  of which dropped on purpose", report.dropped_on_purpose),
        ("New cells that start blank", report.unmapped_to),
    ):
        console.print(f"{title}: {len(keys)}" + (f" ({', '.join(keys)})" if keys else ""))
    verb = "would open" if report.dry_run else "opened"
    for item in report.states:
        if item.outcome == "skipped":
            console.print(f"{item.iso3}: skipped, {item.reason}")
            continue
        number = f" {item.new_edition}" if item.new_edition is not None else ""
        console.print(
            f"{item.iso3}: {verb} draft{number} from edition {item.from_edition}, "
            f"{item.carried} cell(s) carried"
            + (f"; marks not carried: {', '.join(item.dropped)}" if item.dropped else "")
        )
    opened = sum(1 for item in report.states if item.outcome != "skipped")
    skipped = len(report.states) - opened
    summary = "Dry run: nothing was written." if report.dry_run else "Done."
    console.print(f"{summary} {opened} draft(s) {verb}, {skipped} State(s) skipped.")


def _print_import(report: ImportReport) -> None:
    verb = "would change" if report.dry_run else "changed"
    for item in report.states:
        opened = " (new draft)" if item.opened_draft else ""
        console.print(
            f"{item.state.iso3} edition {item.edition}{opened}: "
            f"{len(item.changes)} cell(s) {verb}, "
            f"{item.unchanged} unchanged"
            + (f", {len(item.treaty_changes)} treaty status(es)" if item.treaty_changes else "")
        )
        for treaty in item.treaty_changes:
            before = treaty.before["status"] if treaty.before else "none"
            after = treaty.after["status"] if treaty.after else "cleared"
            console.print(f"  {treaty.cell}: treaty status {before} -> {after}")
        if report.dry_run:
            for change in item.changes:
                before = change.before.mark if change.before else ""
                after = change.after.mark if change.after else ""
                console.print(
                    f"  {change.cell}: {before or 'blank'} -> {after or 'blank'} ({change.change})"
                )
    summary = "Dry run: nothing was written." if report.dry_run else "Imported."
    console.print(
        f"{summary} {report.changed} cell(s) and {report.treaty_changed} treaty status(es) "
        f"{verb} in {len(report.states)} State(s)."
    )


def main() -> None:
    """Entry point: click handles usage errors; our own errors become a message and an exit code."""
    try:
        app()
    except Un1540Error as error:
        # Plain text, one line for the error (plus one per problem): no wrapping, no traceback.
        print(f"error: {' '.join(error.message.split())}", file=sys.stderr)
        for problem in error.problems:
            if problem.message not in error.message:
                print(f"  {problem.where}: {problem.message}", file=sys.stderr)
        sys.exit(error.exit_code)


documents_app = typer.Typer(help="Documents in the library: ingest files.", no_args_is_help=True)
app.add_typer(documents_app, name="documents")


@documents_app.command("ingest")
def documents_ingest(
    path: Annotated[Path, typer.Argument(help="A PDF, DOCX, HTML or text file.")],
    state: Annotated[str, typer.Option(help="ISO3 of the State the document is about.")],
    kind: Annotated[str, typer.Option(help="legislation, national_report, ...")] = "legislation",
    language: Annotated[
        str, typer.Option(help="ar, zh, en, fr, ru or es; detected when not given.")
    ] = "",
    title: Annotated[str, typer.Option(help="Title; the file name when not given.")] = "",
    acting_as: Annotated[
        str | None, typer.Option("--as", help="E-mail of the account to act as.")
    ] = None,
) -> None:
    """Keep a file verbatim, read its text (OCR for scanned pages), split a law into its
    provisions and index it for search (docs/library.md)."""
    from un1540.services.documents.actions import DocumentInput, UploadedFile
    from un1540.services.library.actions import ingest_document, read_scanned_pages
    from un1540.services.library.reads import text_summary

    settings = _settings()
    content = path.read_bytes() if path.is_file() else b""
    if not path.is_file():
        raise InvalidData(f"{path}: no such file; nothing was stored")
    sessions = _sessions()
    with sessions() as session:
        record = ingest_document(
            session,
            viewer=_operator(session, acting_as),
            document=DocumentInput(
                kind=kind, title=title or path.name, language=language, iso3=state.upper()
            ),
            upload=UploadedFile(name=path.name, content=content),
            files_dir=settings.files_dir,
            max_bytes=settings.max_upload_mb * 1_000_000,
        )
        document_id = record.id
        pages, count, scanned = text_summary(session, document_id=document_id)
        if scanned and settings.is_sqlite:  # no worker queue here: read them now
            with _file_progress("Pages read by OCR") as advance:
                read_scanned_pages(
                    session, document_id=document_id, files_dir=settings.files_dir, progress=advance
                )
            pages, count, _ = text_summary(session, document_id=document_id)
    note = f"; {len(scanned)} scanned pages read by OCR" if scanned else ""
    console.print(f"Document {document_id}: {pages} pages, {count} provisions{note}.")


@documents_app.command("read-again")
def documents_read_again(
    ids: Annotated[
        list[int] | None, typer.Argument(help="Document ids; none with --all.", show_default=False)
    ] = None,
    every: Annotated[
        bool, typer.Option("--all", help="Every document of the library that has text.")
    ] = False,
    stale: Annotated[
        bool,
        typer.Option(
            "--stale", help="The documents read with older heading patterns than today's."
        ),
    ] = False,
    acting_as: Annotated[
        str | None, typer.Option("--as", help="E-mail of the account to act as.")
    ] = None,
) -> None:
    """Split and index documents again from their stored text, with today's heading patterns
    and language tools (e.g. after an upgrade that reads a language better; docs/library.md).
    Each document is one write: all of it or nothing."""
    from un1540.errors import Conflict
    from un1540.services.library.actions import read_again
    from un1540.services.library.reads import (
        documents_read_before,
        documents_with_text,
        text_summary,
    )

    if (bool(ids) + every + stale) != 1:
        raise InvalidData("give document ids, --all or --stale (one of them); nothing was read")
    with _sessions()() as session:
        viewer = _operator(session, acting_as)
        if stale:
            todo = documents_read_before(session)
            console.print(f"Documents read with older heading patterns: {len(todo)}.")
        else:
            todo = list(ids or documents_with_text(session))
        every = every or stale  # a document being read by OCR is left, and the rest goes on
        for document_id in todo:
            _, before, _ = text_summary(session, document_id=document_id)
            try:
                read_again(session, viewer=viewer, document_id=document_id)
            except Conflict as refused:  # still being read by OCR: left, said, the rest goes on
                if not every:
                    raise
                console.print(f"Document {document_id}: left as it is ({refused.message}).")
                continue
            _, after, _ = text_summary(session, document_id=document_id)
            console.print(f"Document {document_id}: {after} provisions (before: {before}).")
