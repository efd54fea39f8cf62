"""Matching request items to offers: explained scores, rankings and a global assignment.

Every (item, offer) pair gets a score from 0 to 1, the weighted average of parts that each say
one thing (reference/matching.yml): matrix fields covered, weapon categories, kinds of help,
language, region, capacity left, the provider's record. Items and offers are encoded as 0/1
matrices over each vocabulary, so all pairs are scored with a few matrix products; `pair_parts`
computes the same parts for one pair with plain sets (the explanation, and the test oracle).
The parts named `required` (reference/matching.yml) are the relevance gate: a pair where one of
them is 0 (no field or weapon category in common, none of the kinds of help asked for, an offer
working only in other regions) is never suggested, whatever else fits.
The global assignment gives each item at most one offer and each offer at most its capacity,
maximising the total score, by linear programming (SciPy's HiGHS): the constraint matrix of this
bipartite problem is totally unimodular, so the solution is whole. Pairs an expert accepted are
fixed in it: they are given as they are, and the capacities passed are what is left after them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

PART_NAMES = ("fields", "weapons", "help_types", "language", "region", "capacity", "record")


@dataclass(frozen=True)
class ItemNeed:
    key: int
    fields: frozenset[str]
    weapons: frozenset[str]
    help_types: frozenset[str]
    languages: frozenset[str]
    areas: frozenset[str]  # the requester's regional groups and M49 areas; empty: unknown


@dataclass(frozen=True)
class OfferReach:
    key: int
    fields: frozenset[str]  # explicit fields and every field of its sections; empty: all
    weapons: frozenset[str]  # empty: all
    help_types: frozenset[str]
    languages: frozenset[str]  # empty: any
    regions: frozenset[str]  # empty: anywhere
    capacity_left: int
    record: float  # 0..1


@dataclass(frozen=True)
class Settings:
    weights: Mapping[str, float]
    accepted_bonus: float
    minimum_score: float
    candidates: int
    required: tuple[str, ...] = ()  # parts that must not be 0


def _share(asked: frozenset[str], offered: frozenset[str]) -> float:
    if not asked or not offered:
        return 1.0
    return len(asked & offered) / len(asked)


def pair_parts(item: ItemNeed, offer: OfferReach) -> dict[str, float]:
    """The parts of one pair's score, with sets: the reference the matrix version must equal."""
    return {
        "fields": _share(item.fields, offer.fields),
        "weapons": _share(item.weapons, offer.weapons),
        "help_types": len(item.help_types & offer.help_types) / len(item.help_types)
        if item.help_types
        else 1.0,
        "language": 1.0
        if not item.languages or not offer.languages or item.languages & offer.languages
        else 0.0,
        "region": 1.0 if not offer.regions or not item.areas or item.areas & offer.regions else 0.0,
        "capacity": 1.0 if offer.capacity_left > 0 else 0.0,
        "record": offer.record,
    }


def combine(
    parts: Mapping[str, float], settings: Settings, verdict: str | None = None
) -> float | None:
    """The score of one pair from its parts and an expert's verdict (None: never suggested)."""
    if verdict == "reject" or any(parts[name] == 0 for name in settings.required):
        return None
    total = sum(settings.weights.values())
    score = sum(settings.weights[name] * parts[name] for name in PART_NAMES) / total
    if verdict == "accept":
        score = min(1.0, score + settings.accepted_bonus)
    return score


def accepted_pair(item: ItemNeed, offer: OfferReach, settings: Settings) -> Suggestion:
    """A pair an expert accepted, scored with its bonus: the expert's acceptance stands even
    where the gate or the minimum score would have left the pair out."""
    parts = pair_parts(item, offer)
    total = sum(settings.weights.values())
    score = sum(settings.weights[name] * parts[name] for name in PART_NAMES) / total
    return Suggestion(
        item=item.key,
        offer=offer.key,
        score=min(1.0, score + settings.accepted_bonus),
        parts=parts,
        verdict="accept",
    )


