"""Dashboards, comparison and the prioritisation aid in headless Chromium."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

pytestmark = pytest.mark.browser


def _open(browser: Browser, url: str) -> tuple[Page, list[str], list[str]]:
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    requests: list[str] = []
    errors: list[str] = []
    page.on("request", lambda request: requests.append(request.url))
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(url)
    page.wait_for_load_state("networkidle")
    return page, requests, errors


def test_dashboard_draws_its_charts_and_map_offline(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    page, requests, errors = _open(browser, live_server + "/dashboard?section=op3ab")
    for chart in ("#chart-groups", "#chart-weapons", "#chart-sections", "#chart-histogram"):
        expect(page.locator(chart)).to_have_attribute("data-rendered", "true", timeout=15000)
        assert page.locator(f"{chart} svg").count() == 1
    expect(page.locator("#section-map")).to_have_attribute("data-rendered", "true", timeout=15000)
    assert page.locator("#section-map svg path").count() > 150
    # One line per regional group in the chart over time.
    assert page.locator("#chart-groups svg path[fill='none']").count() >= 5
    assert errors == []
    assert all(url.startswith(live_server) for url in requests)
    with page.expect_download() as png:
        page.locator("#chart-weapons").locator("xpath=..").get_by_text("Download PNG").click()
    assert png.value.suggested_filename == "coverage-by-weapon.png"
    png_path = artifacts / "chart-coverage-by-weapon.png"
    png.value.save_as(png_path)
    assert png_path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    with page.expect_download() as svg:
        page.locator("#chart-weapons").locator("xpath=..").get_by_text("Download SVG").click()
    svg_path = artifacts / "chart-coverage-by-weapon.svg"
    svg.value.save_as(svg_path)
    assert b"<svg" in svg_path.read_bytes()[:500]
    with page.expect_download() as map_png:
        page.locator("#section-map").locator("xpath=..").get_by_text("Download PNG").click()
    assert map_png.value.suggested_filename == "section-map.png"
    map_path = artifacts / "section-map.png"
    map_png.value.save_as(map_path)
    assert map_path.read_bytes()[:4] == b"\x89PNG"
    page.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
    page.close()


def test_the_weight_slider_changes_the_ranking(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    page, _, errors = _open(browser, live_server + "/priorities")
    first_before = page.locator("#ranking-table tbody tr").first.get_attribute("data-iso3")
    order_before = page.locator("#ranking-table tbody tr").evaluate_all(
        "rows => rows.map(row => row.dataset.iso3)"
    )
    # Take the matrix gaps out and weigh incidents most: the keyboard moves the sliders.
    for code in ("gap_op2", "gap_op3ab", "gap_op3cd", "gap_chemical", "gap_biological"):
        slider = page.locator(f"#w_{code}")
        slider.focus()
        with page.expect_navigation():
            slider.press("Home")
    slider = page.locator("#w_incidents")
    slider.focus()
    with page.expect_navigation():
        slider.press("End")
    expect(page.locator("output[for=w_incidents]")).to_have_text("3.00")
    order_after = page.locator("#ranking-table tbody tr").evaluate_all(
        "rows => rows.map(row => row.dataset.iso3)"
    )
    assert order_after != order_before
    assert "w_incidents=3" in page.url
    assert errors == []
    top = page.locator("#ranking-table tbody tr").first
    assert top.get_attribute("data-iso3") is not None
    assert first_before is not None
    top.locator("summary").click()
    expect(top.locator("table.compact")).to_be_visible()
    # The five matrix gaps weigh nothing now: only the six indicators explain the score.
    assert top.locator("table.compact tbody tr").count() == 6
    page.screenshot(path=str(artifacts / "priorities.png"), full_page=False)
    page.close()


def test_compare_draws_the_states_side_by_side(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    page, _, errors = _open(browser, live_server + "/compare")
    page.fill("#states", "FRA, NGA, BRA")
    page.select_option("#by", "weapon")
    page.get_by_role("button", name="Compare").click()
    expect(page.locator("#chart-compare")).to_have_attribute("data-rendered", "true", timeout=15000)
    assert page.locator("#compare-table thead th").count() == 4
    assert errors == []
    page.screenshot(path=str(artifacts / "compare.png"), full_page=True)
    page.close()


def test_arabic_pages_render_right_to_left_with_arabic_glyphs(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 1000})
    for path, shot in (("/?lang=ar", "home-ar.png"), ("/dashboard", "dashboard-ar.png")):
        # One browser context: the second page is in Arabic because the choice is remembered.
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda error, seen=errors: seen.append(str(error)))
        page.goto(live_server + path)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("document.documentElement.dir") == "rtl"
        assert page.evaluate("document.documentElement.lang") == "ar"
        heading = page.locator("main h1")
        assert page.evaluate("getComputedStyle(document.querySelector('main h1')).direction") == (
            "rtl"
        )
        text = heading.inner_text()
        assert any("\u0600" <= character <= "\u06ff" for character in text), text
        # Chromium says which installed fonts drew the heading: an Arabic face, not boxes.
        cdp = page.context.new_cdp_session(page)
        cdp.send("DOM.enable")
        cdp.send("CSS.enable")
        root = cdp.send("DOM.getDocument")["root"]["nodeId"]
        node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": "main h1"})["nodeId"]
        fonts = cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]
        arabic = [font for font in fonts if "Arabic" in font["familyName"]]
        assert arabic, fonts
        assert sum(font["glyphCount"] for font in arabic) >= len(text.replace(" ", "")) // 2
        # Nothing pushes the page sideways (a right-to-left page must not scroll horizontally).
        assert page.evaluate("document.documentElement.scrollWidth") <= 1280
        assert errors == []
        page.screenshot(path=str(artifacts / shot), full_page=False)
        page.close()
    context.close()


def test_the_edition_timeline_downloads_as_svg(browser: Browser, live_server: str) -> None:
    page, _, errors = _open(browser, live_server + "/states/FRA")
    expect(page.locator("#timeline-chart")).to_have_attribute("data-rendered", "true")
    with page.expect_download() as svg:
        page.locator("#timeline-chart").locator("xpath=..").get_by_text("Download SVG").click()
    assert svg.value.suggested_filename == "timeline-FRA.svg"
    assert errors == []
    page.close()


def _downloaded_svg(page: Page, figure: str, tmp_path: Path) -> str:
    with page.expect_download() as svg:
        page.locator(figure).locator("xpath=..").get_by_text("SVG").click()
    path = tmp_path / svg.value.suggested_filename
    svg.value.save_as(path)
    return path.read_text(encoding="utf-8")


def test_downloaded_charts_and_maps_carry_source_date_licence_and_notice(
    browser: Browser, live_server: str, tmp_path: Path
) -> None:
    """As Our World in Data's do: a figure taken out of the page still says where it comes
    from, when, under which licence, and that the data is synthetic."""
    page, _, errors = _open(browser, live_server + "/dashboard?section=op3ab")
    expect(page.locator("#section-map")).to_have_attribute("data-rendered", "true", timeout=15000)
    for figure in ("#chart-weapons", "#section-map"):
        svg = _downloaded_svg(page, figure, tmp_path)
        assert f"{live_server}/dashboard?section=op3ab" in svg, figure
        assert "Licence: CC BY 4.0." in svg, figure
        assert "Downloaded on " in svg, figure
        assert "It is not the 1540 Committee&#39;s records" in svg or (
            "It is not the 1540 Committee's records" in svg
        ), figure
    page.close()
    page, _, more_errors = _open(browser, live_server + "/dashboard?lang=fr")
    expect(page.locator("#chart-weapons")).to_have_attribute("data-rendered", "true")
    svg = _downloaded_svg(page, "#chart-weapons", tmp_path)
    assert "Licence : CC BY 4.0." in svg
    assert "Données de démonstration synthétiques" in svg
    page.close()
    assert errors == more_errors == []
