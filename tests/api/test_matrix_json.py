"""The matrix JSON (`/api/v1/states/{iso3}/matrix`) is built from plain values and serialised by
orjson (issue 14: uncached, ~550 pydantic models were a third of its cost): its bytes must stay
exactly `MatrixRead`'s, for every viewer, with hidden records left out, treaty statuses and
evidence in, in the same order; and it reads the database in a fixed number of statements."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import orjson
import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, event, select, update
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from tests.conftest import DEMO_STATES, STATE_WITHOUT_EDITIONS, settings_for
from tests.factories import make_document, make_edition, make_user
from un1540.db.engine import make_session_factory, reads_without_transaction
from un1540.errors import NotFound
from un1540.models import MatrixEdition, Role, State, Visibility
from un1540.schemas.matrix import TreatyStatusInput
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.services.kernel.cache import CACHE, MISSING, held
from un1540.services.matrix.actions.editions import open_draft
from un1540.services.matrix.inputs import CellInput, EvidenceInput
from un1540.services.matrix.reads.matrix import (
    _DriverStatement,
    _rows,
    get_matrix,
    matrix_document,
)
from un1540.web import warm_reads
from un1540.web.api.states import matrix_json
from un1540.web.app import create_app
from un1540.web.compression import Body, gunzip


def _viewers(session: Session) -> list[Viewer]:
    chad = session.scalars(select(State.id).where(State.iso3 == "TCD")).one()
    france = session.scalars(select(State.id).where(State.iso3 == "FRA")).one()
    return [
        PUBLIC,
        Viewer(role=Role.expert, actor="expert"),
        Viewer(role=Role.state_poc, state_id=chad, actor="chad"),
        Viewer(role=Role.state_poc, state_id=france, actor="france"),
        Viewer(role=Role.provider, actor="provider"),
    ]


def test_the_matrix_json_is_matrix_read_byte_for_byte(session: Session) -> None:
    # An edition with what the demo may lack: a treaty status, evidence in a document only the
    # State and the Committee may see, and in a public one.
    public = make_document(session, iso3="TCD", title="Rapport national")
    restricted = make_document(
        session,
        iso3="TCD",
        title="Confidential annex",
        visibility=Visibility.owning_state_and_committee,
    )
    make_edition(
        session,
        iso3="TCD",
        cells=[
            CellInput(
                key="op1.npt:any:adherence",
                mark="X",
                remark="Ratifié en 1971 « NPT »",
                evidence=[
                    EvidenceInput(document_id=public.id, page="3"),
                    EvidenceInput(document_id=restricted.id, page="7", quotation="secret words"),
                ],
                treaty=TreatyStatusInput(
                    status="ratified",
                    signed_on=date(1968, 7, 1),
                    status_on=date(1971, 3, 10),
                    asserted_by="state_report",
                ),
            ),
            CellInput(key="op2.manufacture:cw:legal_framework", mark="?"),
            CellInput(key="op1.nwfz:any:adherence", mark="NA"),
        ],
    )
    editions = session.execute(
        select(State.iso3, MatrixEdition.number)
        .join(MatrixEdition, MatrixEdition.state_id == State.id)
        .where(State.iso3.in_([DEMO_STATES[0], "FRA", "TCD"]))
    ).all()
    assert any(iso3 == "TCD" for iso3, _ in editions)
    compared = 0
    for viewer in _viewers(session):
        for iso3, number in editions:
            try:
                expected = get_matrix(session, viewer=viewer, iso3=iso3, number=number)
            except NotFound:  # not visible to this viewer: refused alike
                with pytest.raises(NotFound):
                    matrix_document(session, viewer=viewer, iso3=iso3, number=number)
                continue
            document, synthetic = matrix_document(session, viewer=viewer, iso3=iso3, number=number)
            assert orjson.dumps(document) == expected.model_dump_json().encode(), (viewer, iso3)
            assert synthetic == expected.synthetic
            compared += 1
    assert compared >= 20
    chad = orjson.dumps(matrix_document(session, viewer=PUBLIC, iso3="TCD")[0])
    assert b'"status":"ratified"' in chad
    assert b"Rapport national" in chad
    assert b"secret words" not in chad
    assert b"Confidential annex" not in chad
    expert = orjson.dumps(matrix_document(session, viewer=Viewer(role=Role.expert), iso3="TCD")[0])
    assert b"secret words" in expert


def test_an_uncached_matrix_json_reads_in_four_statements(client: TestClient) -> None:
    statements: list[str] = []

    def count(*arguments: Any) -> None:
        statements.append(str(arguments[2]))

    engine = client.app.state.engine  # type: ignore[attr-defined]
    assert client.get("/api/v1/states/FRA/matrix").status_code == 200  # the framework's layout
    CACHE.clear()  # the matrix is computed again, the layout stays
    event.listen(engine, "before_cursor_execute", count)
    try:
        answer = client.get("/api/v1/states/FRA/matrix")
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert answer.status_code == 200
    assert answer.json()["state"]["iso3"] == "FRA"
    # The data version, the State with its edition and the framework (the key of its cached
    # layout) in one, the cells, their evidence: one statement each, however many cells and
    # documents (uncached9: the State, edition and framework were three ORM reads).
    reads = [
        s
        for s in statements
        if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))
    ]
    assert len(reads) == 4, "\n".join(s[:60] for s in reads)
    assert sum("FROM state" in s and "JOIN matrix_edition" in s for s in reads) == 1
    assert sum("FROM cell_entry" in s for s in reads) == 1
    assert sum("FROM evidence" in s for s in reads) == 1


def _same_as_matrix_read(session: Session, viewers: list[Viewer], iso3s: list[str]) -> int:
    """`matrix_document` against `get_matrix` (the models' rendering) for every edition of these
    States, each viewer, latest and by number, a number no State has, refusals included."""
    numbers = {
        iso3: [
            number
            for (number,) in session.execute(
                select(MatrixEdition.number)
                .join(State, State.id == MatrixEdition.state_id)
                .where(State.iso3 == iso3)
            )
        ]
        for iso3 in iso3s
    }
    compared = 0
    for viewer in viewers:
        for iso3 in iso3s:
            for number in [None, *numbers[iso3], 999]:
                try:
                    expected: Any = get_matrix(session, viewer=viewer, iso3=iso3, number=number)
                except NotFound as refusal:
                    expected = refusal
                if isinstance(expected, NotFound):  # refused alike, in the same words
                    with pytest.raises(NotFound, match=f"^{re.escape(str(expected))}$"):
                        matrix_document(session, viewer=viewer, iso3=iso3, number=number)
                    continue
                document, synthetic = matrix_document(
                    session, viewer=viewer, iso3=iso3, number=number
                )
                body = orjson.dumps(document)
                assert body == expected.model_dump_json().encode(), (viewer, iso3, number)
                assert synthetic == expected.synthetic
                compared += 1
    return compared


def test_every_demo_state_is_matrix_read_byte_for_byte_before_and_after_changes(
    session: Session,
) -> None:
    viewers = _viewers(session)
    states = [*DEMO_STATES, STATE_WITHOUT_EDITIONS, "ZZZ", "fra"]
    assert _same_as_matrix_read(session, viewers, states) >= 5 * len(DEMO_STATES)
    public_before = orjson.dumps(matrix_document(session, viewer=PUBLIC, iso3="FRA")[0])

    # An approval changes the latest edition; one the public may not see leaves it alone.
    hidden = make_edition(session, iso3="POL", approved_on=date(2026, 12, 3))
    session.execute(
        update(MatrixEdition)
        .where(MatrixEdition.id == hidden.id)
        .values(visibility=Visibility.owning_state_and_committee)
    )
    public_pol = matrix_document(session, viewer=PUBLIC, iso3="POL")[0]
    assert public_pol["edition"]["number"] != hidden.number
    shown = make_edition(session, iso3="FRA", approved_on=date(2026, 12, 3))
    public_fra = orjson.dumps(matrix_document(session, viewer=PUBLIC, iso3="FRA")[0])
    assert orjson.loads(public_fra)["edition"]["number"] == shown.number
    assert public_fra != public_before
    assert _same_as_matrix_read(session, viewers, ["FRA", "POL"]) >= 10

    # A draft is never public: not the latest for anyone, not readable by number publicly.
    expert = make_user(session, role="expert")
    draft = open_draft(session, viewer=expert, iso3="FRA", reason="tests")
    assert orjson.dumps(matrix_document(session, viewer=PUBLIC, iso3="FRA")[0]) == public_fra
    with pytest.raises(NotFound):
        matrix_document(session, viewer=PUBLIC, iso3="FRA", number=draft.number)
    opened = matrix_document(session, viewer=expert, iso3="FRA", number=draft.number)[0]
    assert opened["edition"]["status"] == "draft"
    assert _same_as_matrix_read(session, [*viewers, expert], ["FRA"]) >= 5


def test_a_warm_anonymous_matrix_is_answered_before_routing_as_the_route_answers(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    served: list[bool] = []

    def spying(*arguments: Any, **keywords: Any) -> Any:
        value = held(*arguments, **keywords)
        served.append(value is not MISSING)
        return value

    monkeypatch.setattr(warm_reads, "held", spying)
    CACHE.clear()
    first = client.get("/api/v1/states/FRA/matrix")  # computed by the route
    second = client.get("/api/v1/states/FRA/matrix")  # answered by web/warm_reads.py
    assert served == [False, True]
    assert second.content == first.content
    for header in ("content-type", "content-length", "x-synthetic-data", "x-frame-options"):
        assert second.headers[header] == first.headers[header], header
    assert "cache-control" not in second.headers  # public: as the route answers it
    assert second.headers["content-security-policy"] == first.headers["content-security-policy"]
    head = client.head("/api/v1/states/FRA/matrix")
    assert head.status_code == 200
    assert head.headers["content-length"] == first.headers["content-length"]
    assert served[-1] is True
    named = client.get("/api/v1/states/FRA/matrix.json")  # the same, named as a file
    assert served[-1] is True
    assert named.content == first.content
    assert named.headers["content-disposition"] == 'inline; filename="FRA-matrix.json"'

    # Credentials, a query or another path go to the application, which resolves the caller:
    # a wrong token is refused even though the public matrix is warm...
    served.clear()
    refused = client.get("/api/v1/states/FRA/matrix", headers={"Authorization": "Bearer wrong"})
    assert refused.status_code == 401
    # ... an ended session's cookie is cleared, and its answer is for this visitor only ...
    client.cookies.set("un1540_session", "ended")
    answer = client.get("/api/v1/states/FRA/matrix")
    client.cookies.clear()
    assert answer.status_code == 200
    assert "un1540_session" in answer.headers.get("set-cookie", "")
    assert answer.headers["cache-control"] == "no-store"
    assert client.get("/api/v1/states/FRA/matrix?edition=1").json()["edition"]["number"] == 1
    assert served == []


def test_an_uncached_public_matrix_is_computed_before_routing_as_the_route_computes_it(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # As `un1540 serve` with UN1540_CACHE_MB=0, on the demo database itself (sessions bound to
    # the engine, as in a server: on PostgreSQL the lane reads without a transaction).
    app = create_app(settings_for(engine), engine=engine)
    monkeypatch.setattr(CACHE, "budget", 0)  # the cache off, restored after the test
    computed: list[str] = []

    def spying(session: Session, viewer: Viewer, iso3: str, edition: int | None) -> Any:
        computed.append(iso3)
        return matrix_json(session, viewer, iso3, edition)

    monkeypatch.setattr(warm_reads, "matrix_json", spying)
    with TestClient(app) as client, Session(engine) as session:
        for iso3 in DEMO_STATES:
            answer = client.get(f"/api/v1/states/{iso3}/matrix")
            assert answer.status_code == 200
            expected = get_matrix(session, viewer=PUBLIC, iso3=iso3)
            assert answer.content == expected.model_dump_json().encode(), iso3
            assert answer.headers["x-synthetic-data"] == "true"
        assert computed == DEMO_STATES  # by the lane, once each: not again by the route
        # A refusal is the route's, as for any other reader: the lane hands the request on.
        computed.clear()
        missing = client.get(f"/api/v1/states/{STATE_WITHOUT_EDITIONS}/matrix")
        assert missing.status_code == 404
        assert "has no approved edition that you may see" in missing.text
        assert client.get("/api/v1/states/ZZZ/matrix").status_code == 404
        assert computed == [STATE_WITHOUT_EDITIONS, "ZZZ"]


def test_a_read_without_transaction_opens_none_on_postgresql(engine: Engine) -> None:
    sessions = make_session_factory(engine)
    with sessions() as session:
        reads_without_transaction(session)
        document, _ = matrix_document(session, viewer=PUBLIC, iso3="FRA")
        assert document["state"]["iso3"] == "FRA"
        raw = session.connection().connection.dbapi_connection
        if engine.dialect.name == "postgresql":
            # No BEGIN was sent, so no transaction is open (and no ROLLBACK will be).
            assert raw.autocommit is True  # type: ignore[union-attr]
            assert raw.info.transaction_status == psycopg.pq.TransactionStatus.IDLE  # type: ignore[union-attr]
    with sessions() as session:  # the pooled connection is back to transactions
        session.execute(select(State.id).limit(1))
        raw = session.connection().connection.dbapi_connection
        if engine.dialect.name == "postgresql":
            assert raw.autocommit is False  # type: ignore[union-attr]
            assert raw.info.transaction_status == psycopg.pq.TransactionStatus.INTRANS  # type: ignore[union-attr]
    # A session bound to a connection (the tests' joined sessions) is left as it is.
    with engine.connect() as connection, Session(bind=connection) as joined:
        reads_without_transaction(joined)
        joined.execute(select(State.id).limit(1))
        assert joined.in_transaction()


def test_the_reads_run_on_the_drivers_cursor_unless_someone_listens(
    session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """uncached10: the three reads go to the driver's own cursor (SQLAlchemy's execution and
    result objects cost as much as the reads); the answer is still `MatrixRead`'s."""
    viewers = _viewers(session)
    expected = {
        (index, iso3): get_matrix(session, viewer=viewer, iso3=iso3).model_dump_json().encode()
        for index, viewer in enumerate(viewers)
        for iso3 in DEMO_STATES
    }

    def refused(*_arguments: Any, **_keywords: Any) -> Any:
        raise AssertionError("read through SQLAlchemy's execution")

    with monkeypatch.context() as patched:
        patched.setattr(Connection, "exec_driver_sql", refused)
        patched.setattr(Connection, "execute", refused)
        for (index, iso3), body in expected.items():
            document, _ = matrix_document(session, viewer=viewers[index], iso3=iso3)
            assert orjson.dumps(document) == body, (viewers[index], iso3)
    # A listener on the connection's statements sees all three: they go through SQLAlchemy.
    seen: list[str] = []

    def count(*arguments: Any) -> None:
        seen.append(str(arguments[2]))

    connection = session.connection()
    event.listen(connection, "before_cursor_execute", count)
    try:
        assert (
            orjson.dumps(matrix_document(session, viewer=PUBLIC, iso3="FRA")[0])
            == expected[(0, "FRA")]
        )
    finally:
        event.remove(connection, "before_cursor_execute", count)
    assert len(seen) == 3, seen


