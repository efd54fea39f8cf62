"""An anonymous visitor follows every link and every API list from the home page: no draft, no
comment, no proposal and no restricted document may appear anywhere, in any language.

How the crawl stays finite and still checks every language: every page links to itself in the
six languages (`?lang=`), so a crawl keyed on the full URL visits each page six times and never
finishes. The secrets are data, the same in every language; what a language changes is the
template around them. So the crawl:
1. walks the language-free URL space once: a link's key is its path and its query without
   `lang`, in the default language; each page kind (route shape) is sampled up to PER_SHAPE
   times, and the crawl runs until its queue is empty;
2. then visits one page of every kind (every route, e.g. `/states/{iso3}/editions/{number}`)
   in each of the other five languages, so every template is rendered in every language and
   searched for the same secrets.

What reaches each person without a crawl (their notifications in the portal, in the API and by
e-mail) is read for every role in the same world: nobody may be told a secret they may not see
(ENTITLED in scenario.py), those entitled are told (TOLD), and every link they are given opens.
"""

from __future__ import annotations

import gzip
import io
import re
import time
import zipfile
from collections import deque
from collections.abc import Iterator
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pytest
from sqlalchemy import Engine
from starlette.applications import Starlette

from tests.conftest import (
    MEASURES,
    joined_sessions,
    rolled_back_connection,
    running_inbox,
)
from tests.security.scenario import (
    CELL,
    ENTITLED,
    ROLES,
    SECRETS,
    TOLD,
    World,
    api_client,
    build_world,
    portal_client,
    world_app,
)
from un1540.models import Notification
from un1540.services.kernel.builds import BUILD_TASK, PUBLIC_AUDIENCE
from un1540.services.kernel.jobs import JobRun, run_task

LINK = re.compile(r'(?:href|src)="([^"#]+)"')
API_URL = re.compile(r'"(/api/v1/[^"\s]+)"')
BINARY = (".xlsx", ".docx", ".pdf", ".png", ".svg", ".js", ".css", ".json.gz")
PER_SHAPE = 25  # e.g. /states/TCD/cells/... has one page per cell: a sample of each shape is enough
SAFETY_LIMIT = 2000  # far above a full crawl; only a crawl that no longer ends reaches it
LANGUAGES = ("ar", "zh", "fr", "ru", "es")  # besides English, the default


