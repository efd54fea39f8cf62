"""Facets with counts on list pages, as Datasette shows them: each filter's values with how
many records the list would show with that value chosen, as links that add the filter (or
replace its value) and a link that removes it. The counts come from the domain's reads, under
the reader's own visibility (`incident_facets`, `state_facets`, `event_facets`,
`commitment_facets`, `plan_facets`, `activity_facets`, `search_facets` in services/*/reads)."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from functools import cache
from urllib.parse import urlencode

from un1540.reference.collation import sort_key
from un1540.reference.languages import UN_LANGUAGES
from un1540.reference.organisations import load_organisations
from un1540.reference.states import load_states
from un1540.web.i18n import language
from un1540.web.portal.labels import state_name

SHOWN = 12  # values shown per facet, most first (the chosen one always); the rest are counted


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
    chosen: str | None = None  # the chosen value's label, when the filter is set
    more: int = 0  # values not shown (fewer records each than those shown)


def _href(path: str, query: Mapping[str, object]) -> str:
    kept = {key: value for key, value in query.items() if value not in (None, "")}
    return path + ("?" + urlencode(kept) if kept else "")


def facet_links(
    path: str,
    given: Mapping[str, object],
    counts: Mapping[str, list[tuple[str, int]]],
    titles: Mapping[str, str],
    label: Callable[[str, str], str],
    shown: int = SHOWN,
    chronological: Collection[str] = (),
) -> list[Facet]:
    """The facets of the list at `path` filtered by `given` (the page's own query; paging is
    dropped, a new filter starts at page 1). `label(facet, code)` names a value. Values are
    ordered most records first, then by name in the reader's collation; the `chronological`
    facets (years) newest first."""
    page_language = language()
    collate = sort_key(page_language if page_language in UN_LANGUAGES else "en")
    facets = []
    for name, values in counts.items():
        chosen = given.get(name)
        chosen_code = None if chosen in (None, "") else str(chosen)
        named = sorted(
            ((code, label(name, code), count) for code, count in values),
            key=lambda item: (-item[2], collate(item[1])),
        )
        if name in chronological:
            named.sort(key=lambda item: item[0], reverse=True)
        kept = [item for rank, item in enumerate(named) if rank < shown or item[0] == chosen_code]
        facets.append(
            Facet(
                name=name,
                title=titles[name],
                values=[
                    FacetValue(
                        code=code,
                        label=text,
                        count=count,
                        href=_href(path, {**given, name: code}),
                        current=code == chosen_code,
                    )
                    for code, text, count in kept
                ],
                clear=_href(path, {**given, name: None}) if chosen_code else None,
                chosen=label(name, chosen_code) if chosen_code else None,
                more=len(named) - len(kept),
            )
        )
    return facets


@cache
def _english_names() -> dict[str, str]:
    return {state.iso3: state.short_name for state in load_states()}


def state_label(iso3: str) -> str:
    """A State's short name in the reader's language, from its ISO code (a facet's value)."""
    return state_name(iso3, _english_names().get(iso3, iso3))


def state_choices() -> list[tuple[str, str]]:
    """Every State as (ISO code, name in the reader's language), in the reader's collation: the
    options of a State filter."""
    key = sort_key(language())
    return sorted(
        ((iso3, state_label(iso3)) for iso3 in _english_names()), key=lambda item: key(item[1])
    )


def organisation_label(code: str) -> str:
    """An organisation's name (a proper name, as the reference data gives it) from its code."""
    return {item.code: item.name for item in load_organisations()}.get(code, code)
