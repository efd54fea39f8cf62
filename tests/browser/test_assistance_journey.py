"""The clearinghouse in a real browser, each party in the portal: a provider publishes an offer,
a State asks for help from a gap on its matrix, the offer is suggested with its reasons, an expert
accepts it and opens a project, the provider delivers it, the State gives its feedback, and the
loop shows on the State x field page."""

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
    # The flash names the status as the portal labels it ("now In delivery"), not its code.
    label = status.replace("_", " ").capitalize()
    expect(page.locator(".flash")).to_contain_text(f"now {label}.")


def test_from_a_gap_to_a_delivered_project(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    provider_context, provider = _sign_in(browser, live_server, "provider@example.org")
    provider.goto(f"{live_server}/assistance/offers/new")
    provider.locator("#title").fill("Penal law drafting clinic")
    provider.locator("#areas").fill("op2")
    provider.locator('input[name="help_type"][value="legislative_drafting"]').check()
    provider.locator("#regions").fill("african")
    provider.get_by_role("button", name="Publish the offer").click()
    expect(provider.locator(".flash")).to_contain_text("published")

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
    # The form starts at the Committee only; the State widens it to providers to be helped.
    expect(poc.locator("#consent")).to_have_value("committee")
    poc.locator("#consent").select_option("providers")
    poc.get_by_role("button", name="File the request").click()
    expect(poc.locator("#request-status")).to_have_text("Received")
    request_url = poc.url
    poc.screenshot(path=str(artifacts / "assistance-request-filed.png"), full_page=True)

    expert_context, expert = _sign_in(browser, live_server, "expert@example.org")
    expert.goto(request_url)
    for status in ("authenticated", "acknowledged", "circulated"):
        _step(expert, status)
    ours = expert.locator("table.suggestions tbody tr", has_text="Penal law drafting clinic")
    expect(ours).to_contain_text("Matrix fields")  # the score explains itself
    offer = ours.get_attribute("data-offer")
    assert offer is not None
    ours.get_by_role("button", name="Accept").click()
    expect(expert.locator(".flash")).to_contain_text("Judgement recorded.")
    expert.locator(f'table.suggestions tr[data-offer="{offer}"]').get_by_role(
        "button", name="Open a project"
    ).click()
    expect(expert.locator("#project-status")).to_have_text("Planned")
    project_url = expert.url

    provider.goto(project_url)
    provider.locator("#milestone-title").fill("Draft reviewed")
    provider.get_by_role("button", name="Add").click()
    _step(provider, "in_delivery")
    provider.get_by_role("button", name="Record the delivery").click()
    expect(provider.locator(".flash")).to_contain_text("Delivery recorded.")
    _step(provider, "delivered")
    expect(provider.locator("#project-status")).to_have_text("Delivered")

    poc.goto(project_url)
    poc.locator("#rating").select_option("4")
    poc.locator("#feedback-text").fill("Clear and timely")
    poc.get_by_role("button", name="Give feedback").click()
    expect(poc.locator(".flash")).to_contain_text("your feedback is recorded")
    expect(poc.locator("main")).to_contain_text("4/5 Clear and timely")
    poc.screenshot(path=str(artifacts / "assistance-project.png"), full_page=True)

    poc.goto(f"{live_server}/states/NGA/fields/{code}/loop")
    expect(poc.locator("#loop-summary")).to_contain_text("served by 1 project")
    expect(poc.get_by_role("link", name="Draft the penal provisions")).to_have_count(0)
    expect(poc.locator("main")).to_contain_text("Delivered")
    poc.screenshot(path=str(artifacts / "assistance-loop.png"), full_page=True)
    poc_context.close()
    expert_context.close()
    provider_context.close()
