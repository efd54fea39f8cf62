"""Pages in the reader's language beyond the catalogue strings: the States list's headings,
group names and order (the reader's collation), codes shown as labels, the review chart."""

from __future__ import annotations

import base64
import html
import re

import matplotlib.pyplot as plt
import pytest
from fastapi.testclient import TestClient
from matplotlib.transforms import Bbox

from un1540.io.charts import BarSeries, bar_chart
from un1540.models import (
    ApprovalBasis,
    BuildStatus,
    DocumentKind,
    EditionStatus,
    Origin,
    ProposalStatus,
    Role,
    SuggestionVerdict,
    TextStatus,
)
from un1540.reference.collation import sort_key
from un1540.reference.lifecycles import load_lifecycles
from un1540.reference.states import load_regional_groups, load_states
from un1540.web.i18n import CURRENT_LANGUAGE, catalogue
from un1540.web.portal.labels import CODE_LABELS, code_label


def _row_names(page: str) -> list[str]:
    return [
        html.unescape(name)
        for name in re.findall(r'<th scope="row"><a href="/states/[A-Z]{3}">([^<]+)</a>', page)
    ]


def test_the_states_list_speaks_and_sorts_in_the_readers_language(client: TestClient) -> None:
    names = {state.iso3: state.names for state in load_states()}
    groups, _ = load_regional_groups()
    for language in ("fr", "zh", "ar", "ru", "es"):
        page = client.get(f"/states?lang={language}").text
        rows = _row_names(page)
        expected = sorted((n[language] for n in names.values()), key=sort_key(language))
        assert rows == expected, (language, rows[:5], expected[:5])
        for heading in ("State", "Regional group", "Cells marked X", "Coverage"):
            translated = catalogue(language)[heading]
            assert f">{translated}<" in page or f">{translated} <" in page, (language, heading)
            assert f">{heading}<" not in page, (language, heading)
            assert f">{heading} <" not in page, (language, heading)
        # Group names in the table cells are the language's, never the English ones.
        cells = {html.unescape(c) for c in re.findall(r"</th>\s*<td>([^<]+)</td>", page)}
        assert cells, language
        for group in groups.values():
            if group.names[language] != group.name:
                assert group.name not in cells, (language, group.name)
        assert any(group.names[language] in cells for group in groups.values())
    # Sorting by group orders the groups by their names in the language.
    page = client.get("/states?lang=fr&sort=group").text
    cells = [html.unescape(c) for c in re.findall(r"</th>\s*<td>([^<]+)</td>", page)]
    order = list(dict.fromkeys(cells))
    assert order == sorted(order, key=sort_key("fr")), order
    # English keeps its order.
    english = _row_names(client.get("/states?lang=en").text)
    assert english == sorted(english, key=str.casefold)


VOCABULARY_ENUMS = {
    "edition": EditionStatus,
    "proposal": ProposalStatus,
    "document_kind": DocumentKind,
    "role": Role,
    "build": BuildStatus,
    "text": TextStatus,
    "verdict": SuggestionVerdict,
    "approval_basis": ApprovalBasis,
    "origin": Origin,
}


def test_every_status_and_kind_has_a_label_in_every_language() -> None:
    for name, cycle in load_lifecycles().items():
        assert CODE_LABELS[name] == cycle.statuses, name  # the same English as the file
    for vocabulary, codes in VOCABULARY_ENUMS.items():
        assert set(CODE_LABELS[vocabulary]) == {member.value for member in codes}, vocabulary
    for language in ("ar", "zh", "fr", "ru", "es"):
        translations = catalogue(language)
        for vocabulary, labels in CODE_LABELS.items():
            for code, english in labels.items():
                assert translations.get(english), (language, vocabulary, code)
        token = CURRENT_LANGUAGE.set(language)
        try:
            shown = code_label("assistance_project", "in_delivery")
            assert shown == translations["In delivery"]
            assert (
                code_label("document_kind", DocumentKind.legislation)
                == (translations["Legislation"])
            )
            assert code_label("edition", "unheard_of") == "unheard_of"  # shown, not dropped
        finally:
            CURRENT_LANGUAGE.reset(token)


def test_document_kinds_show_as_words_not_codes(client: TestClient) -> None:
    kinds = {member.value for member in DocumentKind}
    for language in ("ar", "zh", "fr", "ru", "es"):
        page = client.get(f"/states/FRA?lang={language}").text
        badges = set(re.findall(r'<span class="badge">([^<]+)</span>', page))
        assert catalogue(language)["Legislation"] in badges, (language, badges)
        assert not badges & kinds, (language, badges & kinds)
        assert "legislation" not in page.replace('value="legislation"', ""), language