def test_a_driver_error_is_raised_as_sqlalchemys(session: Session) -> None:
    """An error of the driver's cursor is raised as SQLAlchemy's (a `DBAPIError`, which the web
    layer maps to 503 when the database is unavailable), by running the statement again there."""
    broken = _DriverStatement("SELECT nothing FROM no_such_table", None, {}, {})
    if session.get_bind().dialect.paramstyle == "qmark":
        broken = broken._replace(order=())
    with pytest.raises(DBAPIError):
        _rows(session.connection(), broken, {})


def _sent(client: TestClient, path: str, accept_encoding: str) -> tuple[dict[str, str], bytes]:
    """The answer's headers and body bytes as sent (not inflated by the client)."""
    request = client.build_request("GET", path, headers={"Accept-Encoding": accept_encoding})
    response = client.send(request, stream=True)
    try:
        return dict(response.headers), b"".join(response.iter_raw())
    finally:
        response.close()


def test_a_cached_matrix_is_kept_and_sent_gzip_compressed_the_same_bytes_every_time(
    client: TestClient,
) -> None:
    CACHE.clear()
    path = "/api/v1/states/FRA/matrix"
    headers, first = _sent(client, path, "gzip")  # computed by the route, compressed once
    assert headers["content-encoding"] == "gzip"
    assert "Accept-Encoding" in headers["vary"]
    plain_headers, plain = _sent(client, path, "identity")  # inflated from the same entry
    assert "content-encoding" not in plain_headers
    assert "Accept-Encoding" in plain_headers["vary"]
    assert gunzip(first) == plain
    assert orjson.loads(plain)["state"]["iso3"] == "FRA"
    # What the cache keeps, and counts, is the compressed body.
    [(_key, (body, _synthetic), size)] = [
        entry for entry in CACHE.contents() if entry[0][:2] == ("matrix_json", "FRA")
    ]
    assert body.gzipped
    assert body.data == first
    assert len(first) <= size < len(plain) / 4
    # Computed again (the cache emptied): the same bytes, no time in the gzip header.
    CACHE.clear()
    assert _sent(client, path, "gzip")[1] == first
    assert first[4:8] == b"\0\0\0\0"  # the gzip header's modification time


def test_an_uncached_matrix_is_sent_as_computed_whatever_the_client_accepts(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    # With the cache off (UN1540_CACHE_MB=0) nothing is stored, so nothing is compressed: a
    # client that accepts gzip gets the plain bytes, as before, with Vary all the same.
    app = create_app(settings_for(engine), engine=engine)
    monkeypatch.setattr(CACHE, "budget", 0)
    packed: list[object] = []
    original = Body.packed

    def spying(body: Body) -> Body:
        packed.append(body)
        return original(body)

    monkeypatch.setattr(Body, "packed", spying)
    with TestClient(app) as client:
        headers, body = _sent(client, "/api/v1/states/FRA/matrix", "gzip, deflate")
        routed_headers, routed = _sent(client, "/api/v1/states/FRA/matrix.json", "gzip")
    assert "content-encoding" not in headers
    assert "content-encoding" not in routed_headers
    assert "Accept-Encoding" in headers["vary"]
    assert body == routed
    assert orjson.loads(body)["state"]["iso3"] == "FRA"
    assert packed == []  # never compressed
