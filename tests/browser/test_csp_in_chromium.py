"""The Content-Security-Policy (no inline script or style, our own files only) breaks nothing:
each page family renders its maps, charts and the API docs in Chromium with no violation."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, ConsoleMessage, expect

from tests.factories import PASSWORD

pytestmark = pytest.mark.browser

PAGES = [
    "/",
    "/states?lang=ar",  # right to left: the bars are mirrored by a style sheet
    "/states/FRA?lang=en",
    "/dashboard",
    "/trends",
    "/priorities",
    "/assistance",
    "/who-what-where",
    "/reports/review",
    "/login",
]


def test_every_page_family_renders_under_the_policy(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type == "error" or "Content Security Policy" in message.text:
            problems.append(f"{page.url}: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: {error}"))
    for path in PAGES:
        response = page.goto(live_server + path)
        assert response is not None
        assert "script-src 'self'" in response.headers["content-security-policy"]
        for canvas in page.locator(".chart-canvas, .map-canvas").all():
            expect(canvas).to_have_attribute("data-rendered", "true", timeout=15000)
        if "lang=ar" in path:  # the coverage bars (SVG now), mirrored right to left
            page.screenshot(path=str(artifacts / "states-ar-under-csp.png"))
    # The review's charts are images of data: URLs, drawn with their own styles.
    page.goto(live_server + "/reports/review")
    images = page.locator(".review-chart img")
    assert images.count() == 6
    assert all(page.evaluate("i => i.naturalWidth > 0", i.element_handle()) for i in images.all())
    # Signed in: the account page, the sign-out form, a chart downloaded as SVG (blob: URL).
    page.goto(live_server + "/login?next=/account")
    page.fill("#email", "expert@example.org")
    page.fill("#password", PASSWORD)
    page.click("main button[type=submit]")  # the sign-in form, not the header's search
    expect(page.locator("h1")).to_have_text("Your account")
    page.goto(live_server + "/dashboard")
    with page.expect_download() as download:
        page.locator("[data-chart-download=svg]").first.click()
    assert download.value.suggested_filename.endswith(".svg")
    # The API console: Swagger UI started by a static script.
    page.goto(live_server + "/api/docs/console")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("un1540 API", timeout=15000)
    page.screenshot(path=str(artifacts / "api-docs-under-csp.png"))
    page.close()
    assert problems == []
