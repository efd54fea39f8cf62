"""An administrator creates an account in the portal; its owner chooses a password with the
link e-mailed to them (in the language the administrator chose), then signs in; the used link
says so. A second server on the live database, with an e-mail server (aiosmtpd) behind it."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator
from email.header import decode_header, make_header
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, expect
from sqlalchemy import Engine

from tests.conftest import Inbox, running_inbox, settings_for
from tests.factories import PASSWORD, make_user
from tests.pg_cluster import free_port
from un1540.db.engine import make_session_factory
from un1540.services.accounts.resets import wait_for_reset_emails
from un1540.web.app import create_app

pytestmark = pytest.mark.browser
NEW_PASSWORD = "seven lanterns over the river"


@pytest.fixture(scope="module")
def mailing_server(live_database: Engine) -> Iterator[tuple[str, Inbox]]:
    """The portal over the live database, sending its e-mails to a loopback SMTP server."""
    with running_inbox() as (received, smtp_port):
        port = free_port()
        settings = settings_for(live_database).model_copy(
            update={"smtp_host": "127.0.0.1", "smtp_port": smtp_port}
        )
        server = uvicorn.Server(
            uvicorn.Config(
                create_app(settings, engine=live_database),
                host="127.0.0.1",
                port=port,
                log_level="warning",
            )
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 20
        while not server.started:
            assert time.monotonic() < deadline, "the test server did not start"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}", received
        server.should_exit = True
        thread.join(timeout=10)


def test_an_administrator_creates_an_account_whose_owner_sets_a_password(
    browser: Browser,
    live_database: Engine,
    mailing_server: tuple[str, Inbox],
    artifacts: Path,
) -> None:
    server, received = mailing_server
    with make_session_factory(live_database)() as session, session.begin():
        make_user(session, role="admin", email="journey-admin@example.org")
    admin = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    admin.goto(server + "/login")
    admin.get_by_label("E-mail").fill("journey-admin@example.org")
    admin.get_by_label("Password").fill(PASSWORD)
    admin.get_by_role("button", name="Sign in").click()
    admin.locator(".account-box").get_by_role("link", name="Accounts").click()
    expect(admin.locator("h1")).to_have_text("Accounts")
    form = admin.locator("#account-form")
    form.get_by_label("E-mail", exact=True).fill("new-poc@example.org")
    form.get_by_label("Name", exact=True).fill("Amina Example")
    form.get_by_label("Role").select_option("state_poc")
    form.get_by_label("State (for").select_option(label="Chad")
    form.get_by_label("Language of its e-mails").select_option("fr")
    form.get_by_role("button", name="Create the account").click()
    expect(admin.locator(".flash")).to_contain_text("Account new-poc@example.org created")
    expect(admin.locator("h1")).to_have_text("new-poc@example.org")
    expect(admin.locator(".facts")).to_contain_text("Chad")
    admin.screenshot(path=str(artifacts / "accounts-admin-created.png"), full_page=True)

    wait_for_reset_emails()
    (message,) = received.to("new-poc@example.org")
    assert str(make_header(decode_header(str(message["Subject"])))) == (
        "[un1540] Votre compte un1540"
    )
    body = message.get_payload(decode=True)
    assert isinstance(body, bytes)
    found = re.search(r"http://127\.0\.0\.1:\d+/password/reset/\S+", body.decode())
    assert found is not None
    link = found.group(0)

    owner = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    owner.goto(link + "?lang=ar")
    expect(owner.locator("html")).to_have_attribute("dir", "rtl")
    owner.goto(link + "?lang=en")
    owner.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    owner.get_by_label("New password again").fill(NEW_PASSWORD + " (typo)")
    owner.get_by_role("button", name="Set the new password").click()
    expect(owner.locator("#reset-error")).to_contain_text("repeat_password")
    owner.get_by_label("New password", exact=True).fill(NEW_PASSWORD)
    owner.get_by_label("New password again").fill(NEW_PASSWORD)
    owner.get_by_role("button", name="Set the new password").click()
    expect(owner.locator("#reset-done")).to_be_visible()
    owner.get_by_role("main").get_by_role("link", name="Sign in").click()
    owner.get_by_label("E-mail").fill("new-poc@example.org")
    owner.get_by_label("Password").fill(NEW_PASSWORD)
    owner.get_by_role("button", name="Sign in").click()
    expect(owner.locator(".flash")).to_contain_text("Signed in as new-poc@example.org")
    expect(owner.locator(".account-box")).not_to_contain_text("Accounts")  # not an administrator
    owner.goto(link)
    expect(owner.locator("#link-state")).to_contain_text("already been used")
