"""The matrix JSON (`/api/v1/states/{iso3}/matrix`) is built from plain values and serialised by
orjson (issue 14: uncached, ~550 pydantic models were a third of its cost): its bytes must stay
exactly `MatrixRead`'s, for every viewer, with hidden records left out, treaty statuses and
evidence in, in the same order; and it reads the database in a fixed number of statements."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from tests.conftest import DEMO_STATES
from tests.factories import make_document, make_edition
from un1540.errors import NotFound
from un1540.models import MatrixEdition, Role, State, Visibility
from un1540.schemas.matrix import TreatyStatusInput
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.services.kernel.cache import CACHE, MISSING, held
from un1540.services.matrix.inputs import CellInput, EvidenceInput
from un1540.services.matrix.reads.matrix import get_matrix, matrix_document
from un1540.web import warm_reads


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


def test_an_uncached_matrix_json_reads_in_six_statements(client: TestClient) -> None:
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
    # The data version, the State, its edition, the framework (the key of its cached layout),
    # the cells, their evidence: one statement each, however many cells and documents.
    reads = [
        s
        for s in statements
        if not s.lstrip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK"))
    ]
    assert len(reads) == 6, "\n".join(s[:60] for s in reads)
    assert sum("FROM cell_entry" in s for s in reads) == 1
    assert sum("FROM evidence" in s for s in reads) == 1


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
    assert client.get("/api/v1/states/FRA/matrix.json").status_code == 200
    assert served == []
