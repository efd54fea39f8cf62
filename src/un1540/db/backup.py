"""Backups: the whole database and the uploaded files in one tar file, and restoring one.

A backup is one uncompressed tar (the database dump inside is compressed, the documents mostly
are already) holding, in this order:

- the database: `database.sqlite3.gz` (SQLite's online backup of the live file, gzipped) or
  `database.pgdump` (`pg_dump -Fc`, the custom format: the whole database, every table of every
  schema, whatever wrote them);
- `files/...`: every file under UN1540_FILES_DIR (documents named by their SHA-256, files kept
  for an import's second step), taken after the database, so every file the dumped rows name
  is in it (a file is written before the row that names it commits);
- `manifest.json`: the format, un1540's version, the schema revision of the dumped database, when
  it was made, the database kind (and PostgreSQL's and pg_dump's versions), and the SHA-256 and
  size of every other member.

Restoring checks everything before writing anything: the manifest, that the revision is one
this code knows (a backup from newer code is refused), the kind of database, every checksum.
Then it replaces the database's content (SQLite: the online backup API again, into the
configured file; PostgreSQL: `pg_restore --clean --if-exists --single-transaction`), puts the
files back, migrates an older schema to the current one and checks the result's integrity.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import IO

from sqlalchemy import Engine, inspect, text
from sqlalchemy.engine import URL, make_url

from un1540 import __version__
from un1540.db.engine import check_connection
from un1540.db.integrity import check_integrity
from un1540.db.migrate import MIGRATIONS_DIR, current_revision, head_revision, upgrade
from un1540.errors import (
    Conflict,
    DatabaseUnavailable,
    InvalidData,
    MissingProgram,
    Problem,
    Un1540Error,
)
from un1540.settings import masked_url

FORMAT = "un1540-backup"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3.gz"
POSTGRESQL_MEMBER = "database.pgdump"
FILES = "files"
CHUNK = 1 << 20
SYSTEM_SCHEMAS = ("pg_catalog", "information_schema", "pg_toast")
# Connection parameters a database URL may carry in its query, as libpq's environment knows them.
LIBPQ_QUERY = {
    "sslmode": "PGSSLMODE",
    "sslrootcert": "PGSSLROOTCERT",
    "sslcert": "PGSSLCERT",
    "sslkey": "PGSSLKEY",
    "host": "PGHOST",
    "port": "PGPORT",
    "connect_timeout": "PGCONNECT_TIMEOUT",
    "options": "PGOPTIONS",
    "target_session_attrs": "PGTARGETSESSIONATTRS",
}

Say = Callable[[str], None]
Advance = Callable[[int, int], None]  # files done, files in all


def _quiet(_: str) -> None:
    return None


@dataclass
class Manifest:
    """What a backup holds; `checksums` and `sizes` cover every member but the manifest."""

    format: str
    format_version: int
    un1540_version: str
    schema_revision: str
    created_at: str
    database: str  # sqlite or postgresql
    files: int
    checksums: dict[str, str]
    sizes: dict[str, int]
    server_version: str = ""  # PostgreSQL's
    dump_program: str = ""  # pg_dump's version line

    @property
    def database_member(self) -> str:
        return SQLITE_MEMBER if self.database == "sqlite" else POSTGRESQL_MEMBER


@dataclass
class BackupResult:
    path: Path
    manifest: Manifest
    size: int


@dataclass
class RestoreResult:
    manifest: Manifest
    replaced: bool  # the database held data before
    upgraded_from: str | None  # the backup's revision, when it was migrated to the current one
    files: int
    dry_run: bool
    dropped: list[str] = field(default_factory=list)  # tables not in the backup, dropped


# --- PostgreSQL's programs ---------------------------------------------------------------------


def _major(version_line: str) -> int:
    found = re.search(r"\(PostgreSQL\)\s+(\d+)", version_line)
    if not found:
        raise MissingProgram(f"cannot read the version of {version_line!r}")
    return int(found.group(1))


def program_version(program: Path) -> str:
    """The first line of `PROGRAM --version`, e.g. 'pg_dump (PostgreSQL) 15.14 (Debian ...)'."""
    try:
        done = subprocess.run(
            [str(program), "--version"], capture_output=True, text=True, timeout=30, check=False
        )
    except OSError as error:
        raise MissingProgram(f"{program} cannot be run: {error}") from error
    return (done.stdout.strip().splitlines() or [""])[0]


def find_pg_program(
    name: str, *, server_major: int, bindir: Path | None, needed: str = ""
) -> tuple[Path, str]:
    """pg_dump or pg_restore of the server's major version or newer, and its version line.
    (`needed` says why a later version is needed, when it is the backup's and not the server's.)

    Looked for in `bindir` (UN1540_PG_BINDIR) only when it is set; else next to the server's
    binaries on Debian (/usr/lib/postgresql/MAJOR/bin), then in newer versions' directories,
    then on PATH.
    """
    if bindir is not None:
        candidates = [bindir / name]
        where = f"UN1540_PG_BINDIR ({bindir})"
    else:
        installed = sorted(
            Path("/usr/lib/postgresql").glob(f"*/bin/{name}"),
            key=lambda p: int(p.parent.parent.name) if p.parent.parent.name.isdigit() else 0,
        )
        own = [p for p in installed if p.parent.parent.name == str(server_major)]
        newer = [
            p
            for p in reversed(installed)
            if p.parent.parent.name.isdigit() and int(p.parent.parent.name) > server_major
        ]
        on_path = shutil.which(name)
        candidates = [*own, *newer, *([Path(on_path)] if on_path else [])]
        where = "/usr/lib/postgresql/*/bin and PATH"
    found = [candidate for candidate in candidates if candidate.is_file()]
    if not found:
        raise MissingProgram(
            f"{name} was not found (looked in {where}); install the PostgreSQL {server_major} "
            f"client programs (Debian: postgresql-client-{server_major}) or set UN1540_PG_BINDIR "
            "to their directory"
        )
    too_old = []
    for program in found:
        version = program_version(program)
        if _major(version) >= server_major:
            return program, version
        too_old.append(f"{program} is {version}")
    raise MissingProgram(
        f"{name} is older than {needed or 'the server'} (PostgreSQL {server_major}): "
        f"{'; '.join(too_old)}; "
        f"install the PostgreSQL {server_major} client programs (Debian: "
        f"postgresql-client-{server_major}) or set UN1540_PG_BINDIR to their directory"
    )


def pg_environment(url: str | URL) -> dict[str, str]:
    """libpq's environment for the database URL: the password goes here, never on a command
    line (where any user of the machine could read it in the process list)."""
    parsed = make_url(url)
    env = dict(os.environ)
    for variable, value in (
        ("PGHOST", parsed.host),
        ("PGPORT", str(parsed.port) if parsed.port else None),
        ("PGUSER", parsed.username),
        ("PGPASSWORD", parsed.password),
        ("PGDATABASE", parsed.database),
    ):
        if value:
            env[variable] = str(value)
    for key, variable in LIBPQ_QUERY.items():
        given = parsed.query.get(key)
        if given:
            env[variable] = given if isinstance(given, str) else given[0]
    return env


def _run_pg(command: list[str], env: dict[str, str], what: str) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        lines = [line for line in done.stderr.strip().splitlines() if line.strip()]
        raise Un1540Error(
            f"{what} failed (exit {done.returncode}): {' / '.join(lines[-5:]) or 'no message'}"
        )


def server_major(engine: Engine) -> tuple[int, str]:
    with engine.connect() as connection:
        number = int(connection.scalar(text("SHOW server_version_num")) or 0)
        version = str(connection.scalar(text("SHOW server_version")))
    return number // 10000, version


# --- Writing a backup ---------------------------------------------------------------------------


class _Hashing:
    """A file object that hashes what is read through it (tarfile reads each member once)."""

    def __init__(self, raw: IO[bytes]) -> None:
        self.raw, self.sha256, self.size = raw, hashlib.sha256(), 0

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        self.sha256.update(data)
        self.size += len(data)
        return data


def _add(archive: tarfile.TarFile, name: str, path: Path, mtime: float, manifest: Manifest) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mtime, info.mode = path.stat().st_size, mtime, 0o644
    with path.open("rb") as raw:
        reader = _Hashing(raw)
        archive.addfile(info, reader)
    if reader.size != info.size:
        raise Un1540Error(f"{path} changed while it was being backed up; run the backup again")
    manifest.checksums[name] = reader.sha256.hexdigest()
    manifest.sizes[name] = info.size


def _stored_files(files_dir: Path) -> list[Path]:
    """Every file under the directory, but unfinished writes (*.part) and hidden entries."""
    if not files_dir.is_dir():
        return []
    return sorted(
        path
        for path in files_dir.rglob("*")
        if path.is_file()
        and not path.is_symlink()
        and path.suffix != ".part"
        and not any(part.startswith(".") for part in path.relative_to(files_dir).parts)
    )


def _sqlite_path(engine: Engine) -> Path:
    database = engine.url.database
    if not database or database == ":memory:":
        raise InvalidData("the database URL names no SQLite file")
    return Path(database)


def _revision_of_sqlite_file(path: Path) -> str | None:
    with closing(sqlite3.connect(path)) as connection:
        try:
            row = connection.execute("SELECT version_num FROM alembic_version").fetchone()
        except sqlite3.OperationalError:
            return None
    return str(row[0]) if row else None


def _dump_sqlite(engine: Engine, work: Path, say: Say) -> tuple[Path, str]:
    """A consistent copy of the live database, made by SQLite's online backup, gzipped."""
    source_path = _sqlite_path(engine)
    copy = work / "database.sqlite3"
    say(f"Copying {source_path} (SQLite online backup) ...")
    with (
        closing(sqlite3.connect(source_path, timeout=60)) as source,
        closing(sqlite3.connect(copy)) as target,
    ):
        # All pages in one step: a read transaction, which writers do not wait for in WAL mode
        # (a backup in small steps restarts whenever another connection writes).
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file
        problems = [row[0] for row in target.execute("PRAGMA integrity_check") if row[0] != "ok"]
    if problems:
        raise Un1540Error(f"the copy of the database fails its integrity check: {problems[:5]}")
    revision = _revision_of_sqlite_file(copy)
    if revision is None:
        raise DatabaseUnavailable(f"{source_path} has no schema; run `un1540 init` first")
    compressed = work / SQLITE_MEMBER
    with copy.open("rb") as raw, gzip.open(compressed, "wb", compresslevel=6) as packed:
        shutil.copyfileobj(raw, packed, CHUNK)
    copy.unlink()
    return compressed, revision


