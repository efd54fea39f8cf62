"""Versions of the data by scope: raised by every write in its own transaction, read by caches.

The table `data_version` holds one row per scope of the data. A write raises the versions of the
scopes it touches inside the transaction that stores it (just before the commit), so on both
backends a reader sees a new version exactly when it can see the new data, in commit order: on
PostgreSQL the upsert locks the scope's row until the commit, and SQLite has one writer at a time.

Which scopes a write touches comes from where every write passes:

- its audit events (kernel/audit.py): `matrix_edition` and `cell_entry` events name the State
  (their ids start with its ISO3 code), so a write to France's matrix raises `state:FRA`, never
  `state:DEU`; a `matrix_edition` event (opening, sharing, approving an edition) raises the
  aggregate `matrix` too (coverage, dashboard, review, priorities), a `cell_entry` event (an
  edit of a cell of an open edition, which no aggregate counts) does not;
- the tables it wrote (seen at flush and in bulk statements), for writes without an event:
  assistance tables raise `assistance`, reference tables `reference`, and a table no rule names
  (or a State's matrix written with no event naming the State) raises `all`, on which every
  cached value depends: an unknown write costs speed, never correctness.

Accounts, tokens, notifications and the audit trail itself are read by no cache: writing them
(a sign-in, a token's last use) raises nothing. Every write that raises a scope raises `global`
as well: `data_version(session)` is the fingerprint of all cached data.

Readers read the versions once per transaction (`current_versions`: the `global` row, and every
row only when `global` moved since this process last read them all; a request answered before
routing asks a watch instead: on a SQLite file a `SqliteVersionWatch`, which reads them only when
`PRAGMA data_version` says another connection committed since; on PostgreSQL a
`PostgresVersionWatch`, which reads them on the event loop, one read for every request waiting,
each started after the requests it answers arrived) and key what
they compute by the versions of the scopes it depends on (kernel/cache.py), read before they
compute: a value is never stored under a version newer than the data it was computed from.

A version is the previous one plus one, or the time of the write in microseconds if that is
larger: versions only grow, and a database restored from a backup or a transaction rolled back
(the tests roll back every test) never hands out again a version that once named other data.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import BigInteger, Engine, case, event, literal, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction
from sqlalchemy.orm.session import SessionTransaction

from un1540.db.engine import session_url
from un1540.models import DataVersion

if TYPE_CHECKING:
    from psycopg import AsyncConnection

LOGGER = logging.getLogger("un1540.data_version")

GLOBAL = "global"  # raised by every write that raises anything
EVERYTHING = "all"  # writes of unknown extent; every cached value depends on it
REFERENCE = "reference"  # frameworks, States and their names and groups, organisations
MATRIX = "matrix"  # any State's editions and cells: what is counted across all States
DOCUMENTS = "documents"  # any document
ASSISTANCE = "assistance"  # requests, offers, judgements, projects, funding
INDICATORS = "indicators"  # context indicators (the prioritisation aid)
CONTACTS = "contacts"  # points of contact and their training attendance
ACTION_PLANS = "action_plans"  # national implementation action plans, measures, milestones
VISITS = "visits"  # country visits, their findings and follow-up
ENGAGEMENT = "engagement"  # events, statements, commitments and their delivery
INDICATORS = "indicators"  # context indicators and incidents (the prioritisation aid)
STATE_PREFIX = "state:"  # + ISO3: one State's editions, cells, proposals, comments, documents

# What the public dataset (the open-data downloads) is built from.
PUBLIC_DATA = (REFERENCE, MATRIX, DOCUMENTS, ASSISTANCE, INDICATORS)


def state_scope(iso3: str) -> str:
    """The scope of one State's records, e.g. `state:FRA`."""
    return STATE_PREFIX + iso3.upper()


def _iso3_prefix(text: str) -> str | None:
    code = text.split("/", 1)[0]
    return code if len(code) == 3 and code.isalpha() and code.isupper() else None


