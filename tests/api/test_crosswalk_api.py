"""/api/v1/crosswalk and its CSV twin; the crosswalk in a field's read and on its page."""

from __future__ import annotations

import html

import pytest
from fastapi.testclient import TestClient

from tests.api.helpers import assert_error, assert_page, read_csv
from un1540.reference.crosswalks import bundled_crosswalks, load_instruments


def test_the_crosswalk_lists_every_link_of_the_default_version(client: TestClient) -> None:
    response = client.get("/api/v1/crosswalk?page_size=200")
    body = response.json()
    assert response.status_code == 200
    assert body["synthetic"] is False
    assert_page(body, page_size=200)
    crosswalk = bundled_crosswalks()[0]
    assert body["framework"] == crosswalk.framework
    assert body["crosswalks"] == [crosswalk.slug]
    assert body["total"] == len(crosswalk.links)
    assert [(i["field"], i["article"]) for i in body["items"]] == [
        (link.field, link.article.id) for link in crosswalk.links
    ]
    assert {i["code"] for i in body["instruments"]} == set(load_instruments())
    r7 = next(i for i in body["items"] if i["article"] == "fatf:R7")
    assert (r7["instrument_short"], r7["kind"], r7["citation"], r7["number"]) == (
        "FATF",
        "recommendation",
        "R7",
        "R7",
    )
    assert "proliferation" in r7["subject"]
    assert r7["confidence"] == "V"
    # Every link was checked against the text but the Geneva Protocol row (its text not found).
    assert {(i["article"], i["confidence"]) for i in body["items"] if i["confidence"] != "V"} == {
        ("geneva_1925", "GK")
    }
    assert all(i["note"] for i in body["items"] if i["confidence"] == "GK")


def test_the_crosswalk_filters_by_instrument_and_field(client: TestClient) -> None:
    body = client.get("/api/v1/crosswalk?instrument=icsant&page_size=200").json()
    assert body["items"]
    assert {i["instrument"] for i in body["items"]} == {"icsant"}
    body = client.get("/api/v1/crosswalk?field=op2.manufacture").json()
    assert [i["article"] for i in body["items"]] == [
        "bwc:I",
        "bwc:IV",
        "cwc:I.1(a)",
        "cwc:VII.1(a)",
        "icsant:2.1(a)",
        "icsant:5",
    ]
    assert client.get("/api/v1/crosswalk?field=op3cd.border_control").json()["total"] == 0


@pytest.mark.parametrize(
    ("query", "where"),
    [
        ("instrument=xyz", "instrument"),
        ("field=op9.none", "field"),
        ("framework=un1540-matrix", "framework"),
    ],
)
def test_bad_crosswalk_parameters_are_named(client: TestClient, query: str, where: str) -> None:
    assert_error(client.get(f"/api/v1/crosswalk?{query}"), 422, "invalid_parameter", where)


def test_the_crosswalk_has_a_csv_twin(client: TestClient) -> None:
    rows = read_csv(client.get("/api/v1/crosswalk.csv?instrument=cwc"))
    assert rows
    assert {row["instrument"] for row in rows} == {"cwc"}
    row = next(r for r in rows if r["article"] == "cwc:VII.1(c)")
    assert (row["field"], row["citation"], row["instrument_short"]) == (
        "op3cd.extraterritorial",
        "VII.1(c)",
        "CWC",
    )
    assert row["source"].startswith("United Nations Treaty Series")
    assert "data_notice" not in row


def test_a_field_read_carries_its_obligations(client: TestClient) -> None:
    field = client.get("/api/v1/fields/op2.finance").json()["field"]
    assert [o["article"] for o in field["obligations"]] == ["fatf:R7", "icsant:7.1(a)"]
    assert client.get("/api/v1/fields/op3cd.border_control").json()["field"]["obligations"] == []


def test_the_field_page_shows_the_obligations_in_each_language(client: TestClient) -> None:
    english = client.get("/fields/op2.manufacture").text
    assert "Related treaty obligations" in english
    assert "Article VII.1(a)" in english
    assert "National measures to prohibit and prevent" in english
    assert "checked against the text" in english
    assert "from general knowledge of the text" not in english
    french = html.unescape(client.get("/fields/op2.manufacture?lang=fr").text)
    subjects = load_instruments()["bwc"].subjects
    assert subjects["IV"]["fr"] in french
    assert load_instruments()["bwc"].names["fr"] in french
    assert "Related treaty obligations" not in french
    arabic = html.unescape(client.get("/fields/op2.finance?lang=ar").text)
    assert load_instruments()["fatf"].subjects["R7"]["ar"] in arabic
    whole = client.get("/fields/op1.cwc?lang=en").text
    assert "The instrument as a whole" in whole
    none = client.get("/fields/op3cd.border_control?lang=en").text
    assert "No article of the related instruments is linked" in none
