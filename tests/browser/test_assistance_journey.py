"""The clearinghouse in a real browser: a State asks for help from a gap on its matrix, an
offer is suggested with its reasons, an expert accepts it, a project is delivered, and the loop
shows on the State x field page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_workflow_journey import _sign_in

pytestmark = pytest.mark.browser


def _step(page: Page, status: str) -> None:
    page.locator("select#to").select_option(status)
    page.get_by_role("button", name="Apply").click()
    expect(page.locator(".flash")).to_contain_text(f"now {status}")


def test_from_a_gap_to_a_delivered_project(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    poc_context, poc = _sign_in(browser, live_server, "state_poc@example.org")
    poc.goto(f"{live_server}/states/NGA")
    ask = poc.locator('a.ask-help[href*="field=op2."]').first
    href = ask.get_attribute("href")
    assert href is not None
    field = re.search(r"field=([a-z0-9_.]+)", href)
    assert field is not None
    code = field.group(1)
    ask.click()
    expect(poc.locator("#field")).to_have_value(code)  # the gap fills in the form
    poc.locator("#description").fill("Draft the penal provisions")
    poc.locator("#help_type").select_option("legislative_drafting")
    poc.get_by_role("button", name="File the request").click()
    expect(poc.locator("#request-status")).to_have_text("Received")
    request_url = poc.url
    poc.screenshot(path=str(artifacts / "assistance-request-filed.png"), full_page=True)

    expert_context, expert = _sign_in(browser, live_server, "expert@example.org")
    expert.goto(request_url)
    for status in ("authenticated", "acknowledged", "circulated"):
        _step(expert, status)
    first = expert.locator("table.suggestions tbody tr").first
    expect(first).to_contain_text("Matrix fields")  # the score explains itself
    offer = first.get_attribute("data-offer")
    assert offer is not None
    first.get_by_role("button", name="Accept").click()
    expect(expert.locator(".flash")).to_contain_text("Judgement recorded.")
    expert.locator(f'table.suggestions tr[data-offer="{offer}"]').get_by_role(
        "button", name="Open a project"
    ).click()
    expect(expert.locator("#project-status")).to_have_text("Planned")
    for status in ("in_delivery", "delivered"):
        _step(expert, status)
    expect(expert.locator("#project-status")).to_have_text("Delivered")
    expert.screenshot(path=str(artifacts / "assistance-project.png"), full_page=True)

    poc.goto(f"{live_server}/states/NGA/fields/{code}/loop")
    expect(poc.locator("#loop-summary")).to_contain_text("served by 1 project")
    expect(poc.get_by_role("link", name="Draft the penal provisions")).to_have_count(0)
    expect(poc.locator("main")).to_contain_text("Delivered")
    poc.screenshot(path=str(artifacts / "assistance-loop.png"), full_page=True)
    poc_context.close()
    expert_context.close()
