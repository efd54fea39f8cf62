"""Coverage at any date: the edition of each State in force then, its marks tallied any way.

Every approved edition of every State is held as one small matrix of mark codes (one row per
edition, one column per cell a framework defines), so the figures for any date are a choice of
rows and a few sums. That keeps the arithmetic of `coverage.py` (Tally) and adds time:

- the edition in force on a date is the State's highest-numbered edition approved on or before
  it (with no date: the highest-numbered approved edition);
- a State with no edition approved by then is left out of that date's figures;
- a cell that the edition's framework does not define is absent, never counted.

Pure functions over plain data; the services build the matrix from the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property

import numpy as np
import numpy.typing as npt

from un1540.analytics.coverage import BLANK, MEASURE, NOT_APPLICABLE, UNCERTAIN, Breakdown, Tally

# A cell's mark is stored as its index in MARK_CODES; ABSENT for cells outside the framework.
MARK_CODES = (MEASURE, UNCERTAIN, NOT_APPLICABLE, BLANK)
ABSENT = len(MARK_CODES)
STATE_DIMENSIONS = ("global", "state", "group", "region")
CELL_DIMENSIONS = ("section", "field", "column", "weapon")
DIMENSIONS = STATE_DIMENSIONS + CELL_DIMENSIONS


@dataclass(frozen=True)
class CellColumn:
    """One cell a framework defines, with what it can be grouped by."""

    id: int
    section: str
    field: str
    column: str
    weapons: tuple[str, ...]  # OP1 cells count towards every category their field applies to


@dataclass(frozen=True)
class EditionRow:
    """One approved edition, with what its State can be grouped by."""

    id: int
    state: str
    number: int
    approved_on: date | None
    group: str | None
    region: str
    synthetic: bool = False
    # Issue dates of the documents cited as evidence by its X cells (for evidence age).
    evidence_dates: tuple[date, ...] = ()


@dataclass(frozen=True)
class MarkMatrix:
    cells: tuple[CellColumn, ...]
    editions: tuple[EditionRow, ...]
    marks: npt.NDArray[np.int8]  # shape (editions, cells)

    @cached_property
    def edition_arrays(
        self,
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Each edition's State (as its rank in code order), number and approval day (ordinal;
        never for editions without a date), for choosing the editions in force quickly."""
        codes = sorted({edition.state for edition in self.editions})
        rank = {code: position for position, code in enumerate(codes)}
        never = date.max.toordinal() + 1
        return (
            np.array([rank[e.state] for e in self.editions], dtype=np.int64),
            np.array([e.number for e in self.editions], dtype=np.int64),
            np.array(
                [e.approved_on.toordinal() if e.approved_on else never for e in self.editions],
                dtype=np.int64,
            ),
        )

    @cached_property
    def columns_by_key(self) -> dict[str, dict[str, list[int]]]:
        """For each cell dimension, the column indices under each key."""
        keys: dict[str, dict[str, list[int]]] = {dimension: {} for dimension in CELL_DIMENSIONS}
        for index, cell in enumerate(self.cells):
            for dimension, values in (
                ("section", (cell.section,)),
                ("field", (cell.field,)),
                ("column", (cell.column,)),
                ("weapon", cell.weapons),
            ):
                for value in values:
                    keys[dimension].setdefault(value, []).append(index)
        return keys

    @cached_property
    def membership(self) -> dict[str, tuple[list[str], npt.NDArray[np.int64]]]:
        """For each cell dimension, its keys and a cells x keys matrix of 0/1 (a cell may count
        under several keys), so tallying by key is one matrix product."""
        result = {}
        for dimension, by_key in self.columns_by_key.items():
            keys = list(by_key)
            member = np.zeros((len(self.cells), len(keys)), dtype=np.int64)
            for position, key in enumerate(keys):
                member[by_key[key], position] = 1
            result[dimension] = (keys, member)
        return result


def build_mark_matrix(
    cells: Sequence[CellColumn],
    editions: Sequence[EditionRow],
    entries: Iterable[tuple[int, int, str]],
) -> MarkMatrix:
    """The matrix from (edition id, cell id, mark) triples; unknown ids are an error."""
    code_of = {mark: code for code, mark in enumerate(MARK_CODES)}
    triples = [(edition, cell, code_of[mark]) for edition, cell, mark in entries]
    return mark_matrix_from_codes(cells, editions, np.array(triples, dtype=np.int64).reshape(-1, 3))