def scopes_of_event(entity_type: str, entity_id: str, after: Mapping[str, Any] | None) -> set[str]:
    """The scopes a write recorded by this audit event touches."""
    after = after or {}
    if entity_type == "matrix_edition":  # ids "FRA/3": a State (approved: counted across States)
        iso3 = _iso3_prefix(entity_id)
        return {state_scope(iso3), MATRIX} if iso3 else {EVERYTHING}
    if entity_type == "cell_entry":  # ids "FRA/3/op1...": a cell of a State's open edition
        # Cells are written only in an open edition (draft or shared: matrix/rules.py
        # EDITABLE_STATUSES), which no count across States includes (they count approved
        # editions; an approval is a `matrix_edition` event and writes `edition_summary`):
        # an expert's edit outdates that State's pages, not the aggregates.
        iso3 = _iso3_prefix(entity_id)
        return {state_scope(iso3)} if iso3 else {EVERYTHING}
    if entity_type in ("cell_comment", "cell_proposal"):  # only a State's pages show them
        edition = after.get("edition")
        iso3 = _iso3_prefix(edition) if isinstance(edition, str) else None
        return {state_scope(iso3)} if iso3 else set()
    if entity_type == "document":
        state = after.get("state")
        return {DOCUMENTS, state_scope(state)} if isinstance(state, str) and state else {DOCUMENTS}
    if entity_type in ("framework", "reference"):
        return {REFERENCE}
    if entity_type in ("context_indicator", "incident"):
        return {INDICATORS}  # the prioritisation aid's inputs
    if entity_type.startswith("assistance_") or entity_type == "funding_entry":
        return {ASSISTANCE}
    if entity_type == "organisation_activity":  # who does what where, beside the projects
        return {ASSISTANCE}
    if entity_type.startswith("action_plan"):
        return {ACTION_PLANS}
    if entity_type == "visit":
        return {VISITS}
    if entity_type in ("event", "statement", "commitment"):
        return {ENGAGEMENT}
    if entity_type == "deadline_reminder":
        return set()  # a "deadline near" notice sent: no cached read shows them
    if entity_type in ("user_account", "api_token"):
        return set()  # no cached read shows accounts
    if entity_type == "suggestion_decision":
        # Read uncached; a confirmed suggestion's evidence is written (and audited) as an edit
        # of the draft's cells, which raises the State's scope.
        return set()
    if entity_type == "point_of_contact":  # a State's page shows its contacts' public summary
        state = after.get("state")
        return {CONTACTS, state_scope(state)} if isinstance(state, str) and state else {CONTACTS}
    return {EVERYTHING}  # the demo loader ("instance") and any kind of record not named here


# Tables whose writes change no cached read.
UNCACHED_TABLES = frozenset(
    {
        "audit_event",
        "data_version",
        "notification",
        "email_opt_out",  # which topics an account is e-mailed: read uncached
        "deadline_reminder",  # the "deadline near" notices sent: read by their job only
        "user_account",
        "api_token",
        "password_reset_token",  # password reset links: read uncached
        "web_session",  # sign-in sessions and throttles: no cached read depends on them
        "rate_limit",
        "build",  # the record of files built in the background, keyed by data version itself
        "usage_count",
        "suggestion_decision",  # experts' decisions on evidence suggestions: read uncached
    }
)
# A State's matrix: written with an audit event naming the State (which gives its scope).
STATE_TABLES = frozenset(
    {"matrix_edition", "cell_entry", "evidence", "evidence_waiver", "cell_comment", "cell_proposal"}
)
# Tables whose writes raise one scope whatever the row (for writes that record no event).
TABLE_SCOPES: Mapping[str, str] = {
    # Written with the approval of an edition (which names the State): counted across States.
    "edition_summary": MATRIX,
    "document": DOCUMENTS,
    **dict.fromkeys(("document_text", "provision", "provision_link", "search_passage"), DOCUMENTS),
    "context_indicator": INDICATORS,
    "point_of_contact": CONTACTS,
    "training_participation": CONTACTS,
    **dict.fromkeys(("visit", "visit_participant", "visit_finding", "visit_follow_up"), VISITS),
    **dict.fromkeys(
        (
            "event",
            "event_participant",
            "event_document",
            "statement",
            "commitment",
            "commitment_status_change",
            "commitment_fulfilment",
        ),
        ENGAGEMENT,
    ),
    # Incidents feed the prioritisation aid's `incidents` factor (services/incidents/).
    "incident": INDICATORS,
    "incident_state": INDICATORS,
    **dict.fromkeys(
        (
            "assistance_request",
            "assistance_request_item",
            "assistance_offer",
            "assistance_judgement",
            "assistance_project",
            "project_milestone",
            "project_feedback",
            "funding_entry",
            "organisation_activity",  # organisations' activities: who does what where
        ),
        ASSISTANCE,
    ),
    **dict.fromkeys(("action_plan", "action_plan_measure", "action_plan_milestone"), ACTION_PLANS),
    **dict.fromkeys(
        (
            "state",
            "state_name",
            "group_membership",
            "regional_group",
            "m49_area",
            "framework",
            "section",
            "field",
            "cell",
            "column_kind",
            "weapon_category",
            "organisation",
            "instance_flag",
        ),
        REFERENCE,
    ),
}

