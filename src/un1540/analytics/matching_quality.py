"""The quality of the matching on a hand-labelled set: precision@k and recall@k.

A labelled set (tests/analytics/matching-quality.yml, its header says the fields) holds request
items from real States, a pool of offers, and for each item the offers an expert would propose.
For each item, the top k of its ranked suggestions (fewer if fewer are suggested):

- precision@k: the share of them that are relevant; an item with no suggestion counts 1 when
  nothing was relevant (the right answer is silence) and 0 otherwise;
- recall@k: the share of its relevant offers among them (1 when nothing was relevant).

Both are averaged over the items.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from un1540.analytics.matching import ItemNeed, OfferReach, Suggestion
from un1540.errors import InvalidData, Problem
from un1540.reference.files import read_yaml
from un1540.reference.frameworks import bundled_frameworks
from un1540.reference.states import load_regional_groups, load_states


@dataclass(frozen=True)
class QualitySet:
    items: list[ItemNeed]
    offers: list[OfferReach]
    relevant: dict[int, list[int]]  # item -> offers an expert would propose, best first
    notes: dict[int, str]


def state_areas() -> dict[str, frozenset[str]]:
    """Each State's regional groups (electoral, member, participant) and M49 areas, as the
    clearinghouse derives them from the database."""
    _, memberships = load_regional_groups()
    areas: dict[str, set[str]] = {}
    for state in load_states():
        codes = (
            state.electoral_group,
            state.m49_region,
            state.m49_subregion,
            state.m49_intermediate_region,
        )
        areas[state.iso3] = {code for code in codes if code}
    for membership in memberships:
        if membership.role != "observer" and membership.state in areas:
            areas[membership.state].add(membership.group)
    return {iso3: frozenset(codes) for iso3, codes in areas.items()}


def load_quality_set(path: Path) -> QualitySet:
    """The labelled set in `path`; every unknown code or offer key is named, nothing is used."""
    raw = read_yaml(path)
    spec = bundled_frameworks()[0].spec
    sections = {section.code: {f.code for f in section.fields} for section in spec.sections}
    known_fields = set().union(*sections.values())
    areas = state_areas()
    problems: list[Problem] = []

    def codes(where: str, values: Any, known: set[str]) -> frozenset[str]:
        unknown = [value for value in values or () if value not in known]
        if unknown:
            problems.append(Problem(f"{path.name}: {where}", f"unknown: {', '.join(unknown)}"))
        return frozenset(values or ())

    offers = []
    for key, offer in raw["offers"].items():
        fields = set(codes(f"offers.{key}.fields", offer.get("fields"), known_fields))
        for section in codes(f"offers.{key}.sections", offer.get("sections"), set(sections)):
            fields |= sections[section]
        offers.append(
            OfferReach(
                key=int(key),
                fields=frozenset(fields),
                weapons=codes(f"offers.{key}.weapons", offer.get("weapons"), {"nw", "cw", "bw"}),
                help_types=frozenset(offer["help_types"]),
                languages=frozenset(offer.get("languages") or ()),
                regions=frozenset(offer.get("regions") or ()),
                capacity_left=int(offer["capacity"]),
                record=float(offer["record"]),
            )
        )
    offer_keys = {offer.key for offer in offers}
    items, relevant, notes = [], {}, {}
    for key, item in raw["items"].items():
        if item["state"] not in areas:
            problems.append(Problem(f"{path.name}: items.{key}.state", "unknown State"))
        items.append(
            ItemNeed(
                key=int(key),
                fields=codes(f"items.{key}.fields", item.get("fields"), known_fields),
                weapons=codes(f"items.{key}.weapons", item.get("weapons"), {"nw", "cw", "bw"}),
                help_types=frozenset(item["help_types"]),
                languages=frozenset(item.get("languages") or ()),
                areas=areas.get(item["state"], frozenset()),
            )
        )
        relevant[int(key)] = [int(offer) for offer in item.get("relevant") or ()]
        unknown = [str(offer) for offer in relevant[int(key)] if offer not in offer_keys]
        if unknown:
            problems.append(
                Problem(f"{path.name}: items.{key}.relevant", f"unknown: {', '.join(unknown)}")
            )
        notes[int(key)] = str(item.get("note", ""))
    if problems:
        raise InvalidData(f"{path.name} is not a valid labelled set", problems=problems)
    return QualitySet(items=items, offers=offers, relevant=relevant, notes=notes)


def precision_at(
    ranked: Mapping[int, Sequence[Suggestion]], relevant: Mapping[int, Sequence[int]], k: int
) -> float:
    """Mean over the items of the share of relevant offers in each item's top k shown."""
    total = 0.0
    for item, wanted in relevant.items():
        shown = [s.offer for s in ranked.get(item, ())[:k]]
        if not shown:
            total += 0.0 if wanted else 1.0
        else:
            total += sum(1 for offer in shown if offer in wanted) / len(shown)
    return total / len(relevant) if relevant else 1.0


def recall_at(
    ranked: Mapping[int, Sequence[Suggestion]], relevant: Mapping[int, Sequence[int]], k: int
) -> float:
    """Mean over the items of the share of their relevant offers found in their top k."""
    total = 0.0
    for item, wanted in relevant.items():
        shown = {s.offer for s in ranked.get(item, ())[:k]}
        total += len(shown & set(wanted)) / len(wanted) if wanted else 1.0
    return total / len(relevant) if relevant else 1.0
