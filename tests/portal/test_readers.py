"""What a page offers its readers beyond itself (web/portal/sharing.py, embed.py): the share
card (Open Graph) in the page's language and never a restricted page's content, "Cite this
page", embedded charts from the public's data only, and the printed page's styles."""

from __future__ import annotations

import html as html_lib
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.conftest import DatabaseFactory, settings_for
from tests.factories import make_user
from tests.portal.test_workflow_pages import sign_in
from un1540.db.engine import make_session_factory
from un1540.models import Role, State
from un1540.services.activities.reads import activities_in
from un1540.services.assistance.reads.overview import under_way, who_what_where
from un1540.services.assistance.reads.projects import visible_projects
from un1540.services.incidents.reads import IncidentFilter, incident_facets, list_incidents
from un1540.services.kernel.access import PUBLIC, Viewer
from un1540.web.app import create_app

CSS = Path(__file__).resolve().parents[2] / "src/un1540/web/static/css/portal.css"
META = re.compile(r'<meta (?:property|name)="([\w:]+)" content="([^"]*)">')


@dataclass
class Readers:
    engine: Engine
    public: TestClient
    expert: TestClient


@pytest.fixture(scope="module")
def readers(database_factory: DatabaseFactory) -> Iterator[Readers]:
    """One demo database and app: an anonymous browser and an expert's, each its own cookies."""
    engine = database_factory.create(demo=True)
    with make_session_factory(engine)() as session, session.begin():
        make_user(session, role="expert", email="expert@example.org")
    app = create_app(settings_for(engine), engine=engine)
    expert = TestClient(app, follow_redirects=True)
    sign_in(expert, "expert@example.org")
    yield Readers(engine, TestClient(app, follow_redirects=True), expert)
    engine.dispose()


def card(page: str) -> dict[str, str]:
    return {key: html_lib.unescape(value) for key, value in META.findall(page)}


def title(page: str) -> str:
    match = re.search(r"<title>(.*?) · un1540</title>", page, re.S)
    assert match
    return " ".join(html_lib.unescape(match.group(1)).split())


@pytest.mark.parametrize(
    "path",
    ["/", "/states", "/states/FRA/matrix", "/dashboard", "/incidents"],
)
def test_every_public_page_has_its_share_card_in_its_language(readers: Readers, path: str) -> None:
    for lang, site, synthetic in (
        ("en", "Resolution 1540 information system", "Synthetic demo data."),
        ("fr", "Système d'information de la résolution 1540", "Données de démonstration"),
        ("ar", "نظام معلومات القرار 1540", "بيانات عرض توضيحي"),
    ):
        page = readers.public.get(f"{path}{'&' if '?' in path else '?'}lang={lang}").text
        tags = card(page)
        for key in ("og:title", "og:description", "og:url", "og:type", "og:site_name"):
            assert tags.get(key), (path, lang, key)
        assert tags["twitter:card"] == "summary"
        assert tags["og:site_name"] == site
        assert tags["og:title"] == title(page)  # the page's own title, as the tab shows it
        assert tags["og:url"].startswith("http://testserver" + path.split("?")[0])
        # The demo is synthetic, and the card says so first, in the reader's language.
        assert tags["og:description"].startswith(synthetic), tags["og:description"]
        assert tags["og:type"] == "website"


def test_a_state_profile_card_names_the_state_and_its_own_address(readers: Readers) -> None:
    tags = card(readers.public.get("/states/FRA?edition=1&lang=es").text)
    assert tags["og:title"] == "Francia"
    assert "Francia en el sistema de información de la resolución 1540" in tags["og:description"]
    assert tags["og:url"] == "http://testserver/states/FRA?edition=1&lang=es"


def test_a_signed_in_readers_page_names_the_instance_only(readers: Readers) -> None:
    """An expert's page may show what the public cannot: its card says nothing of the page
    (its title, its address, its description), only the instance's name and description."""
    for path in ("/states/FRA", "/assistance", "/inbox", "/account"):
        page = readers.expert.get(path + "?lang=en").text
        tags = card(page)
        assert tags["og:title"] == "Resolution 1540 information system", path
        assert tags["og:url"] == "http://testserver/", path
        assert tags["og:description"].endswith(
            "The resolution 1540 matrix of every State, with reporting, assistance, events and "
            "open data, for every reader."
        )
        assert title(page) not in tags["og:description"] or title(page) == tags["og:title"]


