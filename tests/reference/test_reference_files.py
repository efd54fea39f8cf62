"""Every reference file is valid, documented and consistent."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from un1540.errors import InvalidData
from un1540.reference.assistance import load_assistance_vocabulary
from un1540.reference.files import REFERENCE_DIR, read_commented_csv
from un1540.reference.frameworks import ADHERENCE, bundled_frameworks, parse_framework
from un1540.reference.languages import UN_LANGUAGES
from un1540.reference.lifecycles import lifecycle
from un1540.reference.organisations import ORGANISATION_KINDS, load_organisations
from un1540.reference.passwords import common_passwords, parse_password_list
from un1540.reference.priorities import load_priority_method, parse_method
from un1540.reference.states import (
    load_m49_areas,
    load_regional_groups,
    load_states,
    search_key,
    state_memberships,
)

REFERENCE_FILES = sorted(
    p
    for p in REFERENCE_DIR.rglob("*")
    if p.suffix in (".csv", ".yml") or p.name == "common-passwords.txt"
)


@pytest.mark.parametrize("path", REFERENCE_FILES, ids=lambda p: p.name)
def test_every_reference_file_documents_itself_in_a_header(path: Path) -> None:
    first_lines = path.read_text(encoding="utf-8").splitlines()[:3]
    assert first_lines[0].startswith("# ")
    assert all(line.startswith("#") for line in first_lines)


def test_there_are_193_member_states_with_unique_codes() -> None:
    states = load_states()
    assert len(states) == 193
    for attribute in ("iso3", "iso2", "m49"):
        values = [getattr(state, attribute) for state in states]
        assert len(set(values)) == 193, attribute
    assert all(len(s.iso3) == 3 and s.iso3.isupper() for s in states)
    assert all(len(s.m49) == 3 and s.m49.isdigit() for s in states)


def test_regional_group_members_are_54_54_23_33_28_plus_the_united_states() -> None:
    members = Counter(
        m.group for state in load_states() for m in state_memberships(state) if m.role == "member"
    )
    assert members == {
        "african": 54,
        "asia_pacific": 54,
        "eastern_european": 23,
        "latin_american_caribbean": 33,
        "western_european_others": 28,
    }
    assert sum(members.values()) + 1 == 193


def test_special_memberships_keep_the_notes_of_the_source() -> None:
    by_iso3 = {state.iso3: state for state in load_states()}
    united_states = state_memberships(by_iso3["USA"])
    assert [(m.group, m.role, m.electoral) for m in united_states] == [
        ("western_european_others", "observer", True)
    ]
    assert "observer" in by_iso3["USA"].note
    turkiye = {(m.group, m.role, m.electoral) for m in state_memberships(by_iso3["TUR"])}
    assert turkiye == {
        ("western_european_others", "member", True),
        ("asia_pacific", "participant", False),
    }
    assert by_iso3["KIR"].electoral_group == "asia_pacific"


def test_every_state_has_m49_regions_that_exist() -> None:
    areas = load_m49_areas()
    for state in load_states():
        assert areas[state.m49_region].level == "region"
        assert areas[state.m49_subregion].parent == state.m49_region
        if state.m49_intermediate_region:
            assert areas[state.m49_intermediate_region].parent == state.m49_subregion
    by_region = Counter(state.m49_region for state in load_states())
    assert set(by_region) == {"africa", "americas", "asia", "europe", "oceania"}
    assert by_region["africa"] == 54


def test_every_state_has_a_cldr_name_in_each_un_language() -> None:
    for state in load_states():
        assert set(state.names) == set(UN_LANGUAGES)
        # A CLDR name differs from the English fallback in at least one non-Latin script.
        assert state.names["zh"] != state.short_name, state.iso3
        assert state.names["ar"] != state.short_name, state.iso3


def test_aliases_name_real_states_and_add_something() -> None:
    by_iso3 = {state.iso3: state for state in load_states()}
    rows = list(read_commented_csv(REFERENCE_DIR / "state-aliases.csv"))
    assert rows
    for _, row in rows:
        state = by_iso3[row["iso3"]]
        assert search_key(row["alias"]) not in {
            search_key(state.short_name),
            search_key(state.iso_name),
        }


def test_search_keys_ignore_case_and_accents() -> None:
    assert search_key("Côte d’Ivoire") == search_key("COTE D'IVOIRE")
    assert search_key("Türkiye") == "turkiye"


def test_m49_area_names_come_in_six_languages() -> None:
    areas = load_m49_areas()
    assert areas["africa"].names["fr"] == "Afrique"
    assert all(set(area.names) == set(UN_LANGUAGES) for area in areas.values())


def test_regional_groups_file_lists_five_groups() -> None:
    groups, specials = load_regional_groups()
    assert len(groups) == 5
    assert {m.state for m in specials} == {"TUR", "USA"}


def test_organisations_cover_known_areas_and_the_named_bodies() -> None:
    organisations = load_organisations()
    codes = {o.code for o in organisations}
    required = {
        "iaea",
        "opcw",
        "bwc_isu",
        "unoda",
        "unodc",
        "interpol",
        "wco",
        "who",
        "woah",
        "fao",
        "fatf",
        "eu",
        "au",
        "oas_cicte",
        "osce",
        "caricom",
        "sica",
    }
    assert required <= codes
    assert all(o.kind in ORGANISATION_KINDS and o.covers for o in organisations)
    assert {"nuclear", "chemical", "biological", "border", "finance"} <= {
        a for o in organisations for a in o.covers
    }


def test_bundled_framework_has_the_reconstructed_2016_structure() -> None:
    (framework,) = bundled_frameworks()
    assert framework.slug == "un1540-matrix/reconstructed-2016"
    sections = {s.code: s for s in framework.spec.sections}
    assert list(sections) == ["op1", "op2", "op3ab", "op3cd"]
    assert sections["op1"].cells == ADHERENCE
    verified = [f.code for s in framework.spec.sections for f in s.fields if f.verified]
    assert [f.number for f in sections["op1"].fields if f.verified] == list(range(1, 11))
    assert len(verified) == 10
    cells = framework.cells()
    expected = sum(
        1 if s.cells == ADHERENCE else len(f.applies_to) * len(s.cells)
        for s in framework.spec.sections
        for f in s.fields
    )
    assert len(cells) == expected == len({c.key for c in cells})
    assert "op2.manufacture:cw:legal_framework" in {c.key for c in cells}
    assert "op1.npt:any:adherence" in {c.key for c in cells}
    assert "op3ab.genetic_engineering:nw:legal_framework" not in {c.key for c in cells}


def test_names_with_commas_survive_yaml() -> None:
    (framework,) = bundled_frameworks()
    names = {f.code: f.name for s in framework.spec.sections for f in s.fields}
    assert (
        names["op3ab.physical_protection"]
        == "Physical protection of facilities, materials and transports"
    )


def _minimal_framework() -> dict[str, object]:
    return {
        "framework": "test-matrix",
        "version": "v1",
        "title": "Test",
        "weapon_categories": {"nw": {"name": "Nuclear"}},
        "column_kinds": {"legal_framework": {"name": "Law"}},
        "sections": [
            {
                "code": "op2",
                "title": "OP2",
                "cells": ["legal_framework"],
                "fields": [{"code": "op2.use", "number": 1, "name": "Use", "applies_to": ["nw"]}],
            }
        ],
    }


def test_a_minimal_framework_parses() -> None:
    definition = parse_framework(_minimal_framework(), source_name="test.yml", sha256="0" * 64)
    assert [c.key for c in definition.cells()] == ["op2.use:nw:legal_framework"]


@pytest.mark.parametrize(
    ("change", "where", "fragment"),
    [
        (
            lambda raw: raw["sections"][0]["fields"][0].update(applies_to=["xw"]),
            "fields[0] (op2.use).applies_to",
            "unknown weapon",
        ),
        (
            lambda raw: raw["sections"][0]["fields"][0].update(code="op3.use"),
            "fields[0] (op3.use)",
            "must start with",
        ),
        (
            lambda raw: raw["sections"][0].update(cells=["penalties"]),
            "sections[0] (op2).cells",
            "unknown column kind",
        ),
        (
            lambda raw: raw["sections"][0]["fields"][0].update(surprise=1),
            "fields[0] (op2.use).surprise",
            "Extra inputs",
        ),
        (
            lambda raw: raw["sections"][0]["fields"].append(dict(raw["sections"][0]["fields"][0])),
            "fields[1] (op2.use)",
            "duplicate field code",
        ),
        (lambda raw: raw.pop("version"), "version", "Field required"),
    ],
)
def test_framework_errors_name_the_place(change, where, fragment) -> None:  # type: ignore[no-untyped-def]
    raw = _minimal_framework()
    change(raw)
    with pytest.raises(InvalidData) as caught:
        parse_framework(raw, source_name="bad.yml", sha256="0" * 64)
    problems = caught.value.problems
    assert any(where in p.where and fragment in p.message for p in problems), problems
    assert all(p.where.startswith("bad.yml") for p in problems)


def test_the_priority_method_loads_with_every_kind_of_factor() -> None:
    method = load_priority_method()
    assert method.slug == "un1540-priorities/2"
    kinds = {factor.kind for factor in method.factors}
    assert kinds == {"matrix_gap", "indicator", "incident_count"}
    # The incidents factor is counted from the incident register, not imported by hand.
    incidents = method.factor("incidents")
    assert incidents is not None
    assert incidents.incidents is not None
    assert "incidents" not in method.indicator_codes
    assert "not a measure of compliance" in method.label
    sections = {section for factor in method.factors for section in factor.sections}
    assert sections <= {"op1", "op2", "op3ab", "op3cd"}


def test_priority_method_errors_name_the_factor_and_field() -> None:
    raw = {
        "method": "m",
        "version": "1",
        "label": "an aid",
        "sensitivity": {"runs": 100, "spread": 0.5, "seed": 1, "band": 2},
        "factors": {
            "good": {"name": "G", "kind": "matrix_gap", "description": "d", "weight": 1},
            "bad": {"name": "B", "kind": "indicator", "description": "d", "weight": -1},
        },
    }
    with pytest.raises(InvalidData) as raised:
        parse_method(raw, "test.yml")
    wheres = [problem.where for problem in raised.value.problems]
    assert "test.yml: factors.bad.weight" in wheres
    assert any("bad" in where for where in wheres)


def test_the_assistance_lifecycle_is_consistent() -> None:
    vocabulary = load_assistance_vocabulary()
    requests = lifecycle("assistance_request")
    assert requests.initial == "received"
    assert list(requests.statuses)[-1] == "closed"
    assert requests.targets_from("circulated") == ("published", "matched", "closed")
    assert requests.targets_from("closed") == ()
    assert vocabulary.requires_public_consent == {"published"}
    assert set(vocabulary.consent) == {"public", "providers", "committee"}
    assert "legislative_drafting" in vocabulary.help_types


def test_the_common_password_list_is_documented_lowercase_and_complete() -> None:
    text = (REFERENCE_DIR / "common-passwords.txt").read_text(encoding="utf-8")
    header = text.partition("\n\n")[0]
    for needed in ("Source:", "Licence: BSD-3-Clause", "Royce Williams", "19,640"):
        assert needed in header
    assert (REFERENCE_DIR / "LICENSE-common-passwords.txt").read_text().startswith("Copyright")
    passwords = common_passwords()
    assert len(passwords) == 19_640  # as the header says: the source's entries, all kept
    assert {"123456", "password", "qwerty", "iloveyou", "#1bitch"} <= passwords
    assert all(p == p.lower() and p.strip() == p and p for p in passwords)


def test_a_damaged_password_list_is_refused_naming_the_line() -> None:
    with pytest.raises(InvalidData) as caught:
        parse_password_list("# header\n\nfine\nNot Lowercase\n\nalso-fine\n", "list.txt")
    assert [p.where for p in caught.value.problems] == ["list.txt:4", "list.txt:5"]
    with pytest.raises(InvalidData):
        parse_password_list("no header\nfine\n", "list.txt")
