"""Data versions by scope, raised in the writing transaction, and the cache keyed by them.

The cache is the process's own (kernel/cache.py CACHE); every key here names its database, so
what other tests cached does not interfere. Coherence across processes:
tests/portal/test_cache_coherence.py.
"""

from __future__ import annotations

import re
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import DEMO_STATES, rolled_back_connection
from tests.factories import PASSWORD, make_edition, make_user
from un1540.db.engine import make_session_factory
from un1540.models import AssistanceOffer, Base, MatrixEdition, State
from un1540.models.base import today
from un1540.services.accounts.actions import authenticate
from un1540.services.kernel.access import PUBLIC
from un1540.services.kernel.cache import CACHE, DataCache, cached, cached_compact
from un1540.services.kernel.data_version import (
    ASSISTANCE,
    EVERYTHING,
    GLOBAL,
    MATRIX,
    REFERENCE,
    STATE_TABLES,
    TABLE_SCOPES,
    UNCACHED_TABLES,
    current_versions,
    data_version,
    scopes_of_event,
    state_scope,
)
from un1540.services.kernel.lookups import state_by_iso3
from un1540.services.kernel.unit_of_work import action
from un1540.services.matrix.counting import state_tallies, state_tally
from un1540.services.matrix.inputs import CellInput
from un1540.web.portal.page_cache import person_key

PUBLIC_KEY = PUBLIC.cache_key


def _versions(sessions: sessionmaker[Session]) -> dict[str, int]:
    with sessions() as session:
        return dict(current_versions(session).values)


def _raised(before: dict[str, int], after: dict[str, int]) -> set[str]:
    return {scope for scope, version in after.items() if version != before.get(scope, 0)}


def _editions(session: Session, iso3: str) -> int:
    count = session.scalar(
        select(func.count())
        .select_from(MatrixEdition)
        .join(State, State.id == MatrixEdition.state_id)
        .where(State.iso3 == iso3)
    )
    return count or 0


def test_a_write_raises_its_states_scope_and_the_aggregates_not_other_states(
    empty_sessions: sessionmaker[Session],
) -> None:
    before = _versions(empty_sessions)
    with empty_sessions() as session:
        make_edition(session, iso3="TCD")  # registers a document, then records the edition
    after = _versions(empty_sessions)
    assert _raised(before, after) == {state_scope("TCD"), MATRIX, "documents", GLOBAL}
    assert all(after[scope] > before.get(scope, 0) for scope in _raised(before, after))


@action
def _write_then_fail(session: Session) -> None:
    make_edition(session, iso3="TCD")  # joins this action's transaction
    raise RuntimeError("refused after writing")


def test_sign_ins_and_rolled_back_writes_raise_nothing(
    empty_sessions: sessionmaker[Session],
) -> None:
    with empty_sessions() as session:
        make_user(session, role="expert", email="reader@example.org")
    before = _versions(empty_sessions)
    with empty_sessions() as session:  # audited (account.login), but no cache shows accounts
        assert authenticate(session, email="reader@example.org", password=PASSWORD) is not None
    with empty_sessions() as session, pytest.raises(RuntimeError, match="refused"):
        _write_then_fail(session)
    assert _versions(empty_sessions) == before


def test_writes_without_an_audit_event_raise_their_tables_scope_or_everything(
    sessions: sessionmaker[Session],
) -> None:
    before = _versions(sessions)
    with sessions() as session:  # an assistance table, whatever the row
        offer = session.scalars(select(AssistanceOffer).limit(1)).one()
        offer.title = offer.title + " (revised)"
        session.commit()
    middle = _versions(sessions)
    assert _raised(before, middle) == {ASSISTANCE, GLOBAL}
    with sessions() as session:  # a State's matrix with no event naming the State: everything
        edition = session.scalars(select(MatrixEdition).limit(1)).one()
        edition.approved_on = date(2001, 1, 1)
        session.commit()
    assert _raised(middle, _versions(sessions)) == {EVERYTHING, GLOBAL}


def test_a_states_own_tally_equals_its_entry_among_all_states(session: Session) -> None:
    everyone = state_tallies(session, PUBLIC)
    for iso3 in DEMO_STATES:
        assert state_tally(session, PUBLIC, state_by_iso3(session, iso3)) == everyone[iso3]


