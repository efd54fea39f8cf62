"""An anonymous visitor follows every link and every API list from the home page: no draft, no
comment, no proposal and no restricted document may appear anywhere."""

from __future__ import annotations

import re
import time
from collections import deque
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

import pytest

from tests.conftest import MEASURES, DatabaseFactory
from tests.security.scenario import SECRETS, World, api_client, build_world

LINK = re.compile(r'(?:href|src)="([^"#]+)"')
API_URL = re.compile(r'"(/api/v1/[^"\s]+)"')
BINARY = (".xlsx", ".docx", ".pdf", ".png", ".svg", ".js", ".css", ".json.gz")
MAX_PAGES = 3000
PER_SHAPE = 25  # e.g. /states/TCD/cells/... has one page per cell: a sample of each shape is enough


@pytest.fixture(scope="module")
def world(
    database_factory: DatabaseFactory, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    engine = database_factory.create(demo=False)
    yield build_world(engine, tmp_path_factory.mktemp("files"))
    engine.dispose()


def _links(base: str, body: str, content_type: str) -> list[str]:
    found = LINK.findall(body) if "html" in content_type else []
    found += API_URL.findall(body) if "json" in content_type or "html" in content_type else []
    links = []
    for link in found:
        absolute = urljoin(base, link.replace("&amp;", "&"))
        parts = urlsplit(absolute)
        if parts.netloc not in ("", "testserver") or parts.path.startswith("/static/"):
            continue
        links.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return links


def _shape(url: str) -> str:
    """A link's path without its last segment: the pages one route makes for many items."""
    path = urlsplit(url).path
    return path.rsplit("/", 1)[0] if path.count("/") > 2 else path


def test_an_anonymous_crawl_finds_no_secret(world: World) -> None:
    client = api_client(world, "public")
    start = [
        "/",
        "/api/v1/states?page_size=500",
        "/api/v1/frameworks",
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
    visited, started = 0, time.monotonic()
    while queue and visited < MAX_PAGES:
        url = queue.popleft()
        response = client.get(url)
        visited += 1
        content_type = response.headers.get("content-type", "")
        if url.endswith(BINARY) or not any(
            t in content_type for t in ("html", "json", "csv", "text")
        ):
            continue  # file exports: approved editions only; the authorisation test covers them
        body = response.text
        leaks += [f"{name} at {url}" for name, marker in SECRETS.items() if marker in body]
        for link in _links(url, body, content_type):
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
    MEASURES[f"crawl {world.engine.dialect.name}"] = (
        f"{visited} requests in {time.monotonic() - started:.0f} s"
    )
    assert leaks == []
    assert visited > 150, "the crawl should reach the States, fields, editions and their data"
    assert {"/states/TCD", "/states/NER", "/api/v1/states/TCD/matrix?edition=1"} <= seen
    # Direct questions about the secrets get "not found", not "forbidden".
    for url in (
        "/states/TCD/editions/2",
        "/api/v1/states/TCD/editions/2",
        "/api/v1/states/TCD/editions/2/comments",
        f"/api/v1/documents/{world.restricted_document}",
        f"/api/v1/documents/{world.restricted_document}/file",
        "/states/NER/editions/2",
    ):
        assert client.get(url).status_code == 404, url