def _onehot(sets: Sequence[frozenset[str]], vocabulary: Sequence[str]) -> npt.NDArray[np.float32]:
    index = {value: position for position, value in enumerate(vocabulary)}
    matrix = np.zeros((len(sets), len(vocabulary)), dtype=np.float32)
    for row, values in enumerate(sets):
        for value in values:
            matrix[row, index[value]] = 1.0
    return matrix


def _share_matrix(
    asked: Sequence[frozenset[str]], offered: Sequence[frozenset[str]]
) -> npt.NDArray[np.float32]:
    """`_share` for every pair: |asked & offered| / |asked|, 1 when either side is empty."""
    vocabulary = sorted(set().union(*asked, *offered)) if (asked or offered) else []
    a, o = _onehot(asked, vocabulary), _onehot(offered, vocabulary)
    overlap = a @ o.T
    sizes = a.sum(axis=1, keepdims=True)
    shares: npt.NDArray[np.float32] = np.divide(
        overlap, sizes, out=np.ones_like(overlap), where=sizes > 0
    )
    shares[:, o.sum(axis=1) == 0] = 1.0
    return shares


def _any_match(
    asked: Sequence[frozenset[str]], offered: Sequence[frozenset[str]], empty_asked_matches: bool
) -> npt.NDArray[np.float32]:
    vocabulary = sorted(set().union(*asked, *offered)) if (asked or offered) else []
    a, o = _onehot(asked, vocabulary), _onehot(offered, vocabulary)
    result = ((a @ o.T) > 0).astype(np.float32)
    result[:, o.sum(axis=1) == 0] = 1.0
    if empty_asked_matches:
        result[a.sum(axis=1) == 0, :] = 1.0
    return result


def part_matrices(
    items: Sequence[ItemNeed], offers: Sequence[OfferReach]
) -> dict[str, npt.NDArray[np.float32]]:
    """Every part for every pair (items x offers), with matrix products."""
    help_asked = [item.help_types for item in items]
    help_vocabulary = sorted(set().union(*help_asked, *(o.help_types for o in offers)))
    a = _onehot(help_asked, help_vocabulary)
    o = _onehot([offer.help_types for offer in offers], help_vocabulary)
    sizes = a.sum(axis=1, keepdims=True)
    help_share = np.divide(
        a @ o.T, sizes, out=np.ones((len(items), len(offers)), np.float32), where=sizes > 0
    )
    ones = np.ones((len(items), 1), dtype=np.float32)
    return {
        "fields": _share_matrix([i.fields for i in items], [o.fields for o in offers]),
        "weapons": _share_matrix([i.weapons for i in items], [o.weapons for o in offers]),
        "help_types": help_share,
        "language": _any_match(
            [i.languages for i in items], [o.languages for o in offers], empty_asked_matches=True
        ),
        "region": _any_match(
            [i.areas for i in items], [o.regions for o in offers], empty_asked_matches=True
        ),
        "capacity": ones
        @ np.array([[1.0 if o.capacity_left > 0 else 0.0 for o in offers]], np.float32),
        "record": ones @ np.array([[o.record for o in offers]], np.float32),
    }


@dataclass(frozen=True)
class Suggestion:
    item: int
    offer: int
    score: float
    parts: dict[str, float]
    verdict: str | None


