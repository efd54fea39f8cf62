"""Per-edition summaries: what coverage on a date needs of an approved edition, without its cells.

An approved edition is frozen, so its marks can be tallied once, when it is approved: per cell
dimension (section, field, column, weapon category; an OP1 cell under every category its field
applies to) and in all, separately for each cell visibility (a viewer counts the levels they
may see). Coverage on a date then reads one summary per State (the edition in force then)
instead of every cell of every edition ever approved, and tallies it with the arithmetic below,
which gives exactly what `timeline.tally_rows` gives over the full marks (tested on random
histories: tests/services/test_summaries.py).

Each tally is a list [X, ?, NA, blank] (the order of `timeline.MARK_CODES`).
Pure functions over plain data; services/matrix/summaries.py reads and writes them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from un1540.analytics.coverage import Breakdown, Tally
from un1540.analytics.timeline import (
    CELL_DIMENSIONS,
    DIMENSIONS,
    MARK_CODES,
    STATE_DIMENSIONS,
    CellColumn,
    EditionRow,
)

TOTAL = "all"
Counts = list[int]
# One visibility level's tallies: {"all": counts, "section": {code: counts}, ...}.
LevelTallies = dict[str, Any]

_CODE = {mark: code for code, mark in enumerate(MARK_CODES)}


def summarise(
    cells: Sequence[CellColumn], entries: Iterable[tuple[int, str, str]]
) -> dict[str, LevelTallies]:
    """An edition's summary from its entries (cell id, mark, visibility); cells its framework
    does not define are an error, as in `timeline.mark_matrix_from_codes`."""
    by_id = {cell.id: cell for cell in cells}
    summary: dict[str, LevelTallies] = {}
    for cell_id, mark, visibility in entries:
        cell = by_id.get(cell_id)
        if cell is None:
            raise KeyError(f"an entry names an unknown cell ({cell_id})")
        code = _CODE[mark]
        level = summary.get(visibility)
        if level is None:
            level = summary[visibility] = {TOTAL: [0, 0, 0, 0]} | {
                dimension: {} for dimension in CELL_DIMENSIONS
            }
        level[TOTAL][code] += 1
        for dimension, keys in (
            ("section", (cell.section,)),
            ("field", (cell.field,)),
            ("column", (cell.column,)),
            ("weapon", cell.weapons),
        ):
            tallies = level[dimension]
            for key in keys:
                counts = tallies.get(key)
                if counts is None:
                    counts = tallies[key] = [0, 0, 0, 0]
                counts[code] += 1
    return summary


@dataclass(frozen=True)
class Parsed:
    """One edition's tallies as arrays: in all (4,), and per cell dimension its keys (sorted)
    and their counts (keys x 4)."""

    total: npt.NDArray[np.int64]
    dims: dict[str, tuple[tuple[str, ...], npt.NDArray[np.int64]]]


def parse_level(level: LevelTallies) -> Parsed:
    dims = {}
    for dimension in CELL_DIMENSIONS:
        tallies: dict[str, Counts] = level[dimension]
        keys = tuple(sorted(tallies))
        counts = np.array([tallies[key] for key in keys], dtype=np.int64).reshape(-1, 4)
        dims[dimension] = (keys, counts)
    return Parsed(total=np.array(level[TOTAL], dtype=np.int64), dims=dims)


EMPTY = Parsed(
    total=np.zeros(4, dtype=np.int64),
    dims={d: ((), np.zeros((0, 4), dtype=np.int64)) for d in CELL_DIMENSIONS},
)


def _aligned(
    parts: Sequence[tuple[tuple[str, ...], npt.NDArray[np.int64]]],
) -> tuple[tuple[str, ...], npt.NDArray[np.int64]]:
    """The counts of several editions (or levels) over the union of their keys: n x keys x 4."""
    first = parts[0][0]
    if all(keys == first for keys, _ in parts):
        return first, np.stack([counts for _, counts in parts]).reshape(len(parts), len(first), 4)
    union = tuple(sorted({key for keys, _ in parts for key in keys}))
    position = {key: index for index, key in enumerate(union)}
    result = np.zeros((len(parts), len(union), 4), dtype=np.int64)
    for row, (keys, counts) in enumerate(parts):
        if keys:
            result[row, [position[key] for key in keys]] = counts
    return union, result


def merge_parsed(parts: Sequence[Parsed]) -> Parsed:
    """The tallies of several visibility levels of one edition, added up."""
    if not parts:
        return EMPTY
    if len(parts) == 1:
        return parts[0]
    dims = {}
    for dimension in CELL_DIMENSIONS:
        keys, counts = _aligned([part.dims[dimension] for part in parts])
        dims[dimension] = (keys, counts.sum(axis=0))
    return Parsed(total=np.sum([part.total for part in parts], axis=0), dims=dims)


@dataclass(frozen=True)
class SummaryBlock:
    """The editions in force on a date (one per State), with the tallies of what the viewer may
    see of each: totals (editions x 4) and, per cell dimension, keys and counts (editions x keys
    x 4)."""

    editions: tuple[EditionRow, ...]
    total: npt.NDArray[np.int64]
    dims: dict[str, tuple[tuple[str, ...], npt.NDArray[np.int64]]]

    @staticmethod
    def of(editions: Sequence[EditionRow], parsed: Sequence[Parsed]) -> SummaryBlock:
        if not editions:
            return SummaryBlock(
                (),
                np.zeros((0, 4), dtype=np.int64),
                {d: ((), np.zeros((0, 0, 4), dtype=np.int64)) for d in CELL_DIMENSIONS},
            )
        return SummaryBlock(
            editions=tuple(editions),
            total=np.stack([part.total for part in parsed]),
            dims={d: _aligned([part.dims[d] for part in parsed]) for d in CELL_DIMENSIONS},
        )

    def select(self, rows: Sequence[int]) -> SummaryBlock:
        """Only these editions (positions)."""
        if len(rows) == len(self.editions):
            return self
        chosen = list(rows)
        return SummaryBlock(
            editions=tuple(self.editions[row] for row in chosen),
            total=self.total[chosen],
            dims={d: (keys, counts[chosen]) for d, (keys, counts) in self.dims.items()},
        )

    def counts_under(self, cell_filter: CellFilter | None) -> npt.NDArray[np.int64]:
        """Each edition's counts over all its cells, or over one key's cells (editions x 4)."""
        if cell_filter is None:
            return self.total
        keys, counts = self.dims[cell_filter.dimension]
        if cell_filter.key not in keys:
            return np.zeros((len(self.editions), 4), dtype=np.int64)
        return counts[:, keys.index(cell_filter.key)]


@dataclass(frozen=True)
class CellFilter:
    """One dimension's key (a section, a field or a weapon category): the cells counted."""

    dimension: str
    key: str


