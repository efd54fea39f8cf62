"""The inbox in the portal (web/portal/inbox.py): signing in from the home page lands on it; the
header's badge counts the unread notifications on every page and is gone once they are read;
the e-mail preferences form saves and refuses an unknown topic by name."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.factories import PASSWORD, make_user
from tests.portal.test_workflow_pages import Portal, browser, csrf, portal, sign_in
from un1540.services.matrix.actions.editions import open_draft, share_edition

__all__ = ["portal"]  # the fixture, shared with the workflow pages


def test_landing_badge_and_preferences(portal: Portal) -> None:
    with portal.sessions() as session, session.begin():
        expert = make_user(session, role="expert", email="inbox-expert@example.org")
        draft = open_draft(session, viewer=expert, iso3="GHA", reason="first draft")
        share_edition(session, viewer=expert, iso3="GHA", number=draft.number)
    client = browser(portal)
    app = client.app
    assert 'id="inbox-link"' not in client.get("/login").text  # the public: no badge, no query
    assert client.get("/inbox", follow_redirects=False).headers["location"] == "/login?next=/inbox"
    signing_in = client.post(
        "/login",
        data={
            "email": "poc@example.org",
            "password": PASSWORD,
            "next": "/",  # the home page's "Sign in" link
            "csrf_token": csrf(client.get("/login").text),
        },
        follow_redirects=False,
    )
    assert signing_in.headers["location"] == "/inbox"
    landed = client.get("/inbox")
    assert f'href="/states/GHA/editions/{draft.number}"' in landed.text
    for path in ("/fields", "/inbox", "/account"):
        page = client.get(path).text
        assert '<span class="badge badge-count"' in page, path
        assert 'aria-label="Unread notifications: 1">1</span>' in page, path
    notifications = client.get("/notifications").text
    assert "is shared with you for review" in notifications
    read = client.post("/notifications/read", data={"csrf_token": csrf(notifications)})
    assert "Notifications marked read: 1." in read.text
    assert "badge-count" not in client.get("/account").text

    form = client.get("/account/notifications").text
    assert 'value="matrix_edition" checked' in form
    saved = client.post(
        "/account/notifications",
        data={"csrf_token": csrf(form), "by_email": ["assistance_project", "action_plan"]},
    )
    assert "Your e-mail preferences are saved." in saved.text
    assert 'value="matrix_edition" checked' not in saved.text
    assert 'value="action_plan" checked' in saved.text
    refused = client.post(
        "/account/notifications", data={"csrf_token": csrf(saved.text), "by_email": ["nowhere"]}
    )
    assert "unknown topic &#39;nowhere&#39;" in refused.text
    assert 'value="action_plan" checked' in refused.text  # nothing changed

    # The expert's inbox: its own sections, none of a State's.
    expert_client = TestClient(app, follow_redirects=True)  # another person, the same server
    sign_in(expert_client, "expert@example.org")
    page = expert_client.get("/inbox").text
    assert "Drafts in preparation" in page
    assert "Proposed changes awaiting your decision" in page
    assert "Your assistance requests" not in page