@pytest.fixture(scope="module")
def world(empty_engine: Engine, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    # Built in one rolled-back connection on the shared empty database: the crawl only reads,
    # through one client joined to that connection, one request at a time. The notification
    # e-mails go to the module's SMTP server once the world is built.
    with running_inbox() as (inbox, port):
        for connection in rolled_back_connection(empty_engine):
            built = build_world(
                empty_engine,
                tmp_path_factory.mktemp("files"),
                joined_sessions(connection),
                smtp_port=port,
            )
            built.inbox = inbox
            yield built


def _without_lang(parts_path: str, query: str) -> str:
    """The page a link names, whatever its language: its path and its query without `lang`."""
    kept = [(name, value) for name, value in parse_qsl(query, keep_blank_values=True)]
    kept = [(name, value) for name, value in kept if name != "lang"]
    return parts_path + (f"?{urlencode(kept)}" if kept else "")


def _in_language(url: str, code: str) -> str:
    return url + ("&" if "?" in url else "?") + f"lang={code}"


def _links(base: str, body: str, content_type: str) -> list[str]:
    found = LINK.findall(body) if "html" in content_type else []
    found += API_URL.findall(body) if "json" in content_type or "html" in content_type else []
    links = []
    for link in found:
        absolute = urljoin(base, link.replace("&amp;", "&"))
        parts = urlsplit(absolute)
        if parts.netloc not in ("", "testserver") or parts.path.startswith("/static/"):
            continue
        links.append(_without_lang(parts.path, parts.query))
    return links


def _shape(url: str) -> str:
    """A link's path without its last segment: the pages one route makes for many items."""
    path = urlsplit(url).path
    return path.rsplit("/", 1)[0] if path.count("/") > 2 else path


def _route_templates(app: Starlette) -> list[tuple[str, re.Pattern[str]]]:
    """Every GET route's template (e.g. `/states/{iso3}`), however its routers are nested,
    with a pattern for the paths it answers, in the order the router tries them."""
    templates = []
    for route in app.routes:
        contexts = (
            route.effective_route_contexts()
            if hasattr(route, "effective_route_contexts")
            else [route]
        )
        for context in contexts:
            path = getattr(context, "path", None)
            if path and "GET" in (getattr(context, "methods", None) or ()):
                pattern = re.sub(r"\{[^}:]+:path\}", ".+", re.escape(path).replace(r"\{", "{"))
                pattern = re.sub(r"\{[^}]+\}", "[^/]+", pattern.replace(r"\}", "}"))
                templates.append((path, re.compile(f"^{pattern}$")))
    return templates


def _route_of(templates: list[tuple[str, re.Pattern[str]]], url: str) -> str:
    """The route template that answers a URL: one kind of page."""
    path = urlsplit(url).path
    return next((template for template, pattern in templates if pattern.match(path)), path)


def test_an_anonymous_crawl_finds_no_secret(world: World) -> None:
    client = api_client(world, "public")
    routes = _route_templates(client.app)  # type: ignore[arg-type]
    start = [
        "/",
        "/api/v1/states?page_size=500",
        "/api/v1/frameworks",
        "/api/v1/crosswalk?page_size=200",
        "/api/v1/coverage?by=state",
        "/api/v1/downloads",
        "/api/v1/assistance/requests",
        "/api/v1/assistance/offers",
        "/api/v1/states/TCD/editions",
        "/api/v1/states/NER/editions",
        "/api/v1/states/TCD/documents",
    ]
    queue, seen, leaks = deque(start), set(start), []
    shapes: dict[str, int] = {}
    sample_of_route: dict[str, str] = {}  # one visited page of each kind, for the languages
    visited, started = 0, time.monotonic()

    def check(url: str) -> tuple[str, str] | None:
        """Fetch a page and record any secret on it; its text and type if it has links."""
        nonlocal visited
        response = client.get(url)
        visited += 1
        content_type = response.headers.get("content-type", "")
        if url.endswith(BINARY) or not any(
            t in content_type for t in ("html", "json", "csv", "text")
        ):
            return None  # file exports: approved editions only; the authorisation test covers them
        body = response.text
        leaks.extend(f"{name} at {url}" for name, marker in SECRETS.items() if marker in body)
        return body, content_type

    while queue and visited < SAFETY_LIMIT:
        url = queue.popleft()
        page = check(url)
        if page is None:
            continue
        sample_of_route.setdefault(_route_of(routes, url), url)
        for link in _links(url, *page):
            shape = _shape(link)
            if (
                link in seen
                or link.startswith(("/logout", "/login?"))
                or shapes.get(shape, 0) >= PER_SHAPE
            ):
                continue
            seen.add(link)
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append(link)
    assert not queue, f"the crawl did not finish: {len(queue)} pages still queued"
    crawled = visited
    for url in sample_of_route.values():
        for code in LANGUAGES:
            check(_in_language(url, code))
    client.cookies.clear()  # the last ?lang= is remembered in a cookie
    MEASURES[f"crawl {world.engine.dialect.name}"] = (
        f"{visited} requests ({crawled} pages, {len(sample_of_route)} kinds x {len(LANGUAGES)}"
        f" languages) in {time.monotonic() - started:.0f} s"
    )
    assert leaks == []
    assert crawled > 150, "the crawl should reach the States, fields, editions and their data"
    assert {"/states/TCD", "/states/NER", "/api/v1/states/TCD/matrix?edition=1"} <= seen
    # Direct questions about the secrets get "not found", not "forbidden".
    for url in (
        "/states/TCD/editions/2",
        "/api/v1/states/TCD/editions/2",
        "/api/v1/states/TCD/editions/2/comments",
        "/api/v1/states/TCD/editions/2/evidence",
        f"/api/v1/documents/{world.restricted_document}",
        f"/api/v1/documents/{world.restricted_document}/file",
        "/states/NER/editions/2",
        f"/api/v1/builds/{world.niger_build}",
    ):
        assert client.get(url).status_code == 404, url


def _secrets_in(text: str) -> set[str]:
    return {name for name, marker in SECRETS.items() if marker in text}


def test_every_role_is_told_only_what_it_may_see(world: World) -> None:
    """Portal /notifications (in every language for those told something), the API's
    /api/v1/notifications and the e-mails, for every role: no secret reaches anyone not
    entitled to it; the entitled are told, and each link they are given opens for them."""
    mailbox = world.inbox
    assert mailbox is not None
    leaks, untold, dead_links = [], [], []
    app = world_app(world)
    for role in ROLES:
        portal, api = portal_client(world, role, app), api_client(world, role, app)
        channels: dict[str, str] = {}
        listed = api.get("/api/v1/notifications?page_size=100")
        if role == "public":
            assert listed.status_code == 401
            assert portal.get("/notifications").status_code == 303
            assert mailbox.to(f"{role}@example.org") == []
            continue
        assert listed.status_code == 200, listed.text
        body = listed.json()
        assert body["total"] == len(body["items"])
        channels["api"] = listed.text
        # Every language for those who are told something (the secrets are the same in each,
        # the template around them is not); English for the others.
        for code in ("en", *LANGUAGES) if role in TOLD else ("en",):
            page = portal.get(f"/notifications?lang={code}")
            assert page.status_code == 200
            channels[f"portal ({code})"] = page.text
        channels["e-mail"] = "\n".join(
            f"{m['Subject']}\n{m.get_payload(decode=True).decode()}"
            for m in mailbox.to(f"{role}@example.org")
        )
        for channel, text in channels.items():
            found = _secrets_in(text)
            leaks += [
                f"{name} to {role} by {channel}" for name in found if role not in ENTITLED[name]
            ]
            untold += [
                f"{role} not told of {name} by {channel}" for name in TOLD.get(role, set()) - found
            ]
        for item in body["items"]:
            if api.get(item["link"]).status_code != 200:
                dead_links.append(f"{role}: {item['link']}")
        listing = channels["portal (en)"].split('<ul class="notifications">', 1)[1]
        for link in re.findall(r'href="([^"]+)"', listing.split("</ul>", 1)[0]):
            if portal.get(link).status_code != 200:
                dead_links.append(f"{role}: {link}")
    assert leaks == []
    assert untold == []
    assert dead_links == []
    # Told of no secret: the Committee side is told nothing here, the other State's point of
    # contact neither; the provider is told of what it may see and of nothing else.
    assert {m["To"] for m in mailbox.messages} == {"poc@example.org", "provider@example.org"}


def test_notifications_are_worded_for_their_reader(world: World) -> None:
    """The same notification: in the portal in the reader's language, in the API and by e-mail
    in English; the e-mail about the request restricted before it went out was withheld."""
    title = SECRETS["providers_request"]
    app = world_app(world)
    portal, api = portal_client(world, "provider", app), api_client(world, "provider", app)
    assert f"Une demande correspond à votre offre : {title}" in (
        portal.get("/notifications?lang=fr").text
    )
    assert f"有一项请求与您的提议相符：{title}" in portal.get("/notifications?lang=zh").text
    items = api.get("/api/v1/notifications").json()["items"]
    match = next(item for item in items if item["id"] == world.provider_match)
    assert match["subject"] == f"A request matches your offer: {title}"
    assert match["link"] == f"/api/v1/assistance/requests/{world.providers_request}"
    assert set(match) == {
        "id",
        "kind",
        "subject",
        "body",
        "link",
        "created_at",
        "read_at",
        "emailed_at",
    }
    assert match["emailed_at"] is not None
    assert world.inbox is not None
    assert f"[un1540] A request matches your offer: {title}" in [
        m["Subject"] for m in world.inbox.to("provider@example.org")
    ]
    assert world.sessions is not None
    with world.sessions() as session:
        withdrawn = session.get(Notification, world.provider_withdrawn_match)
        assert withdrawn is not None
        assert withdrawn.emailed_at is None
        assert withdrawn.email_withheld_at is not None


# Who did it (docs/visibility.md): the Committee side's people by name to the Committee side
# only. The anonymous crawl above looks for their addresses with the other secrets; these are
# the pages and answers that name actors to signed-in readers outside the Committee side.
STAFF_ADDRESSES = ("expert_email", "committee_email")
ACTOR_PAGES = (
    "/states/TCD/editions/1",
    "/states/TCD/editions/2",
    f"/states/TCD/editions/2/cells/{CELL}",
    "/states/TCD/editions/2/cells/op1.cwc:any:adherence",  # with the treaty status form
    f"/states/TCD/cells/{CELL}/history",
    "/api/v1/states/TCD/editions/1",
    "/api/v1/states/TCD/editions/2",
    "/api/v1/states/TCD/editions/2/comments",
    "/api/v1/states/TCD/editions/2/proposals",
    f"/api/v1/states/TCD/cells/{CELL}/history",
)


def test_staff_are_named_only_to_the_committee_side(world: World) -> None:
    app = world_app(world)
    named, shown = [], 0
    for role in ROLES:
        portal, api = portal_client(world, role, app), api_client(world, role, app)
        for url in ACTOR_PAGES:
            response = (api if url.startswith("/api/") else portal).get(url)
            if response.status_code != 200:
                continue
            shown += 1
            named += [
                f"{name} to {role} at {url}"
                for name in STAFF_ADDRESSES
                if SECRETS[name] in response.text and role not in ENTITLED[name]
            ]
    assert named == []
    assert shown > 2 * len(ACTOR_PAGES)
    # The roles instead: in the API in English, in the portal in the reader's language.
    public = api_client(world, "public", app).get("/api/v1/states/TCD/editions/1").json()
    roles = ("the Group of Experts", "the Committee")
    assert (public["created_by"], public["approved_by"]) == roles
    poc = api_client(world, "poc", app)
    history = poc.get(f"/api/v1/states/TCD/cells/{CELL}/history").json()
    assert {event["actor"] for event in history["events"]} == {"the Group of Experts"}
    comments = poc.get("/api/v1/states/TCD/editions/2/comments").json()["items"]
    assert {c["author"] for c in comments} == {"poc@example.org"}  # their own State's people
    decided = poc.get("/api/v1/states/TCD/editions/2/proposals").json()["items"]
    assert {p["decided_by"] for p in decided} == {None, "the Group of Experts"}
    expert = api_client(world, "expert", app).get("/api/v1/states/TCD/editions/1").json()
    assert expert["approved_by"] == "committee@example.org"
    page = portal_client(world, "public", app).get("/states/TCD/editions/1?lang=fr").text
    assert "le Groupe d’experts" in page
    assert "le Comité" in page


def test_no_staff_address_in_the_open_data(world: World) -> None:
    """The open-data files (data package, bulk JSON, CSVs) name no person."""
    assert world.sessions is not None
    run_task(
        BUILD_TASK,
        JobRun(sessions=world.sessions, settings=world.app_settings()),
        {"kind": "open_data", "audience": PUBLIC_AUDIENCE},
    )
    client = api_client(world, "public")
    items = client.get("/api/v1/downloads").json()["items"]
    assert {item["name"].rsplit(".", 1)[-1] for item in items} >= {"zip", "gz"}
    texts = []
    for item in items:
        content = client.get(item["url"]).content
        if item["name"].endswith(".zip"):
            with zipfile.ZipFile(io.BytesIO(content)) as archive:
                texts += [archive.read(name).decode() for name in archive.namelist()]
        elif item["name"].endswith(".gz"):
            texts.append(gzip.decompress(content).decode())
        else:
            texts.append(content.decode())
    assert texts
    assert [name for name in STAFF_ADDRESSES for text in texts if SECRETS[name] in text] == []
    assert not any("@example.org" in text for text in texts)
