"""Every role, every channel: no secret of the world (tests/security/scenario.py) reaches anyone
not entitled to it (ENTITLED), and those entitled do meet it.

The crawl is driven by the application's own routes, not by the links a page happens to show:
1. every GET route of the portal and of the API is asked with every combination of the world's
   ids (visible ones and hidden ones: Chad's shared draft, Niger's unshared one, Mali's edition
   for the Committee only, every request, project, document, build and open-data file), with
   the queries that put the world's records in the aggregates (editions, periods, States);
   a route the crawl could not ask fails the test by name (SKIPPED lists deliberate exceptions);
2. the links found on those pages and answers are followed, a few query variants per route
   (EXTRA_PER_ROUTE), without `lang` (a link's key is its path and its query without `lang`);
3. every answer is read whole: HTML, JSON, CSV and text as they are, XLSX and DOCX and the
   open-data package unpacked member by member, the bulk JSON gunzipped, PDF through pypdf;
   and the file name a download is given.
Each role crawls with its own browser (the portal, signed in through the login form) and its own
API token; the public with neither. One world and one application serve every role.
The secrets are data, the same in every language; what a language changes is the template around
them: every portal route is also rendered in the five other languages for one role.

What reaches each person without a crawl (their notifications in the portal, in the API and by
e-mail) is read for every role in the same world: nobody may be told a secret they may not see,
those entitled are told (TOLD), and every link they are given opens.
"""

from __future__ import annotations

import gzip
import io
import itertools
import re
import time
import zipfile
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

import pypdf
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
    COMMITTEE_EDITION_STATE,
    ENTITLED,
    ROLES,
    SECRETS,
    SHOWN_NOWHERE,
    TOLD,
    World,
    api_client,
    build_world,
    portal_client,
    world_app,
)
from un1540.models import Notification
from un1540.services.accounts.credentials import token_hash
from un1540.services.kernel.builds import BUILD_TASK, PUBLIC_AUDIENCE
from un1540.services.kernel.jobs import JobRun, run_task

LINK = re.compile(r'(?:href|src)="([^"#]+)"')
API_URL = re.compile(r'"(/api/v1/[^"\s]+)"')
LANGUAGES = ("ar", "zh", "fr", "ru", "es")  # besides English, the default


@pytest.fixture(scope="module")
def world(
    empty_engine: Engine, tmp_path_factory: pytest.TempPathFactory, evidence_model_dir: Path
) -> Iterator[World]:
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


# --- The crawl: every GET route of the portal and the API, for every role ---------------------

