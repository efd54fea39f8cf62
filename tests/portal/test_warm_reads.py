"""Warm anonymous reads answered before routing (web/warm_reads.py): the State page, its
matrix page and the matrix JSON, from the route's own cache entry.

- the warm path answers exactly what the route answers (status, every header, body), in every
  language the language middleware may choose (query-less: cookie, Accept-Language, default),
  and for HEAD;
- its key is the route's: a French reader never gets the English page, a page outdated by a
  committed write is never served (on a SQLite file through the `PRAGMA data_version` watch,
  on PostgreSQL through the watch's own connection; with a watch that cannot read, and with
  the tests' sessions bound to one connection, through the versions read in a thread);
- the cached bytes are kept gzip-compressed (web/compression.py): both paths send them as they
  are to a request whose Accept-Encoding accepts gzip and inflated to any other (no header,
  `identity`, `gzip;q=0`, ...), the same bytes for the same request, `Vary: Accept-Encoding`
  on every answer, for GET and HEAD;
- a request with credentials (a session cookie, even a stale one; an API token) always goes to
  the route, and a signed-in reader's page (with a draft and restricted evidence) never reaches
  the public, whoever visits first.

Each test proves which path answered by breaking the other one: the route's cached functions
replaced by one that fails, or the warm path's addresses by a pattern that matches nothing.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from typing import Any

import httpx
import psycopg
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import settings_for
from tests.factories import (
    PASSWORD,
    make_chad_citing_a_restricted_document,
    make_edition,
    make_user,
)
from un1540.db.engine import make_session_factory
from un1540.services.accounts.actions import issue_token
from un1540.services.kernel.data_version import PostgresVersionWatch, SqliteVersionWatch
from un1540.services.matrix.inputs import CellInput
from un1540.web import warm_reads
from un1540.web.api import states as api_states
from un1540.web.app import create_app
from un1540.web.compression import gunzip
from un1540.web.portal import states as state_pages

SECRET = "RESTRICTED-EVIDENCE-W9"  # a document only Chad and the Committee may see
CELL = "op2.manufacture:cw:legal_framework"
PATHS = (
    "/states/TCD",
    "/states/tcd/matrix",
    "/api/v1/states/TCD/matrix",
    "/api/v1/states/tcd/matrix.json",
)
NOWHERE = re.compile(r"(?!)")  # matches no address


@pytest.fixture
def committed(fresh_engine: Engine) -> sessionmaker[Session]:
    """Sessions of the app's own engine: every write really commits (a SQLite file: the app
    watches the versions with PRAGMA data_version)."""
    sessions = make_session_factory(fresh_engine)
    with sessions() as session:
        make_user(session, role="expert", email="expert@example.org")
        make_chad_citing_a_restricted_document(session, secret_title=SECRET)
    return sessions


@pytest.fixture
def web(fresh_engine: Engine, committed: sessionmaker[Session]) -> Iterator[TestClient]:
    app = create_app(settings_for(fresh_engine), engine=fresh_engine)
    # The watch is what these tests exercise (kernel/data_version.py).
    watches = {"sqlite": SqliteVersionWatch, "postgresql": PostgresVersionWatch}
    assert isinstance(app.state.version_watch, watches[fresh_engine.dialect.name])
    with TestClient(app) as client:
        yield client


class Paths:
    """Switches to break one path or the other."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.routed: list[str] = []
        self._page = state_pages._cached_state_page
        self._matrix = api_states.matrix_json
        self._addresses = (warm_reads.MATRIX_PATH, warm_reads.STATE_PAGE_PATH)

    def count_routed(self) -> None:
        def page(*args: Any, **kwargs: Any) -> Any:
            self.routed.append(f"page {args[3]}")
            return self._page(*args, **kwargs)

        def matrix(*args: Any, **kwargs: Any) -> Any:
            self.routed.append(f"matrix {args[2]}")
            return self._matrix(*args, **kwargs)

        self.monkeypatch.setattr(state_pages, "_cached_state_page", page)
        self.monkeypatch.setattr(api_states, "matrix_json", matrix)

    def break_routes(self) -> None:
        def broken(*_args: Any, **_kwargs: Any) -> Any:
            raise AssertionError("the route ran: the warm path did not answer")

        self.monkeypatch.setattr(state_pages, "_cached_state_page", broken)
        self.monkeypatch.setattr(api_states, "matrix_json", broken)

    def restore_routes(self) -> None:
        self.monkeypatch.setattr(state_pages, "_cached_state_page", self._page)
        self.monkeypatch.setattr(api_states, "matrix_json", self._matrix)

    def without_warm_path(self) -> None:
        self.monkeypatch.setattr(warm_reads, "MATRIX_PATH", NOWHERE)
        self.monkeypatch.setattr(warm_reads, "STATE_PAGE_PATH", NOWHERE)

    def with_warm_path(self) -> None:
        self.monkeypatch.setattr(warm_reads, "MATRIX_PATH", self._addresses[0])
        self.monkeypatch.setattr(warm_reads, "STATE_PAGE_PATH", self._addresses[1])


