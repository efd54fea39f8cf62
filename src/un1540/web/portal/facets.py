"""Facets with counts on list pages, as Datasette shows them: each filter's values with how
many records the list would show with that value chosen, as links that add the filter (or
replace its value) and a link that removes it. The counts come from the domain's reads, under
the reader's own visibility (services/incidents/reads.py `incident_facets`)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import urlencode


@dataclass(frozen=True)
class FacetValue:
    code: str
    label: str
    count: int
    href: str
    current: bool


@dataclass(frozen=True)
class Facet:
    name: str
    title: str
    values: list[FacetValue]
    clear: str | None  # the list without this filter, when it is set


def _href(path: str, query: Mapping[str, object]) -> str:
    kept = {key: value for key, value in query.items() if value not in (None, "")}
    return path + ("?" + urlencode(kept) if kept else "")


def facet_links(
    path: str,
    given: Mapping[str, object],
    counts: Mapping[str, list[tuple[str, int]]],
    titles: Mapping[str, str],
    label: Callable[[str, str], str],
) -> list[Facet]:
    """The facets of the list at `path` filtered by `given` (the page's own query; paging is
    dropped, a new filter starts at page 1). `label(facet, code)` names a value."""
    facets = []
    for name, values in counts.items():
        chosen = given.get(name)
        facets.append(
            Facet(
                name=name,
                title=titles[name],
                values=[
                    FacetValue(
                        code=code,
                        label=label(name, code),
                        count=count,
                        href=_href(path, {**given, name: code}),
                        current=code == chosen,
                    )
                    for code, count in values
                ],
                clear=_href(path, {**given, name: None}) if chosen else None,
            )
        )
    return facets