PERIOD = "from=2010-01-01&to=2030-12-31"
EDITIONS = ("?edition=1", "?edition=2")
# The queries a route is asked with besides its bare form ("" in the list keeps the bare form):
# the editions a matrix may be asked for, and the periods, States and groupings that put the
# world's records in the aggregates.
QUERIES: dict[str, tuple[str, ...]] = {
    "/api/v1/states": ("?page_size=500",),
    "/api/v1/states.csv": ("",),
    "/states/{iso3}": ("", *EDITIONS),
    "/states/{iso3}/matrix": ("", *EDITIONS),
    **{f"/api/v1/states/{{iso3}}/matrix{ext}": ("", *EDITIONS) for ext in ("", ".json", ".csv")},
    # Files are rendered for each edition asked (the bare form is edition 1 here).
    **{f"/api/v1/states/{{iso3}}/matrix.{ext}": EDITIONS for ext in ("xlsx", "docx", "pdf")},
    "/api/v1/coverage": ("", "?by=state", "?by=field&state=MLI"),
    "/api/v1/coverage.csv": ("?by=state",),
    "/api/v1/trends": (f"?{PERIOD}&by=state",),
    "/api/v1/trends.csv": (f"?{PERIOD}&by=state",),
    "/trends": (f"?{PERIOD}",),
    # Embedded charts (public data only, whoever asks): every grouping, over the world's period.
    "/embed/coverage": ("", "?by=section", "?as_of=2010-01-01"),
    "/embed/trends": (f"?{PERIOD}&by=region", f"?{PERIOD}&by=weapon"),
    **{
        route: ("?states=TCD,NER,MLI",)
        for route in ("/api/v1/compare", "/api/v1/compare.csv", "/compare")
    },
    **{f"/api/v1/reports/review{ext}": (f"?{PERIOD}",) for ext in ("", ".html", ".docx", ".pdf")},
    "/reports/review": (f"?{PERIOD}",),
    # Reporting on today and on a date after Chad's restricted report, for a group and a region.
    **{
        route: ("", "?as_of=2010-01-01", "?group=african&region=africa")
        for route in ("/api/v1/reporting", "/api/v1/reporting.csv", "/reporting")
    },
    "/api/v1/reporting/timeline": ("", "?to=2010-01-01"),
    "/api/v1/states/{iso3}/reports": ("", "?as_of=2010-01-01"),
    "/api/v1/assistance/requests": ("?page_size=100",),
    "/api/v1/assistance/offers": ("?page_size=100",),
    "/api/v1/assistance/projects": ("?page_size=100",),
    "/api/v1/funding/pledges": ("?page_size=100", "?facets=true&kind=pledge"),
    # Filters with facets (facets8): the counts are under each list's own read rule.
    "/funding": ("", "?kind=pledge"),
    "/visits": ("", "?state=TCD", "?status=findings"),
    "/api/v1/visits": ("", "?facets=true&state=TCD"),
    "/trainings": ("", "?region=african"),
    "/api/v1/trainings": ("", "?facets=true"),
    "/states/{iso3}/documents": ("", "?kind=legislation", "?year=2009"),
    "/api/v1/states/{iso3}/documents": ("", "?facets=true&kind=legislation"),
    "/api/v1/notifications": ("?page_size=100",),
    "/api/v1/inbox": ("?page_size=100",),
    "/api/v1/contacts": ("", "?state=TCD", "?stale=true", "?facets=true"),
    "/contacts": ("", "?state=TCD", "?stale=1"),
    "/api/v1/action-plans": ("?page_size=100",),
    "/api/v1/states/{iso3}/action-plans": ("", "?published=false"),
    # The library: words of both laws (public and restricted), and a State filter.
    "/api/v1/search": (
        "?q=nuclear+material",
        "?q=secret+restricted+provision",
        "?q=licence&state=TCD",
    ),
    "/search": ("?q=nuclear+material", "?q=secret+restricted+provision"),
    "/documents/{document_id}": ("",),
    "/api/v1/incidents": ("?page_size=100", "?state=TCD"),
    "/incidents": ("", "?region=africa"),
    "/who-what-where": ("", "?as_of=2020-01-01"),  # the field map on a date
    "/assistance": ("", "?region=african"),  # its facets count the requests and offers shown
    "/api/v1/activities": ("?page_size=100", "?state=TCD", "?organisation=iaea"),
    "/activities": ("", "?state=NER"),
    # Coverage of the risk notes' fields on a date when Mali's Committee-only edition counts.
    **{route: ("", "?as_of=2020-01-01") for route in ("/api/v1/risks", "/risks")},
    # Events: words of the unpublished statement and of the Committee's event, Chad's own.
    "/api/v1/events": ("", "?q=secret+committee+event"),
    "/events": ("", "?q=secret+committee+event"),
    "/api/v1/statements": ("", "?q=secret+unpublished+statement", "?state=TCD&published=false"),
    "/events/{event_id}": ("", "?q=secret+unpublished+statement"),
    "/api/v1/commitments": ("?page_size=100", "?state=TCD", "?overdue=true"),
    "/commitments": ("", "?state=TCD&overdue=yes"),
    **{
        f"/api/v1/events/{{event_id}}/outcome{ext}": ("", "?as_of=2017-01-01")
        for ext in ("", ".docx", ".pdf")
    },
    "/events/{event_id}/outcome": ("", "?as_of=2017-01-01"),
}
# Routes the crawl does not ask, each with its reason.
SKIPPED: dict[str, str] = {}
# Word and PDF files cost a second or more to render (PDF through WeasyPrint); each is rendered
# from the same read as its XLSX, CSV, JSON or HTML twin, which every role asks. They are asked
# by one role of each kind of reader: the public, a State's point of contact (who sees some
# records of its own State and none of another's) and the Committee side (who sees everything).
RENDERED = {
    "/api/v1/states/{iso3}/matrix.docx",
    "/api/v1/states/{iso3}/matrix.pdf",
    "/api/v1/matrices.docx",
    "/api/v1/matrices.pdf",
    "/api/v1/reports/review.docx",
    "/api/v1/reports/review.pdf",
    "/api/v1/visits/{visit_id}/briefing.docx",
    "/api/v1/visits/{visit_id}/briefing.pdf",
    "/api/v1/events/{event_id}/outcome.docx",
    "/api/v1/events/{event_id}/outcome.pdf",
}
RENDERING_ROLES = ("public", "poc", "expert")
# Which of a State's editions the files are asked for: each holds a different secret (Chad's
# approved edition quotes the restricted document; Chad's draft is shared with Chad; Niger's is
# not shared; Mali's approved edition is the Committee's).
FILE_EDITIONS = ("TCD?edition=1", "TCD?edition=2", "NER?edition=2", "MLI?edition=1")
EXTRA_PER_ROUTE = 1  # links found on the pages: query variants of a route beyond the seeds
ZIPPED = ("application/zip", "spreadsheetml", "wordprocessingml")