def test_cite_this_page_on_profiles_matrices_and_chart_pages(readers: Readers) -> None:
    for path, name in (
        ("/states/NGA", "Nigeria"),
        ("/states/NGA/matrix", "Nigeria: matrix"),
        ("/dashboard", "Dashboard"),
        ("/trends", "Trends"),
        ("/compare?states=FRA,NGA", "Compare States"),
    ):
        page = readers.public.get(path + ("&" if "?" in path else "?") + "lang=en").text
        assert "Cite this page" in page, path
        found = re.search(r'<p class="citation" id="citation-text">(.*?)</p>', page, re.S)
        assert found, path
        text = html_lib.unescape(found.group(1))
        assert text.startswith(f"{name}. Resolution 1540 information system (un1540 "), text
        assert "testserver" in text
        assert "http://testserver" + path.split("?")[0] in text
        assert re.search(r"Data version [0-9a-f]+(-[0-9a-f]+)*\.", text), text
        assert re.search(r"Accessed on \w+ \d{1,2}, \d{4}\.", text), text
    french = readers.public.get("/states/NGA?lang=fr").text
    assert "Citer cette page" in french
    assert "Consulté le" in french


def _island(page: str) -> str:
    found = re.search(
        r'<script type="application/json" id="embedded-chart-data">(.*?)</script>', page, re.S
    )
    assert found
    return found.group(1)


@pytest.mark.parametrize(
    "path",
    [
        "/embed/coverage",
        "/embed/coverage?by=section&as_of=2020-01-01",
        "/embed/trends?by=region&from=2010-01-01&to=2030-12-31",
    ],
)
def test_embedded_charts_show_the_public_data_to_everyone_without_chrome(
    readers: Readers, path: str
) -> None:
    path += ("&" if "?" in path else "?") + "lang=en"
    public = readers.public.get(path)
    expert = readers.expert.get(path)
    assert public.status_code == expert.status_code == 200
    # Whoever opens it (an expert's embed code included) sees the public's chart.
    assert _island(expert.text) == _island(public.text)
    page = public.text
    for chrome in ('class="site-header"', "<nav", "<form", 'class="site-footer"'):
        assert chrome not in page, chrome
    assert "Synthetic demo data." in page  # the notice stays under the chart
    assert "CC BY 4.0" in page
    # Any site may frame it; every other page refuses to be framed.
    assert "frame-ancestors *" in public.headers["content-security-policy"]
    assert "x-frame-options" not in public.headers
    dashboard = readers.public.get("/dashboard")
    assert "frame-ancestors 'none'" in dashboard.headers["content-security-policy"]
    assert dashboard.headers["x-frame-options"] == "DENY"


def test_the_embed_code_points_at_the_chart_only_route(readers: Readers) -> None:
    page = readers.public.get("/dashboard?as_of=2020-01-01&lang=en").text
    snippets = re.findall(
        r'<textarea id="embed-\w+" class="embed-snippet"[^>]*>(.*?)</textarea>', page
    )
    assert len(snippets) == 2
    first = html_lib.unescape(snippets[0])
    assert first.startswith('<iframe src="http://testserver/embed/coverage?by=weapon')
    assert "as_of=2020-01-01" in first
    assert 'title="Coverage by weapon category"' in first
    src = re.search(r'src="http://testserver([^"]+)"', first)
    assert src
    assert readers.public.get(html_lib.unescape(src.group(1))).status_code == 200
    bad = readers.public.get("/embed/coverage?as_of=1999-01-01")
    assert bad.status_code == 422


def test_the_print_stylesheet_keeps_the_notice_and_drops_the_chrome() -> None:
    css = CSS.read_text()
    block = css[css.rindex("@media print") :]
    for hidden in (".site-header nav", ".site-search", "form", "button", ".chart-downloads"):
        assert hidden in block.split("display: none")[0], hidden
    assert ".synthetic-banner { display: block !important" in block
    assert "thead { display: table-header-group; }" in block
    assert "break-inside: avoid" in block
    assert ".table-scroll { overflow: visible !important; }" in block
    assert 'content: " <" attr(href) ">"' in block