def mark_matrix_from_codes(
    cells: Sequence[CellColumn],
    editions: Sequence[EditionRow],
    entries: npt.NDArray[np.int64],
) -> MarkMatrix:
    """The matrix from an array of (edition id, cell id, mark code) rows, in one vectorised step
    (a few hundred thousand cells load in milliseconds)."""
    marks = np.full((len(editions), len(cells)), ABSENT, dtype=np.int8)
    if len(entries):
        rows = _positions(np.array([edition.id for edition in editions]), entries[:, 0], "edition")
        columns = _positions(np.array([cell.id for cell in cells]), entries[:, 1], "cell")
        marks[rows, columns] = entries[:, 2]
    return MarkMatrix(cells=tuple(cells), editions=tuple(editions), marks=marks)


def _positions(
    known: npt.NDArray[np.int64], wanted: npt.NDArray[np.int64], what: str
) -> npt.NDArray[np.int64]:
    """Where each wanted id is in `known` (ids need not be sorted)."""
    order = np.argsort(known, kind="stable")
    found = np.searchsorted(known, wanted, sorter=order)
    found = np.clip(found, 0, max(len(known) - 1, 0))
    positions = order[found] if len(known) else found
    if not len(known) or not np.array_equal(known[positions], wanted):
        raise KeyError(f"an entry names an unknown {what}")
    return positions


def in_force(matrix: MarkMatrix, as_of: date | None = None) -> list[int]:
    """The row of each State's edition in force on `as_of` (latest approved when None)."""
    states, numbers, approved = matrix.edition_arrays
    eligible = np.ones(len(states), dtype=bool)
    if as_of is not None:
        eligible = approved <= as_of.toordinal()
    # Rows sorted by State then number: the last eligible row of each State is in force.
    order = np.lexsort((numbers, states))
    candidates = order[eligible[order]]
    if not len(candidates):
        return []
    last = np.append(states[candidates][1:] != states[candidates][:-1], True)
    return [int(row) for row in candidates[last]]


def _counts(codes: npt.NDArray[np.int8]) -> npt.NDArray[np.int64]:
    """How many of each code (marks and ABSENT) in each row, in one pass (bincount)."""
    width = ABSENT + 1
    offsets = np.arange(codes.shape[0], dtype=np.int64)[:, None] * width
    flat = np.bincount((offsets + codes).ravel(), minlength=codes.shape[0] * width)
    return flat.reshape(codes.shape[0], width)


def _tally(counts: npt.NDArray[np.int64]) -> Tally:
    return Tally(
        measures=int(counts[0]),
        uncertain=int(counts[1]),
        not_applicable=int(counts[2]),
        blank=int(counts[3]),
    )


def _state_key(edition: EditionRow, dimension: str) -> str:
    if dimension == "global":
        return "all"
    if dimension == "state":
        return edition.state
    if dimension == "group":
        return edition.group or "none"
    return edition.region


def tally_rows(
    matrix: MarkMatrix,
    rows: Sequence[int],
    dimension: str,
    columns: Sequence[int] | None = None,
) -> Breakdown:
    """Tally the marks of the chosen editions (and cells, when given) under each key."""
    if dimension not in DIMENSIONS:
        raise ValueError(f"unknown dimension {dimension!r}")
    breakdown = Breakdown()
    if not rows:
        return breakdown
    chosen = matrix.marks[list(rows)]
    if columns is not None:
        # Cells outside the selection count as absent: neither tallied nor seen.
        outside = np.ones(len(matrix.cells), dtype=bool)
        outside[list(columns)] = False
        chosen = chosen.copy()
        chosen[:, outside] = ABSENT
    if dimension in STATE_DIMENSIONS:
        per_state = _counts(chosen)
        for position, row in enumerate(rows):
            edition = matrix.editions[row]
            if per_state[position, :ABSENT].sum() == 0:
                continue  # no selected cell in this edition's framework
            key = _state_key(edition, dimension)
            tally = breakdown.tallies.setdefault(key, Tally())
            tally.merge(_tally(per_state[position]))
            breakdown.states.setdefault(key, set()).add(edition.state)
        return breakdown
    keys, member = matrix.membership[dimension]
    per_key = member.T @ _counts(chosen.T)[:, :ABSENT]  # keys x marks
    seen = ((chosen != ABSENT).astype(np.int64) @ member) > 0  # editions x keys
    names = np.array([matrix.editions[row].state for row in rows])
    for position, key in enumerate(keys):
        column = seen[:, position]
        if not column.any():
            continue
        breakdown.tallies[key] = _tally(per_key[position])
        breakdown.states[key] = set(names[column].tolist())
    return breakdown


def tally_as_of(
    matrix: MarkMatrix,
    dimension: str,
    as_of: date | None = None,
    columns: Sequence[int] | None = None,
) -> Breakdown:
    return tally_rows(matrix, in_force(matrix, as_of), dimension, columns)