def _values(world: World, downloads: list[str]) -> dict[str, list[str]]:
    """What each path parameter is replaced with: the world's records, visible or not."""
    return {
        "iso3": ["TCD", "NER", COMMITTEE_EDITION_STATE],
        "number": ["1", "2"],
        "before": ["1"],
        "after": ["2"],
        "cell": [CELL],
        "code": ["op2.finance"],
        "framework": ["un1540-matrix"],
        "version": ["reconstructed-2016"],
        "document_id": [
            str(world.public_document),
            str(world.restricted_document),
            str(world.public_law),
            str(world.restricted_law),
        ],
        "provision_id": [str(world.public_provision), str(world.restricted_provision)],
        "request_id": [
            str(world.private_request),
            str(world.circulated_request),
            str(world.providers_request),
            str(world.withdrawn_request),
        ],
        "project_id": [str(world.private_project), str(world.providers_project)],
        "build_id": [str(world.niger_build)],
        "contact_id": [str(world.contacts["chad"]), str(world.contacts["niger"])],
        "plan_id": [str(world.private_plan), str(world.public_plan)],
        "visit_id": [str(world.visit), str(world.consented_visit)],
        "organisation": ["iaea"],
        "incident_id": [str(ident) for ident in world.incidents],
        "activity_id": [str(ident) for ident in world.activities],
        "risk_id": ["online_payments", "no_such_note"],
        "event_id": [str(world.event), str(world.committee_event), str(world.commitment_event)],
        "statement_id": [str(world.statement), str(world.published_statement)],
        "commitment_id": [str(world.private_commitment), str(world.public_commitment)],
        "name": downloads,
        "account_id": [str(world.quiet_account)],
        "token": [world.reset_token],
    }


def _seeds(template: str, values: dict[str, list[str]]) -> list[str]:
    """The URLs of a route: its template with every combination of the world's values."""
    if template.startswith("/api/v1/states/{iso3}/matrix.") and template.endswith(
        ("xlsx", "docx", "pdf")
    ):
        head, tail = template.split("{iso3}")
        return [head + edition.replace("?", tail + "?") for edition in FILE_EDITIONS]
    names = re.findall(r"\{([^}:]+)(?::path|:int)?\}", template)
    unknown = [name for name in names if name not in values]
    assert not unknown, f"no values for {unknown} of {template}: add them to _values"
    urls = []
    for combination in itertools.product(*(values[name] for name in names)):
        url = template
        for name, value in zip(names, combination, strict=True):
            url = re.sub(r"\{" + name + r"(?::path|:int)?\}", value, url, count=1)
        urls += [url + query for query in QUERIES.get(template, ("",))]
    return urls


