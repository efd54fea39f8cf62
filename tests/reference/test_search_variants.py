"""reference/search-variants.yml: its shape, and that the query side reads the variants as one
word (British and American spellings; endings; Arabic broken plurals)."""

from __future__ import annotations

import pytest

from un1540.analytics.text.tokenise import query_terms, spellings, term
from un1540.errors import InvalidData
from un1540.reference.search_variants import load_search_variants, parse_search_variants


def test_the_shipped_variants_are_valid() -> None:
    variants = load_search_variants()
    assert set(variants) <= {"en", "fr", "es", "ru", "ar", "zh"}
    assert variants["en"].suffixes
    assert len(variants["en"].groups) >= 30


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"de": {"groups": [["Farbe", "Farben"]]}}, "not one of the six languages"),
        ({"en": {"groups": [["licence"]]}}, "two or more words"),
        ({"en": {"groups": [["nerve agent", "agent"]]}}, "two or more words"),
        ({"en": {"groups": [["licence", "license"], ["License", "licenses"]]}}, "in group 1"),
        ({"en": {"suffixes": [["ise"]]}}, "expected [ending, ending]"),
        ({"en": {"suffixes": [["", ""]]}}, "expected [ending, ending]"),
        ({"ar": {"min_length": 1}}, "3 or more"),
        ({"en": {"words": []}}, "unknown keys: words"),
        ({}, "not a map"),
    ],
)
def test_bad_variants_are_named_where_they_are(raw: object, message: str) -> None:
    with pytest.raises(InvalidData) as error:
        parse_search_variants(raw)
    assert any(message in problem.message for problem in error.value.problems), error.value.problems


@pytest.mark.parametrize(
    ("query", "finds"),
    [
        ("licensing", "licence"),  # lemma license, and its British spelling
        ("licences", "license"),
        ("authorisation", "authorization"),
        ("authorized", "authorise"),  # the lemma, by its ending
        ("unauthorised", "unauthorized"),  # the other spelling's lemma (unauthorize)
        ("analyse", "analyze"),
        ("sulfur", "sulphur"),
        ("caesium", "cesium"),
    ],
)
def test_a_query_word_also_looks_for_its_other_spellings(query: str, finds: str) -> None:
    (group,) = query_terms(query)
    assert term(finds, "en") in group


@pytest.mark.parametrize(
    ("query", "finds"),
    [
        ("سلاح", "الأسلحة"),  # a broken plural
        ("أسلحة", "والسلاح"),
        ("مادة", "المواد"),
        ("عقوبة", "العقوبات"),  # a feminine singular and its sound plural
        ("العقوبات", "عقوبة"),
    ],
)
def test_an_arabic_word_also_looks_for_its_plural_or_singular(query: str, finds: str) -> None:
    (group,) = query_terms(query)
    assert term(finds, "ar") in group


def test_short_words_keep_their_endings() -> None:
    assert spellings("prise") == set()  # French "taking", not "prize"
    assert spellings("size") == set()
    assert "exercize" in spellings("exercise")  # harmless: no such word in the index


def test_every_group_word_is_read_in_one_group_only() -> None:
    """After the words are read as the index reads them, a word's group holds the word."""
    for language, variants in load_search_variants().items():
        for group in variants.groups:
            reads = {term(word, language) for word in group}
            for read in reads:
                assert reads - {read} <= spellings(read), (language, group)
