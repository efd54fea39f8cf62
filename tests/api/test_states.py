"""/api/v1/states and its children."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.helpers import assert_error, assert_page, assert_synthetic_json, read_csv
from tests.conftest import DEMO_STATES, STATE_WITHOUT_EDITIONS
from un1540.services.kernel.instance import SYNTHETIC_NOTICE


def test_the_list_is_paginated_and_holds_all_193_states(client: TestClient) -> None:
    body = assert_synthetic_json(client.get("/api/v1/states"))
    assert body["total"] == 193
    assert_page(body)
    last = assert_synthetic_json(client.get("/api/v1/states", params={"page": 4, "page_size": 50}))
    assert_page(last, page=4)
    assert len(last["items"]) == 43
    seen = {
        item["iso3"]
        for page in (1, 2, 3, 4)
        for item in client.get("/api/v1/states", params={"page": page}).json()["items"]
    }
    assert len(seen) == 193


def test_states_carry_names_in_six_languages_and_their_latest_edition(client: TestClient) -> None:
    items = {
        i["iso3"]: i
        for i in client.get("/api/v1/states", params={"page_size": 500}).json()["items"]
    }
    france = items["FRA"]
    assert set(france["names"]) == {"ar", "zh", "en", "fr", "ru", "es"}
    assert france["latest_edition"] >= 3
    assert 0 < france["coverage"] < 1
    assert items[STATE_WITHOUT_EDITIONS]["latest_edition"] is None
    assert items[STATE_WITHOUT_EDITIONS]["coverage"] is None
    assert sum(1 for i in items.values() if i["latest_edition"]) == len(DEMO_STATES)


def test_filter_by_group_includes_participants_and_observers(client: TestClient) -> None:
    weog = {
        i["iso3"]
        for i in client.get(
            "/api/v1/states", params={"group": "western_european_others", "page_size": 500}
        ).json()["items"]
    }
    assert len(weog) == 28 + 1  # members and the United States (observer)
    assert {"USA", "TUR", "FRA"} <= weog
    apg = {
        i["iso3"]
        for i in client.get(
            "/api/v1/states", params={"group": "asia_pacific", "page_size": 500}
        ).json()["items"]
    }
    assert len(apg) == 54 + 1  # members and Türkiye (participant)


def test_filter_by_m49_region_at_any_level(client: TestClient) -> None:
    africa = client.get("/api/v1/states", params={"region": "africa", "page_size": 500}).json()
    assert africa["total"] == 54
    western = client.get(
        "/api/v1/states", params={"region": "western_africa", "page_size": 500}
    ).json()
    assert western["total"] == 16


def test_search_in_any_un_language(client: TestClient) -> None:
    for query in ("France", "Francia", "Франция", "法国", "فرنسا"):
        found = [
            i["iso3"] for i in client.get("/api/v1/states", params={"q": query}).json()["items"]
        ]
        assert "FRA" in found, query


def test_sorting_by_coverage(client: TestClient) -> None:
    items = client.get(
        "/api/v1/states", params={"sort": "coverage", "order": "desc", "page_size": 500}
    ).json()["items"]
    values = [i["coverage"] for i in items if i["coverage"] is not None]
    assert values == sorted(values, reverse=True)
    assert items[0]["coverage"] == max(values)


def test_the_list_has_a_csv_twin_with_the_notice_on_every_row(client: TestClient) -> None:
    response = client.get("/api/v1/states.csv", params={"group": "african"})
    rows = read_csv(response)
    assert len(rows) == 54
    assert all(row["data_notice"] == SYNTHETIC_NOTICE for row in rows)
    assert response.headers["X-Synthetic-Data"] == "true"
    assert "synthetic-demo-states.csv" in response.headers["content-disposition"]
    json_items = client.get("/api/v1/states", params={"group": "african", "page_size": 500}).json()[
        "items"
    ]
    assert [row["iso3"] for row in rows] == [i["iso3"] for i in json_items]


def test_state_detail(client: TestClient) -> None:
    body = assert_synthetic_json(client.get("/api/v1/states/tur"))
    assert body["state"]["iso3"] == "TUR"
    assert {(m["group"], m["role"]) for m in body["memberships"]} == {
        ("western_european_others", "member"),
        ("asia_pacific", "participant"),
    }
    assert body["region"]["code"] == "asia"
    assert "Turkey" in body["aliases"]
    assert body["documents"] > 0


def test_matrix_latest_and_by_edition(client: TestClient) -> None:
    latest = assert_synthetic_json(client.get("/api/v1/states/FRA/matrix"))
    editions = client.get("/api/v1/states/FRA/editions").json()["items"]
    assert latest["edition"]["number"] == editions[-1]["number"]
    assert [s["code"] for s in latest["sections"]] == ["op1", "op2", "op3ab", "op3cd"]
    cells = [c for s in latest["sections"] for f in s["fields"] for c in f["cells"]]
    assert len(cells) == latest["edition"]["tally"]["cells"] == 341
    assert "op2.manufacture:cw:legal_framework" in {c["id"] for c in cells}
    assert {c["mark"] for c in cells} <= {"X", "?", "NA", ""}
    with_evidence = [c for c in cells if c["evidence"]]
    assert with_evidence
    evidence = with_evidence[0]["evidence"][0]
    assert evidence["document"]["title"].startswith("[Synthetic]")
    assert evidence["page"] or evidence["article"]
    assert "not a tool for measuring compliance" in latest["disclaimer"]
    first = assert_synthetic_json(client.get("/api/v1/states/FRA/matrix", params={"edition": 1}))
    assert first["edition"]["number"] == 1
    assert first["edition"]["tally"]["measures"] <= latest["edition"]["tally"]["measures"]


def test_matrix_json_and_csv_files(client: TestClient) -> None:
    as_file = client.get("/api/v1/states/FRA/matrix.json")
    assert as_file.json() == client.get("/api/v1/states/FRA/matrix").json()
    rows = read_csv(client.get("/api/v1/states/FRA/matrix.csv", params={"edition": 2}))
    assert len(rows) == 341
    assert {row["edition"] for row in rows} == {"2"}
    assert all(row["data_notice"] for row in rows)


def test_editions_list_and_csv(client: TestClient) -> None:
    body = assert_synthetic_json(client.get("/api/v1/states/NGA/editions"))
    assert 3 <= body["total"] <= 6
    numbers = [e["number"] for e in body["items"]]
    assert numbers == sorted(numbers)
    assert all(e["status"] == "approved" and e["origin"] == "demo" for e in body["items"])
    rows = read_csv(client.get("/api/v1/states/NGA/editions.csv"))
    assert [int(r["edition"]) for r in rows] == numbers


def test_a_state_without_editions(client: TestClient) -> None:
    assert_error(client.get(f"/api/v1/states/{STATE_WITHOUT_EDITIONS}/matrix"), 404, "not_found")
    body = client.get(f"/api/v1/states/{STATE_WITHOUT_EDITIONS}/editions").json()
    assert (body["total"], body["items"], body["synthetic"]) == (0, [], False)
    assert (
        "X-Synthetic-Data"
        not in client.get(f"/api/v1/states/{STATE_WITHOUT_EDITIONS}/editions").headers
    )


def test_unknown_state_and_edition_are_404(client: TestClient) -> None:
    for path in (
        "/api/v1/states/XXX",
        "/api/v1/states/XXX/matrix",
        "/api/v1/states/XXX/editions",
        "/api/v1/states/XXX/matrix.csv",
    ):
        assert_error(client.get(path), 404, "not_found")
    assert_error(client.get("/api/v1/states/FRA/matrix", params={"edition": 99}), 404, "not_found")


def test_malformed_parameters_are_422_naming_the_parameter(client: TestClient) -> None:
    cases = [
        ({"page": 0}, "page"),
        ({"page": "two"}, "page"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 501}, "page_size"),
        ({"group": "nordic"}, "group"),
        ({"region": "atlantis"}, "region"),
        ({"sort": "height"}, "sort"),
        ({"order": "sideways"}, "order"),
        ({"q": "x" * 101}, "q"),
    ]
    for params, name in cases:
        response = client.get("/api/v1/states", params=params)
        error = assert_error(response, 422, "invalid_parameter", name)
        assert name in error["message"] or error["problems"][0]["where"] == name
    matrix = client.get("/api/v1/states/FRA/matrix", params={"edition": "latest"})
    assert_error(matrix, 422, "invalid_parameter", "edition")
    assert_error(client.get("/api/v1/states/ABCD"), 422, "invalid_parameter", "iso3")