_WRITES = "un1540.data_version.writes"
_READ = "un1540.data_version.read"


@dataclass
class _Writes:
    """What the session's current transaction wrote: scopes named by events, tables written."""

    named: set[str]
    tables: set[str]

    def scopes(self) -> set[str]:
        scopes = set(self.named)
        names_a_state = any(scope.startswith(STATE_PREFIX) for scope in scopes)
        for table in self.tables:
            if table in UNCACHED_TABLES:
                continue
            if table in STATE_TABLES:
                if not names_a_state:
                    scopes.add(EVERYTHING)
                continue
            scopes.add(TABLE_SCOPES.get(table, EVERYTHING))
        if scopes:
            scopes.add(GLOBAL)
        return scopes


def _writes(session: Session) -> _Writes:
    writes: _Writes | None = session.info.get(_WRITES)
    if writes is None:
        writes = session.info[_WRITES] = _Writes(set(), set())
    return writes


def touch(session: Session, *scopes: str) -> None:
    """Raise these scopes when the session's transaction commits (besides what it wrote)."""
    _writes(session).named.update(scopes)


def touch_for_event(
    session: Session, entity_type: str, entity_id: str, after: Mapping[str, Any] | None
) -> None:
    """Note the scopes an audit event's write touches (kernel/audit.py calls this)."""
    _writes(session).named.update(scopes_of_event(entity_type, entity_id, after))
    # An event also proves the transaction writes: a cached read in it is computed afresh.
    _writes(session).tables.add("audit_event")


def writes_pending(session: Session) -> bool:
    """True while the session's transaction has written (or is about to write) anything: what
    it reads then may not be committed, so caches neither serve it nor store it."""
    writes: _Writes | None = session.info.get(_WRITES)
    if writes is not None and (writes.named or writes.tables):
        return True
    return bool(session.new or session.dirty or session.deleted)


@event.listens_for(Session, "before_flush")
def _note_flushed_tables(session: Session, _flush: UOWTransaction, _instances: object) -> None:
    objects = [*session.new, *session.dirty, *session.deleted]
    if objects:
        _writes(session).tables.update(getattr(type(obj), "__tablename__", "?") for obj in objects)


@event.listens_for(Session, "do_orm_execute")
def _note_bulk_tables(state: ORMExecuteState) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        table = getattr(state.statement, "table", None)
        name = getattr(table, "name", None)
        _writes(state.session).tables.add(name if isinstance(name, str) else "?")


@event.listens_for(Session, "before_commit")
def _raise_before_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outermost commit raises the versions
    session.flush()  # what is still pending belongs to this transaction too (cheap if none)
    if _WRITES not in session.info:
        return
    scopes = _writes(session).scopes()
    if scopes:
        raise_versions(session, scopes)


@event.listens_for(Session, "after_transaction_end")
def _forget_after_transaction(session: Session, transaction: SessionTransaction) -> None:
    if transaction.parent is None:
        session.info.pop(_WRITES, None)
        session.info.pop(_READ, None)


def raise_versions(session: Session, scopes: Iterable[str]) -> None:
    """Raise the versions of these scopes in the session's transaction (one upsert)."""
    now = time.time_ns() // 1000
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    # Rows in one order for every writer, so two writers never wait for each other in a circle.
    rows = [{"scope": scope, "version": now} for scope in sorted(scopes)]
    statement = insert(DataVersion).values(rows)
    following, stamp = DataVersion.version + 1, literal(now, BigInteger())
    statement = statement.on_conflict_do_update(
        index_elements=[DataVersion.scope],
        set_={"version": case((following > stamp, following), else_=stamp)},
    )
    session.execute(statement)


