"""The `un1540` command: init, serve, db, import. Commands stay thin; services do the work."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from sqlalchemy import Engine, func, select

from un1540 import __version__
from un1540.db.engine import check_connection, make_engine, make_session_factory
from un1540.db.migrate import current_revision, head_revision, upgrade
from un1540.errors import DatabaseUnavailable, Un1540Error
from un1540.io.demo import load_demo
from un1540.models import State
from un1540.reference.frameworks import read_framework_file
from un1540.services.frameworks import store_framework
from un1540.services.reference_data import load_reference_data
from un1540.settings import Settings, get_settings, masked_url

CLI_ACTOR = "cli"

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

console = Console(soft_wrap=True)


def _settings() -> Settings:
    return get_settings()


def _connected_engine(settings: Settings, *, must_exist: bool = False) -> Engine:
    """An engine that has answered; with must_exist, the schema must also be current."""
    path = settings.sqlite_path()
    if must_exist and path is not None and not path.exists():
        raise DatabaseUnavailable(
            f"no database at {path}; run `un1540 init` (or `un1540 init --demo`) first"
        )
    engine = make_engine(settings.database_url, create_directory=not must_exist)
    check_connection(engine)
    if must_exist and current_revision(engine) != head_revision():
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
    with sessions() as session, session.begin():
        counts = load_reference_data(session, actor=CLI_ACTOR)
    console.print(
        f"Reference data: {counts['states']} States, {counts['regional_groups']} regional groups, "
        f"{counts['m49_areas']} M49 areas, {counts['organisations']} organisations, "
        f"{counts['frameworks']} framework version(s)."
    )
    if not demo:
        return
    with sessions() as session, session.begin():
        total = session.scalar(select(func.count()).select_from(State)) or 0
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
        int, typer.Option(min=1, help="Worker processes (PostgreSQL only; SQLite uses 1).")
    ] = 1,
) -> None:
    """Serve the portal and the API (http://HOST:PORT)."""
    import uvicorn

    settings = _settings()
    _connected_engine(settings, must_exist=True).dispose()
    console.print(f"Serving http://{host}:{port} from {masked_url(settings.database_url)}")
    if workers > 1 and not settings.is_sqlite:
        uvicorn.run(
            "un1540.web.asgi:app", host=host, port=port, workers=workers, log_level="warning"
        )
    else:
        from un1540.web.app import create_app

        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")


@db_app.command("upgrade")
def db_upgrade(
    revision: Annotated[str, typer.Argument(help="Target revision.")] = "head",
) -> None:
    """Apply the database migrations up to REVISION (default: the newest)."""
    settings = _settings()
    upgrade(_connected_engine(settings), revision)
    console.print(f"Database {masked_url(settings.database_url)} is at {revision}.")


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
    with sessions() as session, session.begin():
        framework, outcome = store_framework(
            session, definition=definition, actor=CLI_ACTOR, make_default=make_default
        )
        default = " (default)" if framework.is_default else ""
    console.print(
        f"Framework {definition.slug}{default}: {outcome}, {len(definition.cells())} cells."
    )


def main() -> None:
    """Entry point: click handles usage errors; our own errors become a message and an exit code."""
    try:
        app()
    except Un1540Error as error:
        # Plain text, one line for the error (plus one per problem): no wrapping, no traceback.
        print(f"error: {' '.join(error.message.split())}", file=sys.stderr)
        for problem in error.problems:
            print(f"  {problem.where}: {problem.message}", file=sys.stderr)
        sys.exit(error.exit_code)
