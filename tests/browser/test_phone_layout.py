"""Every page family fits a 360 px phone screen without horizontal scrolling: wide tables scroll
in their own box, charts and panels shrink to the screen."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from tests.browser.test_accessibility import EXPERT_PAGES, PUBLIC_PAGES
from tests.browser.test_workflow_journey import _sign_in
from un1540.models import Document, DocumentKind, Origin, Provision

pytestmark = pytest.mark.browser

PHONE = {"width": 360, "height": 740}
# The page is wider than the screen when the document scrolls sideways.
WIDTH = "() => document.documentElement.scrollWidth"


def _too_wide(page: Page, url: str) -> list[str]:
    response = page.goto(url)
    assert response is not None, url
    assert response.status == 200, url
    page.wait_for_load_state("networkidle")
    width = page.evaluate(WIDTH)
    if width <= PHONE["width"]:
        return []
    culprits = page.evaluate(
        """(limit) => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > limit + 1
                && !e.closest('.table-scroll, .matrix-scroll, pre'))
            .slice(0, 4).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')
                + (typeof e.className === 'string' && e.className
                    ? '.' + e.className.split(' ')[0] : '')
                + ' ' + Math.round(e.getBoundingClientRect().right))""",
        PHONE["width"],
    )
    return [f"{url}: {width} px ({', '.join(culprits)})"]


def test_every_page_family_fits_a_phone(
    browser: Browser, live_server: str, artifacts: Path
) -> None:
    """Old behaviour: /priorities was 518 px wide on a 390 px screen, /dashboard 720 px,
    /reports/review 860 px."""
    page = browser.new_page(viewport=PHONE)
    found = []
    for path in PUBLIC_PAGES:
        found += _too_wide(page, live_server + path)
    # The header and the synthetic-data banner leave most of the first screen to the page.
    page.goto(live_server + "/states/FRA")
    top = page.evaluate(
        "() => Math.max(...[...document.querySelectorAll('body > header, .synthetic-banner')]"
        ".map(e => e.getBoundingClientRect().bottom))"
    )
    found += [f"header and banner end at {top} px of 740"] if top > 740 * 0.3 else []
    page.screenshot(path=str(artifacts / "phone-state-page.png"))
    page.goto(live_server + "/dashboard")
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(artifacts / "phone-dashboard.png"), full_page=True)
    page.close()
    context, page = _sign_in(browser, live_server, "expert@example.org")
    page.set_viewport_size(PHONE)
    for path in EXPERT_PAGES:
        found += _too_wide(page, live_server + path)
    context.close()
    assert found == [], "\n".join(found)


def test_a_law_page_with_its_review_forms_fits_a_phone(
    browser: Browser, live_server: str, live_database: Engine, artifacts: Path
) -> None:
    """An expert reviews a law's suggestions on a phone, in English and in Arabic (right to
    left). Old behaviour: each suggestion's decision form (the draft notice, the reason, Confirm,
    Reject, "Edit the field, weapons and columns") sat on one line: the page was 571 px wide on a
    390 px screen in Arabic."""
    with Session(live_database) as session:
        law = session.scalars(  # a demo law read into the library (io/demo_library.py)
            select(Document.id)
            .join(Provision, Provision.document_id == Document.id)
            .where(Document.kind == DocumentKind.legislation, Document.origin == Origin.demo)
            .order_by(Document.id)
        ).first()
    assert law is not None
    context, page = _sign_in(browser, live_server, "expert@example.org")
    page.set_viewport_size(PHONE)
    found = []
    for language in ("en", "ar"):
        url = f"{live_server}/documents/{law}?lang={language}"
        found += _too_wide(page, url)
        assert page.locator(".suggestion-form").count() > 0, url  # the forms are there to fit
    page.screenshot(path=str(artifacts / "phone-law-review-ar.png"), full_page=True)
    context.close()
    assert found == [], "\n".join(found)


def test_a_cell_with_its_evidence_editor_fits_a_phone(
    browser: Browser, live_server: str, live_database: Engine
) -> None:
    """Where a confirmed suggestion lands: a draft's cell with its evidence table. Old
    behaviour: 484 px wide on a 390 px screen in English (the table had no scroll box of its
    own)."""
    from tests.factories import make_user
    from un1540.db.engine import make_session_factory
    from un1540.services.matrix.actions.editions import open_draft

    with make_session_factory(live_database)() as session, session.begin():
        expert = make_user(session, role="expert", email="phone-cell-expert@example.org")
        number = open_draft(session, viewer=expert, iso3="CHN", reason="phone layout").number
    context, page = _sign_in(browser, live_server, "phone-cell-expert@example.org")
    page.set_viewport_size(PHONE)
    found = []
    for language in ("en", "ru", "ar"):
        cell = "op3cd.licensing:cw:legal_framework"
        url = f"{live_server}/states/CHN/editions/{number}/cells/{cell}?lang={language}"
        found += _too_wide(page, url)
        assert page.locator("table.evidence-editor").count() > 0, url
    context.close()
    assert found == [], "\n".join(found)
