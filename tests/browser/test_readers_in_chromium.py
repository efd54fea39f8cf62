"""Readers' features in headless Chromium: a downloaded SVG names itself (title, description
with source, licence and synthetic notice, Dublin Core metadata); the printed State profile has
no navigation or buttons, keeps the synthetic notice, and its tables do not scroll."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

pytestmark = pytest.mark.browser


def test_svg_download_carries_its_metadata_and_print_drops_the_chrome(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, accept_downloads=True)
    page.goto(live_server + "/embed/coverage?by=weapon&lang=en")
    expect(page.locator("#embedded-chart")).to_have_attribute(
        "data-rendered", "true", timeout=15000
    )
    with page.expect_download() as svg:
        page.get_by_text("Download SVG").click()
    path = artifacts / "embedded-coverage-by-weapon.svg"
    svg.value.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert "<title>Coverage by weapon category</title>" in text
    desc = text[text.index("<desc>") : text.index("</desc>")]
    assert "/embed/coverage" in desc
    assert "CC BY 4.0" in desc
    assert "Synthetic demo data" in desc
    assert "<dc:rights>CC BY 4.0</dc:rights>" in text
    assert "<dc:language>en</dc:language>" in text
    # The CSV: comment lines naming the figure, its source, date and licence, and the notice.
    with page.expect_download() as csv:
        page.get_by_text("Download CSV").click()
    assert csv.value.suggested_filename == "coverage-by-weapon.csv"
    csv_path = artifacts / "embedded-coverage-by-weapon.csv"
    csv.value.save_as(csv_path)
    lines = csv_path.read_text(encoding="utf-8-sig").splitlines()
    assert lines[0] == "# Coverage by weapon category"
    assert lines[1].startswith("# Source: un1540")
    assert "/embed/coverage" in lines[1]
    assert "CC BY 4.0" in lines[2]
    assert lines[3].startswith("# Synthetic demo data")
    assert lines[4] == "Category,Coverage by weapon category"
    assert len(lines) == 5 + 3  # nuclear, chemical, biological
    assert lines[5].startswith("Nuclear weapons and related materials,")

    page.goto(live_server + "/states/FRA?lang=en")
    page.emulate_media(media="print")
    assert page.locator(".site-header nav").first.is_hidden()
    assert page.locator(".site-search").is_hidden()
    assert page.locator(".synthetic-banner").is_visible()
    assert page.locator(".cite-this").is_visible()
    overflow = page.locator(".table-scroll").first.evaluate("e => getComputedStyle(e).overflowX")
    assert overflow == "visible"
    page.pdf(path=str(artifacts / "state-profile-print.pdf"))
    page.close()


def test_the_field_map_slider_reloads_the_map_for_its_date(
    browser: Browser, live_server: str
) -> None:
    page = browser.new_page(viewport={"width": 1280, "height": 1000})
    page.goto(live_server + "/who-what-where?lang=en")
    slider = page.locator("#map-day")
    expect(slider).to_be_visible()  # shown by the script; the date form works without it
    with page.expect_navigation():
        slider.fill("6000")
    day = (date(2004, 4, 28) + timedelta(days=6000)).isoformat()  # resolution 1540 + 6000 days
    assert page.url.endswith(f"as_of={day}")
    assert page.locator("#map-as-of").input_value() == day
    assert page.locator("#map-day").input_value() == "6000"
    expect(page.locator("#projects-map")).to_have_attribute("data-rendered", "true", timeout=15000)
    assert "October 1, 2020" in page.locator("#map-date-note").inner_text()
    page.close()