def _dump_postgresql(
    engine: Engine, work: Path, bindir: Path | None, manifest: Manifest, say: Say
) -> tuple[Path, str]:
    major, manifest.server_version = server_major(engine)
    program, manifest.dump_program = find_pg_program("pg_dump", server_major=major, bindir=bindir)
    revision = current_revision(engine)
    if revision is None:
        raise DatabaseUnavailable("the database has no schema; run `un1540 init` first")
    dump = work / POSTGRESQL_MEMBER
    say(f"Dumping the database with {manifest.dump_program} ...")
    url = engine.url.render_as_string(hide_password=False)
    _run_pg([str(program), "--format=custom", "--file", str(dump)], pg_environment(url), "pg_dump")
    if current_revision(engine) != revision:
        raise Conflict("the database was migrated during the backup; run the backup again")
    return dump, revision


def create_backup(
    engine: Engine,
    *,
    files_dir: Path,
    output: Path,
    pg_bindir: Path | None = None,
    say: Say = _quiet,
    advance: Advance | None = None,
) -> BackupResult:
    """Back up the database and the files into one tar at `output` (written whole or not at
    all: under a temporary name, renamed when complete). Safe while the server runs."""
    if output.is_dir():
        raise InvalidData(
            f"{output} is a directory; give the backup's file name, e.g. "
            f"{output / 'un1540-YYYY-MM-DD.tar'}"
        )
    try:
        return _create_backup(
            engine,
            files_dir=files_dir,
            output=output,
            pg_bindir=pg_bindir,
            say=say,
            advance=advance,
        )
    except (OSError, sqlite3.Error) as error:
        raise Un1540Error(f"the backup was not written: {error}") from error


