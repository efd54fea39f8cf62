"""The portal in headless Chromium: maps and charts draw, the matrix works by mouse and keyboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser


def _open(
    browser: Browser, url: str, *, width: int = 1280, height: int = 900
) -> tuple[Page, list[str]]:
    page = browser.new_page(viewport={"width": width, "height": height})
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    assert errors == []
    return page, requests


def test_home_draws_the_world_map_offline(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    page, requests = _open(browser, live_server + "/")
    expect(page.locator("#coverage-map")).to_have_attribute("data-rendered", "true", timeout=15000)
    shapes = page.locator("#coverage-map svg path").count()
    assert shapes > 150  # 165 Member States drawn as shapes, plus the legend
    assert page.locator("#coverage-map svg").count() == 1
    expect(page.locator(".synthetic-banner")).to_be_visible()
    assert all(url.startswith(live_server) for url in requests), [
        u for u in requests if not u.startswith(live_server)
    ]
    page.screenshot(path=str(artifacts / "home.png"), full_page=True)
    page.close()


def test_state_page_draws_the_matrix_and_opens_evidence(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    page, requests = _open(browser, live_server + "/states/FRA")
    assert page.locator(".matrix-table").count() == 4
    # Every one of the framework's 341 cells is shown with its mark.
    assert page.locator(".matrix-table .mark").count() == 341
    expect(page.locator("#timeline-chart")).to_have_attribute(
        "data-rendered", "true", timeout=15000
    )
    first = page.locator("details.cell-detail").first
    first.locator("summary").click()
    expect(first.locator(".popover")).to_be_visible()
    expect(first.locator(".popover")).to_contain_text("[Synthetic]")
    # Keyboard: Escape closes, Enter on the focused mark opens again.
    page.keyboard.press("Escape")
    expect(first.locator(".popover")).to_be_hidden()
    first.locator("summary").focus()
    page.keyboard.press("Enter")
    expect(first.locator(".popover")).to_be_visible()
    page.screenshot(path=str(artifacts / "state-FRA.png"), full_page=False)
    assert all(url.startswith(live_server) for url in requests)
    page.close()


def test_clicking_a_state_on_the_map_opens_its_page(browser: Browser, live_server: str) -> None:
    page, _ = _open(browser, live_server + "/fields/op2.manufacture")
    expect(page.locator("#field-map")).to_have_attribute("data-rendered", "true", timeout=15000)
    assert page.locator("#field-map svg path").count() > 150
    page.close()


def test_pages_read_on_a_phone(browser: Browser, live_server: str, artifacts: Path) -> None:
    for path, name in (
        ("/", "home-phone.png"),
        ("/states/NGA", "state-phone.png"),
        ("/states", "states-phone.png"),
    ):
        page, _ = _open(browser, live_server + path, width=375, height=740)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, f"{path} scrolls sideways by {overflow}px"
        page.screenshot(path=str(artifacts / name))
        page.close()


def test_skip_link_and_keyboard_navigation(browser: Browser, live_server: str) -> None:
    page, _ = _open(browser, live_server + "/states")
    page.keyboard.press("Tab")
    expect(page.locator(".skip-link")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#main")).to_be_focused()
    assert page.evaluate("document.documentElement.lang") == "en"
    page.close()
