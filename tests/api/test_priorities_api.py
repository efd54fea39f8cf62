"""/api/v1/priorities and its CSV twin."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.helpers import assert_error, assert_page, assert_synthetic_json, read_csv


def test_priorities_rank_every_state_with_method_and_explanations(client: TestClient) -> None:
    body = assert_synthetic_json(client.get("/api/v1/priorities"))
    assert_page(body)
    assert body["total"] == 193
    assert body["method"] == "un1540-priorities/2"
    assert "not a measure of compliance" in body["label"]
    assert body["sensitivity"]["runs"] == 500
    first = body["items"][0]
    assert first["rank"] == 1
    assert {part["factor"] for part in first["contributions"]} == set(body["weights"])
    assert {factor["code"] for factor in body["factors"]} == set(body["weights"])


def test_weights_change_the_ranking(client: TestClient) -> None:
    default = client.get("/api/v1/priorities?page_size=500").json()["items"]
    weighted = client.get(
        "/api/v1/priorities?page_size=500&weights=gap_op2:0,gap_op3ab:0,gap_op3cd:0,"
        "gap_chemical:0,gap_biological:0,transit_hub:3"
    ).json()
    assert weighted["weights"]["transit_hub"] == 3
    assert [r["iso3"] for r in weighted["items"]] != [r["iso3"] for r in default]


def test_bad_weights_are_a_422_naming_the_parameter(client: TestClient) -> None:
    for weights in ("gap_op2:x", "nothing:1", "gap_op2", "gap_op2:-1"):
        assert_error(
            client.get(f"/api/v1/priorities?weights={weights}"), 422, "invalid_parameter", "weights"
        )
    zero = ",".join(
        f"{factor['code']}:0" for factor in client.get("/api/v1/priorities").json()["factors"]
    )
    error = assert_error(
        client.get(f"/api/v1/priorities?weights={zero}"), 422, "invalid_parameter", "weights"
    )
    assert "sum to zero" in error["message"]


def test_the_csv_twin_has_one_row_per_state_and_the_same_order(client: TestClient) -> None:
    rows = read_csv(client.get("/api/v1/priorities.csv?weights=incidents:2"))
    body = client.get("/api/v1/priorities?weights=incidents:2&page_size=500").json()
    assert [row["iso3"] for row in rows] == [item["iso3"] for item in body["items"]]
    assert rows[0]["data_notice"].startswith("SYNTHETIC")
    assert "incidents_points" in rows[0]


def test_synthetic_nuclear_material_weighs_only_for_plausible_holders(client: TestClient) -> None:
    """The public ranking of real States is driven by synthetic nuclear-material figures only
    where a State plausibly holds such material (reference/nuclear-profile.csv), never for the
    others: they show "no data" and get no points from it."""
    body = assert_synthetic_json(client.get("/api/v1/priorities?page_size=200"))
    factor = next(f for f in body["factors"] if f["code"] == "nuclear_material")
    assert factor["states_with_data"] == 3  # CHN, FRA, USA among the demo's States
    for row in body["items"]:
        part = next(c for c in row["contributions"] if c["factor"] == "nuclear_material")
        if row["iso3"] in {"CHN", "FRA", "USA"}:
            assert part["raw"] is not None, row["iso3"]
            assert part["raw"] > 0, row["iso3"]
        else:
            assert (part["raw"], part["points"]) == (None, 0), row["iso3"]