def rank(
    items: Sequence[ItemNeed],
    offers: Sequence[OfferReach],
    settings: Settings,
    verdicts: Mapping[tuple[int, int], str] | None = None,
    *,
    limit: int | None = None,
    chunk: int = 512,
    with_parts: bool = True,
) -> dict[int, list[Suggestion]]:
    """For each item, the offers at or above the minimum score, best first (ties: offer key).
    Without `with_parts` the suggestions carry no parts (`pair_parts` gives them for the few
    pairs that need them: the global assignment's)."""
    verdicts = verdicts or {}
    total = sum(settings.weights.values())
    weights = {name: settings.weights[name] / total for name in PART_NAMES}
    result: dict[int, list[Suggestion]] = {}
    offer_keys = np.array([offer.key for offer in offers])
    column_of = {offer.key: column for column, offer in enumerate(offers)}
    by_item: dict[int, list[tuple[int, str]]] = {}
    for (item_key, offer_key), verdict in verdicts.items():
        if offer_key in column_of:
            by_item.setdefault(item_key, []).append((column_of[offer_key], verdict))
    for start in range(0, len(items), chunk):
        block = items[start : start + chunk]
        parts = part_matrices(block, offers)
        scores = sum(weights[name] * parts[name] for name in PART_NAMES)
        assert isinstance(scores, np.ndarray)
        if with_parts:
            stacked = np.stack([parts[name] for name in PART_NAMES], axis=-1)  # rows x offers x 7
        for row, item in enumerate(block):
            line = scores[row].astype(np.float64)
            for name in settings.required:
                line[parts[name][row] == 0] = -1.0
            for column, verdict in by_item.get(item.key, ()):
                if verdict == "reject":
                    line[column] = -1.0  # never suggested again
                elif verdict == "accept":
                    line[column] = min(1.0, line[column] + settings.accepted_bonus)
            eligible = np.flatnonzero(line >= settings.minimum_score - 1e-9)
            order = eligible[np.lexsort((offer_keys[eligible], -line[eligible]))]
            if limit is not None:
                order = order[:limit]
            chosen_parts = stacked[row, order].tolist() if with_parts else [()] * len(order)
            result[item.key] = [
                Suggestion(
                    item=item.key,
                    offer=offer_key,
                    score=score,
                    parts=dict(zip(PART_NAMES, values, strict=True)) if with_parts else {},
                    verdict=verdicts.get((item.key, offer_key)),
                )
                for offer_key, score, values in zip(
                    offer_keys[order].tolist(), line[order].tolist(), chosen_parts, strict=True
                )
            ]
    return result


@dataclass(frozen=True)
class Assignment:
    pairs: list[Suggestion]
    unassigned: list[int]  # items with no eligible offer or none left
    total_score: float


def assign(
    candidates: Mapping[int, Sequence[Suggestion]],
    capacities: Mapping[int, int],
    fixed: Sequence[Suggestion] = (),
) -> Assignment:
    """At most one offer per item, at most its capacity per offer, the greatest total score.

    `fixed` pairs (experts' acceptances, at most one per item) are part of the answer as they
    are; their items take no other offer, and `capacities` are what each offer has left after
    every accepted pair, so an accepted pair uses its offer's capacity once."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    fixed_items = {pair.item for pair in fixed}
    if len(fixed_items) != len(fixed):
        raise ValueError("at most one fixed pair per item")
    fixed_score = float(sum(pair.score for pair in fixed))
    arcs = [
        s
        for key, suggestions in candidates.items()
        if key not in fixed_items
        for s in suggestions
        if capacities.get(s.offer, 0) > 0
    ]
    items = sorted(key for key in candidates if key not in fixed_items)
    if not arcs:
        return Assignment(
            pairs=sorted(fixed, key=lambda arc: arc.item), unassigned=items, total_score=fixed_score
        )
    item_row = {item: row for row, item in enumerate(items)}
    offers = sorted({arc.offer for arc in arcs})
    offer_row = {offer: len(items) + row for row, offer in enumerate(offers)}
    columns = np.arange(len(arcs))
    rows = np.concatenate(
        [[item_row[arc.item] for arc in arcs], [offer_row[arc.offer] for arc in arcs]]
    )
    matrix = coo_matrix(
        (np.ones(2 * len(arcs)), (rows, np.concatenate([columns, columns]))),
        shape=(len(items) + len(offers), len(arcs)),
    ).tocsr()
    limits = np.concatenate([np.ones(len(items)), [capacities[offer] for offer in offers]])
    solution = linprog(
        -np.array([arc.score for arc in arcs]),
        A_ub=matrix,
        b_ub=limits,
        bounds=(0, 1),
        method="highs",
    )
    if solution.status != 0:
        raise RuntimeError(f"the assignment could not be solved: {solution.message}")
    chosen = [arc for arc, value in zip(arcs, solution.x, strict=True) if value > 0.5]
    assigned = {arc.item for arc in chosen}
    return Assignment(
        pairs=sorted([*fixed, *chosen], key=lambda arc: arc.item),
        unassigned=[item for item in items if item not in assigned],
        total_score=fixed_score + float(sum(arc.score for arc in chosen)),
    )