@pytest.fixture
def paths(monkeypatch: pytest.MonkeyPatch) -> Paths:
    return Paths(monkeypatch)


def answer(response: httpx.Response) -> tuple[int, list[tuple[str, str]], bytes]:
    return response.status_code, response.headers.multi_items(), response.content


@pytest.mark.parametrize(
    ("headers", "language"),
    [
        ({}, "en"),
        ({"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.8"}, "fr"),
        ({"Accept-Language": "ar"}, "ar"),
        ({"Cookie": "un1540_lang=zh"}, "zh"),
        ({"Cookie": "un1540_lang=ru", "Accept-Language": "es"}, "ru"),
    ],
)
def test_the_warm_path_answers_the_routes_bytes_in_every_language(
    web: TestClient, paths: Paths, headers: dict[str, str], language: str
) -> None:
    same_answers(web, paths, headers, language, synthetic=False)


@pytest.mark.parametrize(("headers", "language"), [({}, "en"), ({"Accept-Language": "fr"}, "fr")])
def test_the_same_on_the_synthetic_demo_with_sessions_bound_to_one_connection(
    client: TestClient, paths: Paths, headers: dict[str, str], language: str
) -> None:
    # The tests' sessions share one connection whose writes are never committed: there the
    # warm path reads the versions in that connection, in a thread, as the route does.
    assert client.app.state.version_watch is None  # type: ignore[attr-defined]
    demo = (
        "/states/FRA",
        "/states/fra/matrix",
        "/api/v1/states/FRA/matrix",
        "/api/v1/states/FRA/matrix.json",
    )
    same_answers(client, paths, headers, language, synthetic=True, addresses=demo)


def same_answers(
    client: TestClient,
    paths: Paths,
    headers: dict[str, str],
    language: str,
    *,
    synthetic: bool,
    addresses: tuple[str, ...] = PATHS,
) -> None:
    for path in addresses:
        first = client.get(path, headers=headers)  # computed by the route
        assert first.status_code == 200, path
        if path.startswith("/states/"):
            assert f'<html lang="{language}"' in first.text
        paths.without_warm_path()
        routed = client.get(path, headers=headers)  # the route, from its cache
        paths.with_warm_path()
        paths.break_routes()
        warm = client.get(path, headers=headers)  # the warm path (the route would fail)
        head = client.head(path, headers=headers)
        paths.restore_routes()
        assert answer(warm) == answer(routed) == answer(first), path
        assert head.status_code == 200
        assert head.content == b""
        assert head.headers.multi_items() == warm.headers.multi_items()
        assert ("x-synthetic-data" in warm.headers) is synthetic  # the route's header, kept
        assert "content-security-policy" in warm.headers  # the middlewares' around it
        assert "cache-control" not in warm.headers  # the public's: cacheable, as the route's


def raw(
    client: TestClient, method: str, path: str, accept_encoding: str | None
) -> tuple[int, list[tuple[str, str]], bytes]:
    """The answer as sent: its status, headers and body bytes, not inflated by the client (which
    sends no Accept-Encoding of its own: `accept_encoding` or none)."""
    request = client.build_request(method, path)
    del request.headers["accept-encoding"]
    if accept_encoding is not None:
        request.headers["accept-encoding"] = accept_encoding
    response = client.send(request, stream=True)
    try:
        return response.status_code, response.headers.multi_items(), b"".join(response.iter_raw())
    finally:
        response.close()


