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

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace

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


def _index(*groups: Sequence[frozenset[str]]) -> dict[str, int]:
    """One column per value named on either side (the order does not change any count)."""
    values: set[str] = set()
    for sets in groups:
        values.update(*sets)
    return {value: column for column, value in enumerate(sorted(values))}


def _onehot(sets: Sequence[frozenset[str]], index: Mapping[str, int]) -> npt.NDArray[np.float32]:
    matrix = np.zeros((len(sets), len(index)), dtype=np.float32)
    rows = [row for row, values in enumerate(sets) for _ in values]
    columns = [index[value] for values in sets for value in values]
    matrix[rows, columns] = 1.0
    return matrix


@dataclass(frozen=True)
class _Side:
    """One vocabulary's offer side, encoded once for every block of items: the offers' 0/1
    matrix transposed (vocabulary x offers) and which offers name no value."""

    index: dict[str, int]
    offered: npt.NDArray[np.float32]
    empty: npt.NDArray[np.bool_]


def _side(asked: Sequence[frozenset[str]], offered: Sequence[frozenset[str]]) -> _Side:
    index = _index(asked, offered)
    matrix = _onehot(offered, index)
    return _Side(
        index=index,
        offered=np.ascontiguousarray(matrix.T),
        empty=np.array([not values for values in offered], dtype=np.bool_),
    )


class _Offers:
    """The offers encoded once (every vocabulary, capacity, record): `parts` then scores each
    block of items against all of them with one matrix product per vocabulary."""

    def __init__(self, items: Sequence[ItemNeed], offers: Sequence[OfferReach]) -> None:
        self.fields = _side([i.fields for i in items], [o.fields for o in offers])
        self.weapons = _side([i.weapons for i in items], [o.weapons for o in offers])
        self.help_types = _side([i.help_types for i in items], [o.help_types for o in offers])
        self.languages = _side([i.languages for i in items], [o.languages for o in offers])
        self.regions = _side([i.areas for i in items], [o.regions for o in offers])
        self.capacity = np.array(
            [[1.0 if o.capacity_left > 0 else 0.0 for o in offers]], dtype=np.float32
        )
        self.record = np.array([[o.record for o in offers]], dtype=np.float32)

    def parts(self, block: Sequence[ItemNeed]) -> dict[str, npt.NDArray[np.float32]]:
        """Every part for every pair (block x offers): what `pair_parts` gives pair by pair."""
        shape = (len(block), self.capacity.shape[1])
        return {
            "fields": _share_block(
                self.fields, [i.fields for i in block], empty_offered_covers=True
            ),
            "weapons": _share_block(
                self.weapons, [i.weapons for i in block], empty_offered_covers=True
            ),
            "help_types": _share_block(
                self.help_types, [i.help_types for i in block], empty_offered_covers=False
            ),
            "language": _any_match(self.languages, [i.languages for i in block]),
            "region": _any_match(self.regions, [i.areas for i in block]),
            "capacity": np.broadcast_to(self.capacity, shape),
            "record": np.broadcast_to(self.record, shape),
        }


def _share_block(
    side: _Side, asked: Sequence[frozenset[str]], *, empty_offered_covers: bool
) -> npt.NDArray[np.float32]:
    """|asked & offered| / |asked| for every pair, 1 when nothing is asked (and, with
    `empty_offered_covers`, when the offer names nothing: it covers all)."""
    a = _onehot(asked, side.index)
    overlap = a @ side.offered
    sizes = a.sum(axis=1, keepdims=True)
    shares: npt.NDArray[np.float32] = np.divide(
        overlap, sizes, out=np.ones_like(overlap), where=sizes > 0
    )
    if empty_offered_covers:
        shares[:, side.empty] = 1.0
    return shares


def _any_match(side: _Side, asked: Sequence[frozenset[str]]) -> npt.NDArray[np.float32]:
    """1 where they share a value, or either side names none."""
    a = _onehot(asked, side.index)
    result = ((a @ side.offered) > 0).astype(np.float32)
    result[:, side.empty] = 1.0
    result[a.sum(axis=1) == 0, :] = 1.0
    return result


def part_matrices(
    items: Sequence[ItemNeed], offers: Sequence[OfferReach]
) -> dict[str, npt.NDArray[np.float32]]:
    """Every part for every pair (items x offers), with matrix products."""
    return _Offers(items, offers).parts(items)


@dataclass(frozen=True)
class Suggestion:
    item: int
    offer: int
    score: float
    parts: dict[str, float]
    verdict: str | None


@dataclass(frozen=True)
class Candidates:
    """Each item's offers at or above the minimum score, best first, as arrays (what the global
    assignment needs, without an object per pair): item `items[i]` has the `counts[i]` offers
    that follow those of the items before it in `offers`, with their `scores`."""

    items: npt.NDArray[np.int64]
    counts: npt.NDArray[np.int64]
    offers: npt.NDArray[np.int64]
    scores: npt.NDArray[np.float64]

    def count_of(self) -> dict[int, int]:
        return dict(zip(self.items.tolist(), self.counts.tolist(), strict=True))