def readable(body: bytes, content_type: str, name: str = "") -> str:
    """Everything a person could read in a response: text as it is; XLSX, DOCX and the ZIP
    data package unpacked member by member; gzip unpacked; PDF's text (pypdf)."""
    if body[:4] == b"PK\x03\x04" or any(kind in content_type for kind in ZIPPED):
        with zipfile.ZipFile(io.BytesIO(body)) as archive:
            return "\n".join(
                readable(archive.read(member), "", member) for member in archive.namelist()
            )
    if body[:2] == b"\x1f\x8b" or "gzip" in content_type:
        return readable(gzip.decompress(body), "", name.removesuffix(".gz"))
    if body[:5] == b"%PDF-":
        try:
            pages = pypdf.PdfReader(io.BytesIO(body)).pages
        except pypdf.errors.PdfReadError:
            return ""  # a world's uploaded "PDF" is a stub: its name and title are elsewhere
        # Words may be broken across lines: markers are looked for without white space.
        return "".join("".join(page.extract_text().split()) for page in pages)
    if body[:8] == b"\x89PNG\r\n\x1a\n":
        return ""  # charts: figures, never text
    return body.decode("utf-8", errors="replace")


def _kind(body: bytes, content_type: str) -> str:
    """The kind of an answer: its media type, or the kind of file (pdf, xlsx, docx, zip)."""
    for kind in ("spreadsheetml", "wordprocessingml"):
        if kind in content_type:
            return {"spreadsheetml": "xlsx", "wordprocessingml": "docx"}[kind]
    return "pdf" if body[:5] == b"%PDF-" else content_type.split(";")[0]


@dataclass
class Crawl:
    """What one role's crawl met: the secrets, where, and the routes it asked."""

    role: str
    found: dict[str, str] = field(default_factory=dict)  # secret -> first URL
    kinds: dict[str, set[str]] = field(default_factory=dict)  # secret -> kinds of answer
    routes: dict[str, set[int]] = field(default_factory=dict)  # route -> statuses
    shown: dict[str, str] = field(default_factory=dict)  # route -> a URL that answered 200
    requests: int = 0
    files: int = 0
    credentials: list[str] = field(default_factory=list)  # URLs holding a hash or a token


def crawl(world: World, role: str, app: Starlette, downloads: list[str]) -> Crawl:
    """Every GET route with the world's ids, then the links found on the pages (a few query
    variants per route), each response read through `readable`."""
    portal, api = portal_client(world, role, app), api_client(world, role, app)  # type: ignore[arg-type]
    routes = _route_templates(app)
    values = _values(world, downloads)
    result = Crawl(role)
    skipped = set(SKIPPED) | (set() if role in RENDERING_ROLES else RENDERED)
    queue = deque(
        url for template, _ in routes if template not in skipped for url in _seeds(template, values)
    )
    seen, extra = set(queue), dict.fromkeys((template for template, _ in routes), 0)
    # No answer ever holds a password hash, nor an API token or its hash (the API gives a new
    # token's secret once, in the answer to the POST that issues it).
    credentials = [*world.tokens.values(), *(token_hash(t) for t in world.tokens.values())]

    def fetch(url: str) -> None:
        client = api if url.startswith("/api/") else portal
        response = client.get(url)
        result.requests += 1
        if response.status_code == 202 and "location" in response.headers:
            # A file built in the background: its build, then the file itself.
            fetch(response.headers["location"])
            response = client.get(url)
            result.requests += 1
        route = _route_of(routes, url)
        result.routes.setdefault(route, set()).add(response.status_code)
        if response.status_code == 200:
            result.shown.setdefault(route, url)
        content_type = response.headers.get("content-type", "")
        text = readable(response.content, content_type, urlsplit(url).path)
        text += "\n" + response.headers.get("content-disposition", "")
        if not content_type.startswith(("text/", "application/json")):
            result.files += 1
        kind = _kind(response.content, content_type)
        if "$argon2" in text or any(credential in text for credential in credentials):
            result.credentials.append(url)
        for name, marker in SECRETS.items():
            if marker in text:
                result.found.setdefault(name, url)
                result.kinds.setdefault(name, set()).add(kind)
        if not content_type.startswith(("text/html", "application/json")):
            return
        for link in _links(url, text, content_type):
            template = _route_of(routes, link)
            if link in seen or link.startswith(("/logout", "/login?")) or template in skipped:
                continue
            if extra.get(template, EXTRA_PER_ROUTE) >= EXTRA_PER_ROUTE:
                continue
            seen.add(link)
            extra[template] += 1
            queue.append(link)

    while queue:
        fetch(queue.popleft())
    return result