def _create_backup(
    engine: Engine,
    *,
    files_dir: Path,
    output: Path,
    pg_bindir: Path | None = None,
    say: Say = _quiet,
    advance: Advance | None = None,
) -> BackupResult:
    check_connection(engine)
    dialect = engine.dialect.name
    if dialect not in ("sqlite", "postgresql"):
        raise InvalidData(f"cannot back up a {dialect} database")
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    created = datetime.now(UTC).replace(microsecond=0)
    manifest = Manifest(
        format=FORMAT,
        format_version=FORMAT_VERSION,
        un1540_version=__version__,
        schema_revision="",
        created_at=created.isoformat().replace("+00:00", "Z"),
        database=dialect,
        files=0,
        checksums={},
        sizes={},
    )
    work = Path(tempfile.mkdtemp(prefix=".un1540-backup-", dir=output.parent))
    try:
        if dialect == "sqlite":
            dump, manifest.schema_revision = _dump_sqlite(engine, work, say)
        else:
            dump, manifest.schema_revision = _dump_postgresql(
                engine, work, pg_bindir, manifest, say
            )
        partial = work / "backup.tar"
        mtime = created.timestamp()
        with tarfile.open(partial, "w", format=tarfile.PAX_FORMAT) as archive:
            _add(archive, manifest.database_member, dump, mtime, manifest)
            dump.unlink()
            stored = _stored_files(files_dir)
            say(f"Adding {len(stored)} file(s) from {files_dir} ...")
            for done, path in enumerate(stored, start=1):
                name = str(PurePosixPath(FILES, *path.relative_to(files_dir).parts))
                _add(archive, name, path, mtime, manifest)
                if advance:
                    advance(done, len(stored))
            manifest.files = len(stored)
            content = json.dumps(asdict(manifest), indent=2, sort_keys=True).encode("utf-8")
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(content), mtime, 0o644
            archive.addfile(info, _BytesReader(content))
        partial.chmod(0o600)  # it holds confidential records and password hashes
        with partial.open("rb") as written:
            os.fsync(written.fileno())
        partial.replace(output)
        _fsync_directory(output.parent)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return BackupResult(path=output, manifest=manifest, size=output.stat().st_size)


