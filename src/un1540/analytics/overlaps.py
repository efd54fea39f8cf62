"""Possible duplication between engagements in States (the clearinghouse's projects and the
organisations' own activities): the same State and matrix field, overlapping weapon categories
and overlapping periods, by different providers. Pure functions over plain records, so the
assistance and the activities domains ask the one same question (docs/activities.md)."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class Engagement:
    """A project or an activity as the overlap check sees it. `weapons` empty: every weapon
    category (a record that names none covers them all); open period ends reach as far as
    dates go."""

    kind: str  # "project" or "activity"
    id: int
    provider_key: str  # "organisation:iaea", "state:FRA", "name:vertic"
    provider_name: str
    iso3: str
    fields: tuple[str, ...]
    weapons: frozenset[str]
    start: date = date.min
    end: date = date.max


@dataclass(frozen=True)
class Overlap:
    """Two engagements by different providers on the same State, field, weapons and time."""

    field: str
    first: Engagement
    second: Engagement


def weapons_overlap(first: frozenset[str], second: frozenset[str]) -> bool:
    """Chemical does not duplicate nuclear; a record covering every category overlaps all."""
    return not first or not second or bool(first & second)


def periods_overlap(first: Engagement, second: Engagement) -> bool:
    return first.start <= second.end and second.start <= first.end


def shared_fields(first: Engagement, second: Engagement) -> list[str]:
    """The fields on which the two may duplicate each other (none if they may not)."""
    if (
        first.iso3 != second.iso3
        or first.provider_key == second.provider_key
        or (first.kind, first.id) == (second.kind, second.id)
        or not weapons_overlap(first.weapons, second.weapons)
        or not periods_overlap(first, second)
    ):
        return []
    theirs = set(second.fields)
    return [code for code in dict.fromkeys(first.fields) if code in theirs]


def overlaps_among(engagements: Sequence[Engagement]) -> list[Overlap]:
    """Every pair that may duplicate, per State and field, in a stable order."""
    by_place: dict[tuple[str, str], list[Engagement]] = {}
    for engagement in engagements:
        for code in dict.fromkeys(engagement.fields):
            by_place.setdefault((engagement.iso3, code), []).append(engagement)
    found = []
    for (_iso3, code), group in sorted(by_place.items()):
        for first, second in itertools.combinations(group, 2):
            if code in shared_fields(first, second):
                found.append(Overlap(code, first, second))
    return found


def overlaps_with(candidate: Engagement, existing: Iterable[Engagement]) -> list[Overlap]:
    """What a new engagement may duplicate among those already there."""
    return [
        Overlap(code, candidate, other)
        for other in existing
        for code in shared_fields(candidate, other)
    ]
