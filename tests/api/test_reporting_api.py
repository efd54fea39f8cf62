"""The reporting doors: /api/v1/reporting (JSON and CSV), the timeline, a State's register, the
/reporting page, the dashboard's and the review's reporting figures, and the 28 April 2004 rule
at the portal's upload (the API's is in test_documents_api.py, the service's in
tests/services/test_document_dates.py, the import's in tests/services/test_reporting.py, the
demo's in tests/io/test_demo.py and below)."""

from __future__ import annotations

import json
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from tests.api.helpers import assert_error, assert_synthetic_json, read_csv
from tests.conftest import DEMO_STATES, STATE_WITHOUT_EDITIONS
from tests.portal.test_workflow_pages import Portal, browser, csrf, portal, sign_in
from un1540.models import Document, DocumentKind, Origin
from un1540.models.base import today
from un1540.services.documents.actions import RESOLUTION_ADOPTED
from un1540.services.kernel.instance import SYNTHETIC_NOTICE

__all__ = ["portal"]  # the fixture, shared with the workflow pages

STATES = 193


def test_status_of_every_state_on_the_demo(client: TestClient) -> None:
    body = assert_synthetic_json(client.get("/api/v1/reporting"))
    assert body["states"] == STATES
    assert body["reported"] == len(DEMO_STATES)  # every demo State has a public first report
    rows = {item["iso3"]: item for item in body["items"]}
    assert rows[STATE_WITHOUT_EDITIONS]["status"] == "never_reported"
    assert all(rows[iso3]["status"] == "reported" for iso3 in DEMO_STATES)
    assert all(rows[iso3]["first_report_on"] >= "2004-04-28" for iso3 in DEMO_STATES)
    early = client.get("/api/v1/reporting", params={"as_of": "2004-06-01"}).json()
    assert early["reported"] < body["reported"]
    african = client.get("/api/v1/reporting", params={"group": "african"}).json()
    assert {item["iso3"] for item in african["items"]} >= {"NGA", STATE_WITHOUT_EDITIONS}
    assert_error(
        client.get("/api/v1/reporting", params={"as_of": "2004-04-27"}),
        422,
        "invalid_parameter",
        "as_of",
    )
    assert_error(
        client.get("/api/v1/reporting", params={"group": "nordic"}),
        422,
        "invalid_parameter",
        "group",
    )


def test_csv_carries_the_synthetic_notice(client: TestClient) -> None:
    response = client.get("/api/v1/reporting.csv", params={"as_of": "2020-01-01"})
    rows = read_csv(response)
    assert response.headers["X-Synthetic-Data"] == "true"
    assert "synthetic-demo-reporting-2020-01-01.csv" in response.headers["Content-Disposition"]
    assert len(rows) == STATES
    assert {row["data_notice"] for row in rows} == {SYNTHETIC_NOTICE}
    by_state = {row["iso3"]: row for row in rows}
    json_rows = {
        item["iso3"]: item
        for item in client.get("/api/v1/reporting", params={"as_of": "2020-01-01"}).json()["items"]
    }
    for iso3 in [*DEMO_STATES, STATE_WITHOUT_EDITIONS]:
        row, item = by_state[iso3], json_rows[iso3]
        assert row["status"] == item["status"]
        assert row["last_report_on"] == (item["last_report_on"] or "")
        assert row["reports"] == str(item["reports"])
        assert row["as_of"] == "2020-01-01"


def test_register_and_timeline(client: TestClient, session: Session) -> None:
    register = assert_synthetic_json(client.get("/api/v1/states/fra/reports"))
    public = session.scalars(
        select(Document).where(
            Document.state.has(iso3="FRA"),
            Document.kind.in_(
                [
                    DocumentKind.national_report,
                    DocumentKind.addendum,
                    DocumentKind.additional_information,
                ]
            ),
            Document.visibility == "public",
        )
    ).all()
    assert sorted(item["id"] for item in register["items"]) == sorted(d.id for d in public)
    assert register["items"][0]["kind"] == "national_report"
    assert register["status"]["reports"] == len([d for d in public if d.issued_on])
    assert_error(client.get("/api/v1/states/ZZZ/reports"), 404, "not_found")
    timeline = assert_synthetic_json(
        client.get("/api/v1/reporting/timeline", params={"to": "2020-06-30"})
    )
    assert timeline["points"][0]["on"] == "2004-12-31"
    assert timeline["points"][-1]["on"] == "2020-06-30"
    assert timeline["points"][-1]["reported"] == len(DEMO_STATES)
    counts = [point["reported"] for point in timeline["points"]]
    assert counts == sorted(counts)  # never fewer States than the year before


