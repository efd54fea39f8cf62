"""A statement in a real browser: a State's point of contact submits a written statement (its
text and its file) at the demo's public debate, an expert publishes it after confirming, and
anyone then finds it by searching the debate's statements, case and accents aside."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.browser.test_workflow_journey import _sign_in

pytestmark = pytest.mark.browser
WORDS = "Notre délégation a renforcé les contrôles zéphyriens aux frontières."


def test_a_statement_is_submitted_published_and_found(
    browser: Browser, live_server: str, artifacts: Path, tmp_path: Path
) -> None:
    poc_context, poc = _sign_in(browser, live_server, "state_poc@example.org")
    poc.goto(f"{live_server}/events?kind=open_debate&year=2025")
    poc.get_by_role("link", name="[Synthetic] Open debate").click()
    event_url = poc.url
    expect(poc.locator("#st-behalf")).to_have_value("state:NGA")  # the State it speaks for
    poc.locator("#st-speaker").fill("Chef de délégation")
    poc.locator("#st-language").select_option("fr")
    poc.locator("#st-text").fill(WORDS)
    poc.locator('input[name="topics"][value="border_controls"]').check()
    statement_file = tmp_path / "statement.pdf"
    statement_file.write_bytes(b"%PDF-1.4\n%%EOF\n")
    poc.locator("#st-file").set_input_files(str(statement_file))
    poc.get_by_role("button", name="Submit the statement").click()
    expect(poc.locator(".flash")).to_contain_text("submitted")
    waiting = poc.locator("#waiting article", has_text="zéphyriens")
    expect(waiting).to_contain_text("Not published")
    expect(waiting.get_by_role("button", name="Publish")).to_have_count(0)  # not for the State

    expert_context, expert = _sign_in(browser, live_server, "expert@example.org")
    expert.goto(event_url)
    card = expert.locator("#waiting article", has_text="zéphyriens")
    card.get_by_role("button", name="Publish").click()
    expect(expert.locator("#confirm-publish")).to_contain_text("Chef de délégation")
    expert.screenshot(path=str(artifacts / "statement-confirm.png"), full_page=False)
    expert.locator("#confirm-form").get_by_role("button", name="Publish").click()
    expect(expert.locator(".flash")).to_contain_text("published")
    expect(expert.locator("#waiting article", has_text="zéphyriens")).to_have_count(0)

    public_context = browser.new_context()
    public = public_context.new_page()
    public.goto(event_url)
    public.locator("#sq").fill("ZEPHYRIENS controles")
    public.locator("#stopic").select_option("border_controls")
    public.get_by_role("button", name="Search the statements").click()
    found = public.locator("article.statement")
    expect(found).to_have_count(1)
    expect(found).to_contain_text(WORDS)
    expect(found).to_have_attribute("lang", "fr")
    file_link = found.get_by_role("link", name="The statement's file")
    expect(file_link).to_be_visible()
    # Published with the statement: the file is public now.
    answer = public.request.get(live_server + (file_link.get_attribute("href") or ""))
    assert answer.status == 200
    assert answer.body().startswith(b"%PDF-")
    public.screenshot(path=str(artifacts / "statement-found.png"), full_page=False)
    for context in (poc_context, expert_context, public_context):
        context.close()
