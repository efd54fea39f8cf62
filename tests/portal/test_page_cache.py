"""Pages of signed-in readers rendered once and served from the cache (issues 13 and 14:
web/portal/page_cache.py): the State page, its matrix page, an edition's workspace, a cell's
history and the field pages.

- a page is rendered once per reader and data version: a reader's second visit, and a second
  browser of the same account, are served without rendering it again;
- a page cached for one reader is never served to another: a restricted document cited as
  evidence reaches the Committee side and the owning State only, in either order of visits,
  and each account sees its own name in the header;
- each request gets its own per-request parts into a cached body: its session's CSRF token
  (a form posted with it is accepted), its own flashed message, and an unread count that
  changed after the page was cached (notifications raise no data version);
- a cached page is kept gzip-compressed: the public's is sent as kept to a client that accepts
  gzip and inflated to others; a page with a session's token in it is inflated, personalised
  and sent uncompressed;
- a draft's edit recomputes the State's pages but leaves the field pages, and the field across
  States they share with the API, warm; the API's State profile is shared with the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import settings_for
from tests.factories import PASSWORD, make_chad_citing_a_restricted_document, make_user
from tests.portal.test_warm_reads import raw
from un1540.models import Notification
from un1540.services.kernel.access import Viewer
from un1540.services.kernel.cache import CACHE
from un1540.services.kernel.data_version import ASSISTANCE, VISITS, touch
from un1540.services.matrix.actions.cells import update_cell
from un1540.services.matrix.actions.editions import open_draft
from un1540.services.matrix.inputs import CellChange
from un1540.services.matrix.notices import ENTITY_TYPE as EDITION_TOPIC
from un1540.services.matrix.reads.editions import entry_for
from un1540.services.matrix.reads.fields import field_across_states
from un1540.services.profiles.reads import state_profile
from un1540.web.app import create_app
from un1540.web.compression import gunzip
from un1540.web.portal import states as state_pages
from un1540.web.portal import visits as visit_pages
from un1540.web.portal.assistance import clearinghouse

SECRET = "RESTRICTED-EVIDENCE-7Q2"  # the title of a document only Chad and the Committee see
CELL = "op2.manufacture:cw:legal_framework"


@dataclass(frozen=True)
class World:
    engine: Engine
    sessions: sessionmaker[Session]
    expert: Viewer
    edition_id: int  # Chad's approved edition


@pytest.fixture
def world(empty_engine: Engine, empty_sessions: sessionmaker[Session]) -> World:
    with empty_sessions() as session, session.begin():
        expert = make_user(session, role="expert", email="expert@example.org")
        make_user(session, role="expert", email="second.expert@example.org")
        make_user(session, role="state_poc", email="poc.tcd@example.org", iso3="TCD")
        make_user(session, role="state_poc", email="poc.ner@example.org", iso3="NER")
        edition = make_chad_citing_a_restricted_document(session, secret_title=SECRET)
        edition_id = edition.id
    return World(empty_engine, empty_sessions, expert, edition_id)


def browser(world: World) -> TestClient:
    """One person's browser (its own cookies) on one app: the cache is the process's."""
    app = create_app(settings_for(world.engine), engine=world.engine, sessions=world.sessions)
    return TestClient(app, follow_redirects=True)


def csrf(html: str) -> str:
    match = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert match, "no CSRF field on the page"
    return match.group(1)


def signed_in(world: World, email: str, then: str = "/") -> tuple[TestClient, str]:
    """A browser signed in as `email`, and the page it lands on (`then`) after signing in."""
    client = browser(world)
    form = client.get("/login")
    landed = client.post(
        "/login",
        data={"email": email, "password": PASSWORD, "csrf_token": csrf(form.text), "next": then},
    )
    assert landed.status_code == 200, landed.text[:300]
    return client, landed.text


@pytest.fixture
def renders(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The State pages rendered (not served from the cache), by ISO3 code."""
    rendered: list[str] = []
    original = state_pages._render_state_page

    def counted(*args: object, **kwargs: object) -> object:
        rendered.append(str(args[3]))
        return original(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(state_pages, "_render_state_page", counted)
    return rendered


def test_a_readers_page_is_rendered_once_and_never_served_to_another_reader(
    world: World, renders: list[str]
) -> None:
    poc_ner, _ = signed_in(world, "poc.ner@example.org")
    expert, _ = signed_in(world, "expert@example.org")
    poc_tcd, _ = signed_in(world, "poc.tcd@example.org")
    anonymous = browser(world)

    # Niger's point of contact first: its page is cached without the restricted evidence...
    page = poc_ner.get("/states/TCD")
    assert page.status_code == 200
    assert "Penal code" in page.text
    assert SECRET not in page.text
    # ...and is not what the Committee side or Chad's point of contact are served.
    for client in (expert, poc_tcd):
        page = client.get("/states/TCD")
        assert SECRET in page.text
    # Nor are theirs served to Niger or to the public.
    assert SECRET not in poc_ner.get("/states/TCD").text
    assert SECRET not in anonymous.get("/states/TCD").text
    assert SECRET not in anonymous.get("/states/TCD/matrix").text
    assert SECRET in expert.get("/states/TCD/matrix").text
    # Four readers, one render each: the repeat visits were served from the cache.
    assert renders.count("TCD") == 4 + 2  # and the matrix page for two readers

    # Two experts see the same records, yet each page is the account's own.
    second, _ = signed_in(world, "second.expert@example.org")
    mine, theirs = expert.get("/states/TCD").text, second.get("/states/TCD").text
    assert "second.expert@example.org" in theirs
    assert "second.expert@example.org" not in mine
    assert "expert@example.org" in mine
    assert SECRET in theirs
    assert renders.count("TCD") == 7


def test_each_request_gets_its_own_token_flashes_and_unread_count_into_a_cached_page(
    world: World, renders: list[str]
) -> None:
    first, _ = signed_in(world, "expert@example.org")
    cached_page = first.get("/states/TCD").text
    assert renders == ["TCD"]
    assert 'class="badge badge-count"' not in cached_page

    # The same account in another browser: the same cached body, with this session's token
    # and this session's flash (shown once).
    other, landed = signed_in(world, "expert@example.org", then="/states/TCD")
    assert renders == ["TCD"]
    assert "Signed in as expert@example.org" in landed
    assert "Signed in as" not in other.get("/states/TCD").text
    assert csrf(landed) != csrf(cached_page)
    assert csrf(landed) == csrf(other.get("/account").text)  # the session's own, not rendered
    # A form posted with the substituted token is accepted (signing out needs it).
    out = other.post("/logout", data={"csrf_token": csrf(other.get("/states/TCD").text)})
    assert out.status_code == 200
    assert "Sign in" in out.text

    # A notification is no data version: the page stays cached, its unread count does not.
    with world.sessions() as session, session.begin():
        for _ in range(2):
            session.add(
                Notification(
                    user_id=world.expert.user_id,
                    kind="edition_shared",
                    entity_type=EDITION_TOPIC,
                    entity_id=world.edition_id,
                    params={"iso3": "TCD", "number": "1"},
                )
            )
    page = first.get("/states/TCD").text
    assert renders == ["TCD"]
    assert "Unread notifications: 2" in page


def test_a_drafts_edit_recomputes_the_state_page_and_leaves_the_field_pages_warm(
    world: World, renders: list[str]
) -> None:
    expert, _ = signed_in(world, "expert@example.org")
    with world.sessions() as session:
        draft = open_draft(session, viewer=world.expert, iso3="TCD")
        number, version = draft.number, entry_for(session, draft, CELL).revision
    fields = ("/fields/op2.manufacture", "/fields", "/api/v1/fields/op2.manufacture")
    for path in ("/states/TCD", *fields):
        assert expert.get(path).status_code == 200
    assert renders == ["TCD"]
    with world.sessions() as session:
        update_cell(
            session,
            viewer=world.expert,
            iso3="TCD",
            number=number,
            cell_key=CELL,
            change=CellChange(mark="?", remark="statepage8", version=version),
            reason="an expert's edit",
        )
    # The draft's State page is computed again, once; the field pages are served as they were.
    computed = CACHE.counts["computed"]
    assert "statepage8" not in expert.get("/states/TCD").text  # it shows the approved edition
    assert renders == ["TCD", "TCD"]
    expert.get("/states/TCD")
    assert renders == ["TCD", "TCD"]
    fields_computed = CACHE.counts["computed"]
    assert fields_computed > computed
    for path in fields:
        assert expert.get(path).status_code == 200
    assert CACHE.counts["computed"] == fields_computed  # field pages, field across States


def test_the_field_across_states_and_the_state_profile_are_read_once_per_version(
    world: World,
) -> None:
    executed: list[str] = []

    def count(*args: object) -> None:
        executed.append(str(args[2]))

    event.listen(world.engine, "before_cursor_execute", count)
    with world.sessions() as session:
        across = field_across_states(session, viewer=world.expert, code="op2.manufacture")
        profile = state_profile(session, viewer=world.expert, iso3="TCD")
    with world.sessions() as session:
        executed.clear()
        assert field_across_states(session, viewer=world.expert, code="op2.manufacture") == across
        assert state_profile(session, viewer=world.expert, iso3="TCD") == profile
        # One statement: the data versions (kernel/data_version.py), nothing recomputed (the
        # test's sessions open a savepoint of the rolled-back connection first).
        read = [sql for sql in executed if not sql.startswith(("SAVEPOINT", "RELEASE"))]
        assert read == ["SELECT version FROM data_version WHERE scope = 'global'"], executed
    event.remove(world.engine, "before_cursor_execute", count)


def test_the_visits_and_clearinghouse_pages_are_rendered_once_until_their_own_data_changes(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """/visits and /assistance (the two routes over 1 s at p99 on PostgreSQL's quiet run of
    benchmarks/portal_routes.py): one render per reader and data version; a draft's matrix edit
    leaves them warm, a write to their own domain renders them again."""
    rendered: list[str] = []
    for module, name in (
        (visit_pages, "_render_visits_page"),
        (clearinghouse, "_render_assistance_page"),
    ):
        original = getattr(module, name)

        def counted(*args: object, _original: object = original, _name: str = name) -> object:
            rendered.append(_name)
            return _original(*args)  # type: ignore[operator]

        monkeypatch.setattr(module, name, counted)
    expert, _ = signed_in(world, "expert@example.org")
    poc, _ = signed_in(world, "poc.ner@example.org")
    for path in ("/visits", "/assistance", "/visits", "/assistance"):
        assert expert.get(path).status_code == 200
    assert sorted(rendered) == ["_render_assistance_page", "_render_visits_page"]
    for path in ("/visits", "/assistance"):  # another reader: its own page
        assert poc.get(path).status_code == 200
    assert len(rendered) == 4
    with world.sessions() as session:
        draft = open_draft(session, viewer=world.expert, iso3="TCD")
        version = entry_for(session, draft, CELL).revision
        update_cell(
            session,
            viewer=world.expert,
            iso3="TCD",
            number=draft.number,
            cell_key=CELL,
            change=CellChange(mark="?", remark="a matrix edit", version=version),
            reason="an expert's edit",
        )
    for path in ("/visits", "/assistance"):
        assert expert.get(path).status_code == 200
    assert len(rendered) == 4  # a matrix edit outdates neither
    for scope, path, name in (
        (VISITS, "/visits", "_render_visits_page"),
        (ASSISTANCE, "/assistance", "_render_assistance_page"),
    ):
        with world.sessions() as session, session.begin():
            touch(session, scope)
        assert expert.get(path).status_code == 200
        assert rendered[-1] == name
    assert len(rendered) == 6


def _sent(
    client: TestClient, method: str, path: str, accept_encoding: str | None
) -> tuple[dict[str, str], bytes]:
    """The answer's headers and body bytes as sent (not inflated by the client)."""
    status, headers, body = raw(client, method, path, accept_encoding)
    assert status == 200
    return dict(httpx.Headers(headers)), body


def test_a_cached_page_is_kept_compressed_and_personalised_pages_are_sent_inflated(
    world: World, renders: list[str]
) -> None:
    anonymous = browser(world)
    expert, _ = signed_in(world, "expert@example.org")
    for client in (anonymous, expert):
        # The route's answers (web/warm_reads.py only takes requests without credentials; the
        # anonymous browser's cookie-less requests are tested in tests/portal/test_warm_reads.py).
        for path in ("/states/TCD", "/fields/op2.manufacture"):
            client.get(path)
    pages = [value for key, value, _size in CACHE.contents() if key[0] == "page"]
    assert pages
    assert all(page.gzipped for page in pages)
    assert all(
        size < len(gunzip(value.body)) / 2
        for key, value, size in CACHE.contents()
        if key[0] == "page"
    )

    # The public: compressed as kept to a client that accepts gzip, inflated to others.
    for path in ("/states/TCD", "/fields/op2.manufacture"):
        gzipped_headers, gzipped = _sent(anonymous, "GET", path, "gzip")
        plain_headers, plain = _sent(anonymous, "GET", path, None)
        refused_headers, refused = _sent(anonymous, "GET", path, "gzip;q=0")
        head_headers, head = _sent(anonymous, "HEAD", path, "gzip")
        assert gzipped_headers["content-encoding"] == "gzip"
        assert "content-encoding" not in plain_headers
        assert gunzip(gzipped) == plain == refused
        assert plain_headers == refused_headers
        assert head == b""
        assert head_headers == gzipped_headers
        assert int(gzipped_headers["content-length"]) == len(gzipped)
        for headers in (gzipped_headers, plain_headers):
            assert "Accept-Encoding" in headers["vary"]
            assert headers["content-type"] == "text/html; charset=utf-8"

    # A signed-in reader's page holds its session's token: inflated, personalised and sent
    # uncompressed, whatever the client accepts; its form token is the session's own.
    for accept_encoding in ("gzip", None):
        headers, body = _sent(expert, "GET", "/states/TCD", accept_encoding)
        assert "content-encoding" not in headers
        assert "Accept-Encoding" in headers["vary"]
        assert int(headers["content-length"]) == len(body)
        html = body.decode()
        assert csrf(html) == csrf(expert.get("/account").text)
        assert SECRET in html
    assert renders.count("TCD") == 2  # one render per reader: the rest from the cache
