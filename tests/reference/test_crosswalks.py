"""The crosswalk from matrix fields to treaty articles, and the instruments it names."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from un1540.errors import InvalidData
from un1540.reference.crosswalks import (
    ARTICLE_ID,
    bundled_crosswalks,
    bundled_framework_fields,
    load_instruments,
    parse_article_id,
    parse_crosswalk,
    parse_instruments,
    roman,
)
from un1540.reference.files import read_yaml, reference_path
from un1540.reference.frameworks import bundled_frameworks
from un1540.reference.languages import UN_LANGUAGES


def test_every_link_names_a_field_of_its_framework_version_and_a_known_article() -> None:
    instruments = load_instruments()
    fields = bundled_framework_fields()
    crosswalks = bundled_crosswalks()
    assert crosswalks
    for crosswalk in crosswalks:
        assert crosswalk.framework in fields
        for link in crosswalk.links:
            assert link.field in fields[crosswalk.framework], link
            assert ARTICLE_ID.match(link.article.id), link
            instrument = instruments[link.article.instrument]
            assert not link.article.article or link.article.article in instrument.articles
            # Every article cited has its subject in the six languages, for the field pages.
            if link.article.article:
                assert set(instrument.subjects[link.article.article]) == set(UN_LANGUAGES)
            assert link.confidence in ("V", "GK")


def test_the_crosswalk_covers_the_instruments_the_matrix_serves() -> None:
    links = bundled_crosswalks()[0].links
    cited = {link.article.instrument for link in links}
    assert cited >= {"bwc", "cwc", "cppnm", "cppnm_2005", "icsant", "fatf"}
    by_field: dict[str, set[str]] = {}
    for link in links:
        by_field.setdefault(link.field, set()).add(link.article.id)
    # The anchors of the brief: national implementation, offences, physical protection, R.7.
    assert "bwc:IV" in by_field["op2.manufacture"]
    assert "cwc:VII.1(a)" in by_field["op2.manufacture"]
    assert "cppnm:7.1(a)" in by_field["op2.possess"]
    assert "cppnm_2005:2A" in by_field["op3ab.physical_protection"]
    assert "icsant:5" in by_field["op2.use"]
    assert "fatf:R7" in by_field["op2.finance"]
    # OP1 rows of the instruments link to the instrument as a whole.
    assert by_field["op1.cwc"] == {"cwc"}


def test_every_link_was_checked_against_the_text_but_the_geneva_protocol_row() -> None:
    crosswalk = bundled_crosswalks()[0]
    links = crosswalk.links
    unchecked = {(link.field, link.article.id) for link in links if link.confidence == "GK"}
    assert unchecked == {("op1.geneva_1925", "geneva_1925")}
    # A link left unchecked says why; a link to an article says what the article reads.
    assert all(link.note for link in links if link.confidence == "GK")
    assert all(link.note for link in links if link.article.article)
    by_field: dict[str, set[str]] = {}
    for link in links:
        by_field.setdefault(link.field, set()).add(link.article.id)
    # The corrections: the paragraph that carries the obligation, not the whole article.
    assert by_field["op3cd.export_control_law"] >= {"cppnm:4.1"}
    assert by_field["op3cd.import_control"] == {"cppnm:4.2"}
    assert by_field["op3cd.transit"] == {"cppnm:4.3"}
    assert "cppnm_2005:7.1(d)" in by_field["op3cd.illicit_trafficking"]
    assert "cppnm_2005:2A.2(b)" in by_field["op3ab.regulatory_authority"]
    assert not any(
        a in {"cppnm:4", "cppnm_2005:7.1", "cppnm_2005:2A.2"}
        for a in set().union(*by_field.values())
    )


def test_instruments_have_names_in_the_six_languages_and_dates() -> None:
    for instrument in load_instruments().values():
        assert set(instrument.names) | {"en"} == set(UN_LANGUAGES), instrument.code
    instruments = load_instruments()
    assert instruments["bwc"].articles[-1] == "XV"
    assert instruments["cwc"].articles[-1] == "XXIV"
    assert instruments["fatf"].articles[6] == "R7"
    assert instruments["cwc"].opened.isoformat() == "1993-01-13"
    assert [roman(n) for n in (4, 9, 14, 19, 24)] == ["IV", "IX", "XIV", "XIX", "XXIV"]


@pytest.mark.parametrize(
    ("article_id", "message"),
    [
        ("bwc:XVI", "BWC has no article 'XVI'"),
        ("xyz:III", "names no known instrument"),
        ("cwc VII", "is not an article id"),
        ("cwc:VII.a", "is not an article id"),
        ("fatf:7", "FATF has no article '7'"),
    ],
)
def test_bad_article_ids_are_refused(article_id: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_article_id(article_id, load_instruments())


def _raw_crosswalk() -> dict[str, Any]:
    raw = read_yaml(reference_path("crosswalks/un1540-matrix_reconstructed-2016.yml"))
    assert isinstance(raw, dict)
    return copy.deepcopy(raw)


def test_a_crosswalk_naming_unknown_fields_or_articles_lists_each_with_its_entry() -> None:
    raw = _raw_crosswalk()
    raw["links"][0]["field"] = "op1.nothing"
    raw["links"][6]["articles"].append("bwc:XX")
    with pytest.raises(InvalidData) as caught:
        parse_crosswalk(
            raw,
            source_name="x.yml",
            instruments=load_instruments(),
            framework_fields=bundled_framework_fields(),
        )
    problems = {(p.where, p.message) for p in caught.value.problems}
    slug = bundled_frameworks()[0].slug
    assert ("x.yml: links[0] (op1.nothing).field", f"no field 'op1.nothing' in {slug}") in problems
    field = raw["links"][6]["field"]
    assert (f"x.yml: links[6] ({field}).articles", "'bwc:XX': BWC has no article 'XX'") in problems


def test_a_crosswalk_for_an_unknown_framework_version_is_refused() -> None:
    raw = _raw_crosswalk()
    raw["framework"] = "un1540-matrix/nowhere"
    with pytest.raises(InvalidData) as caught:
        parse_crosswalk(
            raw,
            source_name="x.yml",
            instruments=load_instruments(),
            framework_fields=bundled_framework_fields(),
        )
    assert caught.value.problems[0].where == "x.yml: framework"


def test_an_instrument_subject_must_be_in_six_languages() -> None:
    raw = read_yaml(reference_path("instruments.yml"))
    raw["instruments"]["bwc"]["subjects"]["IV"].pop("zh")
    raw["instruments"]["bwc"]["subjects"]["XX"] = raw["instruments"]["bwc"]["subjects"]["I"]
    with pytest.raises(InvalidData) as caught:
        parse_instruments(raw, source_name="i.yml")
    wheres = {p.where for p in caught.value.problems}
    assert "i.yml: instruments.bwc.subjects.IV" in wheres
    assert "i.yml: instruments.bwc.subjects" in wheres
