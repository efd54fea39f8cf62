"""Portal pages, server-rendered: they read without JavaScript and label demo data."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from tests.conftest import DEMO_STATES, STATE_WITHOUT_EDITIONS

BANNER = "Synthetic demo data."


def _page(client: TestClient, path: str, status: int = 200) -> str:
    response = client.get(path)
    assert response.status_code == status, response.text[:500]
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert '<html lang="en" dir="ltr">' in html
    assert 'name="viewport"' in html
    assert 'href="#main"' in html  # skip link for keyboard users
    return html


def test_home_has_the_regime_in_three_sentences_totals_map_and_tables(client: TestClient) -> None:
    html = _page(client, "/")
    assert BANNER in html
    assert html.count("<p>", html.index('class="intro"'), html.index("</section>")) == 3
    assert 'id="coverage-map"' in html
    assert "do not imply official endorsement or acceptance by the United Nations" in html
    assert "/static/vendor/echarts/echarts.min.js" in html
    assert "African Group" in html
    # The map's data island names every State with its value.
    island = re.search(
        r'<script type="application/json" id="coverage-map-data">(.*?)</script>', html, re.S
    )
    assert island is not None
    assert island.group(1).count('"iso3"') == 193


def test_states_list_sorts_filters_and_shows_empty_states(client: TestClient) -> None:
    html = _page(client, "/states?sort=coverage&order=desc")
    assert 'aria-sort="descending"' in html
    assert html.count('<th scope="row">') == 193
    first = re.search(r'<th scope="row"><a href="/states/(\w{3})">', html)
    assert first is not None
    assert first.group(1) in DEMO_STATES
    filtered = _page(client, "/states?group=eastern_european")
    assert filtered.count('<th scope="row">') == 23
    none = _page(client, "/states?q=zzzz")
    assert "No State matches these filters." in none


def test_state_page_lays_out_the_matrix_like_the_committee(client: TestClient) -> None:
    html = _page(client, "/states/FRA")
    assert BANNER in html
    for title in (
        "OP 1 and related matters",
        "OP 2 - Prohibitions",
        "OP 3 (a) and (b)",
        "OP 3 (c) and (d)",
    ):
        assert title in html
    assert html.count('class="matrix-table') == 4
    assert '<abbr title="Chemical weapons and related materials">CW</abbr>' in html
    assert "National legal framework" in html
    assert "Enforcement (civil or criminal penalties)" in html
    assert 'class="cell-detail"' in html  # marks open their evidence on click, without script
    assert "Edition timeline" in html
    assert "badge-verified" in html
    assert "badge-reconstructed" in html


def test_state_page_links_its_matrix_files(client: TestClient) -> None:
    """Old behaviour: the public State page linked JSON and CSV only, not the Committee-style
    DOCX/PDF/XLSX of the edition shown."""
    html = _page(client, "/states/FRA?edition=1")
    links = re.findall(
        r'href="(/api/v1/states/FRA/matrix\.(\w+)\?edition=1&amp;lang=en)" download', html
    )
    assert sorted(fmt for _, fmt in links) == ["docx", "pdf", "xlsx"]
    media = {"docx": "wordprocessingml", "pdf": "application/pdf", "xlsx": "spreadsheetml"}
    for url, fmt in links:
        response = client.get(url.replace("&amp;", "&"))
        assert response.status_code == 200, url
        assert media[fmt] in response.headers["content-type"]


def test_cited_documents_open_from_the_cell(client: TestClient) -> None:
    """Old behaviour: a cell's evidence named its document without a way to open it."""
    html = _page(client, "/states/FRA")
    ids = set(re.findall(r'<a href="/documents/(\d+)" class="evidence-document">', html))
    assert ids
    for document_id in sorted(ids)[:3]:
        assert "<h1" in _page(client, f"/documents/{document_id}")


def test_state_page_for_an_older_edition(client: TestClient) -> None:
    html = _page(client, "/states/FRA?edition=1")
    assert "edition 1" in html
    assert 'aria-current="true">Edition 1<' in html


def test_state_without_editions_says_so(client: TestClient) -> None:
    html = _page(client, f"/states/{STATE_WITHOUT_EDITIONS}")
    assert "No approved edition of this State" in html
    assert "matrix-table" not in html


def test_field_pages(client: TestClient) -> None:
    index = _page(client, "/fields")
    assert index.count('href="/fields/op') >= 66
    html = _page(client, "/fields/op2.manufacture")
    assert 'id="field-map"' in html
    assert html.count('<th scope="row"><a href="/states/') == len(DEMO_STATES)
    filtered = _page(client, "/fields/op2.manufacture?group=african")
    assert filtered.count('<th scope="row"><a href="/states/') == 1