@pytest.fixture(scope="module")
def crawls(world: World) -> dict[str, Crawl]:
    """Every role's crawl of the same world, through one application."""
    app = world_app(world)
    listed = api_client(world, "public", app).get("/api/v1/downloads?page_size=100")
    assert listed.status_code == 200, listed.text
    downloads = [item["name"] for item in listed.json()["items"]]
    assert "datapackage.zip" in downloads
    started, cpu = time.monotonic(), time.process_time()
    done = {role: crawl(world, role, app, downloads) for role in ROLES}
    MEASURES[f"crawl {world.engine.dialect.name}"] = (
        f"{sum(c.requests for c in done.values())} requests by {len(ROLES)} roles "
        f"({sum(c.files for c in done.values())} files unpacked) in "
        f"{time.monotonic() - started:.0f} s ({time.process_time() - cpu:.0f} s of CPU)"
    )
    return done


@pytest.mark.parametrize("role", ROLES)
def test_no_role_meets_a_secret_it_may_not_see(crawls: dict[str, Crawl], role: str) -> None:
    """Every page, API answer and file a role may ask for: no secret it is not entitled to;
    and the secrets it is entitled to do reach it (so the crawl cannot pass by seeing nothing)."""
    met = crawls[role]
    leaks = [f"{name} at {url}" for name, url in met.found.items() if role not in ENTITLED[name]]
    assert leaks == []
    unmet = {name for name, entitled in ENTITLED.items() if role in entitled} - set(met.found)
    unmet -= SHOWN_NOWHERE
    assert unmet == set(), "secrets the role may see but the crawl did not meet"
    if role == "expert":
        # The files are read, not only fetched: the Committee's own edition is met in every
        # format it is exported in, and in the build of every State's matrices (CSV, JSON).
        assert {"pdf", "docx", "xlsx", "text/csv", "application/json", "text/html"} <= (
            met.kinds["committee_edition"]
        )


def test_no_answer_holds_a_password_hash_or_a_token(crawls: dict[str, Crawl]) -> None:
    """The accounts API and the tokens lists included (issue 13, item 4)."""
    assert {role: met.credentials for role, met in crawls.items() if met.credentials} == {}
    assert "/api/v1/account/tokens" in crawls["poc"].shown
    assert "/api/v1/accounts/{account_id:int}" in crawls["admin"].shown


def test_the_crawl_asks_every_route(world: World, crawls: dict[str, Crawl]) -> None:
    """Every GET route, for every role, and each answers 200 to someone: a route whose ids the
    crawl could not fill would be asked in vain."""
    routes = {template for template, _ in _route_templates(world_app(world))} - set(SKIPPED)
    for role, met in crawls.items():
        asked = routes if role in RENDERING_ROLES else routes - RENDERED
        assert asked - set(met.routes) == set(), f"routes {role} did not ask"
    answered = {
        route
        for met in crawls.values()
        for route, statuses in met.routes.items()
        if 200 in statuses
    }
    assert routes - answered == set(), "routes that answered 200 to nobody"
    assert not set(SKIPPED) - routes - set(SKIPPED), "SKIPPED names a route the app lacks"


