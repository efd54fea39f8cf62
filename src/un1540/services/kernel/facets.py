"""Facet counts, as Datasette shows them, for lists small enough to count in Python.

Each record gives, per facet, the values it has (one, or several for a JSON list); a value's
count is the number of records the list would show with that value chosen: the other facets'
chosen values kept, this facet's replaced. The records passed in are those the reader may see
under the list's own visibility rule and its other filters, so a facet never counts a record
its reader may not see."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

FacetCounts = dict[str, list[tuple[str, int]]]


def tally(
    records: Iterable[Mapping[str, Sequence[str]]],
    chosen: Mapping[str, str | None],
    names: Sequence[str],
) -> FacetCounts:
    """Per facet in `names`, each value with its count (records with no value are not
    counted); `chosen` holds each facet's chosen value (None when not filtered)."""
    found: dict[str, dict[str, int]] = {name: {} for name in names}
    for values in records:
        for name in names:
            if all(
                chosen.get(other) is None or chosen[other] in values[other]
                for other in names
                if other != name
            ):
                counts = found[name]
                for value in values[name]:
                    counts[value] = counts.get(value, 0) + 1
    return {name: list(counts.items()) for name, counts in found.items()}
