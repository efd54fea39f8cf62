"""axe-core in Chromium over every page family: no serious or critical WCAG violation.

axe-core is vendored for the tests (tests/browser/vendor/axe-core); it is evaluated through the
DevTools protocol, which the pages' Content-Security-Policy does not restrict, and never served.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from tests.browser.test_workflow_journey import _sign_in

pytestmark = pytest.mark.browser

AXE = (Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js").read_text(encoding="utf-8")
SERIOUS = ("serious", "critical")

# One page per family, as the public sees it.
PUBLIC_PAGES = [
    "/",
    "/states",
    "/states/FRA",
    "/states/FRA/matrix",
    "/states/FRA/documents",
    "/states/FRA/editions/1/diff/2",
    "/fields",
    "/fields/op2.use",
    "/compare",
    "/trends",
    "/dashboard",
    "/priorities",
    "/reports/review",
    "/downloads",
    "/search?q=export",
    "/incidents",
    "/assistance",
    "/who-what-where",
    "/funding",
    "/reporting",
    "/action-plans",
    "/commitments?status=announced",  # facets with a filter in use (its chip)
    "/trainings",
    "/organisations/unodc",
    "/login",
    "/api/docs",
]
# Pages behind sign-in, as an expert sees them.
EXPERT_PAGES = [
    "/account",
    "/notifications",
    "/contacts",
    "/visits",
    "/assistance/requests/new",
    "/assistance/offers/new",
    "/action-plans/new",
]


def _violations(page: Page, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None, url
    assert response.status == 200, url
    page.wait_for_load_state("networkidle")
    page.evaluate(AXE)
    result = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
    )
    found = []
    for violation in result:
        if violation["impact"] not in SERIOUS:
            continue
        targets = [json.dumps(node["target"]) for node in violation["nodes"][:3]]
        found.append(
            f"{url}: {violation['id']} ({violation['impact']}, {len(violation['nodes'])} "
            f"node(s), e.g. {', '.join(targets)})"
        )
    return found


def test_no_serious_violation_on_any_page_family(browser: Browser, live_server: str) -> None:
    """Old behaviour: the API docs page had 170+ serious violations (contrast, nested controls,
    no `lang`); portal pages had the banner outside a landmark and empty table headers."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    found = []
    for path in PUBLIC_PAGES:
        found += _violations(page, live_server + path)
    page.close()
    context, page = _sign_in(browser, live_server, "expert@example.org")
    for path in EXPERT_PAGES:
        found += _violations(page, live_server + path)
    context.close()
    assert found == [], "\n".join(found)
