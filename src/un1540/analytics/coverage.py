"""Counting marks: the arithmetic behind every coverage figure.

Method (also shown to users, see docs/coverage.md): every cell of a State's counted edition is
one of X (a measure is recorded), ? (uncertain), NA (not applicable) or blank (no information).
Coverage is X / (cells - NA). "?" is reported beside it as uncertainty, never counted as X.
OP1-style cells (one per instrument) count towards every weapon category the field applies to.
Which edition of each State counts, on which date, is `timeline.py`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

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


@dataclass
class Breakdown:
    """A tally per key, with the States seen under each key."""

    tallies: dict[str, Tally] = field(default_factory=dict)
    states: dict[str, set[str]] = field(default_factory=dict)

    def average_measures_per_state(self, key: str) -> float | None:
        count = len(self.states.get(key, ()))
        return self.tallies[key].measures / count if count else None


def tally_marks(marks: Iterable[str]) -> Tally:
    tally = Tally()
    for mark in marks:
        tally.add(mark)
    return tally