@dataclass(frozen=True)
class Versions:
    """The versions of every scope as one reader saw them (a missing scope is at 0)."""

    database: str
    values: Mapping[str, int]
    read_before: float  # time.monotonic() just before the SELECT
    read_after: float  # and just after it

    def of(self, scope: str) -> int:
        return self.values.get(scope, 0)


# The last complete set of versions this process read, per database. Every write raises
# `global` to a value never handed out before (see the module docstring), so while `global` is
# unchanged every other version is too: a reader then reads that one row, not every scope's.
_LAST_READ: dict[str, Mapping[str, int]] = {}
_GLOBAL_SQL = f"SELECT version FROM data_version WHERE scope = '{GLOBAL}'"  # a constant
_ALL_SQL = "SELECT scope, version FROM data_version"


def current_versions(session: Session) -> Versions:
    """All versions, read once per transaction of the session (a request): the `global` row,
    and every row only when `global` moved since this process last read them all."""
    remembered: tuple[SessionTransaction, Versions] | None = session.info.get(_READ)
    if remembered is not None and remembered[0] is session.get_transaction():
        return remembered[1]
    database = session_url(session)
    before = time.monotonic()
    # Plain SQL: the cheapest statement a cached request makes (no ORM, no compilation).
    connection = session.connection()
    versions = _read_versions(
        database,
        lambda: connection.exec_driver_sql(_GLOBAL_SQL).scalar(),
        lambda: session.execute(select(DataVersion.scope, DataVersion.version)).all(),
        before,
    )
    transaction = session.get_transaction()
    if transaction is not None:
        session.info[_READ] = (transaction, versions)
    return versions


def _read_versions(database: str, scalar: Any, rows: Any, before: float) -> Versions:
    """The versions as `current_versions` reads them: the `global` row (`scalar()`), and every
    row (`rows()`) only when `global` moved since this process last read them all."""
    values = _still_current(database, scalar())
    if values is None:
        values = _remember(database, rows())
    return Versions(
        database=database, values=values, read_before=before, read_after=time.monotonic()
    )


def _still_current(database: str, now_global: int | None) -> Mapping[str, int] | None:
    """The versions this process last read in full, if `global` has not moved since."""
    last = _LAST_READ.get(database)
    if now_global is not None and last is not None and last.get(GLOBAL) == now_global:
        return last
    return None


def _remember(database: str, rows: Iterable[Any]) -> Mapping[str, int]:
    """Every row of `data_version` just read, kept as the versions last read in full."""
    values = {scope: version for scope, version in rows}
    _LAST_READ[database] = values
    return values


class SqliteVersionWatch:
    """The current versions of a SQLite database (a file), for a request answered before it
    opens any session (web/warm_reads.py): as fresh as `current_versions`, and most of the time
    without reading the versions at all.

    It keeps one connection of its own, which never writes, and asks it `PRAGMA data_version`
    before anything else: SQLite changes that number for a connection whenever another
    connection (of any process) has committed to the database since that connection last
    looked, and in WAL mode the answer comes from the shared-memory index, in microseconds,
    without waiting for any writer. Unchanged, the versions read last are still the current
    ones; changed, they are read again (after the pragma, so a commit that lands in between
    only makes the next look read them once more). Cheap enough for the event loop: no session,
    no pool, no thread. (In the rare moments SQLite makes a WAL reader wait, such as recovering
    the WAL after a crash, the event loop waits with it, within the busy timeout.)

    Only for an engine of its own over a file: sessions bound to one connection (the tests, whose
    writes are never committed) read `current_versions` in that connection instead.
    """

    def __init__(self, engine: Engine) -> None:
        self.engine = engine
        self.database = str(engine.url)
        self._lock = threading.Lock()
        self._connection: Any = None
        self._last: tuple[int, Versions] | None = None

    @staticmethod
    def applies(bind: object) -> bool:
        """Whether sessions bound to `bind` may use a watch: an engine over a SQLite file."""
        return (
            isinstance(bind, Engine)
            and bind.dialect.name == "sqlite"
            and bind.url.database not in (None, "", ":memory:")
            and not str(bind.url.database).startswith("file:")
        )

    def current(self) -> Versions:
        """The versions of every scope now (see the class docstring)."""
        with self._lock:
            if self._connection is None:
                # A connection made by the engine (its pragmas: WAL, the busy timeout), taken
                # out of its pool for good; in autocommit, so each statement sees the latest
                # commit.
                raw = self.engine.raw_connection()
                raw.detach()
                self._connection = raw.dbapi_connection
                self._connection.isolation_level = None
            connection = self._connection
            before = time.monotonic()
            stamp = connection.execute("PRAGMA data_version").fetchone()[0]
            if self._last is not None and self._last[0] == stamp:
                return self._last[1]
            versions = _read_versions(
                self.database,
                lambda: (connection.execute(_GLOBAL_SQL).fetchone() or (None,))[0],
                lambda: connection.execute(_ALL_SQL).fetchall(),
                before,
            )
            self._last = (stamp, versions)
            return versions

    def close(self) -> None:
        with self._lock:
            if self._connection is not None:
                self._connection.close()
                self._connection, self._last = None, None