def test_hidden_records_answer_not_found(world: World) -> None:
    """Direct questions about the secrets get "not found", not "forbidden", in every language
    of the portal."""
    client = api_client(world, "public")
    for url in (
        "/states/TCD/editions/2",
        "/api/v1/states/TCD/editions/2",
        "/api/v1/states/TCD/editions/2/comments",
        "/api/v1/states/TCD/editions/2/evidence",
        f"/api/v1/documents/{world.restricted_document}",
        f"/api/v1/documents/{world.restricted_document}/file",
        "/states/NER/editions/2",
        f"/api/v1/builds/{world.niger_build}",
        f"/api/v1/states/{COMMITTEE_EDITION_STATE}/matrix",
        f"/assistance/requests/{world.private_request}",
        f"/api/v1/incidents/{world.incidents[0]}",
        f"/api/v1/activities/{world.activities[0]}",
    ):
        assert client.get(url).status_code == 404, url


def test_every_portal_page_in_every_language_keeps_the_secrets(
    world: World, crawls: dict[str, Crawl]
) -> None:
    """The secrets are data, the same in every language; the templates around them are not:
    every kind of portal page Niger's point of contact was shown (a role that sees some secrets
    and not others), in each of the other five languages."""
    client = portal_client(world, "other_poc")
    shown = crawls["other_poc"].shown
    pages = {route: url for route, url in shown.items() if not url.startswith("/api/")}
    leaks = []
    for url in pages.values():
        for code in LANGUAGES:
            text = client.get(_in_language(url, code)).text
            leaks += [
                f"{name} at {url} ({code})"
                for name, marker in SECRETS.items()
                if marker in text and "other_poc" not in ENTITLED[name]
            ]
    client.cookies.clear()  # the last ?lang= is remembered in a cookie
    assert leaks == []
    assert len(pages) > 20, "the portal's pages in every language"


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
    # Told of no secret: the Committee side is told only that a State's review period ended
    # (and the experts of the overdue milestone of Chad's action plan); the other State's
    # point of contact nothing; the provider of what it may see, no more.
    assert {m["To"] for m in mailbox.messages} == {
        "poc@example.org",
        "provider@example.org",
        "expert@example.org",
        "committee@example.org",
    }
    committee = {m["Subject"] for m in mailbox.to("committee@example.org")}
    assert committee
    assert all("did not respond on edition" in subject for subject in committee)
    expert = {m["Subject"] for m in mailbox.to("expert@example.org")}
    assert any("did not respond on edition" in subject for subject in expert), expert


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


# What each role's inbox must show of the world (web/portal/inbox.py): its own work, by the
# secrets its items carry (a title) or by the link to act on it.
INBOX_SHOWS = {
    "poc": {"request", "plan_milestone", "action_plan"},  # Chad's request, plan and milestone
    "provider": {"providers_project"},  # the project it delivers
}
INBOX_LINKS = {
    "poc": {"/states/TCD/editions/2"},  # Chad's draft, shared with it
    "expert": {"/states/NER/editions/2", "/states/TCD/editions/2"},  # a draft; a proposal
}


def test_each_inbox_shows_its_own_work_and_nothing_else(world: World) -> None:
    """/inbox for every role: no secret it may not see, and its own work (another State's
    point of contact sees nothing of Chad's or Niger's drafts, the provider nothing of the
    Committee-only project)."""
    app = world_app(world)
    leaks, missing = [], []
    for role in ROLES:
        page = portal_client(world, role, app).get("/inbox")
        if role == "public":
            assert page.status_code == 303
            continue
        assert page.status_code == 200
        found = _secrets_in(page.text)
        leaks += [f"{name} to {role}" for name in found if role not in ENTITLED[name]]
        missing += [f"{name} for {role}" for name in INBOX_SHOWS.get(role, set()) - found]
        links = set(re.findall(r'href="(/states/[A-Z]{3}/editions/\d+)"', page.text))
        missing += [f"{link} for {role}" for link in INBOX_LINKS.get(role, set()) - links]
        if role in ("other_poc", "provider"):
            assert links == set(), (role, links)
    assert leaks == []
    assert missing == []