@dataclass(frozen=True)
class _Chosen:
    """One block's chosen pairs, item by item, best first: row in the block, offer column,
    score, and the block's parts (for the pairs' explanations)."""

    rows: npt.NDArray[np.intp]
    columns: npt.NDArray[np.intp]
    scores: npt.NDArray[np.float64]
    parts: dict[str, npt.NDArray[np.float32]]


def _ranked_blocks(
    items: Sequence[ItemNeed],
    offers: Sequence[OfferReach],
    settings: Settings,
    verdicts: Mapping[tuple[int, int], str],
    limit: int | None,
    chunk: int,
) -> Iterator[tuple[int, _Chosen]]:
    """Score `chunk` items at a time against every offer (a block of chunk x offers numbers:
    memory linear in items), and keep each item's eligible offers, best first (ties: offer
    key), at most `limit`: the same arithmetic, number for number, as scoring pair by pair."""
    total = sum(settings.weights.values())
    weights = {name: settings.weights[name] / total for name in PART_NAMES}
    encoded = _Offers(items, offers)
    offer_keys = np.array([offer.key for offer in offers], dtype=np.int64)
    column_of = {offer.key: column for column, offer in enumerate(offers)}
    row_of = {item.key: row for row, item in enumerate(items)}
    judged = [
        (row_of[item_key], column_of[offer_key], verdict)
        for (item_key, offer_key), verdict in verdicts.items()
        if offer_key in column_of and item_key in row_of and verdict in ("accept", "reject")
    ]
    judged_rows = np.array([row for row, _, _ in judged], dtype=np.intp)
    judged_columns = np.array([column for _, column, _ in judged], dtype=np.intp)
    judged_accepts = np.array([verdict == "accept" for _, _, verdict in judged], dtype=np.bool_)
    width = len(offers)
    floor = settings.minimum_score - 1e-9
    for start in range(0, len(items), chunk):
        block = items[start : start + chunk]
        parts = encoded.parts(block)
        gate = np.ones((len(block), width), dtype=np.bool_)
        for name in settings.required:
            gate &= parts[name] != 0
        here = (judged_rows >= start) & (judged_rows < start + len(block))
        cells = (judged_rows[here] - start) * width + judged_columns[here]
        accepts = judged_accepts[here]
        # Scored: the pairs through the gate, and those an expert accepted (a pair the gate
        # leaves out scores -1, plus the bonus if accepted); every other pair scores -1, below
        # any minimum score above -1.
        scored = gate.copy() if floor > -1.0 else np.ones_like(gate)
        scored.reshape(-1)[cells[accepts]] = True
        rows, columns = np.nonzero(scored)
        # The weighted sum in float32, part after part: the same numbers as pair by pair.
        scores = sum(weights[name] * parts[name][rows, columns] for name in PART_NAMES)
        assert isinstance(scores, np.ndarray)
        line = np.where(gate[rows, columns], scores.astype(np.float64), -1.0)
        linear = rows * width + columns  # increasing: np.nonzero goes row by row
        at = np.searchsorted(linear, cells)
        found = at < len(linear)
        found[found] = linear[at[found]] == cells[found]
        line[at[found & ~accepts]] = -1.0  # rejected: never suggested again
        accepted = at[accepts]
        line[accepted] = np.minimum(1.0, line[accepted] + settings.accepted_bonus)
        eligible = line >= floor
        rows, columns, values = rows[eligible], columns[eligible], line[eligible]
        order = np.lexsort((offer_keys[columns], -values, rows))
        rows, columns, values = rows[order], columns[order], values[order]
        if limit is not None:
            position = np.arange(len(rows)) - np.searchsorted(rows, rows)
            kept = position < limit
            rows, columns, values = rows[kept], columns[kept], values[kept]
        yield start, _Chosen(rows=rows, columns=columns, scores=values, parts=parts)


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
    pairs that need them)."""
    verdicts = verdicts or {}
    result: dict[int, list[Suggestion]] = {item.key: [] for item in items}
    offer_keys = [offer.key for offer in offers]
    for start, chosen in _ranked_blocks(items, offers, settings, verdicts, limit, chunk):
        values = (
            np.stack([chosen.parts[name][chosen.rows, chosen.columns] for name in PART_NAMES], 1)
            if with_parts
            else np.zeros((len(chosen.rows), 0))
        )
        for row, column, score, numbers in zip(
            chosen.rows.tolist(),
            chosen.columns.tolist(),
            chosen.scores.tolist(),
            values.tolist(),
            strict=True,
        ):
            item_key, offer_key = items[start + row].key, offer_keys[column]
            result[item_key].append(
                Suggestion(
                    item=item_key,
                    offer=offer_key,
                    score=score,
                    parts=dict(zip(PART_NAMES, numbers, strict=True)) if with_parts else {},
                    verdict=verdicts.get((item_key, offer_key)),
                )
            )
    return result


def candidate_table(
    items: Sequence[ItemNeed],
    offers: Sequence[OfferReach],
    settings: Settings,
    verdicts: Mapping[tuple[int, int], str] | None = None,
    *,
    limit: int | None = None,
    chunk: int = 512,
) -> Candidates:
    """`rank` as arrays, without parts nor an object per pair: the global assignment's input."""
    offer_keys = np.array([offer.key for offer in offers], dtype=np.int64)
    counts, chosen_offers, scores = [], [], []
    for start, chosen in _ranked_blocks(items, offers, settings, verdicts or {}, limit, chunk):
        block = min(chunk, len(items) - start)
        counts.append(np.bincount(chosen.rows, minlength=block)[:block])
        chosen_offers.append(offer_keys[chosen.columns])
        scores.append(chosen.scores)
    return Candidates(
        items=np.array([item.key for item in items], dtype=np.int64),
        counts=np.concatenate(counts).astype(np.int64) if counts else np.zeros(0, np.int64),
        offers=np.concatenate(chosen_offers) if chosen_offers else np.zeros(0, np.int64),
        scores=np.concatenate(scores) if scores else np.zeros(0, np.float64),
    )


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
    listed = [s for suggestions in candidates.values() for s in suggestions]
    table = Candidates(
        items=np.array(list(candidates), dtype=np.int64),
        counts=np.array([len(s) for s in candidates.values()], dtype=np.int64),
        offers=np.array([s.offer for s in listed], dtype=np.int64),
        scores=np.array([s.score for s in listed], dtype=np.float64),
    )
    result = assign_candidates(table, capacities, fixed)
    given = {(s.item, s.offer): s for s in listed}
    fixed_items = {pair.item for pair in fixed}
    return replace(
        result,
        pairs=[
            pair if pair.item in fixed_items else given[pair.item, pair.offer]
            for pair in result.pairs
        ],
    )