def test_a_write_to_one_state_leaves_other_states_warm(
    client: TestClient, sessions: sessionmaker[Session], engine: Engine
) -> None:
    bra_json = ("matrix_json", "BRA", None, PUBLIC_KEY)
    # The page cache's key (web/portal/page_cache.py): the page and its arguments, the reader,
    # the language, the day and the address asked.
    page = ("state_page", "BRA", None, person_key(PUBLIC), "en", today())
    bra_page = ("page", *page, "http://testserver/states/BRA")
    fra_json = ("matrix_json", "FRA", None, PUBLIC_KEY)
    for path in ("/api/v1/states/BRA/matrix", "/states/BRA", "/api/v1/states/FRA/matrix"):
        assert client.get(path).status_code == 200
    fra_edition = client.get("/api/v1/states/FRA/matrix").json()["edition"]["number"]
    database = str(engine.url)
    held = {k: v for k, v in CACHE.entries(database).items() if k in (bra_json, bra_page, fra_json)}
    assert set(held) == {bra_json, bra_page, fra_json}

    with sessions() as session:  # France's matrix alone (no new document: evidence cites
        # documents of any State by title, so a new document outdates every State's page)
        cells = [CellInput(key="op2.manufacture:cw:legal_framework", mark="X")]
        make_edition(session, iso3="FRA", approved_on=date(2026, 1, 2), cells=cells)

    hits, computed = CACHE.counts["hits"], CACHE.counts["computed"]
    assert client.get("/api/v1/states/BRA/matrix").status_code == 200
    assert client.get("/states/BRA").status_code == 200
    # Served from the cache, not recomputed (the warm matrix JSON is looked up before routing,
    # web/warm_reads.py, so the two requests may count more than two hits).
    assert CACHE.counts["computed"] == computed
    assert CACHE.counts["hits"] >= hits + 2
    now = CACHE.entries(database)
    assert now[bra_json] == held[bra_json]
    assert now[bra_page] == held[bra_page]
    assert fra_json not in now  # outdated, dropped as soon as a reader saw the newer version
    assert client.get("/api/v1/states/FRA/matrix").json()["edition"]["number"] == fra_edition + 1
    fra_now = CACHE.entries(database)[fra_json]
    assert fra_now[state_scope("FRA")] > held[fra_json][state_scope("FRA")]


def test_a_value_computed_across_a_write_is_stored_under_the_versions_read_before_it(
    fresh_engine: Engine,
) -> None:
    sessions = make_session_factory(fresh_engine)
    key = ("computed_across_a_write", uuid.uuid4().hex)
    scope = state_scope("TCD")

    with sessions() as reader:

        def compute_across_a_write() -> tuple[int, int]:
            first = _editions(reader, "TCD")
            with sessions() as writer:  # another connection commits midway
                make_edition(writer, iso3="TCD")
            return first, _editions(reader, "TCD")

        torn = cached(reader, key, depends_on=(scope,), compute=compute_across_a_write)
        read_before = current_versions(reader).of(scope)
    database = str(fresh_engine.url)
    assert torn[0] == 0
    assert (
        CACHE.entries(database)[key][scope] == read_before
    )  # the old version, never the newer one

    calls = []
    with sessions() as later:
        assert current_versions(later).of(scope) > read_before

        def compute() -> tuple[int, int]:
            calls.append(1)
            return _editions(later, "TCD"), _editions(later, "TCD")

        assert cached(later, key, depends_on=(scope,), compute=compute) == (1, 1)
        assert cached(later, key, depends_on=(scope,), compute=compute) == (1, 1)
        assert CACHE.entries(database)[key][scope] == current_versions(later).of(scope)
    assert calls == [1]  # recomputed once for the new version, then served


def test_one_computation_per_key_however_many_ask_at_once(empty_engine: Engine) -> None:
    sessions = make_session_factory(empty_engine)
    key = ("single_flight", uuid.uuid4().hex)
    readers, calls = 8, []
    waited = CACHE.counts["waited"]

    def compute() -> list[str]:
        calls.append(1)
        deadline = time.monotonic() + 20
        while CACHE.counts["waited"] - waited < readers - 1 and time.monotonic() < deadline:
            time.sleep(0.005)  # until every other reader waits for this computation
        return ["computed once"]

    def read(_: int) -> list[str]:
        with sessions() as session:
            return cached(session, key, depends_on=(REFERENCE,), compute=compute)

    with ThreadPoolExecutor(readers) as pool:
        results = list(pool.map(read, range(readers)))
    assert calls == [1]
    assert CACHE.counts["waited"] - waited == readers - 1
    assert all(result is results[0] for result in results)


def test_the_cache_holds_at_most_its_budget_least_recently_used_first_out(
    empty_session: Session,
) -> None:
    cache, database = DataCache(budget_bytes=1000), str(empty_session.get_bind().engine.url)
    for name in ("a", "b", "c"):
        cache.get(empty_session, name, (REFERENCE,), lambda name=name: name, size=400)
    assert set(cache.entries(database)) == {"b", "c"}
    assert cache.bytes == 800
    assert cache.get(empty_session, "b", (REFERENCE,), lambda: "again", size=400) == "b"  # hit
    cache.get(empty_session, "d", (REFERENCE,), lambda: "d", size=400)
    assert set(cache.entries(database)) == {"b", "d"}
    cache.get(empty_session, "huge", (REFERENCE,), lambda: "huge", size=1001)
    assert "huge" not in cache.entries(database)
    cache.configure(0)
    assert cache.entries(database) == {}
    assert cache.bytes == 0


