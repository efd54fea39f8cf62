"""Names of States, groups, regions and matrix terms in the language of the page.

The services and the API speak English labels; the portal shows the same keys in the reader's
language from the reference data (CLDR names of States and M49 regions, the regional groups'
names, and the `names` and `titles` of the bundled framework), falling back to the English label
it was given.
"""

from __future__ import annotations

from functools import lru_cache

from un1540.reference.crosswalks import load_instruments
from un1540.reference.frameworks import bundled_frameworks
from un1540.reference.priorities import load_priority_method
from un1540.reference.states import load_m49_areas, load_regional_groups, load_states
from un1540.web.i18n import language


@lru_cache(maxsize=1)
def _names() -> dict[str, dict[str, dict[str, str]]]:
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


def label(dimension: str, key: str, fallback: str) -> str:
    """The name of `key` in the page's language, or `fallback` (the English label)."""
    code = language()
    if code == "en":
        return fallback
    return _names().get(dimension, {}).get(key, {}).get(code, fallback)


def state_name(iso3: str, fallback: str) -> str:
    return label("state", iso3, fallback)


@lru_cache(maxsize=1)
def _english_field_names() -> dict[str, str]:
    return {
        field.code: field.name
        for definition in bundled_frameworks()
        for section in definition.spec.sections
        for field in section.fields
    }


def field_label(code: str) -> str:
    """A field's name in the page's language, from its code alone."""
    return label("field", code, _english_field_names().get(code, code))
