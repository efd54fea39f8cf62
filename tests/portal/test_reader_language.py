"""Pages in the reader's language beyond the catalogue strings: the States list's headings,
group names and order (the reader's collation), codes shown as labels, the review chart."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

from un1540.reference.collation import sort_key
from un1540.reference.states import load_regional_groups, load_states
from un1540.web.i18n import catalogue


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
