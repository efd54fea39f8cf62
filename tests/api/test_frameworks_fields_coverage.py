"""/api/v1/frameworks, /api/v1/fields and /api/v1/coverage."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.api.helpers import assert_error, assert_page, assert_synthetic_json, read_csv
from tests.conftest import DEMO_STATES


def test_frameworks_list_is_reference_data_and_not_synthetic(client: TestClient) -> None:
    response = client.get("/api/v1/frameworks")
    body = response.json()
    assert body["synthetic"] is False
    assert "X-Synthetic-Data" not in response.headers
    assert_page(body)
    (framework,) = body["items"]
    assert framework["slug"] == "un1540-matrix/reconstructed-2016"
    assert framework["default"] is True
    assert (framework["sections"], framework["cells"]) == (4, 341)


def test_frameworks_list_has_a_csv_twin(client: TestClient) -> None:
    rows = read_csv(client.get("/api/v1/frameworks.csv"))
    assert [(row["slug"], row["default"], row["cells"]) for row in rows] == [
        ("un1540-matrix/reconstructed-2016", "True", "341")
    ]
    assert "data_notice" not in rows[0]


def test_framework_detail_lists_sections_fields_cells_and_verified_flags(
    client: TestClient,
) -> None:
    body = client.get("/api/v1/frameworks/un1540-matrix/reconstructed-2016").json()
    assert [s["code"] for s in body["sections"]] == ["op1", "op2", "op3ab", "op3cd"]
    assert body["sections"][0]["layout"] == ["adherence"]
    assert body["sections"][1]["layout"] == ["legal_framework", "enforcement"]
    npt = body["sections"][0]["fields"][0]
    assert (npt["code"], npt["verified"], npt["cells"]) == (
        "op1.npt",
        True,
        ["op1.npt:any:adherence"],
    )
    assert [w["code"] for w in body["weapon_categories"]] == ["nw", "cw", "bw"]
    assert_error(client.get("/api/v1/frameworks/un1540-matrix/none"), 404, "not_found")


def test_a_field_across_states(client: TestClient) -> None:
    body = assert_synthetic_json(client.get("/api/v1/fields/op2.manufacture"))
    assert body["field"]["code"] == "op2.manufacture"
    assert body["field"]["section"] == "op2"
    assert len(body["cells"]) == 6
    assert body["total"] == len(DEMO_STATES)
    for row in body["items"]:
        assert set(row["marks"]) == set(body["cells"])
        assert row["tally"]["cells"] == 6
    assert body["tally"]["measures"] == sum(row["tally"]["measures"] for row in body["items"])
    matrix = client.get("/api/v1/states/FRA/matrix").json()
    france = next(row for row in body["items"] if row["state"]["iso3"] == "FRA")
    cells = {
        c["id"]: c["mark"] for s in matrix["sections"] for f in s["fields"] for c in f["cells"]
    }
    assert france["marks"] == {key: cells[key] for key in body["cells"]}


def test_a_field_filtered_by_group_and_as_csv(client: TestClient) -> None:
    body = client.get("/api/v1/fields/op1.npt", params={"group": "western_european_others"}).json()
    assert {row["state"]["iso3"] for row in body["items"]} == {"FRA", "TUR", "USA"}
    rows = read_csv(
        client.get("/api/v1/fields/op1.npt.csv", params={"group": "western_european_others"})
    )
    assert {row["iso3"] for row in rows} == {"FRA", "TUR", "USA"}
    assert "op1.npt:any:adherence" in rows[0]


def test_field_errors(client: TestClient) -> None:
    assert_error(client.get("/api/v1/fields/op2.nothing"), 404, "not_found")
    assert_error(
        client.get("/api/v1/fields/op2.use", params={"group": "nope"}),
        422,
        "invalid_parameter",
        "group",
    )
    assert_error(
        client.get("/api/v1/fields/op2.use", params={"framework": "un1540-matrix"}),
        422,
        "invalid_parameter",
        "framework",
    )
    assert_error(
        client.get("/api/v1/fields/op2.use", params={"framework": "x/y"}), 404, "not_found"
    )


def test_coverage_global_and_by_each_breakdown(client: TestClient) -> None:
    overall = assert_synthetic_json(client.get("/api/v1/coverage"))
    (row,) = overall["items"]
    assert overall["by"] == "global"
    assert row["states"] == overall["states_with_editions"] == len(DEMO_STATES)
    assert "compliance" in overall["method"]
    expected_keys = {
        "group": {
            "african",
            "asia_pacific",
            "eastern_european",
            "latin_american_caribbean",
            "western_european_others",
        },
        "section": {"op1", "op2", "op3ab", "op3cd"},
        "weapon": {"nw", "cw", "bw"},
        "column": {"adherence", "legal_framework", "enforcement"},
    }
    for by, keys in expected_keys.items():
        body = assert_synthetic_json(client.get("/api/v1/coverage", params={"by": by}))
        assert {item["key"] for item in body["items"]} == keys
        assert all(0 <= item["tally"]["coverage"] <= 1 for item in body["items"])
    regions = client.get("/api/v1/coverage", params={"by": "region"}).json()["items"]
    assert sum(item["states"] for item in regions) == len(DEMO_STATES)


def test_coverage_csv_and_errors(client: TestClient) -> None:
    rows = read_csv(client.get("/api/v1/coverage.csv", params={"by": "weapon"}))
    assert [row["key"] for row in rows] == ["nw", "cw", "bw"]
    assert all(row["data_notice"] for row in rows)
    assert_error(
        client.get("/api/v1/coverage", params={"by": "colour"}), 422, "invalid_parameter", "by"
    )


def test_empty_database_gives_empty_answers_not_errors(empty_client: TestClient) -> None:
    coverage = empty_client.get("/api/v1/coverage").json()
    assert (coverage["items"], coverage["states_with_editions"], coverage["synthetic"]) == (
        [],
        0,
        False,
    )
    states = empty_client.get("/api/v1/states").json()
    assert states["total"] == 193
    assert states["synthetic"] is False
    assert all(item["coverage"] is None for item in states["items"])
    field = empty_client.get("/api/v1/fields/op2.use").json()
    assert (field["total"], field["items"]) == (0, [])


def test_coverage_on_a_date_and_its_csv_twin(client: TestClient) -> None:
    body = assert_synthetic_json(client.get("/api/v1/coverage?by=group&as_of=2012-06-30"))
    assert body["as_of"] == "2012-06-30"
    assert body["ages"]["median_edition_age"] is not None
    assert body["distribution"]["threshold"] == 30
    rows = read_csv(client.get("/api/v1/coverage.csv?by=group&as_of=2012-06-30"))
    assert [row["key"] for row in rows] == [item["key"] for item in body["items"]]
    assert {row["as_of"] for row in rows} == {"2012-06-30"}


def test_trends_and_their_csv_twin(client: TestClient) -> None:
    body = assert_synthetic_json(client.get("/api/v1/trends?from=2010-01-01&to=2020-01-01"))
    assert body["from_date"] == "2010-01-01"
    assert body["to_date"] == "2020-01-01"
    (row,) = body["items"]
    assert row["key"] == "all"
    assert len(row["series"]) == len(body["dates"]) == 12  # both ends and 10 year-ends
    rows = read_csv(client.get("/api/v1/trends.csv?from=2010-01-01&to=2020-01-01&by=section"))
    assert {row["on"] for row in rows} <= set(body["dates"])
    assert {row["key"] for row in rows} == {"op1", "op2", "op3ab", "op3cd"}


def test_coverage_and_trends_name_the_bad_parameter(client: TestClient) -> None:
    assert_error(client.get("/api/v1/coverage?as_of=2012-13-01"), 422, "invalid_parameter", "as_of")
    assert_error(client.get("/api/v1/trends?from=2012-01-01"), 422, "invalid_parameter", "to")
    assert_error(
        client.get("/api/v1/trends?from=2016-01-01&to=2015-01-01"), 422, "invalid_parameter", "to"
    )
    assert_error(
        client.get("/api/v1/trends?from=1990-01-01&to=2015-01-01"),
        422,
        "invalid_parameter",
        "from",
    )
    assert_error(client.get("/api/v1/coverage?by=planet"), 422, "invalid_parameter", "by")


def test_coverage_of_one_section_by_state_sums_to_the_section_total(client: TestClient) -> None:
    by_state = client.get("/api/v1/coverage?by=state&section=op3ab&page_size=500").json()
    assert by_state["selection"] == {"section": "op3ab"}
    by_section = client.get("/api/v1/coverage?by=section").json()
    op3ab = next(row for row in by_section["items"] if row["key"] == "op3ab")
    assert sum(row["tally"]["measures"] for row in by_state["items"]) == op3ab["tally"]["measures"]
    one_state = client.get("/api/v1/coverage?by=section&state=fra").json()
    assert one_state["states_with_editions"] == 1
    african = client.get("/api/v1/coverage?by=state&group=african&page_size=500").json()
    assert {row["key"] for row in african["items"]} == {"NGA"}


def test_unknown_section_field_weapon_group_or_state_is_a_422(client: TestClient) -> None:
    for name, value in (
        ("section", "op9"),
        ("field", "op2.nothing"),
        ("weapon", "rw"),
        ("group", "martian"),
        ("state", "XXX"),
    ):
        assert_error(client.get(f"/api/v1/coverage?{name}={value}"), 422, "invalid_parameter", name)


def test_compare_two_to_five_states_and_its_csv_twin(client: TestClient) -> None:
    body = assert_synthetic_json(client.get("/api/v1/compare?states=fra,NGA&by=weapon"))
    assert [state["iso3"] for state in body["states"]] == ["FRA", "NGA"]
    france = client.get("/api/v1/coverage?by=weapon&state=FRA").json()["items"]
    assert body["states"][0]["items"] == france
    rows = read_csv(client.get("/api/v1/compare.csv?states=FRA,NGA&by=weapon"))
    assert {(row["iso3"], row["key"]) for row in rows} == {
        (iso3, key) for iso3 in ("FRA", "NGA") for key in ("nw", "cw", "bw")
    }
    chad = client.get("/api/v1/compare?states=FRA,TCD").json()["states"][1]
    assert chad["edition"] is None
    assert chad["items"] == []


def test_compare_names_the_states_parameter_when_wrong(client: TestClient) -> None:
    for states in ("FRA", "FRA,NGA,BRA,CHN,POL,USA", "FRA,XXX", ""):
        assert_error(
            client.get(f"/api/v1/compare?states={states}"), 422, "invalid_parameter", "states"
        )


def test_field_and_edition_diff_csvs_flag_every_reconstructed_row(client: TestClient) -> None:
    """Failed before this change: neither CSV said whether a row's field was reconstructed."""
    framework = client.get("/api/v1/frameworks/un1540-matrix/reconstructed-2016").json()
    verified = {f["code"]: f["verified"] for s in framework["sections"] for f in s["fields"]}
    assert set(verified.values()) == {True, False}
    for code in (
        next(c for c, ok in verified.items() if ok),
        next(c for c, ok in verified.items() if not ok),
    ):
        rows = read_csv(client.get(f"/api/v1/fields/{code}.csv"))
        assert rows
        assert {row["reconstructed"] for row in rows} == {"false" if verified[code] else "true"}
    editions = client.get("/api/v1/states/FRA/editions").json()["items"]
    numbers = sorted(e["number"] for e in editions if e["status"] == "approved")
    assert len(numbers) >= 2
    diff = read_csv(client.get(f"/api/v1/states/FRA/editions/{numbers[0]}/diff/{numbers[-1]}.csv"))
    assert diff
    for row in diff:
        assert row["reconstructed"] == ("false" if verified[row["field"]] else "true"), row
