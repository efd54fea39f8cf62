"""The library's pages as a reader finds them (session 27's audit): the search filters by a
State chosen by its name in the reader's language, and a law's articles without titles are
told apart by their first words."""

from __future__ import annotations

import html
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tests.api.test_provision_suggestions_api import law_with_suggestions
from tests.portal.test_workflow_pages import Portal, browser, portal  # noqa: F401
from un1540.models import Visibility

LAW = "第一条 任何单位和个人不得生产化学武器。\n第二条 违反本法第一条规定的，处五年以上有期徒刑。\n"


def test_search_by_a_state_named_in_the_readers_language_and_untitled_articles(
    portal: Portal,  # noqa: F811
    empty_sessions: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    law_id, _ = law_with_suggestions(
        empty_sessions,
        tmp_path,
        iso3="CHN",
        text=LAW,
        title="化学武器法",
        language="zh",
        visibility=Visibility.public,
    )
    reader = browser(portal)
    page = html.unescape(reader.get(f"/documents/{law_id}").text)
    assert '<strong lang="zh" dir="auto">第一条</strong> <span class="muted"' in page
    assert 'dir="auto">任何单位和个人不得生产化学武器。</span>' in page  # its first words

    # A State that does not exist: the search without that filter, and why (review of session
    # 28: a bare error page)
    unknown = reader.get("/search?q=化学武器&state=XXX")
    assert unknown.status_code == 422
    assert "The filters could not be used" in unknown.text
    assert "no State XXX" in unknown.text
    assert f'href="/documents/{law_id}?provision=' in unknown.text
    found = html.unescape(reader.get("/search?q=化学武器&state=chn&lang=fr").text)
    reader.get("/search?lang=en")  # the language chosen stays with the session: back
    assert '<option value="CHN" selected>Chine</option>' in found
    assert '<input id="search-state"' not in found  # a list of States, not a box of 3 letters
    assert f'href="/documents/{law_id}?provision=' in found
    states = found.split('id="search-state"', 1)[1].split("</select>", 1)[0]
    names = [line.split(">", 1)[1] for line in states.split("</option>")[1:-1]]
    assert len(names) > 150
    assert names.index("Chine") < names.index("Égypte") < names.index("France")  # French order


def test_the_search_finds_states_and_fields_by_their_names_in_the_readers_language(
    portal: Portal,  # noqa: F811
) -> None:
    """Session 27's audit: الترخيص found no field, although /fields names them in Arabic, and
    the fields found were listed by their English names."""
    reader = browser(portal)
    arabic = html.unescape(reader.get("/search?q=الترخيص&lang=ar").text)
    french = html.unescape(reader.get("/search?q=egypte&lang=fr").text)
    reader.get("/search?lang=en")  # the language chosen stays with the session: back
    assert '<a href="/fields/op3cd.individual_licensing">الترخيص الفردي</a>' in arabic
    assert "Individual licensing" not in arabic
    assert '<a href="/states/EGY">Égypte</a>' in french  # without its accent, as typed


def test_an_article_over_two_pages_names_both(
    portal: Portal,  # noqa: F811
    empty_sessions: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    """Session 28's trial: a provision that runs onto the next page showed its first page only
    (and a confirmation cited that page alone)."""
    law_id, _ = law_with_suggestions(
        empty_sessions,
        tmp_path,
        iso3="CHN",
        text=(
            "第一条 任何单位和个人\n\f不得生产化学武器。\n"
            "第二条 违反本法第一条规定的，处五年以上有期徒刑。\n"
        ),
        title="化学武器法（两页）",
        language="zh",
        visibility=Visibility.public,
    )
    page = html.unescape(browser(portal).get(f"/documents/{law_id}").text)
    first = page.split('<strong lang="zh" dir="auto">第一条</strong>', 1)[1].split("</li>")[0]
    assert "pages 1–2" in first
    second = page.split('<strong lang="zh" dir="auto">第二条</strong>', 1)[1].split("</li>")[0]
    assert "page 2" in second
    assert "pages" not in second
