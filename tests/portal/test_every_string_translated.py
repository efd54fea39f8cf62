"""Every portal page in every language: no English interface string, no raw code.

1. The templates: no literal text outside `_()` (an interface string nobody can translate).
2. Every kind of portal page (every GET route the confidentiality crawl discovers, with its path
   values, in the crawl's world: one application, one database, one scenario), as the role that
   sees the most of it, rendered in ar, zh, fr, ru and es: no text on the page (a text node or
   an aria-label, title, placeholder or alt) is a catalogue message left in English, and none
   is a code of a vocabulary (`in_delivery`) where its label belongs.

The data (names of records, titles, remarks typed in English) is not the interface: only the
catalogue's messages and the codes are looked for. ALLOWED lists what may stay as it is
(proper names, codes and abbreviations that read the same in every language).

When it fails it names the route, the URL, the language and the English strings found: mark the
string with `_()` / `N_()` and translate it (docs/development.md, "Translations"), show a code
with `code_label(vocabulary, code)` (web/portal/labels.py), or, for a proper name, add it to
ALLOWED with the reason.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine

from tests.conftest import joined_sessions, rolled_back_connection
from tests.security.scenario import World, build_world, portal_client, world_app
from tests.security.test_confidentiality_crawl import (
    SKIPPED,
    _route_templates,
    _seeds,
    _values,
)
from un1540.web.i18n import catalogue
from un1540.web.portal.labels import CODE_LABELS

TEMPLATES = Path(__file__).resolve().parents[2] / "src" / "un1540" / "web" / "templates"
LANGUAGES = ("ar", "zh", "fr", "ru", "es")
# Who renders each page: the first of these it answers 200 to (the Committee side sees the most;
# a State's point of contact has the forms of its own State).
RENDERING_ROLES = ("admin", "committee", "expert", "poc", "provider", "public")
# What may read the same in every language: proper names, abbreviations, symbols.
ALLOWED = {
    # File formats and standards named on download links.
    "HTML",
    "PDF",
    "JSON",
    "CSV",
    "XLSX",
    "DOCX",
    "Word",
    "Excel",
    "API",
    "OpenAPI",
    "GeoJSON",
    "M49",
    "ISO",
    "UTC",
    "SVG",
    "PNG",
    # The matrix marks and the system's name.
    "X",
    "NA",
    "un1540",
    # Proper names of bodies and instruments (their own names, not translated by the UN either).
    "UNODA",
    "IAEA",
    "OPCW",
    "INTERPOL",
    "FATF",
    "BWC",
    "CWC",
    "NPT",
}
# The language switcher names every language in that language: English stays "English".
ALLOWED |= {"English"}
# Literal text a template may hold, by template: examples of codes in placeholders (what is
# typed is a code), units and names that read the same everywhere.
ALLOWED_LITERALS = {
    "action_plans/detail.html": {"op3cd.border_control"},
    "action_plans/form.html": {"FRA"},
    "action_plans/list.html": {"FRA"},
    "api/docs.html": {"un1540 API"},
    "assistance_offers/new.html": {"op3cd, op2.manufacture", "african, asia", "en, fr"},
    "assistance_requests/new.html": {"op3cd.border_control"},
    "base.html": {"· un1540"},
    "builds/detail.html": {"( MB kB )"},  # SI units
    "commitments/form.html": {"op2.finance"},  # example codes in placeholders
    "commitments/list.html": {"FRA", "iaea"},
    "dashboard/compare.html": {"FRA,NGA,BRA"},
    "downloads/list.html": {"MB kB"},  # SI units
    "embed/chart.html": {"· un1540"},  # the instance name, as in base.html
    "funding/index.html": {"USD"},
    "incidents/list.html": {"FRA, NGA", "iaea", "op3cd.border_control"},
    "library/document.html": {"SHA-256 …"},
    "visits/detail.html": {"iaea"},
}
# A cheaper URL for a route whose every page costs seconds: the review over the default period
# (tests/portal/test_reader_language.py checks its labels and numbers with data).
LIGHTER = {"/reports/review": ["/reports/review"]}
TEXT = re.compile(r">([^<>]+)<")
ATTRIBUTE = re.compile(r'(?:aria-label|title|placeholder|alt)="([^"]*)"')


@pytest.fixture(scope="module")
def world(
    backend: str, request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    if backend != "sqlite":
        pytest.skip("the templates and catalogues are the same on both backends; one is enough")
    empty_engine: Engine = request.getfixturevalue("empty_engine")
    for connection in rolled_back_connection(empty_engine):
        yield build_world(
            empty_engine, tmp_path_factory.mktemp("files"), joined_sessions(connection)
        )


def _template_literals(source: str) -> list[str]:
    """The literal text of a template: what lies outside Jinja's tags, comments and
    expressions, outside HTML tags, scripts and styles."""
    source = re.sub(r"\{#.*?#\}", " ", source, flags=re.DOTALL)
    source = re.sub(r"<(script|style)\b.*?</\1>", " ", source, flags=re.DOTALL)
    source = re.sub(r"\{%.*?%\}|\{\{.*?\}\}", "\x00", source, flags=re.DOTALL)
    literals = [text for text in TEXT.findall(source)]
    literals += ATTRIBUTE.findall(source)
    return [" ".join(text.replace("\x00", " ").split()) for text in literals]


def _english_words(text: str) -> list[str]:
    return [word for word in re.findall(r"[A-Za-z][A-Za-z'-]+", text) if word not in ALLOWED]


def test_templates_hold_no_literal_interface_text() -> None:
    found = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        allowed = ALLOWED_LITERALS.get(str(path.relative_to(TEMPLATES)), set())
        for literal in _template_literals(path.read_text(encoding="utf-8")):
            if _english_words(literal) and literal not in allowed:
                found.append(f"{path.relative_to(TEMPLATES)}: {literal!r}")
    assert found == [], (
        "literal text in templates (mark it with _() and translate it, or add a proper name "
        "to ALLOWED):\n" + "\n".join(found)
    )


def _shown(page: str) -> list[str]:
    """The texts a reader meets: text nodes and the attributes read aloud or shown."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.DOTALL)
    page = re.sub(r"<!--.*?-->", " ", page, flags=re.DOTALL)
    page = re.sub(r"<mark>.*?</mark>", " ", page, flags=re.DOTALL)  # search hits: the data
    texts = [html.unescape(text) for text in TEXT.findall(page) + ATTRIBUTE.findall(page)]
    return [" ".join(text.split()) for text in texts if text.strip()]


