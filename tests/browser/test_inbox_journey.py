"""Each role signs in and lands on its inbox, which shows its own work (web/portal/inbox.py):
the expert a draft, the Committee an edition awaiting approval, a State's point of contact the
draft shared with it (and the badge of its notification, and its e-mail preferences), a
provider its project, a donor its pledge not yet paid."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy import Engine, select

from tests.factories import PASSWORD, make_user
from un1540.db.engine import make_session_factory
from un1540.models import AssistanceOffer, AssistanceProject, AssistanceRequest, Organisation
from un1540.schemas.assistance import FundingCreate
from un1540.services.assistance.actions.funding import record_funding
from un1540.services.matrix.actions.editions import agree_edition, open_draft, share_edition

pytestmark = pytest.mark.browser


def _land(browser: Browser, server: str, email: str) -> Page:
    """Sign in from the home page's "Sign in" link: the account lands on its inbox."""
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(server + "/")
    page.locator(".account-box").get_by_role("link", name="Sign in").click()
    page.get_by_label("E-mail").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.locator(".flash")).to_contain_text(f"Signed in as {email}")
    assert page.url == f"{server}/inbox"
    expect(page.locator("h1")).to_have_text("Your inbox")
    return page


def test_each_role_lands_on_its_inbox(
    browser: Browser, live_server: str, live_database: Engine, artifacts: Path
) -> None:
    with make_session_factory(live_database)() as session, session.begin():
        expert = make_user(session, role="expert", email="inbox-expert@example.org")
        committee = make_user(session, role="committee", email="inbox-committee@example.org")
        poc = make_user(session, role="state_poc", email="inbox-poc@example.org", iso3="FJI")
        open_draft(session, viewer=expert, iso3="POL", reason="annual review")
        shared = open_draft(session, viewer=expert, iso3="FJI", reason="annual review")
        share_edition(session, viewer=expert, iso3="FJI", number=shared.number, review_days=20)
        agreed = open_draft(session, viewer=expert, iso3="TUR", reason="annual review")
        share_edition(session, viewer=expert, iso3="TUR", number=agreed.number)
        agree_edition(session, viewer=expert, iso3="TUR", number=agreed.number, reason="agreed")
        # A project on a request shown to providers, and an account of its provider.
        project, organisation = session.execute(
            select(AssistanceProject, Organisation)
            .join(AssistanceOffer, AssistanceOffer.id == AssistanceProject.offer_id)
            .join(Organisation, Organisation.id == AssistanceOffer.organisation_id)
            .join(AssistanceRequest, AssistanceRequest.id == AssistanceProject.request_id)
            .where(
                AssistanceProject.status != "closed",
                AssistanceRequest.consent.in_(["providers", "public"]),
                AssistanceRequest.circulated_at.is_not(None),
            )
            .limit(1)
        ).one()
        make_user(
            session, role="provider", email="inbox-provider@example.org", org=organisation.code
        )
        donor_code = session.scalars(
            select(Organisation.code).where(Organisation.id != organisation.id)
        ).first()
        donor = make_user(session, role="provider", email="inbox-donor@example.org", org=donor_code)
        for kind, amount in (("pledge", 1000.0), ("contribution", 400.0)):
            record_funding(
                session, viewer=donor, data=FundingCreate(kind=kind, amount=amount, currency="USD")
            )
        project_title = project.title
    assert committee.user_id is not None
    assert poc.user_id is not None

    page = _land(browser, live_server, "inbox-expert@example.org")
    expect(page.locator("#inbox-drafts")).to_contain_text("Edition")
    expect(page.locator('#inbox-drafts a[href^="/states/POL/editions/"]')).to_be_visible()
    expect(page.locator("#inbox-proposals")).to_contain_text("No proposed change awaits")
    page.screenshot(path=str(artifacts / "inbox-expert.png"), full_page=True)

    page = _land(browser, live_server, "inbox-committee@example.org")
    expect(
        page.locator(f'#inbox-approval a[href="/states/TUR/editions/{agreed.number}"]')
    ).to_be_visible()
    expect(page.locator("#inbox-approval")).to_contain_text("Agreed by the State")

    page = _land(browser, live_server, "inbox-poc@example.org")
    fiji = f"/states/FJI/editions/{shared.number}"
    expect(page.locator(f'#inbox-shared a[href="{fiji}"]')).to_be_visible()
    expect(page.locator(f'#inbox-deadlines a[href="{fiji}"]')).to_be_visible()  # due in 20 days
    expect(page.locator("#inbox-link .badge-count")).to_have_text("1")  # told it was shared
    page.screenshot(path=str(artifacts / "inbox-state.png"), full_page=True)
    page.get_by_role("link", name="E-mail preferences").click()
    box = page.locator('input[name="by_email"][value="matrix_edition"]')
    expect(box).to_be_checked()
    box.uncheck()
    page.get_by_role("button", name="Save e-mail preferences").click()
    expect(page.locator(".flash")).to_contain_text("Your e-mail preferences are saved.")
    expect(page.locator('input[name="by_email"][value="matrix_edition"]')).not_to_be_checked()
    page.goto(live_server + "/notifications")
    page.get_by_role("button", name="Mark all read").click()
    expect(page.locator(".flash")).to_contain_text("Notifications marked read: 1.")
    expect(page.locator("#inbox-link .badge-count")).to_have_count(0)

    page = _land(browser, live_server, "inbox-provider@example.org")
    expect(page.locator("#inbox-projects")).to_contain_text(project_title)
    expect(page.locator("#inbox-pledges")).to_contain_text("Every pledge you made is paid.")

    page = _land(browser, live_server, "inbox-donor@example.org")
    expect(page.locator("#inbox-pledges")).to_contain_text("600.00 USD")
    expect(page.locator("#inbox-projects")).not_to_contain_text(project_title)
