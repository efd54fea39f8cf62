"""The clearinghouse in a real browser, each party in the portal: a provider publishes an offer,
a State asks for help from a gap on its matrix, the offer is suggested with its reasons, an expert
accepts it and opens a project, the provider delivers it, the State gives its feedback, and the
loop shows on the State x field page."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.test_phone_layout import PHONE, WIDTH
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
    # The offer form on a 360 px phone: nothing wider than the screen.
    provider.set_viewport_size(PHONE)
    assert provider.evaluate(WIDTH) <= PHONE["width"]
    provider.screenshot(path=str(artifacts / "assistance-offer-form-phone.png"), full_page=True)
    provider.set_viewport_size({"width": 1280, "height": 900})
    provider.locator("#title").fill("Penal law drafting clinic")
    # Pickers: type to filter by name (or code), choose by name; the form submits codes.
    provider.get_by_label("Search the list (Matrix fields or sections)").fill("op2")
    expect(provider.locator("#areas .picker-count")).to_contain_text("shown")
    provider.locator('#areas input[value="op2"]').check()
    provider.locator('input[name="help_types"][value="legislative_drafting"]').check()
    provider.get_by_label("Search the list (Regions)").fill("african gr")
    expect(provider.locator('#regions input[value="western_european_others"]')).to_be_hidden()
    provider.get_by_label("African Group").check()
    # Enter in a search box filters, it does not publish.
    provider.get_by_label("Search the list (Regions)").press("Enter")
    provider.locator("#budget").fill("-1")
    provider.locator("#currency").select_option("EUR")
    provider.locator("#start_on").fill("2026-01-01")
    provider.locator("#end_on").fill("2028-12-31")
    provider.get_by_role("button", name="Publish the offer").click()
    # A negative budget: the form comes back with what was chosen and the problem at its place.
    expect(provider.locator("#budget-error")).to_be_visible()
    expect(provider.get_by_label("African Group")).to_be_checked()
    provider.locator("#budget").fill("25000")
    provider.locator("#visibility").select_option("states_and_providers")
    provider.get_by_role("button", name="Publish the offer").click()
    expect(provider.locator(".flash")).to_contain_text("published")
    ours = provider.locator("tr", has_text="Penal law drafting clinic")
    expect(ours).to_contain_text("25,000")
    expect(ours).to_contain_text("States' and providers' accounts")

    poc_context, poc = _sign_in(browser, live_server, "state_poc@example.org")
    poc.goto(f"{live_server}/states/NGA")
    ask = poc.locator('a.ask-help[href*="field=op2."]').first
    href = ask.get_attribute("href")
    assert href is not None
    field = re.search(r"field=([a-z0-9_.]+)", href)
    assert field is not None
    code = field.group(1)
    ask.click()
    # The gap fills in the first item.
    chosen = poc.locator(f'input[name="item-0-field"][value="{code}"]')
    expect(chosen).to_be_checked()
    expect(chosen).to_be_in_viewport()  # scrolled into sight in its list
    # Short lists (weapon categories, languages) need no search box; long ones have one.
    expect(poc.locator("#item-0-weapon .picker-search")).to_be_hidden()
    expect(poc.locator("#item-0-help_type .picker-search")).to_be_visible()
    poc.locator("#summary").fill("Penal provisions and customs training")
    poc.locator("#item-0-note").fill("Draft the penal provisions")
    poc.locator('input[name="item-0-help_type"][value="legislative_drafting"]').check()
    # Items are added and removed in the page (the script; without it the server does it).
    url = poc.url
    poc.get_by_role("button", name="Add an item").click()
    poc.get_by_role("button", name="Add an item").click()
    expect(poc.locator(".request-item")).to_have_count(3)
    assert poc.url == url
    poc.get_by_role("button", name="Remove item 2").click()
    expect(poc.locator(".request-item")).to_have_count(2)
    expect(poc.locator(".request-item-legend").nth(1)).to_have_text("Item 2")
    poc.get_by_label("Search the list (Matrix field)").nth(1).fill("border control")
    poc.locator('input[name="item-1-field"][value="op3cd.border_control"]').check()
    poc.locator('input[name="item-1-help_type"][value="training"]').check()
    poc.set_viewport_size(PHONE)
    assert poc.evaluate(WIDTH) <= PHONE["width"]
    poc.screenshot(path=str(artifacts / "assistance-request-form-phone.png"), full_page=True)
    poc.set_viewport_size({"width": 1280, "height": 900})
    # The form starts at the Committee only; the State widens it to providers to be helped.
    expect(poc.locator("#consent")).to_have_value("committee")
    poc.locator("#consent").select_option("providers")
    poc.get_by_role("button", name="File the request").click()
    expect(poc.locator("#request-status")).to_have_text("Received")
    expect(poc.locator("main")).to_contain_text("Draft the penal provisions")
    expect(poc.locator("main")).to_contain_text("Penal provisions and customs training")
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