def _overlaps(a: Bbox, b: Bbox) -> bool:
    return a.x0 < b.x1 and b.x0 < a.x1 and a.y0 < b.y1 and b.y0 < a.y1


@pytest.mark.parametrize("direction", ["ltr", "rtl"])
def test_the_chart_mirrors_for_right_to_left_and_its_legend_covers_nothing(direction: str) -> None:
    names = ["مجموعة الدول الأفريقية", "مجموعة دول أوروبا الشرقية", "مجموعة دول آسيا"]
    figure = bar_chart(
        "",
        names,
        [BarSeries("25 أبريل 2011", [0.22, 0.95, 0.3]), BarSeries("2016", [0.5, 1.0, 0.4])],
        direction=direction,
    )
    try:
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()
        axes = figure.axes[0]
        legend = axes.get_legend().get_window_extent(renderer)
        covered = [patch.get_window_extent(renderer) for patch in axes.patches]
        covered += [text.get_window_extent(renderer) for text in axes.texts]  # bar values
        assert covered
        assert not [box for box in covered if _overlaps(legend, box)]
        ticks = [tick.get_text() for tick in axes.get_yticklabels()]
        if direction == "rtl":
            assert axes.xaxis_inverted()  # bars grow leftwards from the labels on the right
            assert axes.yaxis.get_ticks_position() == "right"
            assert all(t.startswith("\u2067") and t.endswith("\u2069") for t in ticks), ticks
            # The first series reads first from the right.
            legend_names = [text.get_text() for text in axes.get_legend().get_texts()]
            assert legend_names == ["\u20672016\u2069", "\u206725 أبريل 2011\u2069"]
        else:
            assert not axes.xaxis_inverted()
            assert ticks[0] == names[0]
    finally:
        plt.close(figure)


def test_the_arabic_review_draws_arabic_labels_and_isolates_numbers(client: TestClient) -> None:
    groups, _ = load_regional_groups()
    page = client.get("/reports/review?lang=ar").text
    charts = [
        base64.b64decode(data).decode()
        for data in re.findall(r'src="data:image/svg\+xml;base64,([^"]+)"', page)
    ]
    assert charts
    svg_texts = {
        html.unescape(t) for chart in charts for t in re.findall(r">([^<>]+)</text>", chart)
    }
    for group in groups.values():
        assert group.name not in svg_texts  # English group names are gone
    assert "\u2067" + groups["african"].names["ar"] + "\u2069" in svg_texts
    # "45 → 52" and "+3.5" keep their order in a right-to-left page.
    changes = re.findall(r'<td class="num">([^<]*\u2192[^<]*)</td>', page)
    assert changes
    assert all(re.fullmatch("\u2066\\d+ \u2192 \\d+\u2069", cell) for cell in changes), changes
    signed = re.findall(r'<td class="num">([^<]*\+[^<]*)</td>', page)
    assert signed
    assert all(cell.startswith("\u2066+") and cell.endswith("\u2069") for cell in signed), signed


def test_the_review_files_are_written_in_the_language_asked(client: TestClient) -> None:
    groups, _ = load_regional_groups()
    period = "from=2011-04-25&to=2016-04-24"
    arabic = client.get(f"/api/v1/reports/review.html?{period}&lang=ar")
    assert arabic.status_code == 200
    assert '<html lang="ar" dir="rtl">' in arabic.text
    assert catalogue("ar")[
        "Comprehensive review of the implementation of resolution 1540 (2004)"
    ] in (arabic.text)
    assert groups["african"].names["ar"] in arabic.text
    assert groups["african"].name not in arabic.text
    assert "review-2011-04-25-2016-04-24-ar.html" in arabic.headers["content-disposition"]
    english = client.get(f"/api/v1/reports/review.html?{period}").text
    assert '<html lang="en" dir="ltr">' in english
    assert groups["african"].name in english
    assert client.get(f"/api/v1/reports/review.html?{period}&lang=de").status_code == 422
    # The portal's page links to the files in its own language.
    page = client.get(f"/reports/review?{period}&lang=fr").text
    assert f"/api/v1/reports/review.pdf?{period.replace('&', '&amp;')}&amp;lang=fr" in page