class _BytesReader:
    def __init__(self, content: bytes) -> None:
        self.content, self.offset = content, 0

    def read(self, size: int = -1) -> bytes:
        end = len(self.content) if size < 0 else self.offset + size
        data = self.content[self.offset : end]
        self.offset += len(data)
        return data


def _fsync_directory(directory: Path) -> None:
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


# --- Reading a backup ---------------------------------------------------------------------------


def _damaged(path: Path, message: str) -> InvalidData:
    return InvalidData(
        f"{path} cannot be restored: {message}; nothing was restored",
        problems=[Problem(str(path), message)],
    )


def read_manifest(path: Path) -> Manifest:
    """The backup's manifest, checked for shape (not yet the members' checksums)."""
    try:
        with tarfile.open(path, "r:") as archive:
            member = archive.getmember(MANIFEST)
            extracted = archive.extractfile(member)
            assert extracted is not None
            raw = json.loads(extracted.read().decode("utf-8"))
    except (tarfile.TarError, KeyError, OSError, ValueError, AssertionError) as error:
        raise _damaged(path, f"it is not an un1540 backup ({error})") from error
    if not isinstance(raw, dict) or raw.get("format") != FORMAT:
        raise _damaged(path, "it is not an un1540 backup (no un1540 manifest)")
    if raw.get("format_version") != FORMAT_VERSION:
        raise _damaged(
            path,
            f"its format version {raw.get('format_version')} is not {FORMAT_VERSION}, the one "
            "this un1540 reads",
        )
    try:
        manifest = Manifest(**raw)
    except TypeError as error:
        raise _damaged(path, f"its manifest is not complete ({error})") from error
    if manifest.database not in ("sqlite", "postgresql"):
        raise _damaged(path, f"unknown database kind {manifest.database!r}")
    if manifest.database_member not in manifest.checksums:
        raise _damaged(path, f"the manifest lists no {manifest.database_member}")
    return manifest


def _check_revision(path: Path, revision: str) -> None:
    """Refuse a backup whose schema revision this code does not know (made by newer code)."""
    from alembic.script import ScriptDirectory  # where a backup is restored, not at start

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    known = revision in {script_revision.revision for script_revision in script.walk_revisions()}
    if not known:
        raise _damaged(
            path,
            f"its schema revision {revision} is newer than this un1540 knows (newest: "
            f"{head_revision()}); restore it with the un1540 version that made it or a later one",
        )


def _safe_member_name(name: str) -> bool:
    pure = PurePosixPath(name)
    return not pure.is_absolute() and ".." not in pure.parts and bool(pure.parts)