@pytest.mark.parametrize(
    ("accept_encoding", "gzipped"),
    [
        (None, False),
        ("gzip", True),
        ("gzip, deflate, br, zstd", True),  # a browser's
        ("*", True),
        ("br;q=1.0, gzip;q=0.8, *;q=0.1", True),
        ("identity", False),
        ("gzip;q=0", False),
        ("gzip;q=0, *", False),  # gzip refused by name, whatever `*` says
        ("deflate", False),
        ("gzip;q=0.5, identity", False),  # identity preferred
    ],
)
def test_both_paths_send_the_same_bytes_for_every_accept_encoding(
    web: TestClient, paths: Paths, accept_encoding: str | None, gzipped: bool
) -> None:
    for path in PATHS:
        first = raw(web, "GET", path, accept_encoding)  # computed by the route
        paths.without_warm_path()
        routed = raw(web, "GET", path, accept_encoding)  # the route, from its cache
        plain = raw(web, "GET", path, "identity")
        paths.with_warm_path()
        paths.break_routes()
        warm = raw(web, "GET", path, accept_encoding)  # the warm path (the route would fail)
        head = raw(web, "HEAD", path, accept_encoding)
        warm_plain = raw(web, "GET", path, "identity")
        paths.restore_routes()
        assert warm == routed == first, path
        assert warm_plain == plain, path
        status, headers, body = warm
        named = dict(headers)
        assert status == 200
        assert "Accept-Encoding" in named["vary"].split(", ")
        assert "Accept-Encoding" in dict(plain[1])["vary"].split(", ")
        assert int(named["content-length"]) == len(body)
        assert (named.get("content-encoding") == "gzip") is gzipped, path
        assert "content-encoding" not in dict(plain[1])
        assert (gunzip(body) if gzipped else body) == plain[2], path
        if gzipped:
            assert len(body) * 4 < len(plain[2])
        assert head == (200, headers, b""), path


def test_a_french_reader_never_gets_the_english_page(web: TestClient, paths: Paths) -> None:
    english = web.get("/states/TCD")
    assert '<html lang="en"' in english.text
    paths.count_routed()
    french = web.get("/states/TCD", headers={"Accept-Language": "fr"})
    assert '<html lang="fr"' in french.text
    assert french.content != english.content
    assert paths.routed == ["page TCD"]  # the English entry was not the French one's
    again = web.get("/states/TCD", headers={"Accept-Language": "fr"})
    assert again.content == french.content
    assert paths.routed == ["page TCD"]
    # Another language asked for explicitly (a query string) goes to the route, which
    # remembers it in a cookie; that cookie then picks the warm entry of its language.
    chosen = web.get("/states/TCD?lang=es")
    assert '<html lang="es"' in chosen.text
    assert "un1540_lang=es" in chosen.headers["set-cookie"]
    assert paths.routed == ["page TCD", "page TCD"]
    remembered = web.get("/states/TCD")  # the client sends the cookie now
    assert '<html lang="es"' in remembered.text
    assert paths.routed == ["page TCD", "page TCD", "page TCD"]  # its own address: own entry
    assert web.get("/states/TCD").content == remembered.content
    assert len(paths.routed) == 3


def test_a_page_outdated_by_a_committed_write_is_never_served(
    web: TestClient, committed: sessionmaker[Session], paths: Paths
) -> None:
    for path in PATHS:
        web.get(path)
    paths.break_routes()
    for path in PATHS:  # all warm
        assert web.get(path).status_code == 200
    paths.restore_routes()
    paths.count_routed()
    with committed() as session:  # a write committed by another connection (another process)
        make_edition(session, iso3="TCD", approved_on=date(2020, 6, 1))
    assert "Matrix, edition 2" in web.get("/states/TCD").text
    assert "Matrix, edition 2" in web.get("/states/tcd/matrix").text
    assert web.get("/api/v1/states/TCD/matrix").json()["edition"]["number"] == 2
    # The pages' misses go to their routes; the matrix JSON's miss is computed before routing
    # by the route's own function (web/warm_reads.py), fresh as the edition number shows.
    assert paths.routed == ["page TCD", "page tcd"]
    # A write to another State's matrix (no new document: evidence cites documents of any
    # State) leaves Chad's answers warm.
    with committed() as session:
        make_edition(session, iso3="NER", cells=[CellInput(key=CELL, mark="X")])
    paths.break_routes()
    watch = web.app.state.version_watch  # type: ignore[attr-defined]
    reads = watch.reads if isinstance(watch, PostgresVersionWatch) else 0
    for path in PATHS:
        assert web.get(path).status_code == 200
    if isinstance(watch, PostgresVersionWatch):
        assert watch.reads == reads + len(PATHS)  # each warm answer checked by a read of its own


