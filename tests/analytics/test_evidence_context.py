"""The document context of the evidence model: which articles of the same law a provision cites
by number (analytics/evidence/context.py), in the six languages."""

from __future__ import annotations

import pytest

from un1540.analytics.evidence.context import article_keys, cited_keys, cited_provisions


@pytest.mark.parametrize(
    ("language", "article", "keys"),
    [
        ("zh", "第二十三条", {"23"}),
        ("ar", "المادة الحادية والعشرون بعد المائة", {"121"}),
        ("ar", "المادة الثانية عشرة", {"12"}),
        ("en", "18 U.S.C. 175b(b)", {"175b"}),
        ("en", "s. 13(1)-(3)", {"13"}),
        ("fr", "L2342-3", {"l2342-3"}),
        ("ru", "205.1", {"205.1", "205", "2051"}),
    ],
)
def test_an_articles_own_number(language: str, article: str, keys: set[str]) -> None:
    assert article_keys(article, language) == keys


@pytest.mark.parametrize(
    ("language", "text", "keys"),
    [
        (
            "fr",
            "Les infractions aux articles L. 2341-1 et L. 2341-2 sont punies",
            {"l2341-1", "l2341-2"},
        ),
        ("ru", "предусмотренных статьей 2052, статьями 220, 221", {"2052", "220", "221"}),
        ("zh", "违反本法第十二条、第十三条规定的", {"12", "13"}),
        ("ar", "يعاقب كل من خالف المادة (5) أو المادة الثانية عشرة", {"5", "12"}),
        ("en", "Whoever violates section 229 or 229A shall be fined", {"229", "229a"}),
        ("es", "El que infringiere el artículo 3 será castigado", {"3"}),
        ("en", "This Act comes into force on the day of publication.", set()),
    ],
)
def test_the_numbers_a_provision_cites(language: str, text: str, keys: set[str]) -> None:
    assert cited_keys(text, language) == keys


def test_a_provision_is_linked_to_the_articles_it_cites_in_its_own_law_only() -> None:
    items = [
        ("law A", "1", "Article 1. No person shall produce chemical weapons.", "en"),
        ("law A", "2", "Article 2. Whoever violates article 1 is punished.", "en"),
        ("law B", "1", "Article 1. Scope.", "en"),
        ("law B", "3", "Article 3. Whoever violates article 1 or article 9 is punished.", "en"),
        # 205.1 is its own article: a citation of 205 is 205 itself, never 205.1
        ("code", "205", "Статья 205. Террористический акт", "ru"),
        ("code", "205.1", "Статья 205.1. Содействие", "ru"),
        ("code", "206", "Статья 206. предусмотренных статьей 205", "ru"),
    ]
    assert cited_provisions(items) == [[], [0], [], [2], [], [], [4]]