@contextmanager
def _staging(directory: Path) -> Iterator[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=".un1540-restore-", dir=directory))
    try:
        yield work
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _extract_verified(
    path: Path, manifest: Manifest, database_to: Path, files_to: Path, advance: Advance | None
) -> int:
    """Extract every member, checking each one's checksum and size; returns the files' count."""
    seen: set[str] = set()
    total_files = sum(1 for name in manifest.checksums if name.startswith(f"{FILES}/"))
    done_files = 0
    try:
        with tarfile.open(path, "r:") as archive:
            for member in archive:
                name = member.name
                if name == MANIFEST:
                    continue
                if not member.isfile() or not _safe_member_name(name):
                    raise _damaged(path, f"unexpected member {name!r}")
                if name not in manifest.checksums:
                    raise _damaged(path, f"the member {name} is not in the manifest")
                if name == manifest.database_member:
                    target = database_to
                elif name.startswith(f"{FILES}/"):
                    target = files_to.joinpath(*PurePosixPath(name).parts[1:])
                else:
                    raise _damaged(path, f"unexpected member {name!r}")
                target.parent.mkdir(parents=True, exist_ok=True)
                source = archive.extractfile(member)
                assert source is not None
                digest, size = hashlib.sha256(), 0
                with target.open("wb") as out:
                    while chunk := source.read(CHUNK):
                        digest.update(chunk)
                        size += len(chunk)
                        out.write(chunk)
                if digest.hexdigest() != manifest.checksums[name] or size != manifest.sizes.get(
                    name
                ):
                    raise _damaged(path, f"the member {name} is damaged (its checksum differs)")
                seen.add(name)
                if name != manifest.database_member:
                    done_files += 1
                    if advance:
                        advance(done_files, total_files)
    except tarfile.TarError as error:
        raise _damaged(path, f"the archive is damaged ({error})") from error
    missing = sorted(set(manifest.checksums) - seen)
    if missing:
        raise _damaged(path, f"members are missing: {', '.join(missing[:5])}")
    return done_files


# --- Restoring ----------------------------------------------------------------------------------


def _user_tables(engine: Engine) -> list[str]:
    """The tables the database holds (PostgreSQL: in every schema but the system's)."""
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            return sorted(inspect(connection).get_table_names())
        rows = connection.execute(
            text(
                "SELECT schemaname || '.' || tablename FROM pg_tables "
                "WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"
            )
        )
        return sorted(str(name) for (name,) in rows)


