"""Facet counts in the API's lists (`facets=true`, docs/api.md): the same counts as the
portal's list pages, each value's count the list's total with that value chosen."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

LISTS = {
    "/api/v1/visits": {"status", "state", "year"},
    "/api/v1/funding/pledges": {"kind", "currency", "year"},
    "/api/v1/contacts": {"state", "role", "stale"},
    "/api/v1/trainings": {"year", "region", "country"},
    "/api/v1/states/FRA/documents": {"kind", "year", "language"},
    "/api/v1/events": {"kind", "audience", "year"},
    "/api/v1/commitments": {"status", "kind", "state", "organisation", "overdue"},
    "/api/v1/activities": {"organisation", "state", "weapon", "field"},
    "/api/v1/incidents": {"category", "kind", "region"},
}


def _total(body: dict[str, object]) -> int:
    if "total" in body:
        return int(body["total"])  # type: ignore[call-overload]
    return len(body["items"])  # type: ignore[arg-type]


@pytest.mark.parametrize("path", list(LISTS))
def test_each_list_counts_its_facets_when_asked(client: TestClient, path: str) -> None:
    plain = client.get(path)
    assert plain.status_code == 200, plain.text
    assert plain.json()["facets"] is None  # only when asked
    body = client.get(path, params={"facets": "true"}).json()
    assert set(body["facets"]) == LISTS[path]
    assert _total(body) == _total(plain.json())  # the list itself unchanged
    checked = 0
    for facet, values in body["facets"].items():
        counts = [value["count"] for value in values]
        assert counts == sorted(counts, reverse=True), facet  # most first
        for value in values[:1]:  # the first of each facet: the list with it chosen
            assert value["label"], value
            narrowed = client.get(path, params={facet: value["value"], "page_size": 1})
            assert narrowed.status_code == 200, (facet, value, narrowed.text)
            assert _total(narrowed.json()) == value["count"], (path, facet, value)
            checked += 1
    assert checked or path == "/api/v1/contacts"  # the public sees no contact's details
