"""The matching arithmetic as it was before it was made fast (issue 14): the test oracle.

This is the previous implementation of `rank` and `assign` (un1540.analytics.matching at commit
140da9d), kept verbatim but for the names: every pair of every item scored in dense blocks, then
item by item in Python; the linear programme built pair by pair from `Suggestion` objects. The
fast code must give the same suggestions (the same offers, in the same order, with the same
scores and parts, number for number) and the same assignment (the same pairs, items left out and
total): tests/analytics/test_matching.py and tests/services/test_matching_service.py.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from un1540.analytics.matching import (
    PART_NAMES,
    Assignment,
    ItemNeed,
    OfferReach,
    Settings,
    Suggestion,
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


def reference_part_matrices(
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


def reference_rank(
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
        parts = reference_part_matrices(block, offers)
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


def reference_assign(
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