def _tally(counts: Sequence[int] | npt.NDArray[np.int64]) -> Tally:
    return Tally(
        measures=int(counts[0]),
        uncertain=int(counts[1]),
        not_applicable=int(counts[2]),
        blank=int(counts[3]),
    )


def _state_key(edition: EditionRow, dimension: str) -> str:
    if dimension == "global":
        return TOTAL
    if dimension == "state":
        return edition.state
    if dimension == "group":
        return edition.group or "none"
    return edition.region


def answerable(dimension: str, cell_filters: Sequence[CellFilter]) -> bool:
    """Whether summaries give this breakdown exactly: any dimension over all cells, or a State
    dimension over the cells of one section, field or weapon category. (A cell dimension over
    some cells, or two cell filters at once, needs the cells: the full marks answer it.)"""
    if not cell_filters:
        return True
    return len(cell_filters) == 1 and dimension in STATE_DIMENSIONS


def tally_summaries(
    block: SummaryBlock, dimension: str, cell_filter: CellFilter | None = None
) -> Breakdown:
    """Tally the chosen editions' summaries under each key of `dimension` (the same result as
    `timeline.tally_rows` over their marks)."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    if cell_filter is not None and dimension not in STATE_DIMENSIONS:
        raise ValueError("a cell dimension over some cells needs the full marks")
    breakdown = Breakdown()
    if dimension in STATE_DIMENSIONS:
        counts = block.counts_under(cell_filter)
        rows = np.flatnonzero(counts.sum(axis=1) > 0).tolist()  # with a selected cell
        row_of: dict[str, int] = {}  # each key's row in the sums, in order of appearance
        positions = []
        for row in rows:
            edition = block.editions[row]
            key = _state_key(edition, dimension)
            positions.append(row_of.setdefault(key, len(row_of)))
            breakdown.states.setdefault(key, set()).add(edition.state)
        sums = np.zeros((len(row_of), 4), dtype=np.int64)
        np.add.at(sums, positions, counts[rows])
        added = sums.tolist()
        breakdown.tallies = {key: _tally(added[at]) for key, at in row_of.items()}
        return breakdown
    keys, per_edition = block.dims[dimension]
    if not len(block.editions) or not keys:
        return breakdown
    totals = per_edition.sum(axis=0)  # keys x 4
    seen = per_edition.sum(axis=2) > 0  # editions x keys
    names = np.array([edition.state for edition in block.editions], dtype=object)
    added = totals.tolist()
    for position in np.flatnonzero(seen.any(axis=0)).tolist():
        key = keys[position]
        breakdown.tallies[key] = _tally(added[position])
        breakdown.states[key] = set(names[seen[:, position]].tolist())
    return breakdown


def keys_counted_in(
    editions: Iterable[tuple[EditionRow, Sequence[Parsed]]], dimensions: Sequence[str]
) -> dict[str, set[str]]:
    """The keys `tally_summaries` would give a tally in each dimension (over all cells) for a
    block of these editions, each with its visible levels' tallies, without building the
    block: for the dates of a trend that are not tallied. Counts are never negative, so a key
    counted in the levels added up is a key counted in one of them: a cell dimension's keys are
    those with a count in any level of any edition, found over all the levels at once (one
    array per dimension, not one per level)."""
    counted = [
        (edition, levels)
        for edition, levels in editions
        if any(level.total.any() for level in levels)  # else in no row, as in `tally_summaries`
    ]
    found: dict[str, set[str]] = {}
    for dimension in dimensions:
        if dimension in STATE_DIMENSIONS:
            found[dimension] = {_state_key(edition, dimension) for edition, _ in counted}
            continue
        parts = [level.dims[dimension] for _, levels in counted for level in levels]
        if not parts:
            found[dimension] = set()
            continue
        keys, counts = _aligned(parts)  # levels x keys x 4
        found[dimension] = {keys[row] for row in np.flatnonzero(counts.any(axis=(0, 2))).tolist()}
    return found


def state_tallies_under(
    block: SummaryBlock, cell_filters: Sequence[CellFilter]
) -> dict[str, Tally]:
    """Each edition's State with the marks of the cells under any of `cell_filters` (keys of
    one dimension whose cells do not overlap: sections or fields) tallied; all cells when
    none (`timeline.state_tallies_over`)."""
    if cell_filters:
        total = np.sum([block.counts_under(f) for f in cell_filters], axis=0)
    else:
        total = block.total
    return {edition.state: _tally(total[row]) for row, edition in enumerate(block.editions)}