def assign_candidates(
    table: Candidates,
    capacities: Mapping[int, int],
    fixed: Sequence[Suggestion] = (),
    verdicts: Mapping[tuple[int, int], str] | None = None,
) -> Assignment:
    """`assign` from arrays: the same linear programme, arc for arc (items in their order, each
    item's offers best first), so the same solution; the pairs chosen carry their `verdicts`."""
    from scipy.optimize import linprog
    from scipy.sparse import coo_matrix

    fixed_items = {pair.item for pair in fixed}
    if len(fixed_items) != len(fixed):
        raise ValueError("at most one fixed pair per item")
    fixed_score = float(sum(pair.score for pair in fixed))
    arc_items = np.repeat(table.items, table.counts)
    known, where = np.unique(table.offers, return_inverse=True)
    left = np.array([capacities.get(offer, 0) for offer in known.tolist()], dtype=np.int64)
    open_ = np.isin(arc_items, np.array(sorted(fixed_items), dtype=np.int64), invert=True)
    open_ &= left[where.reshape(-1)] > 0
    arc_items, arc_offers, arc_scores = arc_items[open_], table.offers[open_], table.scores[open_]
    items = np.sort(table.items[np.isin(table.items, list(fixed_items), invert=True)])
    if not len(arc_items):
        return Assignment(
            pairs=sorted(fixed, key=lambda arc: arc.item),
            unassigned=items.tolist(),
            total_score=fixed_score,
        )
    offers = np.unique(arc_offers)
    arcs = len(arc_items)
    rows = np.concatenate(
        [np.searchsorted(items, arc_items), len(items) + np.searchsorted(offers, arc_offers)]
    )
    columns = np.arange(arcs)
    matrix = coo_matrix(
        (np.ones(2 * arcs), (rows, np.concatenate([columns, columns]))),
        shape=(len(items) + len(offers), arcs),
    ).tocsr()
    limits = np.concatenate(
        [np.ones(len(items)), [float(capacities[offer]) for offer in offers.tolist()]]
    )
    solution = linprog(-arc_scores, A_ub=matrix, b_ub=limits, bounds=(0, 1), method="highs")
    if solution.status != 0:
        raise RuntimeError(f"the assignment could not be solved: {solution.message}")
    taken = solution.x > 0.5
    verdicts = verdicts or {}
    chosen = [
        Suggestion(
            item=item,
            offer=offer,
            score=score,
            parts={},
            verdict=verdicts.get((item, offer)),
        )
        for item, offer, score in zip(
            arc_items[taken].tolist(),
            arc_offers[taken].tolist(),
            arc_scores[taken].tolist(),
            strict=True,
        )
    ]
    assigned = {arc.item for arc in chosen}
    return Assignment(
        pairs=sorted([*fixed, *chosen], key=lambda arc: arc.item),
        unassigned=[item for item in items.tolist() if item not in assigned],
        total_score=fixed_score + float(sum(arc.score for arc in chosen)),
    )