class PostgresVersionWatch:
    """The current versions of a PostgreSQL database, for a request answered before it opens any
    session (web/warm_reads.py): as fresh as `current_versions`, read on the event loop, with no
    thread, session or pool, and one read shared by every request waiting at the time.

    PostgreSQL has nothing like SQLite's `PRAGMA data_version` (LISTEN/NOTIFY tells of a commit
    only after it, so "no notification yet" does not mean "nothing committed"): the versions
    are read from the database for every request, as `current_versions` reads them (the
    `global` row, every row only when `global` moved), on one connection of the watch's own, per
    process (psycopg's async connection, autocommit: each statement sees every commit before
    it). The guarantee is the same as a request's own session: **a request is answered from a
    read that started after it arrived**, so it sees every write committed before it arrived.
    Reads are coalesced: a request waits for the next read that starts after it came, and one
    read answers every request waiting for it; requests that come while a read is under way
    wait for the one after it (never for the one under way, which may have started before a
    commit they must see). So under 16 readers about one round trip is in flight, not one per
    request, and a warm request costs a future and a wake-up instead of a thread hop and a
    session (about half a millisecond of CPU each, before).

    If a read fails (the connection lost, the server restarted), it is tried once more on a new
    connection; if that fails too, or takes longer than `timeout` seconds, `current()` answers
    None for `retry_after` seconds, and the caller reads the versions as before (in a session,
    in a thread): never an answer from versions it could not read.

    The watch belongs to the event loop that first used it (a server has one); asked from
    another loop while that one is still open it answers None (the caller's usual path). Only
    for an engine of its own over psycopg: sessions bound to one connection (the tests, whose
    writes are never committed) read `current_versions` in that connection instead.
    """

    def __init__(self, engine: Engine, *, timeout: float = 5.0, retry_after: float = 1.0) -> None:
        self.engine = engine
        self.database = str(engine.url)
        self.timeout = timeout
        self.retry_after = retry_after
        self.reads = 0  # reads made, each answering every request that waited for it
        self._connection: AsyncConnection[Any] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._waiting: list[asyncio.Future[Versions | None]] = []  # for the next read
        self._reader: asyncio.Task[None] | None = None
        self._retry_at = float("-inf")
        self._closed = False

    @staticmethod
    def applies(bind: object) -> bool:
        """Whether sessions bound to `bind` may use a watch: an engine over PostgreSQL (psycopg)."""
        return (
            isinstance(bind, Engine)
            and bind.dialect.name == "postgresql"
            and bind.dialect.driver == "psycopg"
        )

    async def current(self) -> Versions | None:
        """The versions of every scope, read after this call (see the class docstring), or None
        if the watch cannot read them now."""
        loop = asyncio.get_running_loop()
        if self._closed:
            return None
        if loop is not self._loop:
            if self._loop is not None and not self._loop.is_closed():
                return None
            self._forget()  # the loop it belonged to is gone (a test client's, say)
            self._loop = loop
        if time.monotonic() < self._retry_at:
            return None
        waiter: asyncio.Future[Versions | None] = loop.create_future()
        self._waiting.append(waiter)
        if self._reader is None:
            self._reader = loop.create_task(self._read_while_waited_for())
        return await waiter

    async def _read_while_waited_for(self) -> None:
        """Read while anyone waits; each read answers those who came before it started."""
        waiting: list[asyncio.Future[Versions | None]] = []
        try:
            while self._waiting:
                # Everyone in `waiting` came before this read starts; whoever comes during it
                # joins `self._waiting`, for the next one.
                waiting, self._waiting = self._waiting, []
                versions = await self._read()
                _answer(waiting, versions)
                if versions is None:  # cannot read: whoever came meanwhile goes the usual way
                    waiting, self._waiting = self._waiting, []
                    _answer(waiting, None)
        finally:
            # Normally nobody is left; if the loop cancels the reader (shutdown), nobody waits on.
            self._reader = None
            waiting, self._waiting = [*waiting, *self._waiting], []
            _answer(waiting, None)

    async def _read(self) -> Versions | None:
        """One read of the versions (on a new connection if the kept one fails), or None."""
        for _attempt in range(2):
            if self._closed:  # closed (shutdown) while a read was under way: no new connection
                break
            fresh = self._connection is None
            try:
                async with asyncio.timeout(self.timeout):
                    if self._connection is None:
                        self._connection = await self._connect()
                    versions = await self._select(self._connection)
            except Exception:
                self._drop()
                if fresh:
                    LOGGER.warning(
                        "cannot read the data versions; reading them in each request for %s s",
                        self.retry_after,
                        exc_info=True,
                    )
                    break
            else:
                self.reads += 1
                return versions
        self._retry_at = time.monotonic() + self.retry_after
        return None

    async def _connect(self) -> AsyncConnection[Any]:
        from psycopg import AsyncConnection

        # The engine's own connection arguments (host, port, database, user, password...),
        # without its type adapters: the watch reads two integer columns and a text. No
        # server-side prepared statements (a one-row read parses in microseconds), so the watch
        # works behind PgBouncer in transaction mode too.
        args, kwargs = self.engine.dialect.create_connect_args(self.engine.url)
        kwargs.pop("context", None)
        return await AsyncConnection.connect(
            *args, **kwargs, autocommit=True, prepare_threshold=None
        )

    async def _select(self, connection: AsyncConnection[Any]) -> Versions:
        """The versions as `current_versions` reads them, on the watch's connection."""
        before = time.monotonic()
        row = await (await connection.execute(_GLOBAL_SQL)).fetchone()
        values = _still_current(self.database, row[0] if row is not None else None)
        if values is None:
            values = _remember(self.database, await (await connection.execute(_ALL_SQL)).fetchall())
        return Versions(
            database=self.database, values=values, read_before=before, read_after=time.monotonic()
        )

    def _drop(self) -> None:
        if self._connection is not None:
            # What AsyncConnection.close() does, without awaiting: close() can run off the loop.
            self._connection.pgconn.finish()
            self._connection = None

    def _forget(self) -> None:
        self._drop()
        self._waiting, self._reader, self._retry_at = [], None, float("-inf")

    def close(self) -> None:
        """Close the watch's connection for good (the app's lifespan, at shutdown): from then on
        it answers None."""
        self._closed = True
        self._drop()


def _answer(waiting: Iterable[asyncio.Future[Versions | None]], versions: Versions | None) -> None:
    for waiter in waiting:
        if not waiter.done():  # a request that gave up (cancelled) is not answered
            waiter.set_result(versions)


def data_version(session: Session, *scopes: str) -> tuple[str, tuple[int, ...]]:
    """A hashable fingerprint of the data in these scopes (by default, of all the data any
    cache reads): the database and the scopes' versions. Equal fingerprints, equal data.

    Read once per transaction; inside a transaction that writes, it does not yet show the
    transaction's own writes (their versions are raised at its commit).
    """
    versions = current_versions(session)
    wanted = (*scopes, EVERYTHING) if scopes else (GLOBAL, EVERYTHING)
    return versions.database, tuple(versions.of(scope) for scope in wanted)


def fingerprint(session: Session, *scopes: str) -> str:
    """The same as a short text for a report (the versions in hexadecimal, joined by dashes)."""
    _, numbers = data_version(session, *scopes)
    return "-".join(format(number, "x") for number in numbers)