def _codes() -> dict[str, str]:
    """How a vocabulary's code looks when shown raw -> the code: as it is (`in_delivery`) and
    with spaces (`in delivery`, the old `replace("_", " ")`)."""
    codes = {code for labels in CODE_LABELS.values() for code in labels}
    return {form: code for code in codes for form in (code, code.replace("_", " "))}


@cache
def _english(language: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The catalogue's messages whose translation differs: all of them, and those of three words
    or more (looked for inside longer texts too)."""
    english = frozenset(
        message
        for message, translated in catalogue(language).items()
        if translated != message and message not in ALLOWED and "%(" not in message
    )
    return english, tuple(message for message in english if len(message.split()) >= 3)


def _leftovers(page: str, language: str, codes: dict[str, str]) -> list[str]:
    english, long_messages = _english(language)
    texts = _shown(page)
    found = [text for text in texts if text in english]
    joined = "\n".join(text for text in texts if text not in english)
    found += [message for message in long_messages if message in joined]
    found += [f"code {codes[text]}" for text in texts if text in codes]
    found += [f"code {word}" for word in re.findall(r"[a-z]+(?:_[a-z]+)+", joined) if word in codes]
    return sorted(set(found))


def test_every_page_speaks_the_readers_language(world: World) -> None:
    app = world_app(world)
    clients: dict[str, TestClient] = {}

    def client(role: str) -> TestClient:
        if role not in clients:
            clients[role] = portal_client(world, role, app)
        return clients[role]

    values = _values(world, ["datapackage.zip"])
    failures = []
    rendered: dict[str, str] = {}  # route -> the URL rendered
    unrendered = []
    codes = _codes()

    def check(template: str, role: str, url: str, language: str) -> bool:
        """Render the page in `language`; False if it is not an HTML page for this role."""
        separator = "&" if urlsplit(url).query else "?"
        response = client(role).get(f"{url}{separator}lang={language}")
        if response.status_code != 200 or not response.headers.get("content-type", "").startswith(
            "text/html"
        ):
            return False
        leftovers = _leftovers(response.text, language, codes)
        if leftovers:
            failures.append(f"{template} ({url}, as {role}) in {language}: {leftovers}")
        return True

    for template, _ in _route_templates(app):
        if template.startswith("/api/") or template in SKIPPED or "{name" in template:
            continue
        urls = LIGHTER.get(template) or _seeds(template, values)
        # The first language finds who is shown the page (and is checked on the way).
        found = next(
            (
                (role, url)
                for url in urls
                for role in RENDERING_ROLES
                if check(template, role, url, LANGUAGES[0])
            ),
            None,
        )
        if found is None:
            unrendered.append(template)
            continue
        role, url = found
        rendered[template] = url
        for language in LANGUAGES[1:]:
            assert check(template, role, url, language), (url, language)
    for each in clients.values():
        each.cookies.clear()
    assert failures == [], "English interface strings or raw codes:\n" + "\n".join(failures)
    # Pages that are not HTML for anyone (files, redirects) are not the interface's concern;
    # the others must have been rendered.
    assert len(rendered) > 40, (len(rendered), unrendered)