@dataclass(frozen=True)
class MeasuresDistribution:
    """The Committee's own metrics: cells marked X per State, and how they spread."""

    states: int
    average: float | None
    median: float | None
    at_most_threshold: int  # States with `threshold` or fewer cells marked X
    threshold: int
    histogram: dict[str, int] = field(default_factory=dict)  # "0-29": n, ...


def measures_distribution(
    per_state: Breakdown, *, threshold: int = 30, bin_width: int = 30
) -> MeasuresDistribution:
    counts = sorted(tally.measures for tally in per_state.tallies.values())
    if not counts:
        return MeasuresDistribution(0, None, None, 0, threshold, {})
    histogram: dict[str, int] = {}
    top = counts[-1]
    for start in range(0, top + 1, bin_width):
        label = f"{start}-{start + bin_width - 1}"
        histogram[label] = sum(1 for count in counts if start <= count < start + bin_width)
    return MeasuresDistribution(
        states=len(counts),
        average=sum(counts) / len(counts),
        median=float(np.median(counts)),
        at_most_threshold=sum(1 for count in counts if count <= threshold),
        threshold=threshold,
        histogram=histogram,
    )


@dataclass(frozen=True)
class Ages:
    """How old the information counted on a date is, in years (uncertainty, not hidden)."""

    median_edition_age: float | None  # time since each counted edition was approved
    median_evidence_age: float | None  # time since each cited document was issued
    evidence_older_than_10_years: float | None  # share of citations
    citations: int


def _years(later: date, earlier: date) -> float:
    return (later - earlier).days / 365.25


def ages(matrix: MarkMatrix, rows: Sequence[int], as_of: date) -> Ages:
    return ages_of([matrix.editions[row] for row in rows], as_of)


def ages_counted(
    approved: Sequence[date | None], evidence: Sequence[tuple[date, int]], as_of: date
) -> Ages:
    """The same as `ages_of`, from the approval dates of the editions and the issue dates of
    the documents their X cells cite with how many times each is cited (vectorised: no list of
    every citation)."""
    edition_ages = [_years(as_of, on) for on in approved if on is not None]
    if evidence:
        ordinals = np.array([issued.toordinal() for issued, _ in evidence], dtype=np.int64)
        counts = np.array([count for _, count in evidence], dtype=np.int64)
        years = np.repeat((as_of.toordinal() - ordinals) / 365.25, counts)
    else:
        years = np.zeros(0)
    return Ages(
        median_edition_age=float(np.median(edition_ages)) if edition_ages else None,
        median_evidence_age=float(np.median(years)) if len(years) else None,
        evidence_older_than_10_years=(
            int(np.count_nonzero(years > 10)) / len(years) if len(years) else None
        ),
        citations=len(years),
    )


def ages_of(editions: Sequence[EditionRow], as_of: date) -> Ages:
    """How old the information of these editions (with their evidence dates) is on `as_of`."""
    edition_ages = [_years(as_of, e.approved_on) for e in editions if e.approved_on is not None]
    evidence = [_years(as_of, issued) for e in editions for issued in e.evidence_dates]
    return Ages(
        median_edition_age=float(np.median(edition_ages)) if edition_ages else None,
        median_evidence_age=float(np.median(evidence)) if evidence else None,
        evidence_older_than_10_years=(
            sum(1 for age in evidence if age > 10) / len(evidence) if evidence else None
        ),
        citations=len(evidence),
    )


def columns_where(
    matrix: MarkMatrix,
    *,
    sections: Sequence[str] = (),
    weapons: Sequence[str] = (),
    fields: Sequence[str] = (),
) -> list[int]:
    """The columns of the cells in any of `sections`, `fields` and `weapons` (empty: all)."""
    return [
        index
        for index, cell in enumerate(matrix.cells)
        if (not sections or cell.section in sections)
        and (not fields or cell.field in fields)
        and (not weapons or set(cell.weapons) & set(weapons))
    ]


def state_tallies_over(
    matrix: MarkMatrix, rows: Sequence[int], columns: Sequence[int]
) -> dict[str, Tally]:
    """Each chosen edition's State, with the marks of the given columns tallied."""
    if not rows:
        return {}
    chosen = matrix.marks[np.ix_(list(rows), list(columns))]
    counts = (chosen[:, :, None] == np.arange(len(MARK_CODES), dtype=np.int8)).sum(axis=1)
    return {
        matrix.editions[row].state: _tally(counts[position]) for position, row in enumerate(rows)
    }