def test_incident_facets_count_what_each_reader_may_see(session: Session) -> None:
    """Each facet value's count is the list's total with that value chosen, for each reader;
    the Committee side counts restricted incidents, the public never does."""
    nigeria = session.scalar(select(State.id).where(State.iso3 == "NGA"))
    readers = {
        "public": PUBLIC,
        "poc": Viewer(role=Role.state_poc, state_id=nigeria, user_id=10**6),
        "committee": Viewer(role=Role.committee, user_id=10**6 + 1),
    }
    totals = {}
    for name, viewer in readers.items():
        for filters in (IncidentFilter(), IncidentFilter(kind="theft", year_from=2000)):
            facets = incident_facets(session, viewer=viewer, filters=filters)
            assert set(facets) == {"category", "kind", "region"}
            assert facets["category"], name
            for facet, values in facets.items():
                for code, count in values:
                    chosen = replace(filters, **{facet: code})
                    _, total = list_incidents(session, viewer=viewer, filters=chosen)
                    assert count == total, (name, facet, code)
        _, totals[name] = list_incidents(session, viewer=viewer)
    assert totals["committee"] > totals["public"]  # restricted ones exist and are not counted


def test_the_incident_list_shows_its_facets_as_links(readers: Readers) -> None:
    page = readers.public.get("/incidents?kind=theft&lang=en").text
    facets = page[page.index('class="facets"') : page.index("</nav>", page.index('class="facets"'))]
    links = re.findall(
        r'<a href="([^"]+)"[^>]*>([^<]+)</a> <span class="facet-count">\((\d+)\)', facets
    )
    assert links
    assert 'aria-current="true">Theft</a>' in facets
    assert 'href="/incidents" class="facet-clear"' in facets  # removes the kind filter
    for href, _, count in links:
        assert "page=" not in href
        listed = readers.public.get(html_lib.unescape(href) + "&lang=en&page_size=100").text
        assert listed.count("<tr data-incident=") == int(count), href
    french = readers.public.get("/incidents?lang=fr").text
    assert "Retirer ce filtre" not in french  # no filter set: nothing to remove


def _map_values(page: str) -> dict[str, float]:
    found = re.search(
        r'<script type="application/json" id="projects-map-data">(.*?)</script>', page, re.S
    )
    assert found
    states = json.loads(found.group(1))["states"]
    return {state["iso3"]: state["value"] for state in states if state["value"] is not None}


