"""The reporting page's chart and map, and the dashboard's reporting charts, in Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

pytestmark = pytest.mark.browser


def test_reporting_page_draws_its_timeline_and_map(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(live_server + "/reporting?as_of=2020-01-01")
    expect(page.locator("#chart-reporting")).to_have_attribute(
        "data-rendered", "true", timeout=15000
    )
    # One line for all States and one per regional group.
    assert page.locator("#chart-reporting svg path[fill='none']").count() >= 6
    expect(page.locator("#reporting-map")).to_have_attribute("data-rendered", "true", timeout=15000)
    assert page.locator("#reporting-map svg path").count() > 150
    expect(page.locator(".map-legend").first).to_contain_text("never reported")
    page.screenshot(path=str(artifacts / "reporting.png"), full_page=True)
    page.goto(live_server + "/dashboard")
    for chart in ("#chart-reporting-timeline", "#chart-reporting-regions"):
        expect(page.locator(chart)).to_have_attribute("data-rendered", "true", timeout=15000)
    assert errors == []
    page.close()