def test_portal_page_dashboard_and_review_show_the_figures(client: TestClient) -> None:
    status = client.get("/api/v1/reporting", params={"as_of": "2016-04-24"}).json()
    page = client.get("/reporting", params={"as_of": "2016-04-24"})
    assert page.status_code == 200
    assert f'id="reported-count">{status["reported"]}<' in page.text
    assert 'id="never-reported"' in page.text
    assert "Chad" in page.text.split('id="never-reported"', 1)[1].split("</ul>", 1)[0]
    assert 'id="reporting-map"' in page.text
    spec = json.loads(page.text.split('id="chart-reporting-data">', 1)[1].split("</script>", 1)[0])
    assert spec["series"][0]["data"][-1] == status["reported"]  # all States, on the date
    filtered = client.get("/reporting", params={"group": "western_european_others"})
    assert 'data-iso3="FRA"' in filtered.text
    assert 'data-iso3="NGA"' not in filtered.text
    refused = client.get("/reporting", params={"as_of": "2003-01-01"})
    assert refused.status_code == 422
    assert "as_of" in refused.text
    french = client.get("/reporting", params={"lang": "fr"})
    assert "États qui n’ont jamais fait rapport" in french.text

    dashboard = client.get("/dashboard", params={"as_of": "2016-04-24"})
    section = dashboard.text.split('id="dashboard-reporting"', 1)[1].split("</section>", 1)[0]
    assert f'<span class="total-value">{status["reported"]}</span>' in section
    assert 'id="chart-reporting-timeline"' in section

    review = client.get(
        "/api/v1/reports/review", params={"from": "2011-04-25", "to": "2016-04-24"}
    ).json()
    assert review["reporting"]["reported_end"] == status["reported"]
    assert review["reporting"]["never_reported_end"] == status["never_reported"]
    review_page = client.get("/reports/review", params={"from": "2011-04-25", "to": "2016-04-24"})
    table = review_page.text.split('id="review-reporting"', 1)[1].split("</table>", 1)[0]
    assert f'<td class="num">{status["reported"]}</td>' in table


def test_a_restricted_report_is_neither_listed_nor_counted_for_the_public(
    empty_client: TestClient, empty_session: Session
) -> None:
    from tests.factories import make_document, make_user
    from un1540.models import Visibility
    from un1540.services.accounts.actions import issue_token

    with empty_session.begin():
        make_document(
            empty_session,
            iso3="GHA",
            title="Unpublished first report",
            issued_on=date(2006, 1, 1),
            visibility=Visibility.owning_state_and_committee,
        )
        make_user(empty_session, role="expert", email="expert@example.org")
        _, token = issue_token(empty_session, email="expert@example.org", scope="read", actor="t")
    expert = {"Authorization": f"Bearer {token}"}
    for path in ["/api/v1/reporting", "/api/v1/reporting.csv"]:
        assert "2006-01-01" not in empty_client.get(path).text, path
        assert "2006-01-01" in empty_client.get(path, headers=expert).text, path
    page = empty_client.get("/reporting").text
    assert 'id="reported-count">0<' in page
    assert "Ghana" in page.split('id="never-reported"', 1)[1].split("</ul>", 1)[0]
    assert empty_client.get("/api/v1/reporting").json()["reported"] == 0
    assert empty_client.get("/api/v1/reporting", headers=expert).json()["reported"] == 1
    assert empty_client.get("/api/v1/states/GHA/reports").json()["items"] == []
    assert "Unpublished" in empty_client.get("/api/v1/states/GHA/reports", headers=expert).text


def test_the_portal_upload_refuses_a_report_older_than_the_resolution(portal: Portal) -> None:
    client = browser(portal)
    sign_in(client, "poc@example.org")
    page = client.get("/states/GHA/documents").text
    refused = client.post(
        "/states/GHA/documents",
        data={
            "csrf_token": csrf(page),
            "kind": "national_report",
            "title": "Backdated report",
            "language": "en",
            "issued_on": "2004-04-27",
            "url": "https://example.org/report.pdf",
        },
    )
    # the refusal beside the form, which holds what was entered (session 28)
    flash = refused.text.split('id="form-errors"', 1)[1].split("</div>", 1)[0]
    assert "Date: 2004-04-27" in flash  # the field named by its label on the form, not its code
    assert "before resolution 1540 was adopted (2004-04-28)" in flash
    assert 'value="2004-04-27"' in refused.text
    assert 'value="Backdated report"' in refused.text
    with portal.sessions() as session:
        assert (
            session.scalars(select(Document).where(Document.title == "Backdated report")).all()
            == []
        )


def test_the_demo_dates_every_report_after_the_resolution(session: Session) -> None:
    reports = session.execute(
        select(Document.kind, Document.issued_on, Document.visibility).where(
            Document.origin == Origin.demo,
            Document.kind.in_(
                [
                    DocumentKind.national_report,
                    DocumentKind.addendum,
                    DocumentKind.additional_information,
                ]
            ),
        )
    ).all()
    assert reports
    assert all(on is not None and on >= RESOLUTION_ADOPTED for _, on, _ in reports)
    assert any(kind is DocumentKind.additional_information for kind, _, _ in reports)
    assert all(on <= today() for _, on, _ in reports if on)
