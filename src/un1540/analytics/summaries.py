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

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

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


def merge_levels(summary: Mapping[str, LevelTallies], levels: Iterable[str]) -> LevelTallies:
    """The tallies of the visibility levels a viewer may see, added up."""
    chosen = [summary[level] for level in levels if level in summary]
    if len(chosen) == 1:
        return chosen[0]
    merged: LevelTallies = {TOTAL: [0, 0, 0, 0]} | {dimension: {} for dimension in CELL_DIMENSIONS}
    for level in chosen:
        _add(merged[TOTAL], level[TOTAL])
        for dimension in CELL_DIMENSIONS:
            target = merged[dimension]
            for key, counts in level[dimension].items():
                _add(target.setdefault(key, [0, 0, 0, 0]), counts)
    return merged


def _add(target: Counts, counts: Sequence[int]) -> None:
    for position in range(4):
        target[position] += counts[position]


@dataclass(frozen=True)
class SummaryRow:
    """An edition in force, with the tallies of what the viewer may see of it."""

    edition: EditionRow
    tallies: LevelTallies


@dataclass(frozen=True)
class CellFilter:
    """One dimension's key (a section, a field or a weapon category): the cells counted."""

    dimension: str
    key: str


def _tally(counts: Sequence[int]) -> Tally:
    return Tally(measures=counts[0], uncertain=counts[1], not_applicable=counts[2], blank=counts[3])


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


def counts_under(tallies: LevelTallies, cell_filter: CellFilter | None) -> Sequence[int]:
    """The counts of one edition over all its cells, or over one key's cells."""
    if cell_filter is None:
        counts: Sequence[int] = tallies[TOTAL]
        return counts
    return tallies[cell_filter.dimension].get(cell_filter.key, (0, 0, 0, 0))  # type: ignore[no-any-return]


def tally_summaries(
    rows: Sequence[SummaryRow], dimension: str, cell_filter: CellFilter | None = None
) -> Breakdown:
    """Tally the chosen editions' summaries under each key of `dimension` (the same result as
    `timeline.tally_rows` over their marks)."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    if cell_filter is not None and dimension not in STATE_DIMENSIONS:
        raise ValueError("a cell dimension over some cells needs the full marks")
    breakdown = Breakdown()
    sums: dict[str, Counts] = {}
    if dimension in STATE_DIMENSIONS:
        for row in rows:
            counts = counts_under(row.tallies, cell_filter)
            if not any(counts):
                continue  # no selected cell in this edition's framework
            key = _state_key(row.edition, dimension)
            _add(sums.setdefault(key, [0, 0, 0, 0]), counts)
            breakdown.states.setdefault(key, set()).add(row.edition.state)
    else:
        for row in rows:
            state = row.edition.state
            for key, counts in row.tallies[dimension].items():
                if not any(counts):
                    continue
                _add(sums.setdefault(key, [0, 0, 0, 0]), counts)
                breakdown.states.setdefault(key, set()).add(state)
    breakdown.tallies = {key: _tally(counts) for key, counts in sums.items()}
    return breakdown


def state_tallies_under(
    rows: Sequence[SummaryRow], cell_filters: Sequence[CellFilter]
) -> dict[str, Tally]:
    """Each edition's State with the marks of the cells under any of `cell_filters` (keys of
    one dimension whose cells do not overlap: sections or fields) tallied; all cells when
    none (`timeline.state_tallies_over`)."""
    result = {}
    for row in rows:
        total = [0, 0, 0, 0]
        if not cell_filters:
            _add(total, row.tallies[TOTAL])
        for cell_filter in cell_filters:
            _add(total, counts_under(row.tallies, cell_filter))
        result[row.edition.state] = _tally(total)
    return result