def test_the_field_map_shows_what_was_under_way_on_its_date(
    readers: Readers, session: Session
) -> None:
    """The map's date: projects and activities under way on it, each counted by its State;
    the slider and the date form name it; a date outside 2004-04-28..today is refused."""
    everything, _ = who_what_where(session, viewer=PUBLIC)
    projects = {p.id: p for p in visible_projects(session, PUBLIC)}
    starts = sorted(a.start_on for a in activities_in(session, viewer=PUBLIC))
    on = starts[len(starts) // 2]
    rows, _ = who_what_where(session, viewer=PUBLIC, as_of=on)
    expected = [
        r.project_id
        for r in everything
        if under_way(
            projects[r.project_id].start_on or projects[r.project_id].created_at.date(),
            projects[r.project_id].end_on,
            on,
        )
    ]
    assert [r.project_id for r in rows] == expected
    activities = activities_in(session, viewer=PUBLIC, as_of=on)
    assert activities
    assert all(a.start_on <= on and (a.end_on is None or a.end_on >= on) for a in activities)
    per_state: dict[str, float] = {}
    for iso3 in [r.iso3 for r in rows] + [a.state.iso3 for a in activities]:
        per_state[iso3] = per_state.get(iso3, 0) + 1
    page = readers.public.get(f"/who-what-where?as_of={on.isoformat()}&lang=en").text
    assert _map_values(page) == per_state
    assert f'name="as_of" value="{on.isoformat()}"' in page
    assert 'type="range" id="map-day"' in page
    assert 'id="map-date-note"' in page
    # Before any activity began and before any project was agreed: an empty map.
    assert _map_values(readers.public.get("/who-what-where?as_of=2004-05-01").text) == {}
    assert len(_map_values(readers.public.get("/who-what-where").text)) >= len(per_state)
    for bad in ("2003-01-01", "2999-01-01", "yesterday"):
        assert readers.public.get(f"/who-what-where?as_of={bad}").status_code == 422, bad
    arabic = readers.public.get(f"/who-what-where?as_of={on.isoformat()}&lang=ar").text
    assert "التاريخ على الخريطة" in arabic


FACET_LINK = re.compile(
    r'<a href="([^"]+)"\s*(aria-current="true")?\s*>([^<]+)</a> '
    r'<span class="facet-count">\(([\d,\s\u202f\u00a0]+)\)'
)


def facet_section(page: str) -> str:
    start = page.index('<nav class="facets"')
    return page[start : page.index("</nav>", start)]


@pytest.mark.parametrize(
    ("path", "facet", "chosen"),
    [
        ("/states?group=african", "region", "Africa"),
        ("/events?kind=workshop", "year", None),
        ("/commitments?status=announced", "kind", "Announced"),
        ("/action-plans?published=yes", "state", "Yes"),
        ("/activities?weapon=nw", "organisation", None),
        ("/search?q=nuclear&language=en", "kind", "English"),
        ("/assistance?help=legislative_drafting", "region", None),
        ("/visits?status=closed", "state", None),
        ("/funding?kind=pledge", "year", "Pledged"),
        ("/trainings?region=african", "country", None),
        ("/contacts?role=capital", "stale", "Capital"),
        ("/states/FRA/documents?kind=legislation", "year", None),
        ("/search?q=nuclear&kind=legislation", "year", None),
    ],
)
def test_every_list_page_shows_its_facets_as_links(
    readers: Readers, path: str, facet: str, chosen: str | None
) -> None:
    """Each list's facets: values with counts as links that keep the other filters and start at
    page 1, the filter in use shown with a link that removes it, titles in the reader's language."""
    page = readers.expert.get(path + "&lang=en").text
    section = facet_section(page)
    assert f'id="facet-{facet}"' in section, path
    links = FACET_LINK.findall(section)
    assert len(links) > 1, path
    base, _, query = path.partition("?")
    name, _, value = query.split("&")[-1].partition("=")  # the filter in use
    for href, _current, _label, count in links:
        href = html_lib.unescape(href)
        assert href.startswith(base), href
        assert "page=" not in href, href
        assert int(re.sub(r"\D", "", count)) > 0
    current = [label for _, current, label, _ in links if current]
    assert current, path  # the chosen value is marked
    chip = re.search(r'<a href="([^"]+)" class="facet-chip" data-facet="' + name + '">', section)
    assert chip, path
    removes = html_lib.unescape(chip.group(1))
    assert f"{name}={value}" not in removes  # removes it, keeps the rest
    assert all(kept in removes for kept in query.split("&")[:-1])
    if chosen:
        assert chosen in section, path
    french = facet_section(readers.expert.get(path + "&lang=fr").text)
    assert "Retirer ce filtre" in french, path
    assert "Filtres appliqués" in french, path


def test_the_events_form_sent_without_a_year_lists_every_year(readers: Readers) -> None:
    """The events page's form sends `year=` when no year is given: every year, not a 422
    (found by facets8); a year that is not a number is still refused, naming `year`."""
    page = readers.public.get("/events?kind=&audience=&year=&q=&lang=en")
    assert page.status_code == 200
    every_year = readers.public.get("/events?lang=en")
    assert page.text.count('href="/events/') == every_year.text.count('href="/events/') > 0
    refused = readers.public.get("/events?year=twenty&lang=en")
    assert refused.status_code == 422
    assert "year" in refused.text


def test_the_search_form_sent_without_a_year_searches_every_year(readers: Readers) -> None:
    """The library's form sends `year=` when no year is given (a 422 before it was read as
    text); the year facet then counts every year."""
    page = readers.public.get("/search?q=nuclear&state=&kind=&language=&year=&lang=en")
    assert page.status_code == 200
    assert 'id="facet-year"' in facet_section(page.text)
