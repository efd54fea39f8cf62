"""Each user's own API tokens in the portal (issue 13, item 4): before, tokens could be issued
and revoked only on the command line (`un1540 users token`)."""

from __future__ import annotations

import re

from tests.portal.test_workflow_pages import Portal, browser, csrf, portal, post_form, sign_in

__all__ = ["portal"]  # the fixture, shared with the workflow pages' tests


def test_a_user_issues_uses_and_revokes_their_own_token(portal: Portal) -> None:
    client = browser(portal)
    sign_in(client, "poc@example.org")
    assert "You have no API token." in client.get("/account").text
    issued = post_form(client, "/account", "/account/tokens", {"label": "CI", "scope": "write"})
    plain = re.search(r'<code dir="ltr" class="secret">([^<]+)</code>', issued)
    assert plain is not None
    token = plain.group(1)
    # Shown once: the page after holds its prefix only.
    again = client.get("/account").text
    assert token not in again
    assert token[:12] in again
    assert "Read and write" in again
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["email"] == "poc@example.org"
    assert me["token_scope"] == "write"

    token_id = re.search(r'action="/account/tokens/(\d+)/revoke"', again)
    assert token_id is not None
    action = f"/account/tokens/{token_id.group(1)}/revoke"
    # A confirmation first: nothing is revoked until it is confirmed.
    asked = client.post(action, data={"csrf_token": csrf(again)})
    assert "Revoke this token?" in asked.text
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    done = client.post(action, data={"csrf_token": csrf(asked.text), "confirm": "1"})
    assert "is revoked" in done.text
    assert "Revoked on" in done.text
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401

    # Another account can neither see nor revoke it.
    other = browser(portal)
    sign_in(other, "expert@example.org")
    page = other.get("/account").text
    assert token[:12] not in page
    refused = other.post(action, data={"csrf_token": csrf(page), "confirm": "1"})
    assert refused.status_code == 404


def test_a_token_needs_a_label_and_a_known_scope(portal: Portal) -> None:
    client = browser(portal)
    sign_in(client, "expert@example.org")
    for data, message in (
        ({"label": " ", "scope": "read"}, "The token was not issued: say what it is for."),
        ({"label": "x", "scope": "admin"}, "the token was not issued (must be read or write)"),
    ):
        page = client.get("/account")
        answer = client.post("/account/tokens", data={"csrf_token": csrf(page.text), **data})
        assert answer.status_code == 200
        assert message in answer.text
        assert "You have no API token." in answer.text