def test_a_compact_value_is_kept_as_compressed_bytes_and_read_as_a_fresh_copy(
    empty_session: Session,
) -> None:
    key = ("compact", uuid.uuid4().hex)
    rows = [
        {"iso3": f"S{number:02d}", "marks": {"op2.manufacture:nw": "X"}} for number in range(200)
    ]
    calls: list[int] = []

    def compute() -> list[dict[str, object]]:
        calls.append(1)
        return rows

    first = cached_compact(empty_session, key, depends_on=(REFERENCE,), compute=compute)
    second = cached_compact(empty_session, key, depends_on=(REFERENCE,), compute=compute)
    assert first == second == rows
    assert calls == [1]  # computed once, then read from the kept bytes
    assert second is not first  # a copy each time: a reader cannot change what is kept
    database = str(empty_session.get_bind().engine.url)
    assert key in CACHE.entries(database)
    held_value = CACHE.peek(empty_session, key, (REFERENCE,))
    assert isinstance(held_value.data, bytes)
    assert len(held_value.data) < len(repr(rows)) / 5  # compressed


def test_a_rolled_back_write_outdates_what_was_cached_from_it(empty_engine: Engine) -> None:
    """A write seen, then rolled back (or a database restored from a backup): what was computed
    from it is dropped as soon as a reader that started later sees the older versions."""
    key = ("rolled_back", uuid.uuid4().hex)
    scope, database = state_scope("TCD"), str(empty_engine.url)
    with closing(rolled_back_connection(empty_engine)) as connections:
        connection = next(connections)
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            make_edition(session, iso3="TCD")
        with Session(bind=connection, join_transaction_mode="create_savepoint") as session:
            assert cached(session, key, depends_on=(scope,), compute=lambda: "edition 1") == (
                "edition 1"
            )
            seen = current_versions(session).of(scope)
        assert CACHE.entries(database)[key][scope] == seen
    sessions = make_session_factory(empty_engine)
    with sessions() as session:
        assert current_versions(session).of(scope) < seen
        assert cached(session, key, depends_on=(scope,), compute=lambda: "no edition") == (
            "no edition"
        )
        assert CACHE.entries(database)[key][scope] == current_versions(session).of(scope)
        assert data_version(session, scope)[1][0] < seen


SOURCE = Path(__file__).resolve().parents[2] / "src" / "un1540"
# Kinds of audit event whose write is meant to raise `all` (it touches every kind of data).
EVERYTHING_ON_PURPOSE = {"instance"}  # the demo loader


def test_every_kind_of_audit_event_names_its_scopes() -> None:
    """A new kind of record raises `all` (correct, but every cache starts over): name its
    scopes in kernel/data_version.py scopes_of_event."""
    kinds = set()
    for path in SOURCE.rglob("*.py"):
        kinds |= set(re.findall(r'entity_type="([a-z_]+)"', path.read_text(encoding="utf-8")))
    assert kinds, "no audit events found"
    unnamed = {
        kind
        for kind in kinds - EVERYTHING_ON_PURPOSE
        if EVERYTHING in scopes_of_event(kind, "FRA/1/op1.npt:any:adherence", {})
    }
    assert unnamed == set()


def test_every_table_says_which_scope_its_writes_raise() -> None:
    """A table no rule names raises `all` when written without an audit event naming a State:
    say in kernel/data_version.py which scope it belongs to (or that no cache reads it)."""
    classified = UNCACHED_TABLES | STATE_TABLES | set(TABLE_SCOPES)
    assert set(Base.metadata.tables) - classified == set()


def test_readers_read_every_scope_only_after_global_moved(
    empty_sessions: sessionmaker[Session],
) -> None:
    """A cached request reads one row (`global`) while nothing was written, and every row
    again once a write raised `global`, so it never serves versions older than the data."""
    with empty_sessions() as session:
        make_edition(session, iso3="TCD")
    with empty_sessions() as session:
        first = current_versions(session).values
    with empty_sessions() as session:
        assert current_versions(session).values is first  # the same read, reused
    with empty_sessions() as session:
        make_edition(session, iso3="NGA")
    with empty_sessions() as session:
        after = current_versions(session).values
    assert after is not first
    assert after[state_scope("NGA")] > first.get(state_scope("NGA"), 0)
    assert after[GLOBAL] > first[GLOBAL]
    assert after[state_scope("TCD")] == first[state_scope("TCD")]
