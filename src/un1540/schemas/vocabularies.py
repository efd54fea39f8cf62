"""The closed vocabularies a client may send (codes of groups, regions, States, sections,
fields, weapons, statuses, kinds of help...), read from the reference data the database is
loaded from, so that the OpenAPI document lists what is accepted (`enum`).

The services still check every value against the database and name what is wrong; these lists
only say so in advance. `enum(...)` and `enum_items(...)` are the `json_schema_extra` of a
parameter or field taking one code, or a list of distinct codes.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from typing import Any

from babel.numbers import list_currencies

from un1540.models.documents import DocumentKind
from un1540.reference.assistance import load_assistance_vocabulary
from un1540.reference.commitments import FULFILMENT_KINDS, commitment_kinds
from un1540.reference.crosswalks import load_instruments
from un1540.reference.frameworks import bundled_frameworks
from un1540.reference.languages import UN_LANGUAGES
from un1540.reference.lifecycles import lifecycle
from un1540.reference.organisations import load_organisations
from un1540.reference.states import load_m49_areas, load_regional_groups, load_states

VERDICTS = ("accept", "reject", "unsure")
FEEDBACK_SIDES = ("recipient", "provider")
FUNDING_KINDS = ("pledge", "contribution")


@cache
def vocabulary(name: str) -> tuple[str, ...]:
    """The codes of one vocabulary, in the reference data's order."""
    frameworks = bundled_frameworks()
    sections = [section for framework in frameworks for section in framework.spec.sections]
    states = load_states()
    groups = tuple(load_regional_groups()[0])
    lists: dict[str, Iterable[str]] = {
        "group": groups,
        "m49_area": tuple(load_m49_areas()),
        # Where an offer reaches or a pledge is earmarked: a regional group or an M49 region.
        "region": (*groups, *dict.fromkeys(state.m49_region for state in states)),
        "state": (state.iso3 for state in states),
        "framework": (framework.slug for framework in frameworks),
        "section": (section.code for section in sections),
        "field": (field.code for section in sections for field in section.fields),
        "weapon": (code for framework in frameworks for code in framework.spec.weapon_categories),
        "help_type": tuple(load_assistance_vocabulary().help_types),
        "consent": tuple(load_assistance_vocabulary().consent),
        "language": UN_LANGUAGES,
        "currency": sorted(list_currencies()),
        "request_status": tuple(lifecycle("assistance_request").statuses),
        "project_status": tuple(lifecycle("assistance_project").statuses),
        "measure_status": tuple(lifecycle("action_plan_measure").statuses),
        "milestone_status": tuple(lifecycle("action_plan_milestone").statuses),
        "visit_status": tuple(lifecycle("visit").statuses),
        "commitment_status": tuple(lifecycle("commitment").statuses),
        "commitment_kind": tuple(commitment_kinds()),
        "fulfilment_kind": FULFILMENT_KINDS,
        "organisation": tuple(organisation.code for organisation in load_organisations()),
        "verdict": VERDICTS,
        "feedback_side": FEEDBACK_SIDES,
        "funding_kind": FUNDING_KINDS,
        "instrument": tuple(load_instruments()),
        "document_kind": tuple(kind.value for kind in DocumentKind),
    }
    return tuple(dict.fromkeys(lists[name]))


def enum(name: str, *extra: str) -> dict[str, Any]:
    """`json_schema_extra` of a parameter or field taking one code of this vocabulary."""
    return {"enum": [*vocabulary(name), *extra]}


def enum_items(name: str) -> dict[str, Any]:
    """`json_schema_extra` of a field taking a list of distinct codes of this vocabulary."""
    return {"items": {"type": "string", "enum": list(vocabulary(name))}, "uniqueItems": True}
