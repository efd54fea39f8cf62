"""A country visit in a real browser, each party in the portal: the State invites the
Committee, the Committee accepts, an expert prepares the briefing from the data, records the
visit and a finding on a matrix field, turns the finding into an assistance request in one
step, and the State's profile shows the visit and the request."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_workflow_journey import _sign_in

pytestmark = pytest.mark.browser
DAY = datetime.now(UTC).date()


def _ago(days: int) -> str:
    return (DAY - timedelta(days=days)).isoformat()


def _step(page: Page, status: str, name: str, on: str = "", until: str = "") -> None:
    page.locator("select#to").select_option(status)
    if on:
        page.locator("#on").fill(on)
    if until:
        page.locator("#until").fill(until)
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".flash")).to_contain_text(f"The visit is now: {name}.")
    expect(page.locator("#visit-status")).to_have_text(name)


def test_from_an_invitation_to_an_assistance_request(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    poc_context, poc = _sign_in(browser, live_server, "state_poc@example.org")
    poc.goto(f"{live_server}/visits")
    expect(poc.locator("#state")).to_have_value("NGA")  # the State it speaks for
    poc.locator("#invited_on").fill(_ago(30))
    poc.locator("#purpose").fill("Border and export controls")
    poc.get_by_role("button", name="Record the invitation").click()
    expect(poc.locator("#visit-status")).to_have_text("Invited")
    visit_url = poc.url

    committee_context, committee = _sign_in(browser, live_server, "committee@example.org")
    committee.goto(visit_url)
    _step(committee, "accepted", "Accepted", on=_ago(25))

    expert_context, expert = _sign_in(browser, live_server, "expert@example.org")
    expert.goto(visit_url)
    _step(expert, "preparation", "In preparation")
    expert.locator("#briefing-link").click()
    expect(expert.locator("#gaps")).to_contain_text("Gaps by section and weapon")
    expect(expert.locator("#briefing-docx")).to_have_attribute(
        "href", f"{visit_url.replace(live_server, '/api/v1')}/briefing.docx"
    )
    expert.screenshot(path=str(artifacts / "visit-briefing.png"), full_page=False)
    expert.goto(visit_url)
    _step(expert, "conducted", "Conducted", on=_ago(10), until=_ago(8))
    expert.locator("#finding-field").select_option("op3cd.border_control")
    expert.locator("#finding-weapon").select_option("nw")
    expert.locator("#finding-text").fill("No radiation detection at the main port.")
    expert.get_by_role("button", name="Record the finding").click()
    expect(expert.locator(".flash")).to_contain_text("Finding recorded.")
    _step(expert, "findings", "Findings recorded")
    row = expert.locator("#findings tbody tr", has_text="No radiation detection")
    row.locator('select[name="kind"]').select_option("assistance_request")
    row.locator('input[name="title"]').fill("Radiation portal monitors for the main port")
    row.locator('select[name="help_type"]').select_option("equipment")
    row.get_by_role("button", name="Record the follow-up").click()
    expect(expert.locator(".flash")).to_contain_text("filed for the State")
    follow_up = expert.locator("#follow-ups li", has_text="Radiation portal monitors")
    expect(follow_up).to_contain_text("Received")
    expert.screenshot(path=str(artifacts / "visit-findings.png"), full_page=True)

    # The State's profile shows the visit and the request the finding became.
    poc.goto(f"{live_server}/states/NGA")
    visit_number = visit_url.rsplit("/", 1)[1]
    expect(poc.locator("#profile-visits")).to_contain_text(f"Visit {visit_number}")
    expect(poc.locator("#profile-requests")).to_contain_text(
        "Radiation portal monitors for the main port"
    )
    expect(poc.locator(".matrix-table").first).to_be_visible()  # the matrix stays on the page
    poc.screenshot(path=str(artifacts / "state-profile.png"), full_page=False)
    for context in (poc_context, committee_context, expert_context):
        context.close()