def test_errors_are_html_pages(client: TestClient) -> None:
    assert "Not found" in _page(client, "/states/XXX", status=404)
    assert "Not found" in _page(client, "/fields/op9.nothing", status=404)
    assert "Not found" in _page(client, "/no-such-page", status=404)
    invalid = _page(client, "/states?group=nordic", status=422)
    assert "group" in invalid
    assert "Invalid request" in invalid
    assert "404" not in _page(client, "/states/FRA?edition=99", status=404)[:0]


def test_no_banner_without_demo_data(empty_client: TestClient) -> None:
    for path in ("/", "/states", "/states/FRA", "/fields", "/fields/op2.use"):
        html = _page(empty_client, path)
        assert BANNER not in html, path
    assert "No approved editions yet." in _page(empty_client, "/")


def test_priorities_page_has_weights_ranking_explanations_and_the_aid_label(
    client: TestClient,
) -> None:
    html = _page(client, "/priorities")
    assert "An aid, not a verdict." in html
    assert 'type="range"' in html
    assert 'name="w_gap_op2"' in html
    assert "Factor by factor" in html
    assert "/api/v1/priorities.csv?" in html
    first = re.search(r'<tr data-iso3="([A-Z]{3})">', html)
    assert first is not None
    reweighted = _page(client, "/priorities?w_gap_op2=0&w_gap_op3ab=0&w_gap_op3cd=0&w_incidents=3")
    second = re.search(r'<tr data-iso3="([A-Z]{3})">', reweighted)
    assert second is not None
    assert second.group(1) != first.group(1)  # the weights changed who comes first
    assert 'value="3.0"' in reweighted
    bad = _page(client, "/priorities?weights=gap_op2:heavy", status=422)
    assert "could not be used" in bad


def test_dashboard_has_every_chart_with_its_data_twin_and_a_section_map(
    client: TestClient,
) -> None:
    html = _page(client, "/dashboard?section=op3cd&as_of=2020-06-30")
    for chart in ("chart-groups", "chart-weapons", "chart-sections", "chart-histogram"):
        assert f'id="{chart}"' in html
        assert f'id="{chart}-data"' in html
    assert "/api/v1/coverage.csv?by=state&amp;as_of=2020-06-30&amp;section=op3cd" in html
    assert 'class="map-canvas"' in html
    assert "States with 30 or fewer cells marked X" in html
    assert "of cited evidence is more than ten years old" in html
    assert BANNER in html
    _page(client, "/dashboard?section=op9", status=422)


def test_trends_and_compare_pages(client: TestClient) -> None:
    trends = _page(client, "/trends?from=2008-01-01&to=2020-12-31&by=weapon")
    assert "Change (points)" in trends
    assert "/api/v1/trends.csv?by=weapon&amp;from=2008-01-01&amp;to=2020-12-31" in trends
    empty = _page(client, "/compare")
    assert "Choose two to five States" in empty
    compared = _page(client, "/compare?states=FRA,NGA&by=section")
    assert 'id="compare-table"' in compared
    assert "/api/v1/compare.csv?states=FRA%2CNGA&amp;by=section" in compared
    wrong = _page(client, "/compare?states=FRA", status=422)
    assert "give 2 to 5 distinct State codes" in wrong


def test_a_blank_date_in_a_form_means_no_date_and_a_bad_one_is_named(client: TestClient) -> None:
    _page(client, "/compare?states=FRA,NGA&by=weapon&as_of=")
    _page(client, "/dashboard?as_of=&section=op2")
    wrong = _page(client, "/dashboard?as_of=2020-02-31", status=422)
    assert "is not a date" in wrong
    # Before the resolution: the error names what the reader set (it blamed the trend's `to`).
    early = _page(client, "/dashboard?as_of=2000-01-01", status=422)
    assert "as_of: must be on or after 2004-04-28" in early
    assert "to: must be on or after" not in early
    _page(client, "/dashboard?as_of=2005-06-30")  # in force then: nothing yet, still a page


def test_the_clearinghouse_pages_read_without_javascript(client: TestClient) -> None:
    assistance = _page(client, "/assistance")
    assert "Requests" in assistance
    assert "[Synthetic]" in assistance  # the demo's offers and published requests
    assert BANNER in assistance
    funding = _page(client, "/funding")
    assert "Outstanding" in funding
    www = _page(client, "/who-what-where")
    assert 'id="projects-map"' in www
    assert "/api/v1/assistance/who-what-where.csv" in www
    loop = _page(client, "/states/FRA/fields/op2.manufacture/loop")
    assert "From the gap to the help and back" in loop
    assert BANNER in loop
    assert 'id="loop-summary"' in loop
    assert client.get("/assistance/requests/new", follow_redirects=False).status_code == 303
    _page(client, "/assistance/projects/999999", status=404)
