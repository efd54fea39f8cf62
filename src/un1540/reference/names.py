"""Names of States, groups, regions and matrix terms in the six languages, from the reference
data (CLDR names of States and M49 regions, the regional groups' names, the `names` and `titles`
of the bundled frameworks, the instruments, the priority method, the evidence lexicon's
concepts). The portal (web/portal/labels.py) and the documents written in a reader's language
(io/review_report.py) read them here."""

from __future__ import annotations

from functools import lru_cache

from un1540.reference.concepts import load_concept_names
from un1540.reference.crosswalks import load_instruments
from un1540.reference.frameworks import bundled_frameworks
from un1540.reference.priorities import load_priority_method
from un1540.reference.states import load_m49_areas, load_regional_groups, load_states


@lru_cache(maxsize=1)
def localized_names() -> dict[str, dict[str, dict[str, str]]]:
    """dimension -> key -> language -> name."""
    groups, _ = load_regional_groups()
    names: dict[str, dict[str, dict[str, str]]] = {
        "state": {state.iso3: state.names for state in load_states()},
        "region": {code: area.names for code, area in load_m49_areas().items()},
        "group": {code: group.names for code, group in groups.items()},
        "section": {},
        "weapon": {},
        "column": {},
        "field": {},
        "factor": {},
        "factor_description": {},
        "concept": {code: concept.names for code, concept in load_concept_names().items()},
        "method": {"label": load_priority_method().labels},
        "instrument": {code: item.names for code, item in load_instruments().items()},
        "article_subject": {
            f"{code}:{article}": texts
            for code, item in load_instruments().items()
            for article, texts in item.subjects.items()
        },
    }
    for factor in load_priority_method().factors:
        names["factor"][factor.code] = factor.names
        names["factor_description"][factor.code] = factor.descriptions
    for definition in bundled_frameworks():
        spec = definition.spec
        for code, item in spec.weapon_categories.items():
            names["weapon"].setdefault(code, item.names)
        for code, item in spec.column_kinds.items():
            names["column"].setdefault(code, item.names)
        for section in spec.sections:
            names["section"].setdefault(section.code, section.titles)
            for field in section.fields:
                names["field"].setdefault(field.code, field.names)
    return names


def localized_name(dimension: str, key: str, language: str, fallback: str) -> str:
    """The name of `key` in `language`, or `fallback` (the English label)."""
    if language == "en":
        return fallback
    return localized_names().get(dimension, {}).get(key, {}).get(language, fallback)