def _dump_tables(program: Path, dump: Path, env: dict[str, str]) -> set[str]:
    """schema.table of every table in a custom-format dump (its table of contents)."""
    done = subprocess.run(
        [str(program), "--list", str(dump)], env=env, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise Un1540Error(f"pg_restore --list failed: {done.stderr.strip()[:500]}")
    tables = set()
    for line in done.stdout.splitlines():
        # e.g. "215; 1259 16390 TABLE public audit_event postgres"
        found = re.match(r"^\d+; \d+ \d+ TABLE (\S+) (\S+) ", line)
        if found:
            tables.add(f"{found.group(1)}.{found.group(2)}")
    return tables


def _restore_sqlite(engine: Engine, staged_gzip: Path, work: Path) -> None:
    staged = work / "database.sqlite3"
    with gzip.open(staged_gzip, "rb") as packed, staged.open("wb") as out:
        shutil.copyfileobj(packed, out, CHUNK)
    staged_gzip.unlink()
    target_path = _sqlite_path(engine)
    engine.dispose()
    with (
        closing(sqlite3.connect(staged)) as source,
        closing(sqlite3.connect(target_path, timeout=60)) as target,
    ):
        problems = [row[0] for row in source.execute("PRAGMA integrity_check") if row[0] != "ok"]
        if problems:
            raise Un1540Error(f"the backup's database fails its integrity check: {problems[:5]}")
        # Through SQLite, not by copying the file: the target's locks, WAL and open
        # connections are respected, and the replacement is one transaction.
        source.backup(target)


def _restore_postgresql(
    engine: Engine, manifest: Manifest, dump: Path, bindir: Path | None, replace: bool, say: Say
) -> list[str]:
    major, _ = server_major(engine)
    dumped_by = _major(manifest.dump_program) if manifest.dump_program else major
    program, version = find_pg_program(
        "pg_restore",
        server_major=max(major, dumped_by),
        bindir=bindir,
        needed="the pg_dump that made the backup" if dumped_by > major else "",
    )
    url = engine.url.render_as_string(hide_password=False)
    env = pg_environment(url)
    say(f"Restoring with {version} ...")
    engine.dispose()
    _run_pg(
        [
            str(program),
            "--clean",
            "--if-exists",
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            "--dbname",
            str(make_url(url).database),
            str(dump),
        ],
        env,
        "pg_restore",
    )
    if not replace:
        return []
    # Tables the database held that the backup does not (made by a later migration, or a job
    # queue's): dropped, so the database is the backup's and its migrations apply cleanly.
    leftover = sorted(set(_user_tables(engine)) - _dump_tables(program, dump, env))
    if leftover:
        preparer = engine.dialect.identifier_preparer
        with engine.begin() as connection:
            for name in leftover:
                schema, table = name.split(".", 1)
                connection.execute(
                    text(
                        f"DROP TABLE IF EXISTS {preparer.quote_schema(schema)}."
                        f"{preparer.quote(table)} CASCADE"
                    )
                )
    return leftover


def _put_files(staged: Path, files_dir: Path) -> None:
    for path in sorted(staged.rglob("*")):
        if path.is_file():
            target = files_dir / path.relative_to(staged)
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(path, target)


def restore_backup(
    engine: Engine,
    *,
    backup: Path,
    files_dir: Path,
    force: bool = False,
    dry_run: bool = False,
    pg_bindir: Path | None = None,
    say: Say = _quiet,
    advance: Advance | None = None,
) -> RestoreResult:
    """Restore a backup into the configured database and files directory.

    Refuses, before writing anything: a file that is not a complete, undamaged un1540 backup; a
    backup from a newer schema than this code's; a backup of the other kind of database; and,
    without `force`, a database that already holds tables.
    """
    try:
        return _restore_backup(
            engine,
            backup=backup,
            files_dir=files_dir,
            force=force,
            dry_run=dry_run,
            pg_bindir=pg_bindir,
            say=say,
            advance=advance,
        )
    except (OSError, sqlite3.Error) as error:
        hint = "; stop the server and try again" if "locked" in str(error) else ""
        raise Un1540Error(f"the restore stopped: {error}{hint}") from error


def _restore_backup(
    engine: Engine,
    *,
    backup: Path,
    files_dir: Path,
    force: bool = False,
    dry_run: bool = False,
    pg_bindir: Path | None = None,
    say: Say = _quiet,
    advance: Advance | None = None,
) -> RestoreResult:
    manifest = read_manifest(backup)
    _check_revision(backup, manifest.schema_revision)
    dialect = engine.dialect.name
    if manifest.database != dialect:
        raise _damaged(
            backup,
            f"it is a backup of a {manifest.database} database and the configured database "
            f"({masked_url(engine.url.render_as_string(hide_password=False))}) is {dialect}",
        )
    if dialect == "sqlite":
        _sqlite_path(engine).parent.mkdir(parents=True, exist_ok=True)
    check_connection(engine)
    tables = _user_tables(engine)
    if tables and not force and not dry_run:
        raise Conflict(
            f"the database {masked_url(engine.url.render_as_string(hide_password=False))} "
            f"already holds {len(tables)} table(s); restoring replaces its content: give --force "
            "to do so (nothing was restored)"
        )
    say(
        f"Backup of {manifest.created_at}: {manifest.database}, schema revision "
        f"{manifest.schema_revision}, {manifest.files} file(s), un1540 {manifest.un1540_version}"
    )
    staging_root = (
        _sqlite_path(engine).resolve().parent if dialect == "sqlite" else files_dir.parent
    )
    files_dir.parent.mkdir(parents=True, exist_ok=True)
    with _staging(staging_root) as work, _staging(files_dir.parent) as staged_files:
        say("Checking every member's checksum ...")
        dump = work / manifest.database_member
        count = _extract_verified(backup, manifest, dump, staged_files, advance)
        result = RestoreResult(
            manifest=manifest,
            replaced=bool(tables),
            upgraded_from=None,
            files=count,
            dry_run=dry_run,
        )
        if dry_run:
            return result
        if dialect == "sqlite":
            say("Replacing the database (SQLite online backup) ...")
            _restore_sqlite(engine, dump, work)
        else:
            result.dropped = _restore_postgresql(
                engine, manifest, dump, pg_bindir, bool(tables), say
            )
        say(f"Putting back {count} file(s) into {files_dir} ...")
        _put_files(staged_files, files_dir)
    engine.dispose()
    if current_revision(engine) != head_revision():
        say(f"Migrating the schema from {manifest.schema_revision} to {head_revision()} ...")
        upgrade(engine)
        result.upgraded_from = manifest.schema_revision
    report = check_integrity(engine)
    if not report.ok:
        raise Un1540Error(
            "the restored database fails its integrity check: " + "; ".join(report.problems[:5])
        )
    return result
