"""Pages in the reader's language beyond the catalogue strings: the States list's headings,
group names and order (the reader's collation), codes shown as labels, the review chart."""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient

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
