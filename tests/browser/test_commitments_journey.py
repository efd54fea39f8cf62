"""A commitment in a real browser: a State's point of contact records the commitment its State
announced publicly at a public open debate; later an expert records it delivered, fulfilled by
an assistance project picked from a list; the public outcome page of the debate shows it
delivered today, and announced as of a date before the delivery."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import Engine

from tests.browser.test_workflow_journey import _sign_in
from un1540.db.engine import make_session_factory
from un1540.models import Event, Origin, Visibility

pytestmark = pytest.mark.browser
DAY = datetime.now(UTC).date()


def _ago(days: int) -> str:
    return (DAY - timedelta(days=days)).isoformat()


def test_a_commitment_announced_and_later_delivered(
    browser: Browser, live_server: str, live_database: Engine, artifacts: Path
) -> None:
    with make_session_factory(live_database)() as session, session.begin():
        event = Event(
            kind="open_debate",
            title="Open debate on non-proliferation (journey)",
            starts_on=DAY - timedelta(days=60),
            organisers=[],
            audiences=[],
            visibility=Visibility.public,
            origin=Origin.entry,
        )
        session.add(event)
        session.flush()
        event_id = event.id

    poc_context, poc = _sign_in(browser, live_server, "state_poc@example.org")
    poc.goto(f"{live_server}/commitments/new")
    expect(poc.locator("#owner")).to_have_value("state:NGA")  # the State it speaks for
    poc.locator("#event").select_option(str(event_id))
    poc.locator("#kind").select_option("legislation")
    poc.locator("#title").fill("A law on export controls")
    poc.locator("#announced_on").fill(_ago(60))
    poc.locator("#target_date").fill(_ago(-300))
    poc.locator('input[name="announced_publicly"]').check()
    poc.get_by_role("button", name="Record the commitment").click()
    expect(poc.locator(".flash")).to_contain_text("recorded")
    expect(poc.locator("#commitment-status")).to_have_text("Announced")
    commitment_url = poc.url

    expert_context, expert = _sign_in(browser, live_server, "expert@example.org")
    expert.goto(commitment_url)
    expert.locator("#to").select_option("delivered")
    expert.locator("#effective_on").fill(_ago(5))
    project = expert.locator('#record option[value^="assistance_project:"]').first
    value = project.get_attribute("value")
    assert value is not None
    expert.locator("#record").select_option(value)
    expert.locator("#delivery_evidence").fill("Law published in the official gazette")
    expert.get_by_role("button", name="Apply").click()
    expect(expert.locator(".flash")).to_contain_text("The commitment is now Delivered.")
    expect(expert.locator("#commitment-status")).to_have_text("Delivered")
    expect(expert.locator("#fulfilments")).to_contain_text("Assistance project")

    public_context = browser.new_context()
    public = public_context.new_page()
    public.goto(f"{live_server}/events/{event_id}/outcome")
    row = public.locator("#outcome tbody tr", has_text="A law on export controls")
    expect(row.locator(".outcome-status")).to_have_text("Delivered")
    public.screenshot(path=str(artifacts / "commitments-outcome.png"), full_page=False)
    public.locator("#as_of").fill(_ago(10))
    public.get_by_role("button", name="Show").click()
    expect(row.locator(".outcome-status")).to_have_text("Announced")
    for context in (poc_context, expert_context, public_context):
        context.close()