def test_a_watch_that_cannot_read_sends_the_warm_path_the_usual_way(
    web: TestClient,
    committed: sessionmaker[Session],
    paths: Paths,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    watch = web.app.state.version_watch  # type: ignore[attr-defined]
    if not isinstance(watch, PostgresVersionWatch):
        pytest.skip("PostgreSQL: a SQLite file's watch reads a file, never a lost connection")
    for path in (*PATHS, *PATHS):  # computed, then warm: read by the watch
        web.get(path)

    async def unreachable() -> Any:
        raise psycopg.OperationalError("connection refused (the test's)")

    monkeypatch.setattr(watch, "_connect", unreachable)  # no new connection can be made
    assert watch._connection is not None
    with committed() as session:  # and the server ends the watch's connection
        session.execute(
            text("SELECT pg_terminate_backend(:pid)"), {"pid": watch._connection.info.backend_pid}
        )
    reads = watch.reads
    paths.break_routes()
    for path in PATHS:  # still warm: the versions read in a session, in a thread
        assert web.get(path).status_code == 200, path
    assert watch.reads == reads
    paths.restore_routes()
    paths.count_routed()
    with committed() as session:  # and never stale
        make_edition(session, iso3="TCD", approved_on=date(2020, 6, 1))
    assert "Matrix, edition 2" in web.get("/states/TCD").text
    assert web.get("/api/v1/states/TCD/matrix").json()["edition"]["number"] == 2
    assert paths.routed == ["page TCD"]
    assert watch.reads == reads


def test_a_request_with_credentials_always_goes_to_the_route(
    web: TestClient, committed: sessionmaker[Session], paths: Paths
) -> None:
    anonymous = {path: web.get(path).content for path in PATHS}
    paths.count_routed()
    with committed() as session:
        _, token = issue_token(session, email="expert@example.org", scope="read", actor="tests")
    for path in PATHS:
        # A session cookie the server does not know: the route resolves it (to the public)
        # and tells the browser to forget it; the warm path never guesses.
        stale = web.get(path, headers={"Cookie": "un1540_session=forgotten"})
        assert stale.status_code == 200
        assert 'un1540_session=""' in stale.headers["set-cookie"]
        with_token = web.get(path, headers={"Authorization": f"Bearer {token}"})
        assert with_token.status_code == 200
        if path.startswith("/states/"):
            assert SECRET in with_token.text  # the expert's page, not the public's
            assert SECRET not in anonymous[path].decode()
    assert len(paths.routed) == 2 * len(PATHS)


def test_a_signed_in_readers_page_never_reaches_the_public(web: TestClient, paths: Paths) -> None:
    form = web.get("/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', form.text)
    assert token is not None
    signed = web.post(
        "/login",
        data={"email": "expert@example.org", "password": PASSWORD, "csrf_token": token[1]},
    )
    assert signed.status_code == 200, signed.text[:300]
    opened = web.post(  # a draft, with the session's token (API writes by cookie)
        "/api/v1/states/TCD/editions",
        headers={"X-CSRF-Token": re.findall(r'name="csrf_token" value="([^"]+)"', signed.text)[0]},
    )
    assert opened.status_code == 201, opened.text
    expert_page = web.get("/states/TCD")
    assert SECRET in expert_page.text
    assert "Sign out" in expert_page.text
    assert "no-store" in expert_page.headers["cache-control"]
    cookies = dict(web.cookies)
    web.cookies.clear()
    paths.count_routed()
    public = web.get("/states/TCD")  # not held for the public yet: the route
    assert SECRET not in public.text
    assert "Sign out" not in public.text
    assert paths.routed == ["page TCD"]
    paths.break_routes()
    again = web.get("/states/TCD")  # the warm path: the public's entry
    assert again.content == public.content
    paths.count_routed()
    web.cookies.update(cookies)
    assert SECRET in web.get("/states/TCD").text  # the expert still gets the expert's
    assert paths.routed == ["page TCD", "page TCD"]
