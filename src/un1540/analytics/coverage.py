"""Counting marks: the arithmetic behind every coverage figure.

Method (also shown to users, see docs/coverage.md): every cell of a State's counted edition is
one of X (a measure is recorded), ? (uncertain), NA (not applicable) or blank (no information).
Coverage is X / (cells - NA). "?" is reported beside it as uncertainty, never counted as X.
OP1-style cells (one per instrument) count towards every weapon category the field applies to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

MEASURE, UNCERTAIN, NOT_APPLICABLE, BLANK = "X", "?", "NA", ""
MARKS = (MEASURE, UNCERTAIN, NOT_APPLICABLE, BLANK)


@dataclass
class Tally:
    """Counts of each mark over some set of cells."""

    measures: int = 0
    uncertain: int = 0
    not_applicable: int = 0
    blank: int = 0

    def add(self, mark: str, count: int = 1) -> None:
        if mark == MEASURE:
            self.measures += count
        elif mark == UNCERTAIN:
            self.uncertain += count
        elif mark == NOT_APPLICABLE:
            self.not_applicable += count
        elif mark == BLANK:
            self.blank += count
        else:
            raise ValueError(f"unknown mark {mark!r}")

    def merge(self, other: Tally) -> None:
        self.measures += other.measures
        self.uncertain += other.uncertain
        self.not_applicable += other.not_applicable
        self.blank += other.blank

    @property
    def cells(self) -> int:
        return self.measures + self.uncertain + self.not_applicable + self.blank

    @property
    def applicable(self) -> int:
        return self.cells - self.not_applicable

    @property
    def coverage(self) -> float | None:
        return self.measures / self.applicable if self.applicable else None


class CellFact(NamedTuple):
    """One cell of one State's counted edition, with what it can be grouped by.

    A tuple of strings, so the garbage collector stops tracking the many cached facts.
    """

    state: str
    group: str | None
    region: str
    section: str
    field: str
    column: str
    weapons: tuple[str, ...]
    mark: str


@dataclass
class Breakdown:
    """A tally per key, with the States seen under each key."""

    tallies: dict[str, Tally] = field(default_factory=dict)
    states: dict[str, set[str]] = field(default_factory=dict)

    def average_measures_per_state(self, key: str) -> float | None:
        count = len(self.states.get(key, ()))
        return self.tallies[key].measures / count if count else None


KeyFunction = Callable[[CellFact], Iterable[str]]

DIMENSIONS: dict[str, KeyFunction] = {
    "global": lambda fact: ("all",),
    "state": lambda fact: (fact.state,),
    "group": lambda fact: (fact.group or "none",),
    "region": lambda fact: (fact.region,),
    "section": lambda fact: (fact.section,),
    "field": lambda fact: (fact.field,),
    "weapon": lambda fact: fact.weapons,
    "column": lambda fact: (fact.column,),
}


def tally_by(facts: Iterable[CellFact], dimension: str) -> Breakdown:
    """Tally cells under each key of a dimension (a cell may count under several weapon keys)."""
    key_of = DIMENSIONS[dimension]
    breakdown = Breakdown()
    for fact in facts:
        for key in key_of(fact):
            tally = breakdown.tallies.get(key)
            if tally is None:
                tally = breakdown.tallies[key] = Tally()
                breakdown.states[key] = set()
            tally.add(fact.mark)
            breakdown.states[key].add(fact.state)
    return breakdown


def tally_marks(marks: Iterable[str]) -> Tally:
    tally = Tally()
    for mark in marks:
        tally.add(mark)
    return tally
